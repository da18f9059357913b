// A post's page: its content, each channel's status with the link to the published post (or
// the error in plain words and what to do next), the timeline of what happened and the team's
// comments (with @mentions), and the engagement history as a chart.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, ApiError, ws } from '../api';
import { notifyPostsChanged, openComposer, postsChanged } from '../composer/open';
import { thumbnailOf } from '../composer/model';
import { fmtDateTime, fmtRelative, t } from '../i18n';
import { lazy } from '../lib/lazy';
import { navigate } from '../lib/router';
import { displayStatus, postLabel } from '../lib/status';
import { useStore } from '../lib/store';
import { channelById, channels, memberName, members, networkOf, session, viewZone, workspace } from '../state';
import { atLeast, type AuditEvent, type Comment, type Engagement, type Page, type Post, type Target } from '../types';
import { Avatar, Dialog, NetworkIcon, Spinner, StatusBadge, val } from '../ui/kit';
import { toast, toastError } from '../ui/toast';

const EngagementChart = lazy(() => import('./chart'));

export default function PostPage({ id }: { id: number }) {
  const w = useStore(workspace)!;
  const changed = useStore(postsChanged);
  useStore(channels);
  useStore(members);
  const [post, setPost] = useState<Post | null>(null);
  const [audit, setAudit] = useState<AuditEvent[]>([]);
  const [comments, setComments] = useState<Comment[]>([]);
  const [eng, setEng] = useState<Engagement | null>(null);
  const [missing, setMissing] = useState(false);

  async function load() {
    try {
      const [p, a, c, e] = await Promise.all([
        api.get<Post>(ws(w.id, `/posts/${id}`)),
        api.get<Page<AuditEvent>>(ws(w.id, `/posts/${id}/audit?limit=200`)),
        api.get<Page<Comment>>(ws(w.id, `/posts/${id}/comments?limit=200`)),
        api.get<Engagement>(ws(w.id, `/posts/${id}/engagement`)),
      ]);
      setPost(p);
      setAudit(a.items);
      setComments(c.items);
      setEng(e);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) setMissing(true);
      else toastError(err);
    }
  }

  useEffect(() => {
    void load();
  }, [id, changed]);

  // A post being published changes on its own: look again shortly.
  useEffect(() => {
    if (!post || !['scheduled', 'publishing'].includes(post.status)) return;
    const due = post.scheduled_at ? new Date(post.scheduled_at).getTime() - Date.now() : 0;
    if (due > 10 * 60e3) return;
    const timer = setTimeout(() => void load(), Math.max(3000, Math.min(due + 2000, 15000)));
    return () => clearTimeout(timer);
  }, [post]);

  if (missing)
    return (
      <div class="page">
        <p>{t('post.notFound')}</p>
        <a href="#/calendar">{t('nav.calendar')}</a>
      </div>
    );
  if (!post)
    return (
      <div class="page">
        <Spinner />
      </div>
    );
  const zone = viewZone.get();
  const canEdit = atLeast(w.role, 'author') && !['published', 'publishing', 'partially_published'].includes(post.status);
  return (
    <div class="page post-page">
      <div class="page-head">
        <button class="btn btn-ghost btn-small" onClick={() => (history.length > 1 ? history.back() : navigate('/calendar'))}>
          ← {t('common.back')}
        </button>
        <h1 data-testid="post-title">{postLabel(post)}</h1>
        <StatusBadge status={displayStatus(post)} />
        <span class="spacer" />
        {canEdit && (
          <button class="btn" onClick={() => openComposer({ postId: post.id })} data-testid="post-edit">
            {t('common.edit')}
          </button>
        )}
        {atLeast(w.role, 'author') && (
          <button
            class="btn btn-ghost"
            onClick={async () => {
              try {
                const copy = await api.post<Post>(ws(w.id, `/posts/${post.id}/duplicate`));
                toast('ok', t('post.duplicated'));
                notifyPostsChanged();
                openComposer({ postId: copy.id });
              } catch (e) {
                toastError(e);
              }
            }}
          >
            {t('post.duplicate')}
          </button>
        )}
      </div>
      <div class="post-grid">
        <div>
          <section class="card">
            <dl class="facts">
              <dt>{t('post.author')}</dt>
              <dd>{memberName(post.author_id)}</dd>
              <dt>{t('post.planned')}</dt>
              <dd>{post.scheduled_at ? fmtDateTime(post.scheduled_at, zone) + ' · ' + zone : t('post.notPlanned')}</dd>
              {post.labels.length > 0 && (
                <>
                  <dt>{t('composer.labels')}</dt>
                  <dd>
                    {post.labels.map((l) => (
                      <span key={l} class="label">
                        {l}
                      </span>
                    ))}
                  </dd>
                </>
              )}
              <dt>{t('post.revisionLabel')}</dt>
              <dd>{post.revision}</dd>
            </dl>
            <p class="post-text">{post.text}</p>
          </section>
          <section class="card">
            <h2>{t('post.channels')}</h2>
            <ul class="targets">
              {post.targets.map((tg) => (
                <TargetRow key={tg.id} post={post} target={tg} onChange={() => void load()} />
              ))}
            </ul>
          </section>
          {eng && eng.targets.some((x) => x.history.length > 0) && (
            <section class="card">
              <h2>{t('post.engagement')}</h2>
              <EngagementChart engagement={eng} />
            </section>
          )}
        </div>
        <section class="card timeline-card">
          <h2>{t('post.timeline')}</h2>
          <CommentBox postId={post.id} onPosted={(c) => setComments((l) => [...l, c])} />
          <Timeline audit={audit} comments={comments} />
        </section>
      </div>
    </div>
  );
}

