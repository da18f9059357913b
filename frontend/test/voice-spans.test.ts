// Findings' UTF-16 spans kept in step with the text, fixes applied, the text cut into runs.
import { describe, expect, it } from 'vitest';
import type { Finding } from '../src/types';
import { ackKey, applyFix, blockers, editBetween, findingsAt, mapFindings, mapSpan, runs, underlined, validSpan } from '../src/voice/spans';

const f = (over: Partial<Finding> & { start: number; end: number }): Finding => {
  const { start, end, ...rest } = over;
  return { id: `r:${start}-${end}`, rule: 'vocabulary.banned', severity: 'error', field: 'text', channel_ids: [], span: { start, end }, excerpt: '', message: 'm', ...rest };
};

// The server's example: the emoji is two UTF-16 units, so "utilisateurs" starts at 7 (bytes: 9).
const text = '🎉 Nos utilisateurs adorent les envois gratuits.';
const at = (word: string) => ({ start: text.indexOf(word), end: text.indexOf(word) + word.length });

describe('UTF-16 spans', () => {
  it('are JavaScript string indexes, so slicing gives the excerpt', () => {
    expect(at('utilisateurs')).toEqual({ start: 7, end: 19 });
    expect(text.slice(7, 19)).toBe('utilisateurs');
  });
  it('are valid only inside the text and on whole characters', () => {
    expect(validSpan(text, { start: 0, end: 2 })).toBe(true);
    expect(validSpan(text, { start: 1, end: 3 })).toBe(false); // half the emoji
    expect(validSpan(text, { start: 3, end: 2 })).toBe(false);
    expect(validSpan(text, { start: 0, end: text.length + 1 })).toBe(false);
  });
});

describe('editBetween', () => {
  it('finds typing, deleting and replacing', () => {
    expect(editBetween('abc', 'abXc')).toEqual({ start: 2, oldEnd: 2, newEnd: 3 });
    expect(editBetween('abXc', 'abc')).toEqual({ start: 2, oldEnd: 3, newEnd: 2 });
    expect(editBetween('hello world', 'hello there')).toEqual({ start: 6, oldEnd: 11, newEnd: 11 });
    expect(editBetween('same', 'same')).toBeNull();
  });
  it('never cuts an emoji in two', () => {
    // 😀 (D83D DE00) → 😁 (D83D DE01): the high halves agree, but the change is the whole pair.
    expect(editBetween('a😀b', 'a😁b')).toEqual({ start: 1, oldEnd: 3, newEnd: 3 });
    // 🎉 (D83C DF89) → 🏉 (D83C DFC9)… and a pair whose low halves agree.
    expect(editBetween('x\uD83D\uDE00', 'x\uD83E\uDE00')).toEqual({ start: 1, oldEnd: 3, newEnd: 3 });
  });
});

describe('mapSpan and mapFindings', () => {
  const e = (start: number, oldEnd: number, newEnd: number) => ({ start, oldEnd, newEnd });
  it('keeps spans before the edit, shifts those after, stretches those around it', () => {
    expect(mapSpan({ start: 2, end: 5 }, e(5, 5, 8))).toEqual({ start: 2, end: 5 }); // typing right after
    expect(mapSpan({ start: 5, end: 9 }, e(5, 5, 8))).toEqual({ start: 8, end: 12 }); // typing right before
    expect(mapSpan({ start: 2, end: 9 }, e(4, 6, 5))).toEqual({ start: 2, end: 8 }); // deleting inside
    expect(mapSpan({ start: 2, end: 9 }, e(8, 12, 8))).toBeNull(); // cut into
    expect(mapSpan({ start: 2, end: 9 }, e(2, 9, 4))).toBeNull(); // replaced exactly
  });
  it('carries findings over typing earlier in the text, emoji included', () => {
    const fs = [f({ ...at('gratuits'), excerpt: 'gratuits', fix: { span: at('gratuits'), replacement: 'offerts' } })];
    const typed = '🎉🎉 ' + text;
    const moved = mapFindings(fs, text, typed);
    expect(moved).toHaveLength(1);
    expect(typed.slice(moved[0].span.start, moved[0].span.end)).toBe('gratuits');
    expect(typed.slice(moved[0].fix!.span.start, moved[0].fix!.span.end)).toBe('gratuits');
  });
  it('drops the fix of a finding that was typed into (it would no longer fit)', () => {
    const fs = [f({ ...at('gratuits'), fix: { span: at('gratuits'), replacement: 'offerts' } })];
    const typed = text.replace('gratuits', 'graXtuits');
    const [m] = mapFindings(fs, text, typed);
    expect(typed.slice(m.span.start, m.span.end)).toBe('graXtuits');
    expect(m.fix).toBeUndefined();
  });
  it('is the identity when nothing changed', () => {
    const fs = [f(at('Nos'))];
    expect(mapFindings(fs, text, text)).toBe(fs);
  });
});

