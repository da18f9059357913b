// Small shared components: form fields that show the API's message next to them, status badges,
// network icons, dialogs with focus handling.
import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { t } from '../i18n';
import type { Channel, DisplayStatus } from '../types';

let idSeq = 0;
export function useId(prefix = 'f'): string {
  const r = useRef<string>();
  if (!r.current) r.current = `${prefix}-${++idSeq}`;
  return r.current;
}

interface FieldProps {
  label: string;
  error?: string;
  hint?: ComponentChildren;
  children: (id: string, describedBy: string | undefined) => ComponentChildren;
  class?: string;
}

/** Field labels an input and shows the API's message about it right below, linked by aria. */
export function Field({ label, error, hint, children, class: cls }: FieldProps) {
  const id = useId();
  const errId = error ? id + '-err' : undefined;
  const hintId = hint ? id + '-hint' : undefined;
  const describedBy = [errId, hintId].filter(Boolean).join(' ') || undefined;
  return (
    <div class={'field' + (error ? ' has-error' : '') + (cls ? ' ' + cls : '')}>
      <label for={id}>{label}</label>
      {children(id, describedBy)}
      {hint && (
        <div class="hint" id={hintId}>
          {hint}
        </div>
      )}
      {error && (
        <div class="field-error" id={errId} role="alert">
          {error}
        </div>
      )}
    </div>
  );
}

export function FieldError({ error, id }: { error?: string; id?: string }) {
  if (!error) return null;
  return (
    <div class="field-error" id={id} role="alert">
      {error}
    </div>
  );
}

/** Network presentation: brand colour and a short glyph (no trademarked logos are bundled). */
export const NETWORK_LOOK: Record<string, { color: string; glyph: string; name: string }> = {
  sandbox: { color: '#7c3aed', glyph: 'SB', name: 'Sandbox' },
  mastodon: { color: '#6364ff', glyph: 'M', name: 'Mastodon' },
  bluesky: { color: '#1185fe', glyph: 'B', name: 'Bluesky' },
  x: { color: '#111111', glyph: 'X', name: 'X' },
  linkedin: { color: '#0a66c2', glyph: 'in', name: 'LinkedIn' },
  facebook: { color: '#1877f2', glyph: 'f', name: 'Facebook' },
  instagram: { color: '#d62976', glyph: 'IG', name: 'Instagram' },
  threads: { color: '#000000', glyph: '@', name: 'Threads' },
  telegram: { color: '#229ed9', glyph: 'T', name: 'Telegram' },
  discord: { color: '#5865f2', glyph: 'D', name: 'Discord' },
  slack: { color: '#4a154b', glyph: 'S', name: 'Slack' },
};

export function networkLook(n: string) {
  return NETWORK_LOOK[n] ?? { color: '#555', glyph: n.slice(0, 2).toUpperCase(), name: n };
}

export function NetworkIcon({ network, size = 18 }: { network: string; size?: number }) {
  const look = networkLook(network);
  return (
    <span
      class="net-icon"
      role="img"
      aria-label={look.name}
      title={look.name}
      style={{ background: look.color, width: size, height: size, fontSize: Math.round(size * (look.glyph.length > 1 ? 0.45 : 0.6)) }}
    >
      {look.glyph}
    </span>
  );
}

/** networkIconHTML is NetworkIcon as a string, for FullCalendar's fast event rendering. */
export function networkIconHTML(network: string, size = 14): string {
  const look = networkLook(network);
  const fs = Math.round(size * (look.glyph.length > 1 ? 0.45 : 0.6));
  return `<span class="net-icon" role="img" aria-label="${esc(look.name)}" style="background:${look.color};width:${size}px;height:${size}px;font-size:${fs}px">${esc(look.glyph)}</span>`;
}

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Channel colours: stable per channel, distinct for neighbours, readable with white text. */
const PALETTE = ['#3b5bdb', '#0ca678', '#e8590c', '#c2255c', '#7048e8', '#1098ad', '#5c940d', '#d6336c', '#1c7ed6', '#ae3ec9', '#f08c00', '#2b8a3e'];
export function channelColor(c: Pick<Channel, 'id'> | number): string {
  const id = typeof c === 'number' ? c : c.id;
  return PALETTE[(id - 1 + PALETTE.length * 100) % PALETTE.length];
}

