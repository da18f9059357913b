// What the brand voice features ask the server once and share: the server's optional features
// (GET /api/v1/config: "voice_rewrite" when a model is configured), the workspace's voice profile,
// and the composing library. Answers are kept for the page's life and refreshed after a change.
import { api, ws } from '../api';
import type { HashtagGroup, Page, ServerConfig, Snippet, Template, VoiceProfileView } from '../types';

let config: Promise<ServerConfig> | null = null;

/** serverConfig is GET /api/v1/config, asked once. */
export function serverConfig(): Promise<ServerConfig> {
  config ??= api.get<ServerConfig>('/api/v1/config').catch((e) => {
    config = null;
    throw e;
  });
  return config;
}

const profiles = new Map<number, Promise<VoiceProfileView>>();

/** voiceProfile is the workspace's brand voice (version 0: none saved yet). */
export function voiceProfile(wid: number, fresh = false): Promise<VoiceProfileView> {
  let p = profiles.get(wid);
  if (!p || fresh) {
    p = api.get<VoiceProfileView>(ws(wid, '/voice/profile'));
    p.catch(() => profiles.delete(wid));
    profiles.set(wid, p);
  }
  return p;
}

/** rememberProfile keeps the answer of a save, so the composer sees the new rules at once. */
export function rememberProfile(wid: number, v: VoiceProfileView) {
  profiles.set(wid, Promise.resolve(v));
}

/** hasProfile: a profile was saved, so posts are checked against it. */
export const hasProfile = (v: VoiceProfileView | null | undefined) => !!v && v.version > 0;

export interface Library {
  templates: Template[];
  snippets: Snippet[];
  groups: HashtagGroup[];
}

const libraries = new Map<number, Promise<Library>>();

/** library is the workspace's templates, snippets and hashtag groups. */
export function library(wid: number, fresh = false): Promise<Library> {
  let p = libraries.get(wid);
  if (!p || fresh) {
    p = Promise.all([
      api.get<Page<Template>>(ws(wid, '/templates')),
      api.get<Page<Snippet>>(ws(wid, '/snippets')),
      api.get<Page<HashtagGroup>>(ws(wid, '/hashtag-groups')),
    ]).then(([t, s, g]) => ({ templates: t.items, snippets: s.items, groups: g.items }));
    p.catch(() => libraries.delete(wid));
    libraries.set(wid, p);
  }
  return p;
}

/** forgetLibrary drops the kept library after it changed. */
export function forgetLibrary(wid: number) {
  libraries.delete(wid);
}