describe('applyFix', () => {
  const banned = f({ id: 'b', ...at('gratuits'), excerpt: 'gratuits', fix: { span: at('gratuits'), replacement: 'offerts' } });
  const pref = f({ id: 'p', ...at('utilisateurs'), severity: 'warning', rule: 'vocabulary.preferred', excerpt: 'utilisateurs' });
  const after = f({ id: 'x', start: text.length - 1, end: text.length, severity: 'info' });
  it('replaces the span and keeps the other findings on their words', () => {
    const r = applyFix(text, [pref, banned, after], banned)!;
    expect(r.text).toBe('🎉 Nos utilisateurs adorent les envois offerts.');
    expect(r.findings.map((x) => x.id)).toEqual(['p', 'x']);
    expect(r.text.slice(r.findings[0].span.start, r.findings[0].span.end)).toBe('utilisateurs');
    expect(r.text.slice(r.findings[1].span.start, r.findings[1].span.end)).toBe('.');
    expect(r.caret).toBe(r.text.indexOf('offerts') + 'offerts'.length);
  });
  it('refuses a stale finding whose words are no longer there', () => {
    expect(applyFix(text.replace('gratuits', 'gratuité'), [banned], banned)).toBeNull();
  });
  it('refuses a fix that would cut an emoji or leave the text', () => {
    expect(applyFix(text, [], f({ start: 1, end: 2, fix: { span: { start: 1, end: 2 }, replacement: '' } }))).toBeNull();
    expect(applyFix(text, [], f({ start: 0, end: 99, fix: { span: { start: 0, end: 99 }, replacement: '' } }))).toBeNull();
  });
  it('inserts at an insertion point (a missing disclaimer)', () => {
    const d = f({ id: 'd', rule: 'disclaimer.missing', start: text.length, end: text.length, fix: { span: { start: text.length, end: text.length }, replacement: ' #sponsorisé' } });
    expect(applyFix(text, [d], d)!.text).toBe(text + ' #sponsorisé');
  });
});

describe('runs', () => {
  it('cut the text at the spans and let the worst severity decide', () => {
    const rs = runs('aa bb cc', [f({ id: 'w', start: 3, end: 8, severity: 'warning' }), f({ id: 'e', start: 6, end: 8 })]);
    expect(rs.map((r) => [r.text, r.severity, r.ids])).toEqual([
      ['aa ', null, []],
      ['bb ', 'warning', ['w']],
      ['cc', 'error', ['w', 'e']],
    ]);
  });
  it('put the pieces back together into the text, emoji whole', () => {
    const rs = runs(text, [f({ start: 1, end: 5 }), f(at('gratuits'))]);
    expect(rs.map((r) => r.text).join('')).toBe(text);
    expect(rs[0]).toMatchObject({ start: 0, end: 5, text: '🎉 No' }); // the start was snapped off the emoji's low half
  });
  it('ignore empty spans and clamp long ones', () => {
    expect(runs('abc', [f({ start: 1, end: 1 }), f({ start: 2, end: 50 })]).map((r) => r.text)).toEqual(['ab', 'c']);
    expect(runs('', [])).toEqual([{ start: 0, end: 0, text: '', severity: null, ids: [] }]);
  });
});

describe('what is drawn and what blocks', () => {
  it('underlines words, not the whole post or an insertion point', () => {
    const long = 'x'.repeat(100);
    expect(underlined(f({ start: 2, end: 5 }), 100)).toBe(true);
    expect(underlined(f({ start: 0, end: 100 }), long.length)).toBe(false);
    expect(underlined(f({ start: 0, end: 10 }), 10)).toBe(true); // a short post is one word or two
    expect(underlined(f({ start: 4, end: 4 }), 100)).toBe(false);
  });
  it('finds the findings under the caret', () => {
    const fs = [f({ id: 'a', start: 2, end: 5 }), f({ id: 'b', start: 7, end: 9 })];
    expect(findingsAt(fs, 5).map((x) => x.id)).toEqual(['a']);
    expect(findingsAt(fs, 6)).toEqual([]);
  });
  it('count errors, and warnings without a note', () => {
    const w = f({ id: 'w', start: 0, end: 3, severity: 'warning', excerpt: 'Nos', rule: 'vocabulary.preferred' });
    const e = f({ id: 'e', start: 4, end: 6 });
    const i = f({ id: 'i', start: 4, end: 6, severity: 'info' });
    expect(blockers([w, e, i], {})).toEqual({ errors: [e], unacknowledged: [w] });
    expect(blockers([w], { [ackKey(w)]: 'quoted a customer' }).unacknowledged).toEqual([]);
    expect(blockers([w], { [ackKey(w)]: '   ' }).unacknowledged).toEqual([w]);
    expect(blockers([{ ...w, acknowledged: true }], {}).unacknowledged).toEqual([]);
    expect(ackKey({ ...w, excerpt: ' NOS ' })).toBe(ackKey(w));
  });
});
