// Counting a post's length as each network does, in the browser, with the same rules as the
// server's publishers/content package (POST /api/v1/validate): the composer's counters must
// agree with the server to the character, so this is a line-by-line port of its counters
// (counter.go, weighted.go, links.go, entities.go, punycode.go). The rule sets and the TLD list
// come from GET /api/v1/rules. test/counter.test.ts checks this file against cases the Go
// package computed (test/counter-cases.json, kept current by frontend/counter_cases_test.go).
//
// The Go code works on UTF-8 byte offsets; here offsets are code-point indexes into an array of
// code points, which is the same walk (every test is per character), and the two places that
// measure a length in bytes (a link's 4,096 limit, Bluesky's 3,000 bytes) compute UTF-8 sizes.

export type CounterName = 'chars' | 'graphemes' | 'x_weighted' | 'mastodon';

type CP = number[];

const cpsOf = (s: string): CP => {
  const out: number[] = [];
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    // A lone surrogate is invalid text; Go decodes invalid UTF-8 as U+FFFD.
    out.push(c >= 0xd800 && c <= 0xdfff ? 0xfffd : c);
  }
  return out;
};
const str = (cps: CP, from = 0, to = cps.length) => String.fromCodePoint(...cps.slice(from, to));

/** utf8Len is the size in bytes of code points in UTF-8. */
export function utf8Len(cps: CP, from = 0, to = cps.length): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = cps[i];
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
  }
  return n;
}

// ---------- TLDs ----------

let asciiTLDs = new Set<string>();
let unicodeTLDs = new Set<string>();

/** setTLDs installs the list from GET /api/v1/rules (ASCII ones and internationalised ones). */
export function setTLDs(list: string[]) {
  asciiTLDs = new Set();
  unicodeTLDs = new Set();
  for (const t of list) {
    if (/^[\x00-\x7f]*$/.test(t)) asciiTLDs.add(t);
    else unicodeTLDs.add(t);
  }
}

// ---------- character classes ----------

const isASCIILetter = (r: number) => (r >= 0x61 && r <= 0x7a) || (r >= 0x41 && r <= 0x5a);
const isASCIIDigit = (r: number) => r >= 0x30 && r <= 0x39;
const isASCIIAlnum = (r: number) => isASCIILetter(r) || isASCIIDigit(r);
const isCyrillic = (r: number) => r >= 0x400 && r <= 0x4ff;
const set = (chars: string) => new Set(Array.from(chars).map((c) => c.codePointAt(0)!));
const isInvalidChar = (r: number) => r === 0xfffe || r === 0xfeff || r === 0xffff;

const reLetter = /\p{L}/u;
const reMark = /\p{M}/u;
const reDigit = /\p{Nd}/u;
const rePc = /\p{Pc}/u;
const reSpace = /\p{White_Space}/u;
const rePict = /\p{Extended_Pictographic}/u;
const ch = (r: number) => String.fromCodePoint(r);
const isLetter = (r: number) => r >= 0 && (r < 0x80 ? isASCIILetter(r) : reLetter.test(ch(r)));
const isMark = (r: number) => r >= 0x80 && reMark.test(ch(r));
const isDigit = (r: number) => r >= 0 && (r < 0x80 ? isASCIIDigit(r) : reDigit.test(ch(r)));
const isWhiteSpace = (r: number) => reSpace.test(ch(r));
const isPictographic = (r: number) => r >= 0 && r !== 0xfffd && rePict.test(ch(r));

function isLatinAccent(r: number): boolean {
  if (r >= 0xc0 && r <= 0xff) return r !== 0xd7 && r !== 0xf7;
  if ((r >= 0x100 && r <= 0x24f) || (r >= 0x300 && r <= 0x36f) || (r >= 0x1e00 && r <= 0x1eff)) return true;
  return [0x253, 0x254, 0x256, 0x257, 0x259, 0x25b, 0x263, 0x268, 0x26f, 0x272, 0x289, 0x28b, 0x2bb].includes(r);
}

