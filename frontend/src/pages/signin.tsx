import { useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { LanguageSwitch } from '../app';
import { t } from '../i18n';
import { adoptSession, config } from '../state';
import type { Me } from '../types';
import { Field, val } from '../ui/kit';

export function SignIn() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState<ApiError | null>(null);

  async function submit(e?: Event, as?: { email: string; password: string }) {
    e?.preventDefault();
    setBusy(true);
    setErr(null);
    try {
      const me = await api.post<Me>('/api/v1/auth/signin', as ?? { email, password }, { quiet401: true });
      adoptSession(me);
    } catch (x) {
      setErr(x instanceof ApiError ? x : new ApiError(0, {}));
    } finally {
      setBusy(false);
    }
  }

  const formError =
    err && !Object.keys(err.fields).length
      ? err.code === 'too_many_attempts'
        ? t('signin.throttled', { seconds: err.retryAfter || 60 })
        : err.code === 'invalid_credentials'
          ? t('signin.invalid')
          : err.status === 0
            ? t('error.network')
            : err.message
      : '';

  return (
    <div class="signin">
      <div class="signin-card">
        <div class="signin-head">
          <span class="brand-mark big" aria-hidden="true">
            H
          </span>
          <h1>{t('signin.title')}</h1>
          <LanguageSwitch />
        </div>
        <p class="muted">{t('signin.subtitle')}</p>
        <form onSubmit={submit} noValidate>
          <Field label={t('signin.email')} error={err?.fields.email}>
            {(id, d) => (
              <input
                id={id}
                type="email"
                autocomplete="username"
                required
                value={email}
                aria-invalid={!!err?.fields.email}
                aria-describedby={d}
                onInput={(e) => setEmail(val(e))}
                autofocus
                data-testid="signin-email"
              />
            )}
          </Field>
          <Field label={t('signin.password')} error={err?.fields.password}>
            {(id, d) => (
              <input
                id={id}
                type="password"
                autocomplete="current-password"
                required
                value={password}
                aria-invalid={!!err?.fields.password}
                aria-describedby={d}
                onInput={(e) => setPassword(val(e))}
                data-testid="signin-password"
              />
            )}
          </Field>
          {formError && (
            <div class="form-error" role="alert" data-testid="signin-error">
              {formError}
            </div>
          )}
          <button class="btn btn-primary btn-block" type="submit" disabled={busy} data-testid="signin-submit">
            {busy ? t('signin.signingIn') : t('signin.submit')}
          </button>
        </form>
        {config.demo && config.demo_accounts && (
          <div class="demo-accounts">
            <h2>{t('signin.demoTitle')}</h2>
            <p class="muted">{t('signin.demoHelp', { password: config.demo_password ?? '' })}</p>
            <ul>
              {config.demo_accounts.map((a) => (
                <li key={a.email}>
                  <button class="btn btn-ghost" disabled={busy} onClick={() => void submit(undefined, { email: a.email, password: config.demo_password ?? '' })}>
                    <strong>{a.name}</strong> <span class="muted">{t('role.' + a.role)}</span>
                  </button>
                </li>
              ))}
            </ul>
          </div>
        )}
      </div>
    </div>
  );
}
