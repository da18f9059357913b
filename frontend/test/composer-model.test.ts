import { describe, expect, it } from 'vitest';
import { actionsFor, fieldTarget, fromPost, sameContent, thumbnailOf, toRequest } from '../src/composer/model';
import type { Post } from '../src/types';

const post = (over: Partial<Post> = {}): Post => ({
  id: 7,
  author_id: 4,
  title: 'T',
  text: 'Base',
  labels: ['launch'],
  campaign: '',
  status: 'draft',
  revision: 3,
  scheduled_at: null,
  time_zone: 'Europe/Paris',
  targets: [
    { id: 1, channel_id: 10, text: null, media: [{ url: 'https://h/media/abcdefghijklmnopqrstuvwxyz.png', kind: 'image' }], first_comment: null, status: 'pending', attempts: 0, last_error: null, published_at: null },
    { id: 2, channel_id: 11, text: 'Own', media: [{ url: 'https://h/media/abcdefghijklmnopqrstuvwxyz.png', kind: 'image' }], first_comment: '#tags', status: 'pending', attempts: 0, last_error: null, published_at: null },
  ],
  created_at: '',
  updated_at: '',
  ...over,
});

describe('composer model', () => {
  it('round-trips a post through the form', () => {
    const d = fromPost(post());
    expect(d.media).toHaveLength(1);
    expect(d.targets[0].media).toBeNull(); // shared media became the base
    expect(d.targets[1].text).toBe('Own');
    const req = toRequest(d);
    expect(req.targets[0]).toEqual({ channel_id: 10, text: null, media: [{ url: 'https://h/media/abcdefghijklmnopqrstuvwxyz.png', kind: 'image', mime: undefined, size_bytes: undefined, alt_text: undefined }], first_comment: null });
    expect(req.targets[1].first_comment).toBe('#tags');
    expect(sameContent(d, fromPost(post()))).toBe(true);
    expect(sameContent(d, { ...d, text: 'Other' })).toBe(false);
  });
  it('keeps per-channel media when channels differ', () => {
    const p = post();
    p.targets[1].media = [];
    const d = fromPost(p);
    expect(d.media).toEqual([]);
    expect(d.targets[0].media).toHaveLength(1);
  });
  it('maps API field names to channels', () => {
    expect(fieldTarget('targets[1].text', [10, 11])).toEqual({ channelId: 11, field: 'text' });
    expect(fieldTarget('targets[0]', [10, 11])).toEqual({ channelId: 10, field: 'target' });
    expect(fieldTarget('scheduled_at', [10])).toEqual({ field: 'scheduled_at' });
  });
  it('offers actions by role and status', () => {
    expect(actionsFor('viewer', 'draft', false, true)).toEqual([]);
    expect(actionsFor('author', null, true, true)[0]).toBe('submit');
    expect(actionsFor('author', 'in_review', false, true)).toEqual([]);
    expect(actionsFor('editor', 'in_review', false, true)).toContain('approve');
    expect(actionsFor('editor', 'approved', false, true)[0]).toBe('schedule');
    expect(actionsFor('author', 'approved', true, true)).not.toContain('schedule');
    expect(actionsFor('editor', null, true, false)[0]).toBe('schedule');
  });
  it('finds thumbnails of uploads', () => {
    expect(thumbnailOf({ url: 'https://h/media/abcdefghijklmnopqrstuvwxyz.png', kind: 'image' })).toBe('https://h/media/abcdefghijklmnopqrstuvwxyz/thumb');
    expect(thumbnailOf({ url: 'https://cdn.example/x.png', kind: 'image' })).toBe('https://cdn.example/x.png');
  });
});