const hostPunct = set("!'#%&()*+,\\-./:;<=>?@[]^_{|}~$");
const xPathPunct = set("!*';:=+,.$/%#[]-_~@|&");
const xPathEndPunct = set('+-=_#/');
const xQueryPunct = set("!?*'@();:&=+$/%#[]-_.,~|");
const xQueryEndPunc = set('-_&=#/');
const mastodonNotPath = set('<>()?');
const mastodonNotPathEnd = set('!*"\';:=,.$%[]~&|@');
const mastodonQueryPunct = set("!?*'();:&=+$/%#[]-_.,~|@^");
const mastodonQueryEndPun = set('_&=#/-');

function isDomainChar(r: number): boolean {
  if (r < 0x80) {
    if (r <= 0x20 || r === 0x7f) return false;
    return !hostPunct.has(r);
  }
  if ([0x85, 0xa0, 0x1680, 0x180e, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfffd].includes(r)) return false;
  if (r >= 0x2000 && r <= 0x200a) return false;
  return !isInvalidChar(r);
}

function mastodonUChar(r: number): boolean {
  if ((r >= 0xa0 && r <= 0xd7ff) || (r >= 0xf900 && r <= 0xfdcf) || (r >= 0xfdf0 && r <= 0xffef) || (r >= 0xe000 && r <= 0xf8ff)) return true;
  if (r >= 0x10000 && r <= 0x10fffd) return (r & 0xffff) <= 0xfffd && !(r >= 0xe0000 && r <= 0xe0fff);
  return false;
}

// ---------- links (links.go) ----------

interface LinkRules {
  schemes: string[];
  bare: boolean;
  tco: boolean;
  pathChar: (r: number) => boolean;
  pathEnd: (r: number) => boolean;
  queryChar: (r: number) => boolean;
  queryEnd: (r: number) => boolean;
}

const xPathChar = (r: number) => isASCIIAlnum(r) || xPathPunct.has(r) || isCyrillic(r) || isLatinAccent(r) || r === 0x2013;
const mastodonPathChar = (r: number) => !mastodonNotPath.has(r) && !isWhiteSpace(r);

const xLinks: LinkRules = {
  schemes: ['http://', 'https://'],
  bare: true,
  tco: true,
  pathChar: xPathChar,
  pathEnd: (r) => isASCIIAlnum(r) || xPathEndPunct.has(r) || isCyrillic(r) || isLatinAccent(r),
  queryChar: (r) => isASCIIAlnum(r) || xQueryPunct.has(r),
  queryEnd: (r) => isASCIIAlnum(r) || xQueryEndPunc.has(r),
};

const mastodonLinks: LinkRules = {
  schemes: ['http://', 'https://', 'dat://', 'dweb://', 'ipfs://', 'ipns://', 'ssb://', 'gopher://', 'gemini://'],
  bare: false,
  tco: false,
  pathChar: mastodonPathChar,
  pathEnd: (r) => mastodonPathChar(r) && !mastodonNotPathEnd.has(r) && r !== 0x300c && r !== 0x300d,
  queryChar: (r) => isASCIIAlnum(r) || mastodonQueryPunct.has(r) || mastodonUChar(r),
  queryEnd: (r) => isASCIIAlnum(r) || mastodonQueryEndPun.has(r) || mastodonUChar(r),
};

interface Span {
  start: number;
  end: number;
}

const HOST_OK = 0;
const HOST_NO_TLD = 1;
const HOST_MALFORMED = 2;
const MAX_LABELS = 128;
const MAX_UNICODE_TLD_RUNES = 24;

function canPrecedeLink(r: number): boolean {
  if (r < 0) return true;
  if (r < 0x80) return !(isASCIIAlnum(r) || r === 0x40 || r === 0x24 || r === 0x23);
  return r !== 0xff20 && r !== 0xff03 && !isInvalidChar(r);
}

function findLinks(s: CP, lr: LinkRules): Span[] {
  if (!s.includes(0x2e)) return [];
  const links: Span[] = [];
  let prev = -1;
  let noHostUntil = -1;
  let afterMatch = false;
  for (let i = 0; i < s.length; ) {
    if (!afterMatch && canPrecedeLink(prev)) {
      const [next, found] = matchAt(lr, s, i, prev, i < noHostUntil);
      if (next > i) {
        links.push(...found);
        i = next;
        afterMatch = true;
        continue;
      }
      if (next < 0) noHostUntil = -next;
    }
    prev = s[i];
    i++;
    afterMatch = false;
  }
  return links;
}

