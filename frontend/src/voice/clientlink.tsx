// Creating a client review link: a signed, expiring, revocable address (no account needed)
// where a client reads the chosen posts and approves them or asks for changes. The address is
// shown once, with a copy button. Used from the review queue (one post) and from Settings.
import { useState } from 'preact/hooks';
import { api, ApiError, ws } from '../api';
import { fmtDateTime, locale, t } from '../i18n';
import type { ClientLink } from '../types';
import { Dialog, Field, val } from '../ui/kit';
import { toast, toastError } from '../ui/toast';

/** copyText puts text on the clipboard and says so (or says to copy it by hand). */
export async function copyText(text: string) {
  try {
    await navigator.clipboard.writeText(text);
    toast('ok', t('common.copied'));
  } catch {
    toast('info', t('clients.copyByHand'));
  }
}

/** CreatedLink shows a new link's address once, with copy and its expiry. */
export function CreatedLink({ link }: { link: ClientLink }) {
  return (
    <div class="banner banner-ok created-link" role="status" data-testid="client-link-created">
      <p>{t('clients.createdOnce', { name: link.name })}</p>
      <div class="copy-row">
        <input class="copyable" readOnly value={link.url} onFocus={(e) => (e.currentTarget as HTMLInputElement).select()} aria-label={t('clients.address')} data-testid="client-link-url" />
        <button type="button" class="btn btn-small" onClick={() => void copyText(link.url!)} data-testid="client-link-copy">
          {t('common.copy')}
        </button>
      </div>
      <p class="muted small">{t('clients.expires', { when: fmtDateTime(link.expires_at) })}</p>
    </div>
  );
}

/** ClientLinkForm creates a link for the given posts. */
export function ClientLinkForm({ wid, postIds, onCreated, defaultName = '' }: { wid: number; postIds: number[]; onCreated: (l: ClientLink) => void; defaultName?: string }) {
  const [name, setName] = useState(defaultName);
  const [days, setDays] = useState(14);
  const [lang, setLang] = useState<'en' | 'fr'>(locale());
  const [err, setErr] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  async function create(e: Event) {
    e.preventDefault();
    setBusy(true);
    setErr(null);
    try {
      const l = await api.post<ClientLink>(ws(wid, '/client-links'), { name: name.trim(), post_ids: postIds, expires_in_days: days, locale: lang });
      onCreated(l);
    } catch (x) {
      if (x instanceof ApiError) setErr(x);
      toastError(x);
    } finally {
      setBusy(false);
    }
  }
  return (
    <form onSubmit={create} class="client-link-form" data-testid="client-link-form">
      <Field label={t('clients.name')} error={err?.fields.name} hint={t('clients.nameHint')}>
        {(id, d) => <input id={id} value={name} aria-describedby={d} onInput={(e) => setName(val(e))} required data-testid="client-link-name" />}
      </Field>
      <div class="grid2">
        <Field label={t('clients.days')} error={err?.fields.expires_in_days}>
          {(id, d) => <input id={id} type="number" min={1} max={90} value={days} aria-describedby={d} onInput={(e) => setDays(Number(val(e)))} />}
        </Field>
        <Field label={t('clients.language')} error={err?.fields.locale}>
          {(id) => (
            <select id={id} value={lang} onChange={(e) => setLang(val(e) as 'en' | 'fr')}>
              <option value="en">English</option>
              <option value="fr">Français</option>
            </select>
          )}
        </Field>
      </div>
      {err?.fields.post_ids && <div class="field-error">{err.fields.post_ids}</div>}
      <div class="dialog-actions">
        <button class="btn btn-primary" disabled={busy || !name.trim() || !postIds.length} data-testid="client-link-create">
          {t('clients.create')}
        </button>
      </div>
    </form>
  );
}

/** ClientLinkDialog creates a link for some posts and then shows its address. */
export function ClientLinkDialog({ wid, postIds, onClose }: { wid: number; postIds: number[]; onClose: () => void }) {
  const [created, setCreated] = useState<ClientLink | null>(null);
  return (
    <Dialog title={t('clients.sendTitle')} onClose={onClose}>
      {created ? (
        <>
          <CreatedLink link={created} />
          <div class="dialog-actions">
            <button class="btn" onClick={onClose}>
              {t('common.close')}
            </button>
          </div>
        </>
      ) : (
        <>
          <p class="muted small">{t('clients.sendHelp')}</p>
          <ClientLinkForm wid={wid} postIds={postIds} onCreated={setCreated} />
        </>
      )}
    </Dialog>
  );
}
