// Settings: the workspace (name, time zone, approval policy, grace period), members and their
// roles, invitations, where notifications go, and the signed-in person's profile and password;
// then, each loaded when its tab is opened, the brand voice, approval steps and review settings,
// client review links, and the composing library.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, ws } from '../api';
import { fmtDateTime, fmtZone, t } from '../i18n';
import { lazy } from '../lib/lazy';
import { route } from '../lib/router';
import { useStore } from '../lib/store';
import { allZones } from '../lib/tz';
import { members, refreshMembers, refreshWorkspace, session, signOut, viewZone, workspace } from '../state';
import { atLeast, ROLES, type Invitation, type Page, type Role } from '../types';
import { Field, val } from '../ui/kit';
import { toast, toastError } from '../ui/toast';

const VoiceSettings = lazy(() => import('../settings/voice'));
const ApprovalSettings = lazy(() => import('../settings/approvals'));
const ClientLinkSettings = lazy(() => import('../settings/clients'));
const LibrarySettings = lazy(() => import('../settings/library'));

const TABS = [
  { key: 'general', label: 'settings.tab.general', min: 'viewer' as Role },
  { key: 'voice', label: 'settings.tab.voice', min: 'viewer' as Role },
  { key: 'approvals', label: 'settings.tab.approvals', min: 'viewer' as Role },
  { key: 'clients', label: 'settings.tab.clients', min: 'editor' as Role },
  { key: 'library', label: 'settings.tab.library', min: 'viewer' as Role },
];

export default function SettingsPage() {
  const w = useStore(workspace)!;
  const r = useStore(route);
  const admin = atLeast(w.role, 'admin');
  const tabs = TABS.filter((x) => atLeast(w.role, x.min));
  const tab = tabs.find((x) => x.key === r.parts[1])?.key ?? 'general';
  return (
    <div class="page settings-page">
      <div class="page-head">
        <h1>{t('settings.title')}</h1>
      </div>
      <nav class="settings-tabs" aria-label={t('settings.sections')}>
        {tabs.map((x) => (
          <a key={x.key} href={'#/settings' + (x.key === 'general' ? '' : '/' + x.key)} class={'settings-tab' + (tab === x.key ? ' active' : '')} aria-current={tab === x.key ? 'page' : undefined} data-testid={'settings-tab-' + x.key}>
            {t(x.label)}
          </a>
        ))}
      </nav>
      {tab === 'voice' ? (
        <VoiceSettings key={w.id} />
      ) : tab === 'approvals' ? (
        <ApprovalSettings key={w.id} />
      ) : tab === 'clients' ? (
        <ClientLinkSettings key={w.id} />
      ) : tab === 'library' ? (
        <LibrarySettings key={w.id} />
      ) : (
        <>
          <WorkspaceForm key={w.id + ':' + w.name} editable={admin} />
          <MembersSection admin={admin} />
          {admin && <InvitationsSection />}
          {admin && <NotificationsSection />}
          <ProfileSection />
        </>
      )}
    </div>
  );
}

