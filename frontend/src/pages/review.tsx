// The review queue: posts waiting for review, oldest first; for the selected one, its approval
// steps (who may approve the current one), the brand voice's findings with the author's notes
// on the warnings they kept, what changed since its last approved revision, and approve or
// request changes with a note, or send it to the client through a review link.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, ws } from '../api';
import { NoteDialog } from '../ui/note';
import { fromPost, targetMedia, targetText, thumbnailOf } from '../composer/model';
import { notifyPostsChanged, openComposer, postsChanged } from '../composer/open';
import { fmtDateTime, fmtRelative, t, tn } from '../i18n';
import { changed, diffWords, type DiffPart } from '../lib/diff';
import { fieldTarget } from '../composer/model';
import { useStore } from '../lib/store';
import { channelById, channels, memberName, members, session, viewZone, workspace } from '../state';
import { atLeast, type Finding, type Media, type Page, type Post, type PostVoice, type ReviewSettings, type Revision, type RevisionContent } from '../types';
import { Empty, NetworkIcon, Spinner, StatusBadge } from '../ui/kit';
import { ClientLinkDialog } from '../voice/clientlink';
import { approversOf, mayApprove, waitingFor } from '../voice/steps';
import { FindingsList, Highlights, ScoreBadge } from '../voice/ui';
import { toast, toastError } from '../ui/toast';

export default function ReviewPage() {
  const w = useStore(workspace)!;
  const changedCount = useStore(postsChanged);
  useStore(members); // the authors' names arrive a moment after the page
  const [items, setItems] = useState<Post[] | null>(null);
  const [sel, setSel] = useState<number | null>(null);

  async function load() {
    try {
      const all: Post[] = [];
      let cursor = '';
      for (let i = 0; i < 10; i++) {
        const p = await api.get<Page<Post>>(ws(w.id, `/posts?status=in_review&limit=200${cursor ? '&cursor=' + cursor : ''}`));
        all.push(...p.items);
        if (!p.next_cursor) break;
        cursor = p.next_cursor;
      }
      // Oldest first: the post that has waited longest for a decision comes first.
      all.sort((a, b) => a.updated_at.localeCompare(b.updated_at) || a.id - b.id);
      setItems(all);
      setSel((s) => (s && all.some((p) => p.id === s) ? s : all[0]?.id ?? null));
    } catch (e) {
      toastError(e);
      setItems([]);
    }
  }

  useEffect(() => {
    void load();
  }, [w.id, changedCount]);

  return (
    <div class="page page-wide review-page">
      <div class="page-head">
        <h1>{t('review.title')}</h1>
        {items && <span class="muted">{tn('review.count', items.length)}</span>}
      </div>
      {!items ? (
        <Spinner />
      ) : !items.length ? (
        <Empty>{t('review.empty')}</Empty>
      ) : (
        <div class="review-layout">
          <ul class="review-list" aria-label={t('review.queue')}>
            {items.map((p) => (
              <li key={p.id}>
                <button class={'review-item' + (sel === p.id ? ' selected' : '')} aria-current={sel === p.id} onClick={() => setSel(p.id)} data-testid="review-item" data-post={p.id}>
                  <strong>{p.title || p.text.slice(0, 60)}</strong>
                  <span class="review-icons">
                    {p.targets.map((tg) => (
                      <NetworkIcon key={tg.id} network={channelById(tg.channel_id)?.network ?? '?'} size={14} />
                    ))}
                    <ScoreBadge score={p.voice_score} small />
                  </span>
                  {waitingFor(p) && <small class="review-step-tag">{t('steps.waitingFor', { step: waitingFor(p) })}</small>}
                  <small class="muted">
                    {memberName(p.author_id)} · {t('review.waiting', { when: fmtRelative(p.updated_at) })}
                  </small>
                  {p.scheduled_at && <small class="muted">{t('review.plannedFor', { when: fmtDateTime(p.scheduled_at, viewZone.get()) })}</small>}
                </button>
              </li>
            ))}
          </ul>
          {sel && <ReviewDetail key={sel} id={sel} onDone={() => void load()} />}
        </div>
      )}
    </div>
  );
}

