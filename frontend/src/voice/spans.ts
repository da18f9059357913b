// Findings point into a text with UTF-16 offsets (the server's span.start/end are JavaScript
// string indexes). The composer keeps them in step with the text as it is typed, so underlines
// stay on their words between two checks instead of jumping or vanishing while the next check is
// on its way; applies a finding's fix; and cuts the text into runs for the highlighted mirror.
// Pure functions, tested in test/voice-spans.test.ts.
import type { Finding, Severity, Span } from '../types';

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/** Edit is what changed between two texts: before[start, oldEnd) became after[start, newEnd). */
export interface Edit {
  start: number;
  oldEnd: number;
  newEnd: number;
}

/**
 * editBetween finds the one region where two texts differ (their common prefix and suffix left
 * out), never cutting a surrogate pair in two: typing, pasting, deleting and replacing a
 * selection are each one such edit. Null when the texts are equal.
 */
export function editBetween(before: string, after: string): Edit | null {
  if (before === after) return null;
  const max = Math.min(before.length, after.length);
  let p = 0;
  while (p < max && before.charCodeAt(p) === after.charCodeAt(p)) p++;
  // Do not end the prefix between the halves of a pair (the pair itself changed).
  if (p > 0 && isHigh(before.charCodeAt(p - 1))) p--;
  let s = 0;
  while (s < max - p && before.charCodeAt(before.length - 1 - s) === after.charCodeAt(after.length - 1 - s)) s++;
  if (s > 0 && isLow(before.charCodeAt(before.length - s))) s--;
  return { start: p, oldEnd: before.length - s, newEnd: after.length - s };
}

/**
 * mapSpan moves a span of the text before an edit to the text after it: before the edit it
 * stays, after it it shifts, around it it stretches (a sentence that was typed into is still
 * that sentence); a span the edit cuts into, or replaces exactly, is gone (null).
 */
export function mapSpan(span: Span, e: Edit): Span | null {
  const delta = e.newEnd - e.oldEnd;
  if (span.end <= e.start) return { start: span.start, end: span.end };
  if (span.start >= e.oldEnd) return { start: span.start + delta, end: span.end + delta };
  const inside = span.start <= e.start && e.oldEnd <= span.end;
  const exact = span.start === e.start && span.end === e.oldEnd;
  if (inside && !exact) return { start: span.start, end: span.end + delta };
  return null;
}

/** mapFinding maps a finding through an edit; its fix survives only when the edit misses it. */
export function mapFinding(f: Finding, e: Edit): Finding | null {
  // Before the edit nothing moves: keep the very same finding, so what draws it need not redraw.
  if (f.span.end <= e.start && (!f.fix || f.fix.span.end <= e.start)) return f;
  const span = mapSpan(f.span, e);
  if (!span) return null;
  let fix = f.fix;
  if (fix) {
    const fs = fix.span;
    const untouched = fs.end <= e.start || fs.start >= e.oldEnd;
    const moved = untouched ? mapSpan(fs, e) : null;
    // A stretched finding is stale: its replacement would no longer fit what it replaces.
    const stretched = span.end - span.start !== f.span.end - f.span.start;
    fix = moved && !stretched ? { span: moved, replacement: fix.replacement } : undefined;
  }
  return { ...f, span, fix };
}

/** mapFindings carries findings computed on one text over to another. */
export function mapFindings(findings: Finding[], from: string, to: string): Finding[] {
  const e = editBetween(from, to);
  if (!e) return findings;
  const out: Finding[] = [];
  for (const f of findings) {
    const m = mapFinding(f, e);
    if (m) out.push(m);
  }
  return out;
}

/** validSpan: inside the text, in order, and not cutting a surrogate pair. */
export function validSpan(text: string, s: Span): boolean {
  if (!(Number.isInteger(s.start) && Number.isInteger(s.end) && 0 <= s.start && s.start <= s.end && s.end <= text.length)) return false;
  const cuts = (i: number) => i > 0 && i < text.length && isHigh(text.charCodeAt(i - 1)) && isLow(text.charCodeAt(i));
  return !cuts(s.start) && !cuts(s.end);
}

/**
 * applyFix replaces the fix's span with its replacement. It returns the new text, the findings
 * left (the fixed one removed, the others mapped), and where the caret goes (after the
 * replacement); null when the fix no longer fits the text.
 */
