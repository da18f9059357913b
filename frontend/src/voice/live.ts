// The live check: each text of the composer is sent to POST …/voice/check a moment after typing
// pauses (and at least every MAX_WAIT while typing goes on), in the background. Nothing waits for
// it: until the answer comes, the last findings are carried over the edits (spans.ts), and an
// answer is shown on whatever the text has become since. A late answer never replaces a newer one.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ws } from '../api';
import type { Finding, VoiceCheck } from '../types';
import { mapFindings } from './spans';

export const DEBOUNCE_MS = 300;
export const MAX_WAIT_MS = 1500;

/** A text to check: its key in the composer, the text, and what the rules depend on. */
export interface CheckField {
  key: string;
  text: string;
  channelIds: number[];
  /** rules left out for this text (a thread's later parts need not carry the post's hashtags) */
  skipRules?: string[];
}

export interface Checked {
  /** the text the findings point into */
  text: string;
  findings: Finding[];
  score: number;
  language: string;
  /** the server's time for the check, in microseconds */
  elapsedUs: number;
}

const signature = (f: CheckField, labels: string[], campaign: string, locale: string) => JSON.stringify([f.text, f.channelIds, labels, campaign, locale]);

/**
 * useLiveCheck checks the fields in the background and returns what it knows, with a setter for
 * the composer to record a text it changed itself (a fix: the findings left are exact, no need
 * to wait for the server to draw them).
 */
export function useLiveCheck(wid: number, fields: CheckField[], labels: string[], campaign: string, locale: string, enabled: boolean) {
  const [state, setState] = useState<Record<string, Checked>>({});
  const sent = useRef<Record<string, string>>({});
  const seq = useRef<Record<string, number>>({});
  const accepted = useRef<Record<string, number>>({});
  const pendingSince = useRef(0);
  const key = enabled ? JSON.stringify([fields.map((f) => [f.key, f.text, f.channelIds]), labels, campaign, locale]) : '';

  useEffect(() => {
    if (!enabled) return;
    const due = fields.filter((f) => sent.current[f.key] !== signature(f, labels, campaign, locale));
    // Forget texts that are gone (a channel's own text switched off, a thread part removed).
    const keys = new Set(fields.map((f) => f.key));
    if (Object.keys(state).some((k) => !keys.has(k)))
      setState((s) => Object.fromEntries(Object.entries(s).filter(([k]) => keys.has(k))));
    if (!due.length) return;
    const now = Date.now();
    if (!pendingSince.current) pendingSince.current = now;
    const wait = Math.max(0, Math.min(DEBOUNCE_MS, pendingSince.current + MAX_WAIT_MS - now));
    const timer = setTimeout(() => {
      pendingSince.current = 0;
      for (const f of due) {
        const sig = signature(f, labels, campaign, locale);
        sent.current[f.key] = sig;
        const n = (seq.current[f.key] = (seq.current[f.key] ?? 0) + 1);
        if (!f.text.trim()) {
          accepted.current[f.key] = n;
          setState((s) => ({ ...s, [f.key]: { text: f.text, findings: [], score: 100, language: '', elapsedUs: 0 } }));
          continue;
        }
        api
          .post<VoiceCheck>(ws(wid, '/voice/check'), { text: f.text, channel_ids: f.channelIds, labels, campaign, locale })
          .then((res) => {
            if ((accepted.current[f.key] ?? 0) > n) return;
            accepted.current[f.key] = n;
            const findings = f.skipRules ? res.findings.filter((x) => !f.skipRules!.includes(x.rule)) : res.findings;
            setState((s) => ({ ...s, [f.key]: { text: f.text, findings, score: res.score, language: res.language, elapsedUs: res.elapsed_us } }));
          })
          .catch(() => {
            // The next change tries again; meanwhile the last findings stay, carried over edits.
            if (sent.current[f.key] === sig) delete sent.current[f.key];
          });
      }
    }, wait);
    return () => clearTimeout(timer);
  }, [key, enabled]);

  /** findingsFor are a field's findings on its current text. */
  function findingsFor(k: string, text: string): Finding[] {
    const c = state[k];
    if (!c) return [];
    return mapFindings(c.findings, c.text, text);
  }

  /** record sets a field's findings for a text the composer made itself. */
  function record(k: string, text: string, findings: Finding[]) {
    accepted.current[k] = (seq.current[k] ?? 0) + 1;
    seq.current[k] = accepted.current[k];
    setState((s) => ({ ...s, [k]: { ...(s[k] ?? { score: 100, language: '', elapsedUs: 0 }), text, findings } }));
  }

  return { state, findingsFor, record };
}