function WorkspaceForm({ editable }: { editable: boolean }) {
  const w = useStore(workspace)!;
  const [name, setName] = useState(w.name);
  const [zone, setZone] = useState(w.time_zone);
  const [required, setRequired] = useState(w.approval_policy.required_approvals);
  const [selfApprove, setSelfApprove] = useState(w.approval_policy.authors_may_self_approve);
  const [skip, setSkip] = useState(w.approval_policy.editors_skip_review);
  const [grace, setGrace] = useState(Math.round(w.grace_period_seconds / 60));
  const [err, setErr] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  async function save(e: Event) {
    e.preventDefault();
    setBusy(true);
    setErr(null);
    try {
      await api.patch(ws(w.id), {
        name,
        time_zone: zone,
        approval_policy: { required_approvals: required, authors_may_self_approve: selfApprove, editors_skip_review: skip },
        grace_period_seconds: grace * 60,
      });
      await refreshWorkspace();
      if (zone !== w.time_zone) viewZone.set(zone);
      toast('ok', t('settings.saved'));
    } catch (x) {
      if (x instanceof ApiError) setErr(x);
      toastError(x);
    } finally {
      setBusy(false);
    }
  }
  const fe = (k: string) => err?.fields[k];
  return (
    <section class="card">
      <h2>{t('settings.workspace')}</h2>
      <form onSubmit={save}>
        <fieldset disabled={!editable} class="plain">
          <div class="grid2">
            <Field label={t('settings.name')} error={fe('name')}>
              {(id, d) => <input id={id} value={name} aria-describedby={d} onInput={(e) => setName(val(e))} data-testid="ws-name" />}
            </Field>
            <Field label={t('calendar.timeZone')} error={fe('time_zone')} hint={t('settings.zoneHint')}>
              {(id, d) => (
                <select id={id} value={zone} aria-describedby={d} onChange={(e) => setZone(val(e))}>
                  {Array.from(new Set([zone, ...allZones()])).map((z) => (
                    <option key={z} value={z}>
                      {fmtZone(z)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          </div>
          <h3>{t('settings.policy')}</h3>
          <div class="grid2">
            <Field label={t('settings.required')} error={fe('approval_policy.required_approvals')} hint={t('settings.requiredHint')}>
              {(id, d) => <input id={id} type="number" min={0} max={10} value={required} aria-describedby={d} onInput={(e) => setRequired(Number(val(e)))} />}
            </Field>
            <Field label={t('settings.grace')} error={fe('grace_period_seconds')} hint={t('settings.graceHint')}>
              {(id, d) => <input id={id} type="number" min={0} max={10080} value={grace} aria-describedby={d} onInput={(e) => setGrace(Number(val(e)))} />}
            </Field>
          </div>
          <label class="check">
            <input type="checkbox" checked={selfApprove} onChange={(e) => setSelfApprove((e.currentTarget as HTMLInputElement).checked)} />
            {t('settings.selfApprove')}
          </label>
          <label class="check">
            <input type="checkbox" checked={skip} onChange={(e) => setSkip((e.currentTarget as HTMLInputElement).checked)} />
            {t('settings.skipReview')}
          </label>
        </fieldset>
        {editable ? (
          <div class="form-actions">
            <button class="btn btn-primary" disabled={busy}>
              {t('common.save')}
            </button>
          </div>
        ) : (
          <p class="muted small">{t('settings.adminsOnly')}</p>
        )}
      </form>
    </section>
  );
}

function MembersSection({ admin }: { admin: boolean }) {
  const w = useStore(workspace)!;
  const me = useStore(session)!;
  const mems = useStore(members);

  async function setRole(uid: number, role: Role) {
    try {
      await api.patch(ws(w.id, `/members/${uid}`), { role });
      toast('ok', t('settings.roleChanged'));
    } catch (e) {
      toastError(e);
    }
    await refreshMembers();
  }

  async function remove(uid: number, self: boolean) {
    if (!window.confirm(self ? t('settings.leaveConfirm', { name: w.name }) : t('settings.removeConfirm'))) return;
    try {
      await api.del(ws(w.id, `/members/${uid}`));
      if (self) {
        location.hash = '#/calendar';
        location.reload();
        return;
      }
      toast('ok', t('settings.removed'));
      await refreshMembers();
    } catch (e) {
      toastError(e);
    }
  }

  return (
    <section class="card">
      <h2>{t('settings.members')}</h2>
      <table class="table">
        <thead>
          <tr>
            <th scope="col">{t('settings.person')}</th>
            <th scope="col">{t('settings.role')}</th>
            <th scope="col">{t('settings.joined')}</th>
            <th scope="col">
              <span class="sr-only">{t('settings.actions')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {mems.map((m) => {
            const self = m.user_id === me.user.id;
            const canChange = admin && !self && (w.role === 'owner' || m.role !== 'owner');
            return (
              <tr key={m.user_id}>
                <td>
                  <strong>{m.name}</strong> <span class="muted small">{m.email}</span>
                </td>
                <td>
                  {canChange ? (
                    <select aria-label={t('settings.roleOf', { name: m.name })} value={m.role} onChange={(e) => void setRole(m.user_id, val(e) as Role)}>
                      {ROLES.filter((r) => w.role === 'owner' || r !== 'owner').map((r) => (
                        <option key={r} value={r}>
                          {t('role.' + r)}
                        </option>
                      ))}
                    </select>
                  ) : (
                    t('role.' + m.role)
                  )}
                </td>
                <td class="muted small">{fmtDateTime(m.joined_at, viewZone.get())}</td>
                <td>
                  {(self || canChange) && (
                    <button class="btn btn-small btn-ghost btn-danger" onClick={() => void remove(m.user_id, self)}>
                      {self ? t('settings.leave') : t('common.remove')}
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p class="muted small">{t('settings.rolesHelp')}</p>
    </section>
  );
}

function InvitationsSection() {
  const w = useStore(workspace)!;
  const [list, setList] = useState<Invitation[]>([]);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('author');
  const [err, setErr] = useState<ApiError | null>(null);
  const [created, setCreated] = useState<Invitation | null>(null);

  const load = () =>
    api
      .get<Page<Invitation>>(ws(w.id, '/invitations'))
      .then((p) => setList(p.items))
      .catch(toastError);
  useEffect(() => {
    void load();
  }, [w.id]);

  async function invite(e: Event) {
    e.preventDefault();
    setErr(null);
    try {
      const inv = await api.post<Invitation>(ws(w.id, '/invitations'), { email, role });
      setCreated(inv);
      setEmail('');
      toast('ok', t('settings.invited', { email: inv.email }));
      await load();
    } catch (x) {
      if (x instanceof ApiError) setErr(x);
      toastError(x);
    }
  }

  async function revoke(id: number) {
    try {
      await api.del(ws(w.id, `/invitations/${id}`));
      toast('ok', t('settings.revoked'));
      await load();
    } catch (x) {
      toastError(x);
    }
  }

  return (
    <section class="card">
      <h2>{t('settings.invitations')}</h2>
      <form class="inline-form" onSubmit={invite}>
        <Field label={t('signin.email')} error={err?.fields.email}>
          {(id, d) => <input id={id} type="email" value={email} aria-describedby={d} onInput={(e) => setEmail(val(e))} placeholder="name@example.com" />}
        </Field>
        <Field label={t('settings.role')} error={err?.fields.role}>
          {(id) => (
            <select id={id} value={role} onChange={(e) => setRole(val(e) as Role)}>
              {ROLES.filter((r) => w.role === 'owner' || r !== 'owner').map((r) => (
                <option key={r} value={r}>
                  {t('role.' + r)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <button class="btn btn-primary">{t('settings.invite')}</button>
      </form>
      {created?.accept_url && (
        <div class="banner banner-ok" role="status">
          {t('settings.inviteLink', { email: created.email })}{' '}
          <code class="copyable">{created.accept_url}</code>{' '}
          <button class="btn btn-small" onClick={() => void navigator.clipboard?.writeText(created.accept_url!).then(() => toast('ok', t('common.copied')))}>
            {t('common.copy')}
          </button>
        </div>
      )}
      {list.length > 0 && (
        <ul class="plain-list">
          {list.map((i) => (
            <li key={i.id}>
              {i.email} · {t('role.' + i.role)} · <span class="muted small">{t('settings.expires', { when: fmtDateTime(i.expires_at, viewZone.get()) })}</span>{' '}
              <button class="btn btn-small btn-ghost" onClick={() => void revoke(i.id)}>
                {t('settings.revoke')}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function NotificationsSection() {
  const w = useStore(workspace)!;
  const [hook, setHook] = useState('');
  const [email, setEmail] = useState('');
  const [secret, setSecret] = useState('');
  const [err, setErr] = useState<ApiError | null>(null);
  useEffect(() => {
    api
      .get<{ webhook_url: string; email: string }>(ws(w.id, '/notification-settings'))
      .then((s) => {
        setHook(s.webhook_url);
        setEmail(s.email);
      })
      .catch(toastError);
  }, [w.id]);
  async function save(e: Event, rotate = false) {
    e.preventDefault();
    setErr(null);
    try {
      const res = await api.put<{ webhook_secret?: string }>(ws(w.id, '/notification-settings'), { webhook_url: hook, email, rotate_secret: rotate });
      setSecret(res.webhook_secret ?? '');
      toast('ok', t('settings.saved'));
    } catch (x) {
      if (x instanceof ApiError) setErr(x);
      toastError(x);
    }
  }
  return (
    <section class="card">
      <h2>{t('settings.notifications')}</h2>
      <p class="muted small">{t('settings.notificationsHelp')}</p>
      <form onSubmit={(e) => void save(e)}>
        <div class="grid2">
          <Field label={t('settings.webhook')} error={err?.fields.webhook_url} hint={t('settings.webhookHint')}>
            {(id, d) => <input id={id} type="url" value={hook} aria-describedby={d} onInput={(e) => setHook(val(e))} placeholder="https://" />}
          </Field>
          <Field label={t('settings.notifyEmail')} error={err?.fields.email}>
            {(id, d) => <input id={id} type="email" value={email} aria-describedby={d} onInput={(e) => setEmail(val(e))} />}
          </Field>
        </div>
        {secret && (
          <div class="banner banner-ok" role="status">
            {t('settings.secretOnce')} <code class="copyable">{secret}</code>
          </div>
        )}
        <div class="form-actions">
          <button class="btn btn-primary">{t('common.save')}</button>
          {hook && (
            <button type="button" class="btn" onClick={(e) => void save(e, true)}>
              {t('settings.rotate')}
            </button>
          )}
        </div>
      </form>
    </section>
  );
}

function ProfileSection() {
  const me = useStore(session)!;
  const [name, setName] = useState(me.user.name);
  const [cur, setCur] = useState('');
  const [next, setNext] = useState('');
  const [err, setErr] = useState<ApiError | null>(null);
  async function saveName(e: Event) {
    e.preventDefault();
    setErr(null);
    try {
      await api.patch('/api/v1/me', { name });
      session.set({ ...me, user: { ...me.user, name } });
      await refreshMembers();
      toast('ok', t('settings.saved'));
    } catch (x) {
      if (x instanceof ApiError) setErr(x);
      toastError(x);
    }
  }
  async function savePassword(e: Event) {
    e.preventDefault();
    setErr(null);
    try {
      await api.post('/api/v1/me/password', { current_password: cur, new_password: next });
      setCur('');
      setNext('');
      toast('ok', t('settings.passwordChanged'));
    } catch (x) {
      if (x instanceof ApiError) setErr(x);
      toastError(x);
    }
  }
  return (
    <section class="card">
      <h2>{t('settings.profile')}</h2>
      <form class="inline-form" onSubmit={saveName}>
        <Field label={t('settings.yourName')} error={err?.fields.name}>
          {(id) => <input id={id} value={name} onInput={(e) => setName(val(e))} />}
        </Field>
        <button class="btn">{t('common.save')}</button>
      </form>
      <form class="inline-form" onSubmit={savePassword}>
        <Field label={t('settings.currentPassword')} error={err?.fields.current_password}>
          {(id) => <input id={id} type="password" autocomplete="current-password" value={cur} onInput={(e) => setCur(val(e))} />}
        </Field>
        <Field label={t('settings.newPassword')} error={err?.fields.new_password}>
          {(id) => <input id={id} type="password" autocomplete="new-password" value={next} onInput={(e) => setNext(val(e))} />}
        </Field>
        <button class="btn">{t('settings.changePassword')}</button>
      </form>
      <button class="btn btn-ghost" onClick={() => void signOut()}>
        {t('shell.signOut')}
      </button>
    </section>
  );
}
