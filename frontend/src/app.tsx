// The app shell: sign-in when there is no session, else the header (workspace switcher, pages,
// language, notifications, account) and the page the hash names. Pages the first paint does not
// need are loaded on demand.
import { useEffect, useState } from 'preact/hooks';
import { onUnauthenticated } from './api';
import { LOCALES, locale, onLocaleChange, setLocale, t, type Locale } from './i18n';
import { lazy } from './lib/lazy';
import { navigate, route } from './lib/router';
import { useStore } from './lib/store';
import { CalendarPage } from './pages/calendar';
import { SignIn } from './pages/signin';
import { composerState, openComposer } from './composer/open';
import { Bell } from './pages/bell';
import { config, openWorkspace, session, signOut, workspace } from './state';
import { atLeast } from './types';
import { Spinner } from './ui/kit';
import { Toasts } from './ui/toast';

const ReviewPage = lazy(() => import('./pages/review'));
const PostPage = lazy(() => import('./pages/post'));
const ChannelsPage = lazy(() => import('./pages/channels'));
const SettingsPage = lazy(() => import('./pages/settings'));
const InvitePage = lazy(() => import('./pages/invite'));
const Composer = lazy(() => import('./composer/composer'));

export function App() {
  const me = useStore(session);
  const [, setLoc] = useState<Locale>(locale());
  useEffect(() => onLocaleChange(setLoc), []);
  useEffect(() => onUnauthenticated(() => session.set(null)), []);

  if (location.pathname === '/invite') {
    return (
      <>
        <InvitePage />
        <Toasts />
      </>
    );
  }
  if (me === undefined) {
    return (
      <div class="splash">
        <Spinner />
      </div>
    );
  }
  if (me === null) {
    return (
      <>
        <SignIn />
        <Toasts />
      </>
    );
  }
  // key: switching the language re-renders everything, FullCalendar included.
  return (
    <div key={locale()}>
      <Shell />
      <Toasts />
    </div>
  );
}

function Shell() {
  const r = useStore(route);
  const w = useStore(workspace);
  const me = useStore(session)!;
  const comp = useStore(composerState);

  useEffect(() => {
    // Deep links: #/compose?post=12 or #/compose?at=… open the composer over the calendar.
    if (r.parts[0] === 'compose') {
      const id = Number(r.query.get('post') || 0);
      openComposer({ postId: id || undefined, at: r.query.get('at') || undefined });
      navigate('/calendar', true);
    }
  }, [r.path]);

  if (!w) {
    return (
      <div class="splash">
        <p>{me.workspaces.length ? t('common.loading') : t('shell.noWorkspace')}</p>
      </div>
    );
  }
  const page = r.parts[0] || 'calendar';
  let body;
  switch (page) {
    case 'review':
      body = <ReviewPage />;
      break;
    case 'posts':
      body = <PostPage id={Number(r.parts[1])} />;
      break;
    case 'channels':
      body = <ChannelsPage />;
      break;
    case 'settings':
      body = <SettingsPage />;
      break;
    default:
      body = <CalendarPage />;
  }
  const nav = [
    { key: 'calendar', label: t('nav.calendar') },
    ...(atLeast(w.role, 'editor') ? [{ key: 'review', label: t('nav.review') }] : []),
    { key: 'channels', label: t('nav.channels') },
    { key: 'settings', label: t('nav.settings') },
  ];
  return (
    <div class="shell">
      <a class="skip-link" href="#main">
        {t('shell.skip')}
      </a>
      <header class="topbar">
        <a class="brand" href="#/calendar" aria-label="Herald">
          <span class="brand-mark" aria-hidden="true">
            H
          </span>
          <span class="brand-name">Herald</span>
        </a>
        <label class="ws-switch">
          <span class="sr-only">{t('shell.workspace')}</span>
          <select
            value={w.id}
            onChange={(e) => {
              const id = Number((e.currentTarget as HTMLSelectElement).value);
              void openWorkspace(me.workspaces.find((x) => x.id === id) ?? null);
            }}
          >
            {me.workspaces.map((x) => (
              <option key={x.id} value={x.id}>
                {x.name}
              </option>
            ))}
          </select>
        </label>
        <nav class="mainnav" aria-label={t('shell.nav')}>
          {nav.map((n) => (
            <a key={n.key} href={'#/' + n.key} class={page === n.key ? 'active' : ''} aria-current={page === n.key ? 'page' : undefined}>
              {n.label}
            </a>
          ))}
        </nav>
        <div class="topbar-right">
          {atLeast(w.role, 'author') && (
            <button class="btn btn-primary" onClick={() => openComposer({})} data-testid="new-post">
              + {t('calendar.newPost')}
            </button>
          )}
          <LanguageSwitch />
          <Bell />
          <details class="usermenu">
            <summary aria-label={t('shell.account')}>
              <span class="avatar avatar-initials" aria-hidden="true">
                {(me.user.name || me.user.email).slice(0, 1).toUpperCase()}
              </span>
            </summary>
            <div class="menu">
              <div class="menu-head">
                <strong>{me.user.name}</strong>
                <small>{me.user.email}</small>
                <small>{t('role.' + (w.role || 'viewer'))}</small>
              </div>
              <button class="menu-item" onClick={() => void signOut()} data-testid="sign-out">
                {t('shell.signOut')}
              </button>
              <div class="menu-foot">
                <small>Herald {config.version}</small>
              </div>
            </div>
          </details>
        </div>
      </header>
      {/* Keyed by page: without it, leaving the calendar for another page left the calendar
          mounted (and fetching) under the new page, as FullCalendar renders with the same Preact. */}
      <main id="main" tabIndex={-1} key={page}>
        {body}
      </main>
      {comp && <Composer {...comp} />}
    </div>
  );
}

export function LanguageSwitch() {
  return (
    <label class="lang-switch">
      <span class="sr-only">{t('shell.language')}</span>
      <select value={locale()} onChange={(e) => setLocale((e.currentTarget as HTMLSelectElement).value as Locale)} data-testid="language">
        {LOCALES.map((l) => (
          <option key={l.code} value={l.code} lang={l.code}>
            {l.label}
          </option>
        ))}
      </select>
    </label>
  );
}