/** nextStep says in plain words what a person can do about a target that needs them. */
function nextStep(tg: Target, channelStatus?: string): string {
  switch (tg.status) {
    case 'failed':
      return t('post.next.failed');
    case 'unconfirmed':
      return t('post.next.unconfirmed');
    case 'missed':
      return t('post.next.missed');
    case 'held':
      return channelStatus === 'needs_reconnect' ? t('post.next.reconnect') : t('post.next.paused');
  }
  return '';
}

function TargetRow({ post, target, onChange }: { post: Post; target: Target; onChange: () => void }) {
  const w = useStore(workspace)!;
  const ch = channelById(target.channel_id);
  const [busy, setBusy] = useState(false);
  const [asking, setAsking] = useState(false);
  const [url, setUrl] = useState('');
  const [err, setErr] = useState<ApiError | null>(null);
  const editor = atLeast(w.role, 'editor');
  const needsPerson = ['failed', 'unconfirmed', 'missed'].includes(target.status);

  async function resolve(outcome: 'published' | 'retry' | 'failed', link = '') {
    setBusy(true);
    setErr(null);
    try {
      await api.post(ws(w.id, `/posts/${post.id}/targets/${target.id}/resolve`), { outcome, url: link });
      toast('ok', t('post.resolved.' + outcome));
      setAsking(false);
      notifyPostsChanged();
      onChange();
    } catch (e) {
      if (e instanceof ApiError) setErr(e);
      toastError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <li class={'target target-' + target.status} data-testid="target" data-status={target.status}>
      <div class="target-head">
        {ch && <NetworkIcon network={ch.network} size={20} />}
        <strong>{ch?.name ?? '#' + target.channel_id}</strong>
        <span class={'badge target-badge tstatus-' + target.status}>{t('target.' + target.status)}</span>
        {target.external_url && (
          <a href={target.external_url} target="_blank" rel="noopener" class="published-link" data-testid="published-link">
            {t('post.viewOn', { network: networkOf(ch?.network ?? '')?.display_name ?? ch?.network ?? '' })} ↗
          </a>
        )}
      </div>
      <div class="target-body">
        {target.published_at && <span class="muted small">{t('post.publishedAt', { when: fmtDateTime(target.published_at, viewZone.get()) })}</span>}
        {target.attempts > 0 && target.status !== 'published' && <span class="muted small">{t('post.attempts', { n: target.attempts })}</span>}
        {target.text && <p class="muted small">{t('post.ownText')}: {target.text}</p>}
        {target.media.length > 0 && (
          <div class="target-media">
            {target.media.map((m) => (
              <img key={m.url} src={thumbnailOf(m)} alt={m.alt_text || ''} />
            ))}
          </div>
        )}
        {target.last_error && target.status !== 'published' && (
          <div class="target-error" role="note">
            <strong>{t('post.whatHappened')}</strong> {target.last_error}
          </div>
        )}
        {nextStep(target, ch?.status) && (
          <div class="next-step">
            <strong>{t('post.nextStep')}</strong> {nextStep(target, ch?.status)}
            {target.status === 'held' && (
              <a class="btn btn-small" href={'#/channels?focus=' + target.channel_id}>
                {t('nav.channels')}
              </a>
            )}
          </div>
        )}
        {needsPerson && editor && (
          <div class="target-actions">
            <button class="btn btn-small btn-primary" disabled={busy} onClick={() => void resolve('retry')}>
              {t('post.resolve.retry')}
            </button>
            {target.status !== 'failed' && (
              <button class="btn btn-small" disabled={busy} onClick={() => setAsking(true)}>
                {t('post.resolve.published')}
              </button>
            )}
            <button class="btn btn-small btn-ghost" disabled={busy} onClick={() => void resolve('failed')}>
              {t('post.resolve.failed')}
            </button>
            {target.status === 'missed' && (
              <button class="btn btn-small btn-ghost" onClick={() => openComposer({ postId: post.id })}>
                {t('post.reschedule')}
              </button>
            )}
          </div>
        )}
      </div>
      {asking && (
        <Dialog title={t('post.resolve.published')} onClose={() => setAsking(false)}>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void resolve('published', url.trim());
            }}
          >
            <div class={'field' + (err?.fields.url ? ' has-error' : '')}>
              <label for="pub-url">{t('post.publishedUrl')}</label>
              <input id="pub-url" type="url" value={url} placeholder="https://" onInput={(e) => setUrl(val(e))} autofocus />
              {err?.fields.url && <div class="field-error">{err.fields.url}</div>}
              <div class="hint">{t('post.publishedUrlHint')}</div>
            </div>
            <div class="dialog-actions">
              <button type="button" class="btn" onClick={() => setAsking(false)}>
                {t('common.cancel')}
              </button>
              <button type="submit" class="btn btn-primary" disabled={busy}>
                {t('post.resolve.confirm')}
              </button>
            </div>
          </form>
        </Dialog>
      )}
    </li>
  );
}

