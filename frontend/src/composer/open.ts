// Opening the composer is shared by the calendar, the review queue and the post page; the composer
// itself is loaded on demand.
import { store } from '../lib/store';

export interface ComposerProps {
  key: number;
  /** the post to edit; absent for a new post */
  postId?: number;
  /** an instant (ISO) to plan a new post at */
  at?: string;
}

export const composerState = store<ComposerProps | null>(null);
let seq = 0;

export function openComposer(p: Omit<ComposerProps, 'key'>) {
  composerState.set({ ...p, key: ++seq });
}

export function closeComposer() {
  composerState.set(null);
}

/** postsChanged counts changes to posts, so views showing posts reload. */
export const postsChanged = store(0);
export function notifyPostsChanged() {
  postsChanged.set((n) => n + 1);
}
