// Attachments: upload by picking or dropping files (with progress), thumbnails, alt text,
// reorder and remove. Uploads go to POST …/media; the post references the returned URL.
import { useRef, useState } from 'preact/hooks';
import { ApiError, upload, ws } from '../api';
import { fmtBytes, t } from '../i18n';
import { useStore } from '../lib/store';
import { workspace } from '../state';
import type { Media } from '../types';
import { useId, val } from '../ui/kit';
import { toastError } from '../ui/toast';
import { thumbnailOf } from './model';

interface Uploaded {
  url: string;
  thumbnail_url: string;
  kind: Media['kind'];
  mime: string;
  size_bytes: number;
  width: number;
  height: number;
}

interface Pending {
  id: number;
  name: string;
  progress: number;
  error?: string;
}

let seq = 0;

export function MediaEditor({ media, onChange, disabled, error, max }: { media: Media[]; onChange: (m: Media[]) => void; disabled?: boolean; error?: string; max?: number }) {
  const w = useStore(workspace)!;
  const input = useRef<HTMLInputElement>(null);
  const [pending, setPending] = useState<Pending[]>([]);
  const [over, setOver] = useState(false);
  const current = useRef(media);
  current.current = media;
  const id = useId('media');

  async function add(files: FileList | File[]) {
    for (const file of Array.from(files)) {
      const p: Pending = { id: ++seq, name: file.name, progress: 0 };
      setPending((l) => [...l, p]);
      try {
        const res = await upload<Uploaded>(ws(w.id, '/media'), file, (f) => setPending((l) => l.map((x) => (x.id === p.id ? { ...x, progress: f } : x))));
        onChange([
          ...current.current,
          { url: res.url, kind: res.kind, mime: res.mime, size_bytes: res.size_bytes, width: res.width, height: res.height, thumbnail_url: res.thumbnail_url, alt_text: '' },
        ]);
        setPending((l) => l.filter((x) => x.id !== p.id));
      } catch (e) {
        const msg = e instanceof ApiError ? e.fields.file || e.message : String(e);
        setPending((l) => l.map((x) => (x.id === p.id ? { ...x, error: msg } : x)));
        toastError(e, t('media.uploadFailed', { name: file.name }));
      }
    }
  }

  function move(i: number, by: number) {
    const m = [...media];
    const [x] = m.splice(i, 1);
    m.splice(i + by, 0, x);
    onChange(m);
  }

  return (
    <div class={'media-editor' + (error ? ' has-error' : '')}>
      <div class="label-text" id={id}>
        {t('media.title')}
        {max ? <span class="muted small"> · {t('media.max', { max })}</span> : null}
      </div>
      <ul class="media-list" aria-labelledby={id}>
        {media.map((m, i) => (
          <li key={m.url} class="media-item" data-testid="media-item">
            {m.kind === 'video' ? (
              <video class="media-thumb" src={m.url} muted preload="metadata" aria-label={m.alt_text || t('media.video')} />
            ) : (
              <img class="media-thumb" src={thumbnailOf(m)} alt={m.alt_text || ''} loading="lazy" />
            )}
            <div class="media-meta">
              <label class="sr-only" for={`alt-${i}-${id}`}>
                {t('media.alt')}
              </label>
              <textarea
                id={`alt-${i}-${id}`}
                rows={2}
                placeholder={t('media.altPlaceholder')}
                value={m.alt_text ?? ''}
                disabled={disabled}
                onInput={(e) => onChange(media.map((x, k) => (k === i ? { ...x, alt_text: val(e) } : x)))}
                data-testid="alt-text"
              />
              <div class="media-actions">
                <span class="muted small">
                  {m.width ? `${m.width}×${m.height} · ` : ''}
                  {m.size_bytes ? fmtBytes(m.size_bytes) : ''}
                </span>
                <button type="button" class="icon-btn" disabled={disabled || i === 0} aria-label={t('media.moveLeft')} onClick={() => move(i, -1)}>
                  ←
                </button>
                <button type="button" class="icon-btn" disabled={disabled || i === media.length - 1} aria-label={t('media.moveRight')} onClick={() => move(i, 1)}>
                  →
                </button>
                <button type="button" class="icon-btn" disabled={disabled} aria-label={t('media.remove')} onClick={() => onChange(media.filter((_, k) => k !== i))}>
                  🗑
                </button>
              </div>
            </div>
          </li>
        ))}
        {pending.map((p) => (
          <li key={p.id} class={'media-item pending' + (p.error ? ' failed' : '')}>
            <div class="media-thumb placeholder">{p.error ? '!' : `${Math.round(p.progress * 100)}%`}</div>
            <div class="media-meta">
              <strong>{p.name}</strong>
              {p.error ? (
                <span class="field-error">
                  {p.error}{' '}
                  <button type="button" class="btn btn-ghost btn-small" onClick={() => setPending((l) => l.filter((x) => x.id !== p.id))}>
                    {t('common.dismiss')}
                  </button>
                </span>
              ) : (
                <progress max={1} value={p.progress} aria-label={t('media.uploading', { name: p.name })} />
              )}
            </div>
          </li>
        ))}
      </ul>
      {!disabled && (
        <div
          class={'dropzone' + (over ? ' over' : '')}
          onDragOver={(e) => {
            e.preventDefault();
            setOver(true);
          }}
          onDragLeave={() => setOver(false)}
          onDrop={(e) => {
            e.preventDefault();
            setOver(false);
            if (e.dataTransfer?.files.length) void add(e.dataTransfer.files);
          }}
        >
          <button type="button" class="btn btn-small" onClick={() => input.current?.click()}>
            {t('media.add')}
          </button>
          <span class="muted small">{t('media.drop')}</span>
          <input
            ref={input}
            type="file"
            accept="image/jpeg,image/png,image/webp,image/gif,video/mp4,video/quicktime,video/webm"
            multiple
            hidden
            onChange={(e) => {
              const files = (e.currentTarget as HTMLInputElement).files;
              if (files?.length) void add(files);
              (e.currentTarget as HTMLInputElement).value = '';
            }}
            data-testid="media-input"
          />
        </div>
      )}
      {error && <div class="field-error">{error}</div>}
    </div>
  );
}
