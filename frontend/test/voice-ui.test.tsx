// The brand voice components in the DOM: underlines on the right words, the list with its
// one-click fix and notes, and the live check's debounce and ordering against a fake fetch.
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { useState } from 'preact/hooks';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setLocale } from '../src/i18n';
import type { Finding } from '../src/types';
import { DEBOUNCE_MS, useLiveCheck, type CheckField } from '../src/voice/live';
import { ackKey, applyFix } from '../src/voice/spans';
import { FindingsList, HighlightedTextArea } from '../src/voice/ui';

const text = '🎉 Nos utilisateurs adorent les envois gratuits.';
const at = (w: string) => ({ start: text.indexOf(w), end: text.indexOf(w) + w.length });
const banned: Finding = { id: 'vocabulary.banned:text:39-47', rule: 'vocabulary.banned', severity: 'error', field: 'text', channel_ids: [], span: at('gratuits'), excerpt: 'gratuits', message: '« gratuits » ne fait pas partie du vocabulaire de la marque : écrivez « offerts ».', fix: { span: at('gratuits'), replacement: 'offerts' } };
const pref: Finding = { id: 'vocabulary.preferred:text:7-19', rule: 'vocabulary.preferred', severity: 'warning', field: 'text', channel_ids: [], span: at('utilisateurs'), excerpt: 'utilisateurs', message: 'Écrivez « clients » plutôt que « utilisateurs ».' };
const ease: Finding = { id: 'form.reading_ease:text:0-49', rule: 'form.reading_ease', severity: 'info', field: 'text', channel_ids: [], span: { start: 0, end: text.length }, excerpt: '', message: 'Hard to read.' };