function matchAt(lr: LinkRules, s: CP, i: number, prev: number, skipHost: boolean): [number, Span[]] {
  const n = scheme(lr, s, i);
  if (n > 0) {
    const q = i + n;
    const [hostEnd, st] = matchHost(s, q);
    if (st === HOST_OK) {
      let [end] = rest(lr, s, hostEnd);
      if (!validHost(s, q, hostEnd, utf8Len(s, i, end))) return [end, []];
      if (lr.tco) {
        const [tcoEnd, ok] = tcoLink(s, q, hostEnd, end);
        if (!ok) return [end, []];
        if (tcoEnd > 0) end = tcoEnd;
      }
      return [end, [{ start: i, end }]];
    }
  }
  if (skipHost) return [i, []];
  const [hostEnd, st] = matchHost(s, i);
  if (st === HOST_NO_TLD) return hostEnd > i ? [-hostEnd, []] : [i, []];
  if (st === HOST_MALFORMED) return [i, []];
  const [end, hasPath] = rest(lr, s, hostEnd);
  if (!validHost(s, i, hostEnd, 'https://'.length + utf8Len(s, i, end))) return [end, []];
  if (!lr.bare || prev === 0x2d || prev === 0x5f || prev === 0x2e || prev === 0x2f) return [end, []];
  const found = asciiHosts(s, i, hostEnd, hasPath);
  if (hasPath && found.length) found[found.length - 1].end = end;
  return [end, found];
}

function scheme(lr: LinkRules, s: CP, i: number): number {
  for (const sc of lr.schemes) {
    if (s.length - i < sc.length) continue;
    let ok = true;
    for (let k = 0; k < sc.length; k++) {
      const c = s[i + k];
      const lower = c >= 0x41 && c <= 0x5a ? c + 0x20 : c;
      if (lower !== sc.charCodeAt(k)) {
        ok = false;
        break;
      }
    }
    if (ok) return sc.length;
  }
  return 0;
}

function tcoLink(s: CP, hostStart: number, hostEnd: number, end: number): [number, boolean] {
  if (str(s, hostStart, hostEnd).toLowerCase() !== 't.co' || hostEnd >= end || s[hostEnd] !== 0x2f) return [0, true];
  let p = hostEnd + 1;
  while (p < end && isASCIIAlnum(s[p])) p++;
  if (p === hostEnd + 1) return [0, true];
  if (p - (hostEnd + 1) > 40) return [0, false];
  return [p, true];
}

function matchHost(s: CP, q: number): [number, number] {
  const labels: { start: number; end: number; ok: boolean; underscore: boolean }[] = [];
  let p = q;
  while (labels.length < MAX_LABELS) {
    const l = { start: p, end: p, ok: false, underscore: false };
    let first = -1;
    let last = -1;
    while (p < s.length) {
      const r = s[p];
      if (r === 0x5f) l.underscore = true;
      else if (r !== 0x2d && !isDomainChar(r)) break;
      if (first < 0) first = r;
      last = r;
      p++;
    }
    if (p === l.start) break;
    l.end = p;
    l.ok = isDomainChar(first) && isDomainChar(last);
    labels.push(l);
    if (p < s.length && s[p] === 0x2e) {
      p++;
      continue;
    }
    break;
  }
  const n = labels.length;
  let wellFormed = 0;
  while (wellFormed < n && labels[wellFormed].ok) wellFormed++;
  let status = HOST_NO_TLD;
  for (let k = n; k >= 2; k--) {
    const last = labels[k - 1];
    const end = tldAt(s, last.start, last.end);
    if (end < 0) continue;
    status = HOST_MALFORMED;
    if (k - 1 <= wellFormed && !labels[k - 2].underscore) return [end, HOST_OK];
  }
  if (status === HOST_NO_TLD && n > 0) return [labels[n - 1].end, HOST_NO_TLD];
  return [q, status];
}

function tldBoundary(s: CP, q: number): boolean {
  if (q >= s.length) return true;
  const c = s[q];
  return !(isASCIIAlnum(c) || c === 0x40);
}

