// The networks' counting rules, loaded once from GET /api/v1/rules, and the composer's local check
// (length as the network counts it against the limit that applies), which gives instant feedback;
// POST /api/v1/validate then gives the full verdict with the network's messages.
import { api } from '../api';
import type { NetworkRules, RulesResponse } from '../types';
import { count, hashtagCount, mentionCount, setTLDs, utf8Len } from './count';

let loading: Promise<Map<string, NetworkRules>> | null = null;

export function loadRules(): Promise<Map<string, NetworkRules>> {
  loading ??= api
    .get<RulesResponse>('/api/v1/rules')
    .then((r) => {
      setTLDs(r.tlds);
      return new Map(r.networks.map((n) => [n.network, n]));
    })
    .catch((err) => {
      loading = null;
      throw err;
    });
  return loading;
}

export interface LocalCheck {
  network: string;
  length: number;
  limit: number;
  over: boolean;
  /** set when the network also limits bytes and the text is over them */
  bytes?: { length: number; limit: number };
  hashtags?: { count: number; limit: number };
  mentions?: { count: number; limit: number };
  firstComment?: { length: number; limit: number; unsupported: boolean };
}

/** localCheck measures one channel's content as its network counts it. */
export function localCheck(r: NetworkRules, text: string, mediaCount: number, firstComment = ''): LocalCheck {
  const length = count(text, r.counter);
  const limit = mediaCount > 0 && r.max_caption > 0 ? r.max_caption : r.max_length;
  const out: LocalCheck = { network: r.network, length, limit, over: limit > 0 && length > limit };
  if (r.max_bytes > 0) {
    const b = utf8Len(Array.from(text, (c) => c.codePointAt(0)!));
    if (b > r.max_bytes) {
      out.bytes = { length: b, limit: r.max_bytes };
      out.over = true;
    }
  }
  if (r.max_hashtags > 0) out.hashtags = { count: hashtagCount(text), limit: r.max_hashtags };
  if (r.max_mentions > 0) out.mentions = { count: mentionCount(text), limit: r.max_mentions };
  if (firstComment.trim()) {
    out.firstComment = { length: count(firstComment, r.counter), limit: r.max_first_comment, unsupported: !r.first_comment };
  }
  return out;
}