let root: HTMLDivElement;
beforeEach(() => {
  root = document.createElement('div');
  document.body.appendChild(root);
  setLocale('fr');
});
afterEach(() => {
  render(null, root);
  root.remove();
  setLocale('en');
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('HighlightedTextArea', () => {
  it('marks the findings’ words by severity, past an emoji, and not the whole post', () => {
    act(() => render(<HighlightedTextArea id="t" value={text} findings={[banned, pref, ease]} onInput={() => {}} testid="ta" />, root));
    const marks = Array.from(root.querySelectorAll('[data-testid=ta-marks] mark'));
    expect(marks.map((m) => [m.textContent, m.className])).toEqual([
      ['utilisateurs', 'hl hl-warning'],
      ['gratuits', 'hl hl-error'],
    ]);
    // The mirror holds the same text as the textarea (plus the filler for a last empty line).
    expect(root.querySelector('[data-testid=ta-marks]')!.textContent).toBe(text + '\u200b');
    expect((root.querySelector('textarea') as HTMLTextAreaElement).value).toBe(text);
  });
});

describe('FindingsList', () => {
  it('offers the replacement in one click and a note for a warning', () => {
    const onFix = vi.fn();
    const onNote = vi.fn();
    act(() => render(<FindingsList text={text} findings={[pref, banned]} notes={{}} onFix={onFix} onNote={onNote} score={65} />, root));
    const items = Array.from(root.querySelectorAll('[data-testid=voice-finding]'));
    expect(items.map((i) => i.getAttribute('data-severity'))).toEqual(['error', 'warning']); // errors first
    const fix = items[0].querySelector<HTMLButtonElement>('[data-testid=voice-fix]')!;
    expect(fix.textContent).toBe('Remplacer par « offerts »');
    act(() => fix.click());
    expect(onFix).toHaveBeenCalledWith(banned);
    expect(root.querySelector('[data-testid=voice-score]')!.getAttribute('data-score')).toBe('65');

    act(() => items[1].querySelector<HTMLButtonElement>('[data-testid=voice-ack]')!.click());
    const ta = root.querySelector<HTMLTextAreaElement>('[data-testid=voice-ack-text]')!;
    const save = root.querySelector<HTMLButtonElement>('[data-testid=voice-ack-save]')!;
    expect(save.disabled).toBe(true); // a note is needed
    act(() => {
      ta.value = 'Citation exacte.';
      ta.dispatchEvent(new Event('input', { bubbles: true }));
    });
    act(() => save.click());
    expect(onNote).toHaveBeenCalledWith(ackKey(pref), 'Citation exacte.');
  });
  it('shows a note already given, and no actions when read-only', () => {
    act(() => render(<FindingsList text={text} findings={[banned, pref]} notes={{ [ackKey(pref)]: 'On garde.' }} readOnly onFix={() => {}} onNote={() => {}} />, root));
    expect(root.querySelector('[data-testid=voice-ack-note]')!.textContent).toContain('On garde.');
    expect(root.querySelector('[data-testid=voice-fix]')).toBeNull();
    expect(root.querySelector('[data-testid=voice-ack]')).toBeNull();
  });
  it('applies the fix the list offered, on UTF-16 offsets', () => {
    const r = applyFix(text, [pref, banned], banned)!;
    expect(r.text).toBe('🎉 Nos utilisateurs adorent les envois offerts.');
  });
});

describe('useLiveCheck', () => {
  function Harness({ fields, onState }: { fields: CheckField[]; onState: (s: ReturnType<typeof useLiveCheck>) => void }) {
    const live = useLiveCheck(7, fields, [], '', 'fr', true);
    onState(live);
    return null;
  }

  it('waits for a pause, keeps a late answer from replacing a newer one, and maps findings onto the current text', async () => {
    vi.useFakeTimers();
    const calls: { text: string; resolve: (f: Finding[]) => void }[] = [];
    vi.stubGlobal('fetch', (url: string, init: RequestInit) => {
      expect(url).toBe('/api/v1/workspaces/7/voice/check');
      const body = JSON.parse(String(init.body));
      return new Promise((res) => {
        calls.push({
          text: body.text,
          resolve: (findings) => res(new Response(JSON.stringify({ findings, score: 75, language: 'fr', detected_language: 'fr', elapsed_us: 90 }), { status: 200 })),
        });
      });
    });
    let live!: ReturnType<typeof useLiveCheck>;
    let setFields!: (f: CheckField[]) => void;
    function Outer() {
      const [fields, set] = useState<CheckField[]>([{ key: 'text', text: 'Envois gratuits', channelIds: [] }]);
      setFields = set;
      return <Harness fields={fields} onState={(l) => (live = l)} />;
    }
    act(() => render(<Outer />, root));
    expect(calls).toHaveLength(0); // nothing before the pause
    await act(async () => void vi.advanceTimersByTime(DEBOUNCE_MS));
    expect(calls.map((c) => c.text)).toEqual(['Envois gratuits']);

    // The author types on; a second check goes out before the first answers.
    act(() => setFields([{ key: 'text', text: 'Les envois gratuits', channelIds: [] }]));
    await act(async () => void vi.advanceTimersByTime(DEBOUNCE_MS));
    expect(calls).toHaveLength(2);
    const second = { ...banned, span: { start: 11, end: 19 }, fix: { span: { start: 11, end: 19 }, replacement: 'offerts' } };
    const settle = async () => {
      for (let i = 0; i < 10; i++) await act(async () => void (await Promise.resolve()));
    };
    calls[1].resolve([second]);
    await settle();
    expect(live.findingsFor('text', 'Les envois gratuits')).toHaveLength(1);
    calls[0].resolve([]);
    await settle();
    // The first (older) answer came last and was dropped.
    expect(live.findingsFor('text', 'Les envois gratuits')).toHaveLength(1);
    // Typing in front of the word moves the underline with it until the next answer.
    const moved = live.findingsFor('text', 'Oui ! Les envois gratuits');
    expect('Oui ! Les envois gratuits'.slice(moved[0].span.start, moved[0].span.end)).toBe('gratuits');
  });
});
