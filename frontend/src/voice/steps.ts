// Multi-step approval as the UI explains it: who may approve a step, and whether the person
// looking may approve the post now. The server decides (server/workflow/steps.go); these say
// what to offer. Pure functions, tested in test/steps.test.ts.
import { t, tn } from '../i18n';
import { atLeast, type ApprovalStep, type Post, type Role } from '../types';

/** approversOf says in words who approves a step: a role and above, named members, the client. */
export function approversOf(step: ApprovalStep, nameOf: (id: number) => string): string {
  if (step.client) return t('steps.client');
  if (step.members.length) {
    const names = step.members.map(nameOf).join(', ');
    if (step.mode === 'all') return t('steps.allOf', { names });
    const n = Math.max(1, step.min_approvals || 1);
    return n === 1 ? t('steps.anyOf', { names }) : t('steps.nOf', { n, names });
  }
  const n = Math.max(1, step.min_approvals || 1);
  return tn('steps.byRole', n, { role: t('role.' + (step.role || 'editor')) });
}

/** admits mirrors workflow.Step.admits: may this member approve the step? */
export function admits(step: ApprovalStep, userId: number, role: Role | undefined): boolean {
  if (step.client) return false;
  if (step.members.length) return step.members.includes(userId) && atLeast(role, 'author');
  return atLeast(role, (step.role || 'editor') as Role);
}

export type ApproveVerdict =
  | { ok: true }
  | { ok: false; reason: 'not_in_review' | 'own' | 'client' | 'not_approver' | 'already' | 'no_step' };

/**
 * mayApprove says whether the member can approve the post now, and if not, why (to show on the
 * button). Without steps (an older server) it falls back to the workspace's rule.
 */
export function mayApprove(post: Post, userId: number, role: Role | undefined, selfApprove: boolean): ApproveVerdict {
  if (post.status !== 'in_review') return { ok: false, reason: 'not_in_review' };
  const steps = post.review?.steps;
  const cur = post.review?.current_step ?? 0;
  if (!steps || !steps.length) {
    if (post.author_id === userId && !selfApprove) return { ok: false, reason: 'own' };
    return atLeast(role, 'editor') ? { ok: true } : { ok: false, reason: 'not_approver' };
  }
  const step = steps[cur];
  if (!step) return { ok: false, reason: 'no_step' };
  if (step.client) return { ok: false, reason: 'client' };
  if (post.author_id === userId && !selfApprove && !step.members.includes(userId)) return { ok: false, reason: 'own' };
  if (!admits(step, userId, role)) return { ok: false, reason: 'not_approver' };
  if (step.approved_by.includes(userId)) return { ok: false, reason: 'already' };
  return { ok: true };
}

/** waitingFor names the step a post waits for ("" when it waits for none). */
export function waitingFor(post: Pick<Post, 'review' | 'status'>): string {
  if (post.status !== 'in_review') return '';
  const steps = post.review?.steps ?? [];
  return steps[post.review?.current_step ?? 0]?.name ?? '';
}