function ReviewDetail({ id, onDone }: { id: number; onDone: () => void }) {
  const w = useStore(workspace)!;
  const me = useStore(session)!;
  useStore(channels);
  useStore(members);
  const [post, setPost] = useState<Post | null>(null);
  const [base, setBase] = useState<Revision | null | undefined>(undefined);
  const [voice, setVoice] = useState<PostVoice | null>(null);
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState<ApiError | null>(null);
  const [asking, setAsking] = useState(false);
  const [sending, setSending] = useState(false);
  // Approval is due this many minutes before the planned time (0: by the planned time itself).
  const [lead, setLead] = useState<number | null>(null);
  useEffect(() => {
    api.get<ReviewSettings>(ws(w.id, '/review-settings')).then((rs) => setLead(rs.approval_lead_minutes), () => setLead(null));
  }, [w.id]);
  // A post stays in the queue while later steps wait (the client's, say): reload it after acting.
  const [version, setVersion] = useState(0);

  useEffect(() => {
    Promise.all([
      api.get<Post>(ws(w.id, `/posts/${id}`)),
      api.get<Page<Revision>>(ws(w.id, `/posts/${id}/revisions`)),
      api.get<PostVoice>(ws(w.id, `/posts/${id}/voice`)).catch(() => null),
    ])
      .then(([p, revs, v]) => {
        setPost(p);
        setVoice(v);
        const approved = revs.items.filter((r) => r.kind === 'approved');
        setBase(approved[approved.length - 1] ?? null);
      })
      .catch(toastError);
  }, [id, version]);

  async function act(action: 'approve' | 'request-changes', note?: string) {
    if (!post) return;
    setBusy(true);
    setErr(null);
    try {
      const res = await api.post<Post>(ws(w.id, `/posts/${post.id}/${action}`), { revision: post.revision, ...(note ? { note } : {}) });
      const next = waitingFor(res);
      toast('ok', action !== 'approve' ? t('review.changesSent') : next ? t('review.stepApproved', { step: next }) : t('review.approved', { status: t('status.' + res.status) }));
      notifyPostsChanged();
      setVersion((v) => v + 1);
      onDone();
    } catch (e) {
      if (e instanceof ApiError) setErr(e);
      toastError(e);
    } finally {
      setBusy(false);
    }
  }

  if (!post || base === undefined) return <Spinner />;
  const current = toContent(post);
  const approvals = post.review?.approved_by.length ?? 0;
  const needed = post.review?.required_approvals ?? 1;
  const steps = post.review?.steps ?? [];
  const cur = post.review?.current_step ?? 0;
  const verdict = mayApprove(post, me.user.id, w.role, w.approval_policy.authors_may_self_approve);
  // A client's approval counts whenever it comes (server/workflow/steps.go), so the link can go
  // out while the team's own steps are still open.
  const clientStep = post.status === 'in_review' && steps.some((st) => st.client && !st.done);
  return (
    <article class="review-detail card" aria-label={post.title || t('review.post')} data-testid="review-detail">
      <header class="review-head">
        <h2>{post.title || t('review.untitled')}</h2>
        <StatusBadge status={post.status} />
        <span class="muted small">
          {t('review.by', { name: memberName(post.author_id) })} · {t('review.revision', { n: post.revision })} ·{' '}
          {steps.length ? t('steps.progress', { n: Math.min(cur + 1, steps.length), of: steps.length }) : t('review.approvals', { n: approvals, of: needed })}
        </span>
        <ScoreBadge score={post.voice_score} />
      </header>
      {post.scheduled_at && lead !== null && post.status === 'in_review' && <Deadline at={new Date(Date.parse(post.scheduled_at) - lead * 60e3)} />}
      {steps.length > 0 && <ApprovalSteps post={post} />}
      {voice && (voice.has_profile || voice.findings.length > 0) && <VoiceReview post={post} voice={voice} />}
      {err && (
        <div class="form-error" role="alert">
          {err.message}
          {Object.entries(err.fields).map(([k, v]) => {
            const ft = fieldTarget(k, post.targets.map((x) => x.channel_id));
            return (
              <div key={k}>
                <strong>{ft.channelId ? channelById(ft.channelId)?.name : k}</strong>: {v}
              </div>
            );
          })}
        </div>
      )}
      <p class="muted small">
        {base ? t('review.diffSince', { n: base.revision, when: fmtDateTime(base.created_at, viewZone.get()) }) : t('review.firstReview')}
      </p>
      <ContentDiff from={base?.content ?? null} to={current} />
      <div class="review-actions">
        <button class="btn btn-ok" disabled={busy || !verdict.ok} aria-describedby={!verdict.ok ? 'approve-why' : undefined} onClick={() => void act('approve')} data-testid="review-approve">
          {t('action.approve')}
        </button>
        {clientStep && atLeast(w.role, 'editor') && (
          <button class="btn btn-primary" onClick={() => setSending(true)} data-testid="send-to-client">
            {t('clients.send')}
          </button>
        )}
        <button class="btn" disabled={busy} onClick={() => setAsking(true)} data-testid="review-request-changes">
          {t('action.request_changes')}
        </button>
        <button class="btn btn-ghost" onClick={() => openComposer({ postId: post.id })}>
          {t('review.openEditor')}
        </button>
        <a class="btn btn-ghost" href={'#/posts/' + post.id}>
          {t('composer.details')}
        </a>
      </div>
      {!verdict.ok && verdict.reason !== 'not_in_review' && (
        <p class="muted small" id="approve-why" data-testid="approve-why">
          {t('review.cannot.' + verdict.reason)}
        </p>
      )}
      {sending && <ClientLinkDialog wid={w.id} postIds={[post.id]} onClose={() => setSending(false)} />}
      {asking && (
        <NoteDialog
          onCancel={() => setAsking(false)}
          onSend={(note) => {
            setAsking(false);
            void act('request-changes', note);
          }}
          error={err?.fields.note}
        />
      )}
    </article>
  );
}