function tldAt(s: CP, p: number, limit: number): number {
  if (limit - p > 4 && str(s, p, p + 4).toLowerCase() === 'xn--') {
    let q = p + 4;
    while (q < limit && (isASCIIAlnum(s[q]) || s[q] === 0x2d)) q++;
    if (q > p + 4) return q;
  }
  if (p >= limit) return -1;
  if (s[p] < 0x80) {
    let q = p;
    while (q < limit && isASCIIAlnum(s[q])) q++;
    if (q > p && tldBoundary(s, q) && asciiTLDs.has(str(s, p, q).toLowerCase())) return q;
    return -1;
  }
  const ends: number[] = [];
  for (let q = p; q < limit && ends.length < MAX_UNICODE_TLD_RUNES; ) {
    q++;
    ends.push(q);
  }
  for (let k = ends.length - 1; k >= 0; k--) {
    const q = ends[k];
    if (tldBoundary(s, q) && unicodeTLDs.has(str(s, p, q).toLowerCase())) return q;
  }
  return -1;
}

function rest(lr: LinkRules, s: CP, p: number): [number, boolean] {
  if (p + 1 < s.length && s[p] === 0x3a && isASCIIDigit(s[p + 1])) {
    p++;
    while (p < s.length && isASCIIDigit(s[p])) p++;
  }
  let hasPath = false;
  if (p < s.length && s[p] === 0x2f) {
    hasPath = true;
    p = path(lr, s, p + 1);
  }
  if (p < s.length && s[p] === 0x3f) {
    let last = p;
    for (let q = p + 1; q < s.length; ) {
      const r = s[q];
      if (!lr.queryChar(r)) break;
      q++;
      if (lr.queryEnd(r)) last = q;
    }
    p = last;
  }
  return [p, hasPath];
}

function path(lr: LinkRules, s: CP, p: number): number {
  let good = p;
  for (let q = p; q < s.length; ) {
    const r = s[q];
    if (r === 0x28) {
      const e = balancedParens(lr, s, q);
      if (e < 0) break;
      q = e;
      good = e;
      continue;
    }
    if (!lr.pathChar(r)) break;
    q++;
    if (lr.pathEnd(r)) good = q;
  }
  return good;
}

function balancedParens(lr: LinkRules, s: CP, p: number): number {
  const run = (q: number): [number, number] => {
    let n = 0;
    while (q < s.length) {
      const r = s[q];
      if (r === 0x28 || r === 0x29 || !lr.pathChar(r)) break;
      q++;
      n++;
    }
    return [q, n];
  };
  let [q, n] = run(p + 1);
  if (q < s.length && s[q] === 0x29 && n > 0) return q + 1;
  if (q < s.length && s[q] === 0x28) {
    [q, n] = run(q + 1);
    if (n === 0 || q >= s.length || s[q] !== 0x29) return -1;
    [q] = run(q + 1);
    if (q < s.length && s[q] === 0x29) return q + 1;
  }
  return -1;
}

function validHost(s: CP, from: number, to: number, linkBytes: number): boolean {
  let encoded = 0;
  let start = from;
  for (let i = from; i <= to; i++) {
    if (i === to || s[i] === 0x2e) {
      const n = asciiLabelLen(s.slice(start, i));
      if (n < 1 || n > 63) return false;
      encoded += n + 1;
      start = i + 1;
    }
  }
  encoded--;
  return linkBytes - utf8Len(s, from, to) + encoded <= 4096;
}

const isASCIIHostChar = (r: number) => isASCIIAlnum(r) || r === 0x2d || isLatinAccent(r);

function asciiHosts(s: CP, from: number, to: number, hasPath: boolean): Span[] {
  const found: Span[] = [];
  for (let p = from; p < to; ) {
    if (!isASCIIHostChar(s[p])) {
      p++;
      continue;
    }
    const start = p;
    const afterDots: number[] = [];
    let labels = 0;
    while (p < to) {
      let q = p;
      while (q < to && isASCIIHostChar(s[q])) q++;
      if (q === p) break;
      labels++;
      p = q;
      if (p < to && s[p] === 0x2e) {
        p++;
        afterDots.push(p);
        if (labels >= MAX_LABELS) break;
        continue;
      }
      break;
    }
    let matched = false;
    for (let k = afterDots.length - 1; k >= 0; k--) {
      const end = tldAt(s, afterDots[k], to);
      if (end < 0) continue;
      if (hasPath || k > 0 || !shortCountryHost(s, afterDots[k], end)) found.push({ start, end });
      p = end;
      matched = true;
      break;
    }
    if (!matched && p === start) p++;
  }
  return found;
}