export function StatusBadge({ status }: { status: DisplayStatus }) {
  return (
    <span class={`badge status-${status}`} data-status={status}>
      {t('status.' + status)}
    </span>
  );
}

export function ChannelChip({ channel, selected, onToggle, disabled }: { channel: Channel; selected?: boolean; onToggle?: () => void; disabled?: boolean }) {
  const content = (
    <>
      <NetworkIcon network={channel.network} size={16} />
      <span class="chip-name">{channel.name}</span>
    </>
  );
  if (!onToggle)
    return (
      <span class="chip" style={{ borderColor: channelColor(channel) }}>
        {content}
      </span>
    );
  return (
    <button
      type="button"
      class={'chip chip-toggle' + (selected ? ' selected' : '')}
      aria-pressed={selected}
      disabled={disabled}
      style={{ borderColor: channelColor(channel), background: selected ? channelColor(channel) + '1f' : undefined }}
      onClick={onToggle}
    >
      {content}
    </button>
  );
}

/** Dialog is a modal dialog: focus moves in, Tab stays in, Esc closes, focus returns after. */
export function Dialog({
  title,
  onClose,
  children,
  wide,
  class: cls,
  labelledBy,
}: {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  wide?: boolean;
  class?: string;
  labelledBy?: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const titleId = useId('dlg');
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    const el = ref.current!;
    const first = el.querySelector<HTMLElement>('[autofocus], input, textarea, select, button:not(.dialog-close)');
    (first ?? el).focus();
    return () => before?.focus?.();
  }, []);
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      onClose();
    }
    if (e.key === 'Tab') trapTab(e, ref.current!);
  };
  return (
    <div class="overlay" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        ref={ref}
        class={'dialog' + (wide ? ' dialog-wide' : '') + (cls ? ' ' + cls : '')}
        role="dialog"
        aria-modal="true"
        aria-labelledby={labelledBy ?? titleId}
        tabIndex={-1}
        onKeyDown={onKey}
      >
        <header class="dialog-head">
          <h2 id={titleId}>{title}</h2>
          <button class="icon-btn dialog-close" aria-label={t('common.close')} onClick={onClose}>
            ×
          </button>
        </header>
        <div class="dialog-body">{children}</div>
      </div>
    </div>
  );
}

export function trapTab(e: KeyboardEvent, root: HTMLElement) {
  const items = Array.from(
    root.querySelectorAll<HTMLElement>('a[href], button:not([disabled]), input:not([disabled]), textarea:not([disabled]), select:not([disabled]), [tabindex]:not([tabindex="-1"])'),
  ).filter((x) => x.offsetParent !== null);
  if (!items.length) return;
  const first = items[0];
  const last = items[items.length - 1];
  if (e.shiftKey && document.activeElement === first) {
    e.preventDefault();
    last.focus();
  } else if (!e.shiftKey && document.activeElement === last) {
    e.preventDefault();
    first.focus();
  }
}

export function Spinner({ label }: { label?: string }) {
  return (
    <span class="spinner" role="progressbar" aria-label={label ?? t('common.loading')}>
      <span />
    </span>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <div class="empty">{children}</div>;
}

export function Avatar({ name, url, size = 28 }: { name: string; url?: string; size?: number }) {
  if (url) return <img class="avatar" src={url} alt="" width={size} height={size} />;
  const initials = name
    .split(/\s+/)
    .map((p) => p[0])
    .filter(Boolean)
    .slice(0, 2)
    .join('')
    .toUpperCase();
  return (
    <span class="avatar avatar-initials" aria-hidden="true" style={{ width: size, height: size, fontSize: size * 0.4 }}>
      {initials || '?'}
    </span>
  );
}

export type InputEvent = JSX.TargetedEvent<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement, Event>;
export const val = (e: InputEvent) => (e.currentTarget as HTMLInputElement).value;
