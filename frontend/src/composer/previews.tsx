// Previews shaped like each network's post (loaded with the composer's first preview): where the
// media goes, how much text shows before "see more", how links, hashtags and mentions look, and
// where a first comment appears. They show layout, not pixel-perfect copies of the networks.
import type { ComponentChildren } from 'preact';
import { fmtTime, t } from '../i18n';
import type { Channel, Media } from '../types';
import { Avatar, NetworkIcon, networkLook } from '../ui/kit';
import { targetMedia, targetText, thumbnailOf, type Draft } from './model';

const TOKEN = /(https?:\/\/[^\s<]+[^\s<.,;:!?)\]'"]|(?:^|(?<=\s))[#＃][\p{L}\p{M}\p{N}_]+|(?:^|(?<=[\s(]))@[\w.]+(?:@[\w.-]+\w)?)/gu;

/** Rich shows text with links, hashtags and mentions styled, as the networks do. */
function Rich({ text, linkMax = 0 }: { text: string; linkMax?: number }) {
  const parts: ComponentChildren[] = [];
  let last = 0;
  for (const m of text.matchAll(TOKEN)) {
    const s = m[0];
    const i = m.index ?? 0;
    if (i > last) parts.push(text.slice(last, i));
    if (/^https?:/.test(s)) {
      const shown = s.replace(/^https?:\/\/(www\.)?/, '');
      parts.push(
        <span class="pv-link" title={s}>
          {linkMax && shown.length > linkMax ? shown.slice(0, linkMax - 1) + '…' : shown}
        </span>,
      );
    } else parts.push(<span class="pv-tag">{s}</span>);
    last = i + s.length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return <>{parts}</>;
}

function MediaGrid({ media, square }: { media: Media[]; square?: boolean }) {
  if (!media.length) return null;
  const shown = square ? media.slice(0, 1) : media.slice(0, 4);
  return (
    <div class={`pv-media n${shown.length}` + (square ? ' square' : '')}>
      {shown.map((m) =>
        m.kind === 'video' ? <video key={m.url} src={m.url} muted preload="metadata" /> : <img key={m.url} src={thumbnailOf(m)} alt={m.alt_text || ''} loading="lazy" />,
      )}
      {square && media.length > 1 && (
        <div class="pv-dots" aria-label={t('preview.carousel', { n: media.length })}>
          {media.map((m, i) => (
            <span key={m.url} class={i === 0 ? 'on' : ''} />
          ))}
        </div>
      )}
    </div>
  );
}

function Actions({ labels }: { labels: string[] }) {
  return (
    <div class="pv-actions" aria-hidden="true">
      {labels.map((l) => (
        <span key={l}>{l}</span>
      ))}
    </div>
  );
}

/** ONE_CARD shows how each network lays a post out. */
function Card({ channel, text, media, firstComment, author, at, thread }: { channel: Channel; text: string; media: Media[]; firstComment: string; author: string; at: Date | null; thread: { text: string; media: Media[] }[] }) {
  const n = channel.network;
  const name = channel.name || author;
  const handle = channel.handle || '';
  const when = at ? fmtTime(at) : t('preview.now');
  const head = (
    <div class="pv-head">
      <Avatar name={name} url={channel.avatar_url || undefined} size={36} />
      <div class="pv-who">
        <strong>{name}</strong>
        <span class="muted">
          {handle} {handle && '·'} {when}
        </span>
      </div>
      <NetworkIcon network={n} size={16} />
    </div>
  );
  switch (n) {
    case 'instagram':
      return (
        <div class="pv-card pv-instagram">
          <div class="pv-head">
            <Avatar name={name} url={channel.avatar_url || undefined} size={28} />
            <strong>{handle.replace(/^@/, '') || name}</strong>
            <NetworkIcon network={n} size={16} />
          </div>
          {media.length ? <MediaGrid media={media} square /> : <div class="pv-missing">{t('preview.needsMedia')}</div>}
          <Actions labels={['♡', '◯', '➤']} />
          <p class="pv-text">
            <strong>{handle.replace(/^@/, '') || name}</strong> <Rich text={text} />
          </p>
          {firstComment && (
            <p class="pv-comment">
              <strong>{handle.replace(/^@/, '') || name}</strong> <Rich text={firstComment} />
            </p>
          )}
        </div>
      );
    case 'linkedin': {
      const cut = text.length > 210;
      return (
        <div class="pv-card pv-linkedin">
          {head}
          <p class="pv-text">
            <Rich text={cut ? text.slice(0, 210) : text} />
            {cut && <span class="muted">… {t('preview.seeMore')}</span>}
          </p>
          <MediaGrid media={media} />
          <Actions labels={['Like', 'Comment', 'Repost', 'Send']} />
        </div>
      );
    }
    case 'telegram':
      return (
        <div class="pv-card pv-telegram">
          <div class="pv-bubble">
            <strong class="pv-channel">{name}</strong>
            <MediaGrid media={media} />
            <p class="pv-text">
              <Rich text={text} />
            </p>
            <span class="pv-time muted">{when}</span>
          </div>
        </div>
      );
    default:
      return (
        <div class={'pv-card pv-' + n}>
          {head}
          <p class="pv-text">
            <Rich text={text} linkMax={n === 'x' || n === 'mastodon' ? 23 : 0} />
          </p>
          <MediaGrid media={media} />
          <Actions labels={n === 'facebook' ? ['Like', 'Comment', 'Share'] : ['↩', '⇄', '♡', '↗']} />
          {thread.map((part, i) => (
            <div key={i} class="pv-reply pv-thread">
              <span class="muted small">{t('thread.part', { n: i + 2 })}</span>
              <p class="pv-text">
                <Rich text={part.text} linkMax={n === 'x' || n === 'mastodon' ? 23 : 0} />
              </p>
              <MediaGrid media={part.media} />
            </div>
          ))}
          {firstComment && (
            <div class="pv-reply">
              <span class="muted small">{t('preview.firstComment')}</span>
              <p class="pv-text">
                <Rich text={firstComment} />
              </p>
            </div>
          )}
        </div>
      );
  }
}

export default function Previews({ draft, channels, author, at }: { draft: Draft; channels: Channel[]; author: string; at: Date | null }) {
  if (!channels.length) return <p class="muted pv-empty">{t('preview.pickChannels')}</p>;
  return (
    <div class="previews">
      {channels.map((c) => {
        const tg = draft.targets.find((x) => x.channelId === c.id)!;
        return (
          <section key={c.id} class="pv" aria-label={t('preview.on', { network: networkLook(c.network).name, channel: c.name })} data-testid={'preview-' + c.id}>
            <h3 class="pv-title">
              <NetworkIcon network={c.network} size={14} /> {c.name}
            </h3>
            <Card channel={c} text={targetText(draft, tg)} media={targetMedia(draft, tg)} firstComment={tg.firstComment} author={author} at={at} thread={draft.thread} />
          </section>
        );
      })}
    </div>
  );
}