type Item = { kind: 'audit'; at: string; e: AuditEvent } | { kind: 'comment'; at: string; c: Comment };

function Timeline({ audit, comments }: { audit: AuditEvent[]; comments: Comment[] }) {
  const items = useMemo(() => {
    const out: Item[] = [...audit.map((e) => ({ kind: 'audit' as const, at: e.at, e })), ...comments.map((c) => ({ kind: 'comment' as const, at: c.created_at, c }))];
    return out.sort((a, b) => b.at.localeCompare(a.at));
  }, [audit, comments]);
  const zone = viewZone.get();
  if (!items.length) return <p class="muted">{t('post.noActivity')}</p>;
  return (
    <ol class="timeline" data-testid="timeline">
      {items.map((it) =>
        it.kind === 'comment' ? (
          <li key={'c' + it.c.id} class="tl-item tl-comment">
            <Avatar name={memberName(it.c.author_id)} size={26} />
            <div>
              <div class="tl-meta">
                <strong>{memberName(it.c.author_id)}</strong>{' '}
                <time dateTime={it.at} title={fmtDateTime(it.at, zone)}>
                  {fmtRelative(it.at)}
                </time>
              </div>
              <p class="tl-text">
                <Mentions text={it.c.text} />
              </p>
            </div>
          </li>
        ) : (
          <li key={'a' + it.e.id} class="tl-item tl-audit">
            <span class="tl-dot" aria-hidden="true" />
            <div>
              <div class="tl-meta">
                <strong>{it.e.actor || t('post.system')}</strong> {t('audit.' + it.e.action) !== 'audit.' + it.e.action ? t('audit.' + it.e.action) : it.e.action}{' '}
                <time dateTime={it.at} title={fmtDateTime(it.at, zone)}>
                  {fmtRelative(it.at)}
                </time>
              </div>
              {it.e.summary && <p class="tl-summary muted small">{it.e.summary}</p>}
            </div>
          </li>
        ),
      )}
    </ol>
  );
}

