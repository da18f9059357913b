// Hash routing (#/calendar, #/posts/12, #/channels?connected=3): the OAuth connect callback sends
// the browser to /#/channels?…, and the server needs no route of its own for any page.
import { store } from './store';

export interface Route {
  /** path without the leading "#", e.g. "/posts/12" */
  path: string;
  /** the segments of path: ["posts", "12"] */
  parts: string[];
  query: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#/, '') || '/calendar';
  const [p, q = ''] = raw.split('?');
  const path = p.startsWith('/') ? p : '/' + p;
  return { path, parts: path.split('/').filter(Boolean), query: new URLSearchParams(q) };
}

export const route = store<Route>(parseHash(typeof location !== 'undefined' ? location.hash : ''));

/** A guard may refuse to leave the page (unsaved changes); it returns false to stay. */
let guard: (() => boolean) | null = null;
export function setLeaveGuard(fn: (() => boolean) | null) {
  guard = fn;
}

let lastHash = typeof location !== 'undefined' ? location.hash : '';
if (typeof window !== 'undefined') {
  window.addEventListener('hashchange', () => {
    if (guard && !guard()) {
      history.replaceState(null, '', lastHash || '#/calendar');
      return;
    }
    lastHash = location.hash;
    route.set(parseHash(location.hash));
  });
}

export function navigate(to: string, replace = false) {
  const hash = '#' + (to.startsWith('/') ? to : '/' + to);
  if (replace) {
    if (guard && !guard()) return;
    history.replaceState(null, '', hash);
    lastHash = hash;
    route.set(parseHash(hash));
  } else {
    location.hash = hash;
  }
}

/** setQuery changes the current route's query without adding a history entry. */
export function setQuery(params: Record<string, string | null>) {
  const r = route.get();
  const q = new URLSearchParams(r.query);
  for (const [k, v] of Object.entries(params)) {
    if (v === null || v === '') q.delete(k);
    else q.set(k, v);
  }
  const s = q.toString();
  const hash = '#' + r.path + (s ? '?' + s : '');
  history.replaceState(null, '', hash);
  lastHash = hash;
  route.set(parseHash(hash));
}
