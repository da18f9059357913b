// Who may approve which step, in words and in the Approve button, and steps as the API takes them.
import { describe, expect, it } from 'vitest';
import { setLocale } from '../src/i18n';
import { stepRequest } from '../src/settings/approvals';
import type { ApprovalStep, Post, ReviewStep } from '../src/types';
import { admits, approversOf, mayApprove, waitingFor } from '../src/voice/steps';

const step = (over: Partial<ReviewStep>): ReviewStep => ({ name: 'Review', role: 'editor', members: [], client: false, mode: 'any', min_approvals: 1, done: false, current: false, approved_by: [], ...over });
const post = (steps: ReviewStep[], current: number, over: Partial<Post> = {}): Post =>
  ({ id: 1, author_id: 4, status: 'in_review', review: { required_approvals: 1, approved_by: [], decisions: [], steps, current_step: current }, ...over }) as Post;
const names: Record<number, string> = { 4: 'Camille', 5: 'Elise', 9: 'Léa' };
const nameOf = (id: number) => names[id] ?? '#' + id;

describe('approversOf', () => {
  it('says who approves, in English and French', () => {
    setLocale('en');
    expect(approversOf(step({}), nameOf)).toBe('One Editor or above');
    expect(approversOf(step({ role: 'admin', min_approvals: 2 }), nameOf)).toBe('2 people with the role Admin or above');
    expect(approversOf(step({ role: '', members: [5, 9], mode: 'all' }), nameOf)).toBe('All of: Elise, Léa');
    expect(approversOf(step({ role: '', members: [5, 9] }), nameOf)).toBe('One of: Elise, Léa');
    expect(approversOf(step({ role: '', client: true }), nameOf)).toBe('The client, through a review link');
    setLocale('fr');
    expect(approversOf(step({ role: '', members: [5, 9], min_approvals: 2 }), nameOf)).toBe('2 parmi : Elise, Léa');
    setLocale('en');
  });
});

describe('admits and mayApprove', () => {
  it('admit a role and above, named members (authors too), never the client', () => {
    expect(admits(step({}), 5, 'editor')).toBe(true);
    expect(admits(step({}), 5, 'author')).toBe(false);
    expect(admits(step({ role: '', members: [4] }), 4, 'author')).toBe(true);
    expect(admits(step({ role: '', members: [4] }), 5, 'owner')).toBe(false);
    expect(admits(step({ role: '', client: true }), 5, 'owner')).toBe(false);
  });
  it('say why the button is off', () => {
    const two = [step({ current: true }), step({ name: 'Client', role: '', client: true })];
    expect(mayApprove(post(two, 0), 5, 'editor', false)).toEqual({ ok: true });
    expect(mayApprove(post(two, 0), 4, 'editor', false)).toEqual({ ok: false, reason: 'own' });
    expect(mayApprove(post(two, 0), 4, 'editor', true)).toEqual({ ok: true });
    expect(mayApprove(post(two, 1), 5, 'editor', false)).toEqual({ ok: false, reason: 'client' });
    expect(mayApprove(post([step({ min_approvals: 2, approved_by: [5] })], 0), 5, 'editor', false)).toEqual({ ok: false, reason: 'already' });
    expect(mayApprove(post(two, 0), 9, 'author', false)).toEqual({ ok: false, reason: 'not_approver' });
    expect(mayApprove(post(two, 0, { status: 'approved' }), 5, 'editor', false)).toEqual({ ok: false, reason: 'not_in_review' });
    expect(mayApprove(post(two, 2), 5, 'editor', false)).toEqual({ ok: false, reason: 'no_step' });
  });
  it('fall back to the workspace rule without steps (an older server)', () => {
    const p = { id: 1, author_id: 4, status: 'in_review' } as Post;
    expect(mayApprove(p, 5, 'editor', false)).toEqual({ ok: true });
    expect(mayApprove(p, 4, 'editor', false)).toEqual({ ok: false, reason: 'own' });
  });
  it('name the step a post waits for', () => {
    expect(waitingFor(post([step({}), step({ name: 'Client', client: true })], 1))).toBe('Client');
    expect(waitingFor(post([step({})], 1))).toBe('');
    expect(waitingFor(post([step({})], 0, { status: 'approved' }))).toBe('');
  });
});

describe('stepRequest', () => {
  const s = (over: Partial<ApprovalStep>): ApprovalStep => ({ name: ' Legal ', role: '', members: [], client: false, mode: 'any', min_approvals: 0, ...over });
  it('keeps exactly one kind of approver, as the server requires', () => {
    expect(stepRequest(s({ role: 'admin', members: [3], min_approvals: 2 }))).toEqual({ name: 'Legal', role: 'admin', members: [], client: false, mode: 'any', min_approvals: 2 });
    expect(stepRequest(s({ members: [3, 4], mode: 'all', min_approvals: 2 }))).toEqual({ name: 'Legal', role: '', members: [3, 4], client: false, mode: 'all', min_approvals: 0 });
    expect(stepRequest(s({ client: true, role: 'editor', members: [3], mode: 'all' }))).toEqual({ name: 'Legal', role: '', members: [], client: true, mode: 'any', min_approvals: 1 });
    expect(stepRequest(s({ members: [3] }))).toMatchObject({ mode: 'any', min_approvals: 1 });
  });
});
