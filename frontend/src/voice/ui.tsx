// The brand voice in the composer and the review queue: a text area whose findings are
// underlined (a mirror of the text drawn behind a transparent textarea, so typing, selection,
// spell-check and undo stay the browser's own), the findings listed beside it with their
// messages (keyboard reachable: each can select its words, apply its fix, or take a note), the
// score, and the brand's description.
import { Component, type ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { fmtDateTime, t, tn } from '../i18n';
import type { Finding, Severity, VoiceProfile } from '../types';
import { ackKey, findingsAt, runs, underlined } from './spans';

const MIRRORED = ['fontFamily', 'fontSize', 'fontWeight', 'fontStyle', 'lineHeight', 'letterSpacing', 'wordSpacing', 'tabSize', 'textIndent', 'textTransform', 'paddingTop', 'paddingRight', 'paddingBottom', 'paddingLeft'] as const;

/** marks draws a text with its findings marked. */
function marks(text: string, findings: Finding[]) {
  const shown = findings.filter((f) => underlined(f, text.length));
  return (
    <>
      {runs(text, shown).map((r, i) =>
        r.severity ? (
          <mark key={i} class={'hl hl-' + r.severity} data-ids={r.ids.join(' ')}>
            {r.text}
          </mark>
        ) : (
          r.text
        ),
      )}
      {/* A last empty line needs something in it to have a height, as in the textarea. */}
      {'\u200b'}
    </>
  );
}

/** Highlights shows a text with its findings marked (read-only: the review queue, a rewrite). */
export function Highlights({ text, findings, class: cls, testid }: { text: string; findings: Finding[]; class?: string; testid?: string }) {
  return (
    <div class={'hl-text ' + (cls ?? '')} data-testid={testid}>
      {marks(text, findings)}
    </div>
  );
}

export interface HighlightedTextAreaProps {
  id: string;
  value: string;
  findings: Finding[];
  onInput: (v: string, caret: number) => void;
  onCaret?: (caret: number) => void;
  onKeyDown?: (e: KeyboardEvent) => void;
  disabled?: boolean;
  rows?: number;
  placeholder?: string;
  testid?: string;
  invalid?: boolean;
  describedBy?: string;
  taRef?: { current: HTMLTextAreaElement | null };
}

/**
 * HighlightedTextArea is a textarea with its findings underlined. The mirror copies the
 * textarea's font, padding and inner width (without a scroll bar), and its scroll position, so
 * each mark lies under its words at any size.
 */
export function HighlightedTextArea(p: HighlightedTextAreaProps) {
  const own = useRef<HTMLTextAreaElement>(null);
  const ta = p.taRef ?? own;
  const mirror = useRef<HTMLDivElement>(null);

  const fit = () => {
    const el = ta.current;
    const m = mirror.current;
    if (!el || !m) return;
    const cs = getComputedStyle(el);
    for (const k of MIRRORED) (m.style as unknown as Record<string, string>)[k] = cs[k];
    m.style.top = el.offsetTop + parseFloat(cs.borderTopWidth) + 'px';
    m.style.left = el.offsetLeft + parseFloat(cs.borderLeftWidth) + 'px';
    m.style.width = el.clientWidth + 'px';
    m.style.height = el.clientHeight + 'px';
    m.scrollTop = el.scrollTop;
  };
  useLayoutEffect(fit);
  useEffect(() => {
    const el = ta.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(() => fit());
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const caret = (e: Event) => p.onCaret?.((e.currentTarget as HTMLTextAreaElement).selectionStart);
  return (
    <div class="hl-wrap">
      <div class="hl-mirror" aria-hidden="true" ref={mirror} data-testid={p.testid ? p.testid + '-marks' : undefined}>
        {marks(p.value, p.findings)}
      </div>
      <textarea
        id={p.id}
        ref={ta}
        class="hl-input"
        rows={p.rows ?? 7}
        value={p.value}
        disabled={p.disabled}
        placeholder={p.placeholder}
        aria-invalid={p.invalid}
        aria-describedby={p.describedBy}
        data-testid={p.testid}
        onInput={(e) => {
          const el = e.currentTarget as HTMLTextAreaElement;
          p.onInput(el.value, el.selectionStart);
        }}
        onScroll={() => {
          if (mirror.current && ta.current) mirror.current.scrollTop = ta.current.scrollTop;
        }}
        onKeyUp={caret}
        onClick={caret}
        onSelect={caret}
        onKeyDown={p.onKeyDown}
      />
    </div>
  );
}

/** selectSpan puts the selection on a finding's words, scrolled into view. */
export function selectSpan(el: HTMLTextAreaElement | null, start: number, end: number) {
  if (!el) return;
  el.focus();
  el.setSelectionRange(start, end);
  // Scroll so the selection shows: put the caret at the start, blur-free, then restore.
  const before = el.value.slice(0, start);
  const lines = before.split('\n').length - 1;
  const lh = parseFloat(getComputedStyle(el).lineHeight) || 22;
  if (lines * lh < el.scrollTop || lines * lh > el.scrollTop + el.clientHeight - lh) el.scrollTop = Math.max(0, lines * lh - el.clientHeight / 3);
}

export function SeverityTag({ severity }: { severity: Severity }) {
  return <span class={'sev sev-' + severity}>{t('voice.severity.' + severity)}</span>;
}

/** ScoreBadge shows a voice score out of 100, coloured by how far it is from the voice. */
export function ScoreBadge({ score, small }: { score: number | null | undefined; small?: boolean }) {
  if (score === null || score === undefined) return null;
  const band = score >= 90 ? 'good' : score >= 70 ? 'fair' : 'poor';
  return (
    <span class={'score score-' + band + (small ? ' score-small' : '')} title={t('voice.scoreTitle', { score })} data-testid="voice-score" data-score={score}>
      <span aria-hidden="true">◆ </span>
      {small ? score : t('voice.score', { score })}
    </span>
  );
}

/** fixLabel says what a fix does: replace, remove or add words. */
export function fixLabel(f: Finding, text: string): string {
  const fix = f.fix!;
  const old = text.slice(fix.span.start, fix.span.end);
  if (!fix.replacement.trim()) return t('voice.fixRemove', { text: old.trim() || f.excerpt });
  if (fix.span.start === fix.span.end) return t('voice.fixAdd', { text: fix.replacement.trim() });
  return t('voice.fixReplace', { text: fix.replacement });
}

export interface FindingsListProps {
  id?: string;
  text: string;
  findings: Finding[];
  /** findings the caret is in (marked in the list) */
  caret?: number | null;
  /** the author's notes on warnings, by ackKey */
  notes: Record<string, string>;
  readOnly?: boolean;
  /** what the text is ("Text", "Text for Mastodon"), when several are listed together */
  fieldLabel?: string;
  onFix?: (f: Finding) => void;
  onSelect?: (f: Finding) => void;
  onNote?: (key: string, note: string) => void;
  /** draw the counts and the score above the list */
  score?: number;
  children?: ComponentChildren;
}

/** FindingsList lists a text's findings: message, words, fix, and a note for each warning. */
export function FindingsList(p: FindingsListProps) {
  const order: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
  const list = [...p.findings].sort((a, b) => order[a.severity] - order[b.severity] || a.span.start - b.span.start);
  const active = new Set(p.caret !== null && p.caret !== undefined ? findingsAt(p.findings, p.caret).map((f) => f.id) : []);
  // Rows redraw only when their finding changes (typing moves only the findings after the
  // caret); they reach the current handlers through this ref.
  const handlers = useRef(p);
  handlers.current = p;
  const count = (sev: Severity) => p.findings.filter((f) => f.severity === sev).length;
  const [errors, warnings, infos] = [count('error'), count('warning'), count('info')];
  return (
    <section class="voice-findings" id={p.id} aria-label={p.fieldLabel ? t('voice.findingsFor', { field: p.fieldLabel }) : t('voice.findings')} data-testid="voice-findings">
      <div class="voice-summary">
        {p.score !== undefined && <ScoreBadge score={p.score} />}
        <span class="muted small" aria-live="polite" id={p.id ? p.id + '-summary' : undefined}>
          {!p.findings.length ? t('voice.clean') : [errors ? tn('voice.errors', errors) : '', warnings ? tn('voice.warnings', warnings) : '', infos ? tn('voice.infos', infos) : ''].filter(Boolean).join(' · ')}
        </span>
        {p.children}
      </div>
      {list.length > 0 && (
        <ul class="findings">
          {list.map((f) => (
            <FindingRow
              key={f.id}
              f={f}
              excerpt={f.excerpt || p.text.slice(f.span.start, f.span.end)}
              fixText={f.fix ? fixLabel(f, p.text) : ''}
              active={active.has(f.id)}
              note={p.notes[ackKey(f)] ?? ''}
              readOnly={p.readOnly}
              h={handlers}
            />
          ))}
        </ul>
      )}
    </section>
  );
}

const quote = (s: string) => t('voice.quote', { text: s.length > 60 ? s.slice(0, 57) + '…' : s });

interface RowProps {
  f: Finding;
  excerpt: string;
  fixText: string;
  active: boolean;
  note: string;
  readOnly?: boolean;
  h: { current: FindingsListProps };
}

/** FindingRow redraws a finding only when what it shows changed. */
class FindingRow extends Component<RowProps> {
  shouldComponentUpdate(n: RowProps) {
    const p = this.props;
    return p.f !== n.f || p.excerpt !== n.excerpt || p.fixText !== n.fixText || p.active !== n.active || p.note !== n.note || p.readOnly !== n.readOnly;
  }
  render() {
    return <FindingItem {...this.props} />;
  }
}

function FindingItem({ f, excerpt, fixText, active, note, readOnly, h }: RowProps) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(note);
  const onFix = h.current.onFix && ((x: Finding) => h.current.onFix!(x));
  const onSelect = h.current.onSelect && ((x: Finding) => h.current.onSelect!(x));
  const onNote = h.current.onNote && ((k: string, n: string) => h.current.onNote!(k, n));
  const noteId = 'ack-' + f.id.replace(/[^A-Za-z0-9_-]/g, '_');
  const acknowledged = f.acknowledged || !!note.trim();
  return (
    <li class={'finding finding-' + f.severity + (active ? ' active' : '') + (acknowledged && f.severity === 'warning' ? ' acked' : '')} data-testid="voice-finding" data-rule={f.rule} data-severity={f.severity} data-finding={f.id}>
      <div class="finding-head">
        <SeverityTag severity={f.severity} />
        {excerpt && f.span.end > f.span.start && onSelect ? (
          <button type="button" class="linkish finding-excerpt" onClick={() => onSelect(f)} title={t('voice.showInText')}>
            {quote(excerpt)}
          </button>
        ) : excerpt ? (
          <span class="finding-excerpt">{quote(excerpt)}</span>
        ) : null}
        {f.related_post_id && (
          <a class="small" href={'#/posts/' + f.related_post_id}>
            {t('voice.otherPost')}
          </a>
        )}
      </div>
      <p class="finding-msg">{f.message}</p>
      <div class="finding-actions">
        {f.fix && !readOnly && onFix && (
          <button type="button" class="btn btn-small btn-fix" onClick={() => onFix(f)} data-testid="voice-fix">
            {fixText}
          </button>
        )}
        {f.severity === 'warning' && !readOnly && onNote && !editing && (
          <button
            type="button"
            class="btn btn-small btn-ghost"
            onClick={() => {
              setDraft(note);
              setEditing(true);
            }}
            aria-expanded={false}
            data-testid="voice-ack"
          >
            {note.trim() ? t('voice.editNote') : t('voice.acknowledge')}
          </button>
        )}
      </div>
      {f.severity === 'warning' && (f.acknowledgement_note || note.trim()) && !editing && (
        <p class="finding-note" data-testid="voice-ack-note">
          <strong>{t('voice.noteLabel')}</strong> {f.acknowledgement_note || note}
        </p>
      )}
      {editing && (
        <form
          class="ack-form"
          onSubmit={(e) => {
            e.preventDefault();
            onNote!(ackKey(f), draft.trim());
            setEditing(false);
          }}
        >
          <label for={noteId}>{t('voice.noteQuestion')}</label>
          <textarea id={noteId} rows={2} value={draft} onInput={(e) => setDraft((e.currentTarget as HTMLTextAreaElement).value)} autoFocus data-testid="voice-ack-text" />
          <div class="ack-actions">
            <button class="btn btn-small btn-primary" disabled={!draft.trim()} data-testid="voice-ack-save">
              {t('voice.keepWithNote')}
            </button>
            <button type="button" class="btn btn-small btn-ghost" onClick={() => setEditing(false)}>
              {t('common.cancel')}
            </button>
          </div>
        </form>
      )}
    </li>
  );
}

/** VoiceGuide is the brand's description beside the composer: tone, audience, do and don't. */
export function VoiceGuide({ profile, updatedAt }: { profile: VoiceProfile; updatedAt?: string | null }) {
  const empty = !profile.description && !profile.audience && !profile.do.length && !profile.dont.length;
  return (
    <details class="voice-guide" open data-testid="voice-guide">
      <summary>{t('voice.guide')}</summary>
      {empty ? (
        <p class="muted small">{t('voice.guideEmpty')}</p>
      ) : (
        <>
          {profile.description && <p class="voice-desc">{profile.description}</p>}
          {profile.audience && (
            <p class="small">
              <strong>{t('voice.audience')}</strong> {profile.audience}
            </p>
          )}
          {profile.do.length > 0 && (
            <div class="voice-examples voice-do">
              <strong>{t('voice.do')}</strong>
              <ul>
                {profile.do.map((x, i) => (
                  <li key={i}>{x}</li>
                ))}
              </ul>
            </div>
          )}
          {profile.dont.length > 0 && (
            <div class="voice-examples voice-dont">
              <strong>{t('voice.dont')}</strong>
              <ul>
                {profile.dont.map((x, i) => (
                  <li key={i}>{x}</li>
                ))}
              </ul>
            </div>
          )}
        </>
      )}
      {updatedAt && <p class="muted small">{t('voice.updated', { when: fmtDateTime(updatedAt) })}</p>}
    </details>
  );
}
