import type { CalendarPost, DisplayStatus, Post } from '../types';

/**
 * displayStatus is what a post's badge says: its status, unless one of its targets waits for a
 * person, which matters more: unconfirmed (did it go out? someone must check) before missed (it
 * was too late; someone must reschedule).
 */
export function displayStatus(p: Pick<Post | CalendarPost, 'status' | 'targets'>): DisplayStatus {
  const ts = p.targets as { status: string }[];
  if (ts.some((t) => t.status === 'unconfirmed')) return 'unconfirmed';
  if (ts.some((t) => t.status === 'missed')) return 'missed';
  return p.status;
}

/** movable reports whether dragging a post to another time can make sense at all. */
export function movable(status: string): boolean {
  return ['draft', 'in_review', 'changes_requested', 'approved', 'scheduled'].includes(status);
}

/** firstLine is a short title for a post without one. */
export function postLabel(p: { title: string; text: string }): string {
  if (p.title) return p.title;
  const line = p.text.split('\n').find((l) => l.trim()) ?? '';
  return line.length > 80 ? line.slice(0, 79) + '…' : line;
}
