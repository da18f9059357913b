// The composing library's text work, as pure functions (tested in test/library.test.ts):
// {{variables}} and {{snippet:code}} written with the same rules as the server (server/library.go),
// filling them in, a snippet typed as /code at the caret, inserting at the caret, and adding a
// hashtag group's tags that the text does not carry yet.
import type { Snippet } from '../types';

/** A variable: {{name}}, a letter then up to 39 letters, digits or _, spaces allowed inside. */
export const VARIABLE_RE = /\{\{\s*([A-Za-z][A-Za-z0-9_]{0,39})\s*\}\}/g;
/** A snippet reference: {{snippet:code}}. */
export const SNIPPET_RE = /\{\{\s*snippet:([a-z0-9][a-z0-9_-]{0,31})\s*\}\}/g;
/** A snippet's short code, as the server accepts it. */
export const SNIPPET_CODE_RE = /^[a-z0-9][a-z0-9_-]{0,31}$/;

/** variablesIn lists the distinct variable names of a text, in order of appearance. */
export function variablesIn(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(VARIABLE_RE)) if (!out.includes(m[1])) out.push(m[1]);
  return out;
}

/**
 * fillVariables writes each variable's value in its place; variables without a value (or with
 * an empty one) stay as written and are listed in missing.
 */
export function fillVariables(text: string, values: Record<string, string>): { text: string; missing: string[] } {
  const missing: string[] = [];
  const out = text.replace(VARIABLE_RE, (m, name: string) => {
    const v = values[name];
    if (v !== undefined && v !== '') return v;
    if (!missing.includes(name)) missing.push(name);
    return m;
  });
  return { text: out, missing };
}

/** expandSnippets replaces {{snippet:code}} with the snippet's text; unknown codes stay. */
export function expandSnippets(text: string, snippets: Pick<Snippet, 'code' | 'text'>[]): { text: string; unknown: string[] } {
  const unknown: string[] = [];
  const out = text.replace(SNIPPET_RE, (m, code: string) => {
    const s = snippets.find((x) => x.code === code);
    if (s) return s.text;
    if (!unknown.includes(code)) unknown.push(code);
    return m;
  });
  return { text: out, unknown };
}

/**
 * snippetAtCaret finds a short code typed just before the caret: "/code" at the start of the
 * text or after a space, naming a snippet. It returns the range to replace and the snippet.
 */
export function snippetAtCaret<S extends Pick<Snippet, 'code'>>(text: string, caret: number, snippets: S[]): { start: number; end: number; snippet: S } | null {
  const before = text.slice(0, caret);
  const m = /(^|\s)\/([a-z0-9][a-z0-9_-]{0,31})$/.exec(before);
  if (!m) return null;
  const s = snippets.find((x) => x.code === m[2]);
  if (!s) return null;
  return { start: caret - m[2].length - 1, end: caret, snippet: s };
}

/** insertAt puts text in place of the selection [start, end) and says where the caret goes. */
export function insertAt(text: string, start: number, end: number, insert: string): { text: string; caret: number } {
  const a = Math.max(0, Math.min(start, text.length));
  const b = Math.max(a, Math.min(end, text.length));
  return { text: text.slice(0, a) + insert + text.slice(b), caret: a + insert.length };
}

const TAG_RE = /(^|[^\p{L}\p{N}_&#/])#([\p{L}\p{N}_]+)/gu;

/** hashtagsIn lists the hashtags of a text as written (with their #). */
export function hashtagsIn(text: string): string[] {
  return Array.from(text.matchAll(TAG_RE), (m) => '#' + m[2]);
}

/**
 * addHashtags appends the tags the text does not carry yet (compared without regard to case),
 * after a space, or on a line of their own when the text already ends with a block of hashtags
 * on its last line. The text is unchanged when it has them all.
 */
export function addHashtags(text: string, tags: string[]): string {
  const have = new Set(hashtagsIn(text).map((t) => t.toLowerCase()));
  const add: string[] = [];
  for (const raw of tags) {
    const t = raw.trim().startsWith('#') ? raw.trim() : '#' + raw.trim();
    if (t.length < 2 || have.has(t.toLowerCase())) continue;
    have.add(t.toLowerCase());
    add.push(t);
  }
  if (!add.length) return text;
  const body = text.replace(/\s+$/, '');
  if (!body) return add.join(' ');
  const lastLine = body.slice(body.lastIndexOf('\n') + 1);
  const tagLine = /^(\s*#[\p{L}\p{N}_]+)+\s*$/u.test(lastLine);
  return body + (tagLine ? ' ' : '\n\n') + add.join(' ');
}
