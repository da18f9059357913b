// Accepting an invitation (/invite#<token>, the link an administrator shares): a new person picks
// a name and a password; someone already signed in as the invited address just joins.
import { useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { LanguageSwitch } from '../app';
import { t } from '../i18n';
import { useStore } from '../lib/store';
import { adoptSession, session } from '../state';
import type { Me } from '../types';
import { Field, val } from '../ui/kit';

export default function InvitePage() {
  const me = useStore(session);
  const token = decodeURIComponent(location.hash.replace(/^#/, ''));
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [err, setErr] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  async function accept(e: Event) {
    e.preventDefault();
    setBusy(true);
    setErr(null);
    try {
      const res = await api.post<Me>('/api/v1/invitations/accept', me ? { token } : { token, name, password }, { quiet401: true });
      adoptSession(res);
      history.replaceState(null, '', '/#/calendar');
      location.reload();
    } catch (x) {
      setErr(x instanceof ApiError ? x : new ApiError(0, {}));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class="signin">
      <div class="signin-card">
        <div class="signin-head">
          <span class="brand-mark big" aria-hidden="true">
            H
          </span>
          <h1>{t('invite.title')}</h1>
          <LanguageSwitch />
        </div>
        {!token ? (
          <p class="form-error">{t('invite.noToken')}</p>
        ) : (
          <form onSubmit={accept} noValidate>
            {me ? (
              <p>{t('invite.asMember', { email: me.user.email })}</p>
            ) : (
              <>
                <p class="muted">{t('invite.help')}</p>
                <Field label={t('settings.yourName')} error={err?.fields.name}>
                  {(id, d) => <input id={id} value={name} autocomplete="name" aria-describedby={d} onInput={(e) => setName(val(e))} autofocus />}
                </Field>
                <Field label={t('settings.newPassword')} error={err?.fields.password} hint={t('invite.passwordHint')}>
                  {(id, d) => <input id={id} type="password" autocomplete="new-password" value={password} aria-describedby={d} onInput={(e) => setPassword(val(e))} />}
                </Field>
              </>
            )}
            {err && !Object.keys(err.fields).length && (
              <div class="form-error" role="alert">
                {err.message}
              </div>
            )}
            {err?.fields.token && <div class="form-error">{err.fields.token}</div>}
            <button class="btn btn-primary btn-block" disabled={busy}>
              {t('invite.accept')}
            </button>
          </form>
        )}
      </div>
    </div>
  );
}
