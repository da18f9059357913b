// Toasts: every action gets feedback. Errors stay until dismissed; others fade after a while.
// The region is aria-live so screen readers announce them.
import { store, useStore } from '../lib/store';
import { ApiError } from '../api';
import { t } from '../i18n';

export interface Toast {
  id: number;
  kind: 'ok' | 'error' | 'info';
  message: string;
  detail?: string;
  action?: { label: string; run: () => void };
}

const toasts = store<Toast[]>([]);
let seq = 0;

export function toast(kind: Toast['kind'], message: string, opts: { detail?: string; action?: Toast['action']; ms?: number } = {}): number {
  const id = ++seq;
  toasts.set((l) => [...l.slice(-4), { id, kind, message, detail: opts.detail, action: opts.action }]);
  const ms = opts.ms ?? (kind === 'error' ? 0 : opts.action ? 9000 : 4000);
  if (ms > 0) setTimeout(() => dismiss(id), ms);
  return id;
}

export function dismiss(id: number) {
  toasts.set((l) => l.filter((x) => x.id !== id));
}

/** errorMessage turns any error into words for a person (with the request id to quote). */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 0) return t('error.network');
    if (err.code === 'revision_conflict') return t('error.conflict');
    return err.message;
  }
  return (err as Error)?.message || t('error.unknown');
}

export function toastError(err: unknown, prefix?: string) {
  const msg = errorMessage(err);
  const detail = err instanceof ApiError && err.status >= 500 && err.requestId ? t('error.requestId', { id: err.requestId }) : undefined;
  toast('error', prefix ? `${prefix}: ${msg}` : msg, { detail });
}

export function Toasts() {
  const list = useStore(toasts);
  return (
    <div class="toasts" role="status" aria-live="polite">
      {list.map((x) => (
        <div key={x.id} class={`toast toast-${x.kind}`} data-testid={`toast-${x.kind}`}>
          <div class="toast-body">
            <span>{x.message}</span>
            {x.detail && <small>{x.detail}</small>}
          </div>
          {x.action && (
            <button
              class="btn btn-small"
              onClick={() => {
                dismiss(x.id);
                x.action!.run();
              }}
            >
              {x.action.label}
            </button>
          )}
          <button class="icon-btn" aria-label={t('common.dismiss')} onClick={() => dismiss(x.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
