// The app's shared state: who is signed in, which workspace is open, and the workspace's channels,
// members and networks, which most pages need.
import { api, setCSRF, ws } from './api';
import { store } from './lib/store';
import type { Channel, HeraldConfig, Me, Member, Network, Page, Workspace } from './types';

export const config: HeraldConfig = (window as unknown as { HERALD?: HeraldConfig }).HERALD ?? {
  version: 'dev',
  public_url: location.origin,
  demo: false,
  sandbox: false,
  networks: [],
};

export const session = store<Me | null | undefined>(undefined); // undefined: not known yet
export const workspace = store<Workspace | null>(null);
export const channels = store<Channel[]>([]);
export const members = store<Member[]>([]);
export const networks = store<Network[]>([]);
/** viewZone is the zone the calendar and the composer show times in (the workspace's by default). */
export const viewZone = store<string>('UTC');

const WS_KEY = 'herald.workspace';
const ZONE_KEY = 'herald.zone.';

export async function loadSession(): Promise<void> {
  try {
    const me = await api.get<Me>('/api/v1/me', { quiet401: true });
    adoptSession(me);
  } catch {
    session.set(null);
  }
}

export function adoptSession(me: Me) {
  setCSRF(me.csrf_token);
  session.set(me);
  let wanted = Number(localStorage.getItem(WS_KEY) || 0);
  if (!me.workspaces.some((w) => w.id === wanted)) wanted = me.workspaces[0]?.id ?? 0;
  const w = me.workspaces.find((x) => x.id === wanted) ?? null;
  void openWorkspace(w);
}

export async function openWorkspace(w: Workspace | null): Promise<void> {
  workspace.set(w);
  channels.set([]);
  members.set([]);
  if (!w) return;
  localStorage.setItem(WS_KEY, String(w.id));
  const zone = localStorage.getItem(ZONE_KEY + w.id) || w.time_zone;
  localStorage.setItem(ZONE_KEY + w.id, zone);
  viewZone.set(zone);
  // The calendar's first paint needs the channels (icons and colours); members and networks can
  // wait a moment, so they do not compete with the calendar's own request.
  const later = new Promise<void>((r) => setTimeout(r, 800)).then(() => Promise.all([refreshMembers(), refreshNetworks()]));
  await Promise.all([refreshChannels(), later]);
}

export function setViewZone(zone: string) {
  const w = workspace.get();
  if (w) localStorage.setItem(ZONE_KEY + w.id, zone);
  viewZone.set(zone);
}

let earlyChannels: { wid: number; req: Promise<Page<Channel>> } | null = null;

/**
 * prefetchChannels asks for the last visited workspace's channels as the page starts, with the
 * session check, so the calendar can draw its posts' icons and colours on its first paint.
 */
export function prefetchChannels() {
  const wid = Number(localStorage.getItem(WS_KEY) || 0);
  if (!wid) return;
  const req = api.get<Page<Channel>>(ws(wid, '/channels'), { quiet401: true });
  req.catch(() => {});
  earlyChannels = { wid, req };
}

export async function refreshChannels() {
  const w = workspace.get();
  if (!w) return;
  const early = earlyChannels;
  earlyChannels = null;
  const p = await (early && early.wid === w.id ? early.req.catch(() => api.get<Page<Channel>>(ws(w.id, '/channels'))) : api.get<Page<Channel>>(ws(w.id, '/channels')));
  channels.set(p.items);
}

export async function refreshMembers() {
  const w = workspace.get();
  if (!w) return;
  const p = await api.get<Page<Member>>(ws(w.id, '/members'));
  members.set(p.items);
}

export async function refreshNetworks() {
  if (networks.get().length) return;
  const p = await api.get<Page<Network>>('/api/v1/networks');
  networks.set(p.items);
}

/** refreshWorkspace reloads the open workspace (after its settings change). */
export async function refreshWorkspace() {
  const w = workspace.get();
  if (!w) return;
  const fresh = await api.get<Workspace>(ws(w.id));
  workspace.set(fresh);
  const me = session.get();
  if (me) session.set({ ...me, workspaces: me.workspaces.map((x) => (x.id === fresh.id ? { ...x, ...fresh } : x)) });
}

export async function signOut() {
  try {
    await api.post('/api/v1/auth/signout');
  } finally {
    setCSRF('');
    session.set(null);
    workspace.set(null);
  }
}

export function memberName(id: number | null | undefined): string {
  if (!id) return '';
  const m = members.get().find((x) => x.user_id === id);
  return m ? m.name || m.email : '#' + id;
}

export function channelById(id: number): Channel | undefined {
  return channels.get().find((c) => c.id === id);
}

export function networkOf(name: string): Network | undefined {
  return networks.get().find((n) => n.name === name);
}