function shortCountryHost(s: CP, a: number, b: number): boolean {
  const tld = str(s, a, b).toLowerCase();
  return tld.length === 2 && tld !== 'co' && tld !== 'tv' && isASCIILetter(tld.charCodeAt(0)) && isASCIILetter(tld.charCodeAt(1));
}

// ---------- punycode length (punycode.go) ----------

function asciiLabelLen(label: CP): number {
  if (label.every((c) => c <= 0x7e)) return label.length;
  return 4 + punycodeLen(label, 64);
}

function punycodeLen(input: CP, max: number): number {
  const base = 36,
    tMin = 1,
    tMax = 26,
    skew = 38,
    damp = 700;
  let out = 0;
  for (const r of input) if (r < 0x80) out++;
  const b = out;
  if (b > 0) out++;
  let n = 128,
    delta = 0,
    bias = 72,
    h = b;
  const adapt = (d: number, numPoints: number, first: boolean) => {
    d = first ? Math.floor(d / damp) : Math.floor(d / 2);
    d += Math.floor(d / numPoints);
    let k = 0;
    while (d > Math.floor(((base - tMin) * tMax) / 2)) {
      d = Math.floor(d / (base - tMin));
      k += base;
    }
    return k + Math.floor(((base - tMin + 1) * d) / (d + skew));
  };
  while (h < input.length) {
    let m = Infinity;
    for (const r of input) if (r >= n && r < m) m = r;
    delta += (m - n) * (h + 1);
    n = m;
    for (const r of input) {
      if (r < n) delta++;
      if (r === n) {
        let q = delta;
        for (let k = base; ; k += base) {
          const t = k <= bias ? tMin : k >= bias + tMax ? tMax : k - bias;
          if (q < t) break;
          out++;
          q = Math.floor((q - t) / (base - t));
        }
        out++;
        if (out > max) return out;
        bias = adapt(delta, h + 1, h === b);
        delta = 0;
        h++;
      }
    }
    delta++;
    n++;
  }
  return out;
}

// ---------- emoji sequences (weighted.go) ----------

const ZWJ = 0x200d,
  VS16 = 0xfe0f,
  KEYCAP = 0x20e3;

function keycap(s: CP, p: number): number {
  const c = s[p];
  if (!(isASCIIDigit(c) || c === 0x23 || c === 0x2a)) return 0;
  let q = p + 1;
  if (s[q] === VS16) q++;
  if (s[q] === KEYCAP) return q + 1 - p;
  return 0;
}

function emojiElement(s: CP, p: number): number {
  if (p >= s.length) return 0;
  const r = s[p];
  if (!isPictographic(r)) return 0;
  const end = p + 1;
  const next = end < s.length ? s[end] : -1;
  if (next === VS16) return end + 1;
  if (r === 0xa9 || r === 0xae) return 0;
  if (next >= 0x1f3fb && next <= 0x1f3ff) return end + 1;
  if (next >= 0xe0020 && next <= 0xe007e) {
    let q = end;
    for (;;) {
      const t = q < s.length ? s[q] : -1;
      if (t >= 0xe0020 && t <= 0xe007e) {
        q++;
        continue;
      }
      if (t === 0xe007f) return q + 1;
      break;
    }
  }
  return end;
}

/** emojiSequence is the length in code points of the emoji sequence at p, or 0. */
function emojiSequence(s: CP, p: number): number {
  const r = s[p];
  if (r < 0x80) return keycap(s, p);
  if (r >= 0x1f1e6 && r <= 0x1f1ff) {
    const r2 = s[p + 1];
    return r2 >= 0x1f1e6 && r2 <= 0x1f1ff ? 2 : 1;
  }
  let end = emojiElement(s, p);
  if (end === 0) return 0;
  for (;;) {
    if (s[end] !== ZWJ) break;
    const next = emojiElement(s, end + 1);
    if (next === 0) break;
    end = next;
  }
  return end - p;
}

function xWeight(r: number): number {
  if (r <= 0x10ff || (r >= 0x2000 && r <= 0x200d) || (r >= 0x2010 && r <= 0x201f) || (r >= 0x2032 && r <= 0x2037)) return 1;
  return 2;
}