/** Deadline says by when the post must be approved to go out as planned. */
function Deadline({ at }: { at: Date }) {
  const late = at.getTime() < Date.now();
  return (
    <p class={'deadline' + (late ? ' banner banner-error' : ' muted small')} role={late ? 'alert' : undefined} data-testid="approval-deadline">
      {late ? t('review.deadlinePassed', { when: fmtDateTime(at, viewZone.get()) }) : t('review.deadline', { when: fmtDateTime(at, viewZone.get()), rel: fmtRelative(at) })}
    </p>
  );
}

/** ApprovalSteps lists a post's steps in order: who approves each, and where the post stands. */
function ApprovalSteps({ post }: { post: Post }) {
  const steps = post.review?.steps ?? [];
  const cur = post.review?.current_step ?? 0;
  const decisions = (post.review?.decisions ?? []).filter((d) => d.revision === post.revision);
  return (
    <section class="approval-steps" aria-label={t('steps.title')} data-testid="approval-steps">
      <h3>{t('steps.title')}</h3>
      <ol>
        {steps.map((st, i) => (
          <li key={i} class={'step' + (st.done ? ' step-done' : i === cur ? ' step-current' : '')} data-testid="approval-step" data-current={i === cur} data-done={st.done}>
            <span class="step-mark" aria-hidden="true">
              {st.done ? '✓' : i + 1}
            </span>
            <div>
              <strong>{st.name}</strong> <span class="muted small">{st.done ? t('steps.done') : i === cur ? t('steps.current') : t('steps.later')}</span>
              <div class="small">{approversOf(st, memberName)}</div>
              {st.approved_by.length > 0 && <div class="small muted">{t('steps.approvedBy', { names: st.approved_by.map(memberName).join(', ') })}</div>}
            </div>
          </li>
        ))}
      </ol>
      {decisions.length > 0 && (
        <ul class="decisions">
          {decisions.map((d, i) => (
            <li key={i} class="small" data-testid="decision">
              <strong>{d.client ? t('steps.clientName', { name: d.client }) : memberName(d.reviewer_id)}</strong> {t('steps.decision.' + d.decision)} · {fmtRelative(d.at)}
              {d.note && <span class="muted"> — {d.note}</span>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** fieldText is the text a finding's field names in a post ("text", "targets[1].text", "thread[0].text"). */
function fieldOf(post: Post, field: string): { label: string; text: string } {
  const m = /^(targets|thread)\[(\d+)\]\.text$/.exec(field);
  if (m && m[1] === 'targets') {
    const tg = post.targets[Number(m[2])];
    return { label: t('composer.textFor', { channel: channelById(tg?.channel_id ?? 0)?.name ?? '' }), text: tg?.text ?? '' };
  }
  if (m) return { label: t('thread.part', { n: Number(m[2]) + 2 }), text: post.thread?.[Number(m[2])]?.text ?? '' };
  return { label: t('composer.text'), text: post.text };
}

/** VoiceReview shows editors where the text departs from the brand's voice, and the author's notes. */
function VoiceReview({ post, voice }: { post: Post; voice: PostVoice }) {
  const byField = new Map<string, Finding[]>();
  for (const f of voice.findings) {
    if (f.rule.startsWith('review.')) continue;
    byField.set(f.field, [...(byField.get(f.field) ?? []), f]);
  }
  return (
    <section class="voice-review" aria-label={t('voice.findings')} data-testid="voice-review">
      <h3>
        {t('voice.findings')} <ScoreBadge score={voice.score} />
      </h3>
      {Array.from(byField.entries()).map(([field, fs]) => {
        const { label, text } = fieldOf(post, field);
        return (
          <div key={field} class="voice-review-field">
            <div class="label-text">{label}</div>
            <Highlights text={text} findings={fs} class="review-text" testid="review-marked-text" />
          </div>
        );
      })}
      <FindingsList text={post.text} findings={voice.findings} notes={{}} readOnly />
      {voice.acknowledgements.length > 0 && (
        <div class="acks" data-testid="voice-acks">
          <div class="label-text">{t('voice.acksTitle')}</div>
          <ul>
            {voice.acknowledgements.map((a) => (
              <li key={a.finding_id} class="small" data-testid="voice-ack-item">
                <strong>{memberName(a.user_id)}</strong> {t('voice.ackKept', { text: a.excerpt || a.rule })} · {fmtRelative(a.at)}
                <blockquote class="ack-note">{a.note}</blockquote>
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}

/** toContent is a post's content in the shape revisions keep. */
export function toContent(p: Post): RevisionContent {
  const d = fromPost(p);
  return {
    title: p.title,
    text: p.text,
    thread: p.thread ?? [],
    labels: p.labels,
    targets: d.targets.map((tg) => ({ channel_id: tg.channelId, text: tg.text, first_comment: tg.firstComment || null, media: targetMedia(d, tg) })),
  };
}

function Diff({ parts }: { parts: DiffPart[] }) {
  return (
    <span class="diff">
      {parts.map((p, i) =>
        p.op === 'same' ? (
          <span key={i}>{p.text}</span>
        ) : p.op === 'add' ? (
          <ins key={i}>{p.text}</ins>
        ) : (
          <del key={i}>{p.text}</del>
        ),
      )}
    </span>
  );
}

function DiffRow({ label, from, to }: { label: string; from: string; to: string }) {
  const parts = diffWords(from, to);
  if (!from && !to) return null;
  return (
    <div class={'diff-row' + (changed(parts) ? ' diff-changed' : '')}>
      <div class="diff-label">
        {label}
        {changed(parts) && <span class="badge diff-badge">{t('review.changed')}</span>}
      </div>
      <div class="diff-text">
        <Diff parts={parts} />
      </div>
    </div>
  );
}

function mediaKey(m: Media) {
  return m.url + '|' + (m.alt_text ?? '');
}

/** ContentDiff shows a post's content against an earlier revision (or alone, without one). */
export function ContentDiff({ from, to }: { from: RevisionContent | null; to: RevisionContent }) {
  const f = from ?? to;
  const draftOf = (c: RevisionContent) => ({ ...fromPost({ ...(c as unknown as Post), targets: c.targets.map((x) => ({ ...x, id: 0, status: 'pending', attempts: 0, last_error: null, published_at: null })) } as Post) });
  const fd = draftOf(f);
  const td = draftOf(to);
  const chIds = Array.from(new Set([...f.targets.map((x) => x.channel_id), ...to.targets.map((x) => x.channel_id)]));
  const addedLabels = to.labels.filter((l) => !f.labels.includes(l));
  const removedLabels = f.labels.filter((l) => !to.labels.includes(l));
  return (
    <div class="content-diff" data-testid="content-diff">
      <DiffRow label={t('composer.titleLabel')} from={f.title} to={to.title} />
      <DiffRow label={t('composer.text')} from={f.text} to={to.text} />
      {Array.from({ length: Math.max(f.thread?.length ?? 0, to.thread?.length ?? 0) }, (_, i) => (
        <DiffRow key={'th' + i} label={t('thread.part', { n: i + 2 })} from={f.thread?.[i]?.text ?? ''} to={to.thread?.[i]?.text ?? ''} />
      ))}
      <div class="diff-row">
        <div class="diff-label">{t('composer.labels')}</div>
        <div class="diff-text">
          {to.labels.filter((l) => !addedLabels.includes(l)).map((l) => (
            <span key={l} class="label">
              {l}
            </span>
          ))}
          {addedLabels.map((l) => (
            <ins key={l} class="label">
              {l}
            </ins>
          ))}
          {removedLabels.map((l) => (
            <del key={l} class="label">
              {l}
            </del>
          ))}
          {!to.labels.length && !removedLabels.length && <span class="muted">{t('common.none')}</span>}
        </div>
      </div>
      {chIds.map((cid) => {
        const ch = channelById(cid);
        const a = fd.targets.find((x) => x.channelId === cid);
        const b = td.targets.find((x) => x.channelId === cid);
        const name = ch?.name ?? '#' + cid;
        if (!b)
          return (
            <div key={cid} class="diff-row diff-changed">
              <div class="diff-label">
                {ch && <NetworkIcon network={ch.network} size={14} />} {name}
              </div>
              <div class="diff-text">
                <del>{t('review.channelRemoved')}</del>
              </div>
            </div>
          );
        const aText = a ? targetText(fd, a) : '';
        const bText = targetText(td, b);
        const aMedia = a ? targetMedia(fd, a) : [];
        const bMedia = targetMedia(td, b);
        return (
          <div key={cid} class={'diff-channel' + (!a ? ' diff-changed' : '')}>
            <h3>
              {ch && <NetworkIcon network={ch.network} size={16} />} {name} {!a && <ins class="badge">{t('review.channelAdded')}</ins>}
            </h3>
            {(b.text !== null || (a && a.text !== null)) && <DiffRow label={t('review.ownText')} from={aText} to={bText} />}
            <DiffRow label={t('composer.firstComment')} from={a?.firstComment ?? ''} to={b.firstComment} />
            {(aMedia.length > 0 || bMedia.length > 0) && (
              <div class="diff-row">
                <div class="diff-label">{t('media.title')}</div>
                <div class="diff-media">
                  {bMedia.map((m) => (
                    <figure key={m.url} class={aMedia.some((x) => mediaKey(x) === mediaKey(m)) ? '' : 'added'}>
                      <img src={thumbnailOf(m)} alt={m.alt_text || ''} />
                      <figcaption>{m.alt_text || <span class="muted">{t('review.noAlt')}</span>}</figcaption>
                    </figure>
                  ))}
                  {aMedia
                    .filter((m) => !bMedia.some((x) => x.url === m.url))
                    .map((m) => (
                      <figure key={m.url} class="removed">
                        <img src={thumbnailOf(m)} alt={m.alt_text || ''} />
                        <figcaption>{t('review.removed')}</figcaption>
                      </figure>
                    ))}
                </div>
              </div>
            )}
          </div>
        );
      })}
    </div>
  );
}