export function applyFix(text: string, findings: Finding[], target: Finding): { text: string; findings: Finding[]; caret: number } | null {
  const fix = target.fix;
  if (!fix || !validSpan(text, fix.span)) return null;
  // A finding's excerpt is the text of its span: when they disagree, the finding is stale.
  const ex = target.excerpt;
  if (ex && target.span.end - target.span.start === ex.length && text.slice(target.span.start, target.span.end) !== ex) return null;
  const next = text.slice(0, fix.span.start) + fix.replacement + text.slice(fix.span.end);
  const e: Edit = { start: fix.span.start, oldEnd: fix.span.end, newEnd: fix.span.start + fix.replacement.length };
  const rest: Finding[] = [];
  for (const f of findings) {
    if (f === target || f.id === target.id) continue;
    const m = mapFinding(f, e);
    if (m) rest.push(m);
  }
  return { text: next, findings: rest, caret: e.newEnd };
}

const RANK: Record<Severity, number> = { error: 3, warning: 2, info: 1 };

/** worst is the most severe of the severities (null for none). */
export function worst(list: Severity[]): Severity | null {
  let w: Severity | null = null;
  for (const s of list) if (!w || RANK[s] > RANK[w]) w = s;
  return w;
}

/** Run is a piece of the text and the findings that cover it. */
export interface Run {
  start: number;
  end: number;
  text: string;
  severity: Severity | null;
  ids: string[];
}

/**
 * runs cuts the text at every boundary of the given findings' spans (those with a length) and
 * says which findings cover each piece; the most severe decides how a piece looks. Spans are
 * clamped to the text and snapped off surrogate halves, so a piece never holds half an emoji.
 */
export function runs(text: string, findings: Finding[]): Run[] {
  const snap = (i: number) => {
    i = Math.max(0, Math.min(text.length, i));
    return i > 0 && i < text.length && isHigh(text.charCodeAt(i - 1)) && isLow(text.charCodeAt(i)) ? i - 1 : i;
  };
  const spans = findings
    .map((f) => ({ f, start: snap(f.span.start), end: snap(f.span.end) }))
    .filter((x) => x.end > x.start);
  const cuts = new Set<number>([0, text.length]);
  for (const s of spans) {
    cuts.add(s.start);
    cuts.add(s.end);
  }
  const points = Array.from(cuts).sort((a, b) => a - b);
  const out: Run[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i];
    const b = points[i + 1];
    if (a === b) continue;
    const covering = spans.filter((s) => s.start <= a && b <= s.end);
    out.push({ start: a, end: b, text: text.slice(a, b), severity: worst(covering.map((s) => s.f.severity)), ids: covering.map((s) => s.f.id) });
  }
  if (!out.length) out.push({ start: 0, end: 0, text: '', severity: null, ids: [] });
  return out;
}

/**
 * underlined says whether a finding is drawn in the text: a finding about a word or a sentence
 * is; one about the whole post (reading ease, its language, a missing disclaimer) or an
 * insertion point is listed only, since underlining everything would point at nothing.
 */
export function underlined(f: Finding, textLength: number): boolean {
  const len = f.span.end - f.span.start;
  if (len <= 0) return false;
  if (f.span.start === 0 && f.span.end >= textLength && textLength > 40) return false;
  return true;
}

/** findingAt lists the findings whose span holds the caret (ends included). */
export function findingsAt(findings: Finding[], caret: number): Finding[] {
  return findings.filter((f) => f.span.start <= caret && caret <= f.span.end && f.span.end > f.span.start);
}

/** ackKey names a warning by what it is about, so a note survives edits that move it. */
export function ackKey(f: Pick<Finding, 'rule' | 'excerpt' | 'related_post_id'>): string {
  return `${f.rule}|${f.excerpt.trim().toLowerCase()}|${f.related_post_id ?? ''}`;
}

/** Blockers counts what stops a text from being submitted: errors, and warnings without a note. */
export function blockers(findings: Finding[], notes: Record<string, string>): { errors: Finding[]; unacknowledged: Finding[] } {
  const errors = findings.filter((f) => f.severity === 'error');
  const unacknowledged = findings.filter((f) => f.severity === 'warning' && !f.acknowledged && !(notes[ackKey(f)] ?? '').trim());
  return { errors, unacknowledged };
}