function Mentions({ text }: { text: string }) {
  const parts = text.split(/((?:^|(?<=[^\w@]))@[\w.+-]+(?:@[\w-]+(?:\.[\w-]+)+)?)/g);
  return (
    <>
      {parts.map((p, i) =>
        p.startsWith('@') ? (
          <span key={i} class="mention">
            {p}
          </span>
        ) : (
          p
        ),
      )}
    </>
  );
}

/** CommentBox writes a comment; typing @ offers the workspace's members. */
function CommentBox({ postId, onPosted }: { postId: number; onPosted: (c: Comment) => void }) {
  const w = useStore(workspace)!;
  const me = useStore(session)!;
  const mems = useStore(members);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState<string>('');
  const [query, setQuery] = useState<string | null>(null);
  const [active, setActive] = useState(0);
  const ta = useRef<HTMLTextAreaElement>(null);
  const matches = query === null ? [] : mems.filter((m) => m.user_id !== me.user.id && (m.name.toLowerCase().includes(query) || m.email.toLowerCase().startsWith(query))).slice(0, 6);

  function onInput(v: string) {
    setText(v);
    const pos = ta.current?.selectionStart ?? v.length;
    const m = /(?:^|[^\w@])@([\w.+-]*)$/.exec(v.slice(0, pos));
    setQuery(m ? m[1].toLowerCase() : null);
    setActive(0);
  }

  function pick(i: number) {
    const m = matches[i];
    if (!m || !ta.current) return;
    const pos = ta.current.selectionStart;
    const before = text.slice(0, pos).replace(/@([\w.+-]*)$/, '@' + m.email.split('@')[0] + ' ');
    const next = before + text.slice(pos);
    setText(next);
    setQuery(null);
    requestAnimationFrame(() => {
      ta.current!.focus();
      ta.current!.selectionStart = ta.current!.selectionEnd = before.length;
    });
  }

  async function send(e: Event) {
    e.preventDefault();
    if (!text.trim()) return;
    setBusy(true);
    setErr('');
    try {
      const c = await api.post<Comment>(ws(w.id, `/posts/${postId}/comments`), { text });
      onPosted(c);
      setText('');
      toast('ok', c.mentions.length ? t('post.commentMentioned', { n: c.mentions.length }) : t('post.commented'));
    } catch (x) {
      setErr(x instanceof ApiError ? x.fields.text || x.message : String(x));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="comment-box" onSubmit={send}>
      <label for="comment" class="sr-only">
        {t('post.comment')}
      </label>
      <div class="mention-wrap">
        <textarea
          id="comment"
          ref={ta}
          rows={3}
          value={text}
          placeholder={t('post.commentPlaceholder')}
          onInput={(e) => onInput(val(e))}
          aria-invalid={!!err}
          aria-autocomplete="list"
          aria-expanded={matches.length > 0}
          aria-controls="mention-list"
          onKeyDown={(e) => {
            if (!matches.length) return;
            if (e.key === 'ArrowDown') {
              e.preventDefault();
              setActive((a) => (a + 1) % matches.length);
            } else if (e.key === 'ArrowUp') {
              e.preventDefault();
              setActive((a) => (a - 1 + matches.length) % matches.length);
            } else if (e.key === 'Enter' || e.key === 'Tab') {
              e.preventDefault();
              pick(active);
            } else if (e.key === 'Escape') setQuery(null);
          }}
          data-testid="comment-text"
        />
        {matches.length > 0 && (
          <ul class="mention-list" id="mention-list" role="listbox">
            {matches.map((m, i) => (
              <li key={m.user_id} role="option" aria-selected={i === active} class={i === active ? 'active' : ''} onMouseDown={(e) => (e.preventDefault(), pick(i))}>
                <strong>{m.name}</strong> <span class="muted">@{m.email.split('@')[0]}</span>
              </li>
            ))}
          </ul>
        )}
      </div>
      {err && <div class="field-error">{err}</div>}
      <div class="comment-actions">
        <span class="muted small">{t('post.mentionHint')}</span>
        <button class="btn btn-primary btn-small" disabled={busy || !text.trim()} data-testid="comment-send">
          {t('post.send')}
        </button>
      </div>
    </form>
  );
}

