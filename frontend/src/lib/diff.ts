// A word-level diff (longest common subsequence of tokens), for reviewers to see what changed
// since the last approved revision. Tokens are words, runs of spaces and single punctuation, so
// a changed word is shown alone rather than the whole sentence.

export interface DiffPart {
  op: 'same' | 'add' | 'del';
  text: string;
}

export function tokenize(s: string): string[] {
  return s.match(/\s+|[\p{L}\p{M}\p{N}_'’@#.:/?=&%-]+|[^\s]/gu) ?? [];
}

/** diffWords returns the parts of b compared with a: kept, added and deleted runs. */
export function diffWords(a: string, b: string): DiffPart[] {
  if (a === b) return a ? [{ op: 'same', text: a }] : [];
  const x = tokenize(a);
  const y = tokenize(b);
  // Trim the common head and tail, which is most of an edited post, before the quadratic part.
  let head = 0;
  while (head < x.length && head < y.length && x[head] === y[head]) head++;
  let tail = 0;
  while (tail < x.length - head && tail < y.length - head && x[x.length - 1 - tail] === y[y.length - 1 - tail]) tail++;
  const xs = x.slice(head, x.length - tail);
  const ys = y.slice(head, y.length - tail);
  const out: DiffPart[] = [];
  const push = (op: DiffPart['op'], text: string) => {
    if (!text) return;
    const last = out[out.length - 1];
    if (last && last.op === op) last.text += text;
    else out.push({ op, text });
  };
  push('same', x.slice(0, head).join(''));
  if (xs.length * ys.length > 4_000_000) {
    // Too long to align word by word in the browser: show it as replaced.
    push('del', xs.join(''));
    push('add', ys.join(''));
  } else {
    const n = xs.length;
    const m = ys.length;
    const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
    for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i][j] = xs[i] === ys[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    let i = 0;
    let j = 0;
    while (i < n && j < m) {
      if (xs[i] === ys[j]) {
        push('same', xs[i]);
        i++;
        j++;
      } else if (lcs[i + 1][j] >= lcs[i][j + 1]) push('del', xs[i++]);
      else push('add', ys[j++]);
    }
    while (i < n) push('del', xs[i++]);
    while (j < m) push('add', ys[j++]);
  }
  push('same', x.slice(x.length - tail).join(''));
  return out;
}

/** changed reports whether a diff has any addition or deletion. */
export function changed(parts: DiffPart[]): boolean {
  return parts.some((p) => p.op !== 'same');
}
