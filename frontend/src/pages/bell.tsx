// The notification bell: failed, unconfirmed, missed and needs-reconnect items, each linking to
// the post or channel it is about. It polls while the page is open.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ws } from '../api';
import { postsChanged } from '../composer/open';
import { fmtRelative, t, tn } from '../i18n';
import { navigate } from '../lib/router';
import { useStore } from '../lib/store';
import { channelById, workspace } from '../state';
import type { Notification, Page } from '../types';
import { toastError } from '../ui/toast';

const POLL_MS = 30_000;

export function Bell() {
  const w = useStore(workspace)!;
  const changed = useStore(postsChanged);
  const [items, setItems] = useState<Notification[]>([]);
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);

  async function load() {
    try {
      const p = await api.get<Page<Notification>>(ws(w.id, '/notifications?limit=30'));
      setItems(p.items);
    } catch {
      /* the bell stays as it was; the next poll tries again */
    }
  }

  useEffect(() => {
    // The first look waits a little: the calendar's own request comes first.
    const first = setTimeout(() => void load(), changed ? 0 : 1500);
    const id = setInterval(() => document.visibilityState === 'visible' && void load(), POLL_MS);
    return () => {
      clearTimeout(first);
      clearInterval(id);
    };
  }, [w.id, changed]);

  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent) => ref.current && !ref.current.contains(e.target as Node) && setOpen(false);
    document.addEventListener('mousedown', close);
    return () => document.removeEventListener('mousedown', close);
  }, [open]);

  const unread = items.filter((n) => !n.read_at);

  async function openItem(n: Notification) {
    setOpen(false);
    if (!n.read_at) {
      try {
        await api.post(ws(w.id, `/notifications/${n.id}/read`));
        setItems((l) => l.map((x) => (x.id === n.id ? { ...x, read_at: new Date().toISOString() } : x)));
      } catch (err) {
        toastError(err);
      }
    }
    if (n.post_id) navigate('/posts/' + n.post_id);
    else if (n.channel_id) navigate('/channels?focus=' + n.channel_id);
  }

  async function readAll() {
    try {
      await Promise.all(unread.map((n) => api.post(ws(w.id, `/notifications/${n.id}/read`))));
      await load();
    } catch (err) {
      toastError(err);
    }
  }

  return (
    <div class="bell" ref={ref} onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}>
      <button
        class="icon-btn bell-btn"
        aria-haspopup="true"
        aria-expanded={open}
        aria-label={unread.length ? tn('bell.unread', unread.length) : t('bell.title')}
        onClick={() => setOpen(!open)}
        data-testid="bell"
      >
        <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
          <path fill="currentColor" d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1Z" />
        </svg>
        {unread.length > 0 && <span class="bell-count">{unread.length > 9 ? '9+' : unread.length}</span>}
      </button>
      {open && (
        <div class="bell-menu" role="menu" aria-label={t('bell.title')}>
          <div class="bell-head">
            <strong>{t('bell.title')}</strong>
            {unread.length > 0 && (
              <button class="btn btn-ghost btn-small" onClick={() => void readAll()}>
                {t('bell.readAll')}
              </button>
            )}
          </div>
          {items.length === 0 && <p class="muted bell-empty">{t('bell.empty')}</p>}
          <ul>
            {items.map((n) => (
              <li key={n.id}>
                <button role="menuitem" class={'bell-item' + (n.read_at ? '' : ' unread')} onClick={() => void openItem(n)}>
                  <span class={'bell-kind kind-' + n.kind}>{t('notify.' + n.kind)}</span>
                  <span class="bell-msg">{n.message}</span>
                  <small class="muted">
                    {n.channel_id && channelById(n.channel_id) ? channelById(n.channel_id)!.name + ' · ' : ''}
                    {fmtRelative(n.created_at)}
                  </small>
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