// ---------- counters ----------

let segmenter: Intl.Segmenter | null | undefined;

const LINKERS = new Set([0x094d, 0x09cd, 0x0acd, 0x0b4d, 0x0c4d, 0x0d4d]);
const inCBScript = (r: number) => (r >= 0x0900 && r <= 0x0d7f && !(r >= 0x0a00 && r <= 0x0a7f) && !(r >= 0x0b80 && r <= 0x0bff) && !(r >= 0x0c80 && r <= 0x0cff));

/**
 * conjunctSplits counts the Indic conjuncts (consonant, virama, consonant) in a cluster. Unicode
 * 15.1 joined them into one grapheme cluster (rule GB9c); the server's segmenter (and Bluesky's
 * own, which Herald agrees with) follows Unicode 15.0, where each consonant starts a cluster, so
 * a browser with newer ICU data must count them apart again to agree with POST /validate.
 */
function conjunctSplits(seg: string): number {
  let n = 0;
  let pending = false;
  for (const c of seg) {
    const r = c.codePointAt(0)!;
    if (LINKERS.has(r)) pending = true;
    else if (pending && inCBScript(r) && isLetter(r)) {
      n++;
      pending = false;
    } else if (!(r === 0x200d || isMark(r))) pending = false;
  }
  return n;
}

/** graphemeCount counts extended grapheme clusters as Unicode 15.0 defines them (see above). */
export function graphemeCount(s: string): number {
  if (segmenter === undefined) segmenter = typeof Intl !== 'undefined' && 'Segmenter' in Intl ? new Intl.Segmenter('en', { granularity: 'grapheme' }) : null;
  if (!segmenter) return cpsOf(s).length;
  let n = 0;
  for (const seg of segmenter.segment(s)) {
    n++;
    if (seg.segment.length > 2) n += conjunctSplits(seg.segment);
  }
  return n;
}

function countX(text: string): number {
  const s = cpsOf(text.normalize('NFC'));
  const links = findLinks(s, xLinks);
  let n = 0;
  let li = 0;
  for (let p = 0; p < s.length; ) {
    if (li < links.length && links[li].start === p) {
      n += 23;
      p = links[li].end;
      li++;
      continue;
    }
    const e = emojiSequence(s, p);
    if (e > 0) {
      n += 2;
      p += e;
    } else {
      n += xWeight(s[p]);
      p++;
    }
  }
  return n;
}

const isHandle = (c: number) => isASCIIAlnum(c) || c === 0x5f;
const isWordChar = (r: number) => isLetter(r) || isMark(r) || isDigit(r) || (r >= 0x80 ? rePc.test(ch(r)) : r === 0x5f);

function domainAfterAt(s: CP, p: number): number {
  let end = 0;
  let q = p;
  for (;;) {
    const start = q;
    while (q < s.length && isWordChar(s[q])) q++;
    if (q === start) return end;
    end = q;
    let sep = q;
    while (sep < s.length && (s[sep] === 0x2e || s[sep] === 0x2d)) sep++;
    if (sep === q) return end;
    q = sep;
  }
}

function mastodonMention(s: CP, b: number, prev: number): [number, number] {
  if (prev >= 0 && (prev === 0x3d || prev === 0x2f || isWordChar(prev))) return [0, 0];
  let q = b + 1;
  while (q < s.length && isHandle(s[q])) q++;
  if (q === b + 1) return [0, 0];
  for (;;) {
    let sep = q;
    while (sep < s.length && (s[sep] === 0x2e || s[sep] === 0x2d)) sep++;
    if (sep === q) break;
    let e = sep;
    while (e < s.length && isHandle(s[e])) e++;
    if (e === sep) break;
    q = e;
  }
  const local = q;
  let end = q;
  if (q < s.length && s[q] === 0x40) {
    const e = domainAfterAt(s, q + 1);
    if (e > 0) end = e;
  }
  return [end, local];
}

