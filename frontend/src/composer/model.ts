// The composer's model, as pure functions (tested in test/composer-model.test.ts): a post as the
// form edits it (one base text and media for every channel, with per-channel overrides), to and
// from the API's shape, and which actions a role may offer in a status.
import type { Media, Post, PostStatus, Role, ThreadPart } from '../types';
import { atLeast } from '../types';

export interface TargetDraft {
  channelId: number;
  /** null: the base text */
  text: string | null;
  /** null: the base media */
  media: Media[] | null;
  firstComment: string;
}

export interface Draft {
  title: string;
  text: string;
  media: Media[];
  /** the later parts of a thread, published as replies to the first on networks that take threads */
  thread: ThreadPart[];
  labels: string[];
  targets: TargetDraft[];
  /** planned time as wall time in the composer's zone: "YYYY-MM-DD" and "HH:MM", or empty */
  date: string;
  time: string;
}

export function emptyDraft(): Draft {
  return { title: '', text: '', media: [], thread: [], labels: [], targets: [], date: '', time: '' };
}

const sameMedia = (a: Media[], b: Media[]) => JSON.stringify(a) === JSON.stringify(b);

/** fromPost turns a post into the form's draft; media shared by every target becomes the base. */
export function fromPost(p: Post, date = '', time = ''): Draft {
  const first = p.targets[0]?.media ?? [];
  const shared = p.targets.every((t) => sameMedia(t.media ?? [], first));
  return {
    title: p.title,
    text: p.text,
    media: shared ? first : [],
    thread: (p.thread ?? []).map((x) => ({ text: x.text, media: x.media ?? [] })),
    labels: [...p.labels],
    targets: p.targets.map((t) => ({
      channelId: t.channel_id,
      text: t.text && t.text !== '' ? t.text : null,
      media: shared ? null : t.media ?? [],
      firstComment: t.first_comment ?? '',
    })),
    date,
    time,
  };
}

export interface TargetRequest {
  channel_id: number;
  text: string | null;
  media: { url: string; kind: string; mime?: string; size_bytes?: number; alt_text?: string }[];
  first_comment: string | null;
}

/** targetText is what one channel will say. */
export function targetText(d: Draft, t: TargetDraft): string {
  return t.text ?? d.text;
}

export function targetMedia(d: Draft, t: TargetDraft): Media[] {
  return t.media ?? d.media;
}

/** toRequest is the content part of a create or edit request. */
const mediaRequest = (m: Media) => ({ url: m.url, kind: m.kind, mime: m.mime, size_bytes: m.size_bytes, alt_text: m.alt_text || undefined });

export function toRequest(d: Draft): { title: string; text: string; thread: { text: string; media: ReturnType<typeof mediaRequest>[] }[]; labels: string[]; targets: TargetRequest[] } {
  return {
    title: d.title.trim(),
    text: d.text,
    thread: d.thread.filter((x) => x.text.trim() || x.media.length).map((x) => ({ text: x.text, media: x.media.map(mediaRequest) })),
    labels: d.labels,
    targets: d.targets.map((t) => ({
      channel_id: t.channelId,
      text: t.text,
      media: targetMedia(d, t).map(mediaRequest),
      first_comment: t.firstComment.trim() ? t.firstComment : null,
    })),
  };
}

/** sameContent reports whether two drafts would save the same post content. */
export function sameContent(a: Draft, b: Draft): boolean {
  return JSON.stringify(toRequest(a)) === JSON.stringify(toRequest(b));
}

export function sameTime(a: Draft, b: Draft): boolean {
  return a.date === b.date && a.time === b.time;
}

/**
 * fieldTarget maps an API field name to where the composer shows it: "targets[1].text" with the
 * targets sent in this order → { channelId, field: "text" }; other names stay as they are.
 */
export function fieldTarget(name: string, order: number[]): { channelId?: number; field: string } {
  const m = /^targets\[(\d+)\](?:\.(.+))?$/.exec(name);
  if (!m) return { field: name };
  return { channelId: order[Number(m[1])], field: m[2] ?? 'target' };
}

export type ActionName =
  | 'save'
  | 'submit'
  | 'approve'
  | 'request_changes'
  | 'schedule'
  | 'publish_now'
  | 'unschedule'
  | 'retry'
  | 'cancel'
  | 'restore';

/**
 * actionsFor lists what the composer offers a member with this role on a post in this status.
 * The server decides in the end (workflow/apply.go); these are the buttons worth showing. The
 * first one is the primary action.
 */
export function actionsFor(role: Role | undefined, status: PostStatus | null, own: boolean, needsReview: boolean): ActionName[] {
  const editor = atLeast(role, 'editor');
  const author = atLeast(role, 'author');
  if (!author) return [];
  const mine = own || editor;
  switch (status) {
    case null:
      // A new post: save it as a draft, or send it on.
      return editor && !needsReview ? ['schedule', 'save', 'publish_now'] : ['submit', 'save'];
    case 'draft':
    case 'changes_requested':
      if (!mine) return [];
      return editor && !needsReview ? ['schedule', 'save', 'submit', 'publish_now', 'cancel'] : ['submit', 'save', 'cancel'];
    case 'in_review':
      return editor ? ['approve', 'request_changes', 'save', 'cancel'] : mine ? ['save', 'cancel'] : [];
    case 'approved':
      return editor ? ['schedule', 'publish_now', 'save', 'request_changes', 'cancel'] : mine ? ['save'] : [];
    case 'scheduled':
      return editor ? ['save', 'publish_now', 'unschedule', 'cancel'] : mine ? ['save'] : [];
    case 'failed':
      return editor ? ['retry', 'save', 'cancel'] : mine ? ['save'] : [];
    case 'partially_published':
      return editor ? ['retry'] : [];
    case 'canceled':
      return mine ? ['restore'] : [];
  }
  return [];
}

/** editable mirrors workflow.Status.Editable: content can change in these statuses. */
export function editable(status: PostStatus | null): boolean {
  return status === null || ['draft', 'in_review', 'changes_requested', 'approved', 'scheduled', 'failed'].includes(status);
}

/** autosaves: a draft is saved to the server as it is typed only where saving changes nothing else. */
export function autosaves(status: PostStatus | null): boolean {
  return status === null || status === 'draft' || status === 'changes_requested';
}

/** thumbnailOf is the small image to show for an attachment (Herald's uploads have one). */
export function thumbnailOf(m: Media): string {
  if (m.thumbnail_url) return m.thumbnail_url;
  const hm = /^(.*\/media\/[A-Za-z0-9_-]{20,64})\.[a-z0-9]+$/.exec(m.url);
  if (hm && m.kind !== 'video') return hm[1] + '/thumb';
  return m.url;
}