function countMastodon(text: string): number {
  if (text.trim() === '') return 0;
  const s = cpsOf(text);
  let ents: (Span & { weight: number })[] = findLinks(s, mastodonLinks).map((l) => ({ ...l, weight: 23 }));
  if (s.includes(0x40)) {
    let prev = -1;
    for (let b = 0; b < s.length; ) {
      if (s[b] === 0x40) {
        const [end, local] = mastodonMention(s, b, prev);
        if (end > 0) {
          ents.push({ start: b, end, weight: graphemeCount(str(s, b, local)) });
          prev = s[end - 1];
          b = end;
          continue;
        }
      }
      prev = s[b];
      b++;
    }
    ents = ents.map((e, i) => ({ e, i })).sort((a, b) => a.e.start - b.e.start || a.i - b.i).map((x) => x.e);
    const kept: typeof ents = [];
    for (const e of ents) {
      if (kept.length && e.start < kept[kept.length - 1].end) continue;
      kept.push(e);
    }
    ents = kept;
  }
  let n = 0;
  let b = 0;
  for (const e of ents) {
    n += graphemeCount(str(s, b, e.start)) + e.weight;
    b = e.end;
  }
  return n + graphemeCount(str(s, b));
}

/** count measures a text as the named counter does. */
export function count(text: string, counter: CounterName | string): number {
  switch (counter) {
    case 'graphemes':
      return graphemeCount(text);
    case 'x_weighted':
      return countX(text);
    case 'mastodon':
      return countMastodon(text);
    default:
      return cpsOf(text.normalize('NFC')).length;
  }
}

// ---------- hashtags and mentions (entities.go) ----------

function isTagChar(r: number): boolean {
  if (isLetter(r) || isMark(r) || isDigit(r)) return true;
  return [0x5f, 0x200c, 0x200d, 0xa67e, 0x05be, 0x05f3, 0x05f4, 0xff5e, 0x301c, 0x309b, 0x309c, 0x30a0, 0x30fb, 0x3003, 0x0f0b, 0x0f0c, 0x00b7].includes(r);
}

function forEachMarker(s: CP, markers: number[], match: (b: number, prev: number) => number) {
  if (!s.some((c) => markers.includes(c))) return;
  const links = findLinks(s, mastodonLinks);
  let prev = -1;
  let li = 0;
  for (let b = 0; b < s.length; ) {
    if (li < links.length && b >= links[li].start) {
      const end = links[li].end;
      prev = s[end - 1];
      b = end;
      li++;
      continue;
    }
    if (markers.includes(s[b])) {
      const e = match(b, prev);
      if (e > b) {
        prev = s[e - 1];
        b = e;
        continue;
      }
    }
    prev = s[b];
    b++;
  }
}

/** hashtagCount counts hashtags as Hashtags in entities.go finds them. */
export function hashtagCount(text: string): number {
  const s = cpsOf(text);
  let n = 0;
  forEachMarker(s, [0x23, 0xff03], (b, prev) => {
    if ((prev >= 0 && isTagChar(prev)) || prev === 0x26) return 0;
    let p = b + 1;
    let alpha = false;
    while (p < s.length && isTagChar(s[p])) {
      if (isLetter(s[p]) || isMark(s[p])) alpha = true;
      p++;
    }
    if (!alpha) return 0;
    if (s[p] === 0x23 || s[p] === 0xff03 || (s[p] === 0x3a && s[p + 1] === 0x2f && s[p + 2] === 0x2f)) return 0;
    n++;
    return p;
  });
  return n;
}

/** mentionCount counts mentions as Mentions in entities.go finds them. */
export function mentionCount(text: string): number {
  const s = cpsOf(text);
  let n = 0;
  const notBefore = set('_!#$%&*@＠');
  forEachMarker(s, [0x40, 0xff20], (b, prev) => {
    if (isLetter(prev) || isDigit(prev) || (prev >= 0 && notBefore.has(prev))) return 0;
    const p = b + 1;
    let q = p;
    while (q < s.length && (isHandle(s[q]) || s[q] === 0x2e)) q++;
    while (q > p && s[q - 1] === 0x2e) q--;
    if (q === p || s[p] === 0x2e) return 0;
    if (s[q] === 0x3a && s[q + 1] === 0x2f && s[q + 2] === 0x2f) return 0;
    if (q < s.length && s[q] === 0x40) {
      const e = domainAfterAt(s, q + 1);
      if (e > 0) q = e;
    }
    n++;
    return q;
  });
  return n;
}
