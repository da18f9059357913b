// Settings → Library: the workspace's templates (text, labels, a variant per network, with
// {{variables}}), snippets (inserted in the composer by /code then Tab, or {{snippet:code}}) and
// hashtag groups. Authors add; authors change what they added, editors anything (the server
// says no otherwise). Loaded when the tab opens.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, ws } from '../api';
import { t } from '../i18n';
import { useStore } from '../lib/store';
import { workspace } from '../state';
import { atLeast, type HashtagGroup, type Snippet, type Template } from '../types';
import { Field, Spinner, val } from '../ui/kit';
import { toast, toastError } from '../ui/toast';
import { forgetLibrary, library, type Library } from '../voice/client';
import { ErrorSummary, ListField } from './fields';

const NETWORKS = ['x', 'bluesky', 'mastodon', 'threads', 'linkedin', 'facebook', 'instagram', 'telegram', 'discord', 'slack', 'sandbox'];

export default function LibrarySettings() {
  const w = useStore(workspace)!;
  const canAdd = atLeast(w.role, 'author');
  const [lib, setLib] = useState<Library | null>(null);
  const load = () => {
    forgetLibrary(w.id);
    return library(w.id, true).then(setLib, toastError);
  };
  useEffect(() => {
    void load();
  }, [w.id]);
  if (!lib)
    return (
      <section class="card">
        <Spinner />
      </section>
    );
  return (
    <>
      <Section<Template>
        title={t('library.templates')}
        help={t('libEd.templatesHelp')}
        items={lib.templates}
        path="/templates"
        canAdd={canAdd}
        blank={{ id: 0, name: '', text: '', labels: [], variants: {} } as unknown as Template}
        summary={(x) => (
          <>
            <strong>{x.name}</strong> <span class="muted small">{x.text.slice(0, 80)}</span>
            {x.variables.length > 0 && <code class="small"> {x.variables.map((v) => `{{${v}}}`).join(' ')}</code>}
          </>
        )}
        body={(x) => ({ name: x.name, text: x.text, labels: x.labels, variants: x.variants })}
        form={(x, set, fe) => (
          <>
            <Field label={t('libEd.name')} error={fe('name')}>
              {(id) => <input id={id} value={x.name} onInput={(e) => set({ ...x, name: val(e) })} data-testid="tpl-edit-name" />}
            </Field>
            <Field label={t('composer.text')} error={fe('text')} hint={t('libEd.variablesHint')}>
              {(id, d) => <textarea id={id} rows={5} value={x.text} aria-describedby={d} onInput={(e) => set({ ...x, text: val(e) })} data-testid="tpl-edit-text" />}
            </Field>
            <ListField label={t('composer.labels')} value={x.labels} onChange={(v) => set({ ...x, labels: v })} error={fe('labels')} />
            <div class="label-text">{t('libEd.variants')}</div>
            {Object.entries(x.variants).map(([n, text]) => (
              <Field key={n} label={t('libEd.variantFor', { network: n })} error={fe('variants.' + n)}>
                {(id) => (
                  <div class="variant-row">
                    <textarea id={id} rows={3} value={text} onInput={(e) => set({ ...x, variants: { ...x.variants, [n]: val(e) } })} />
                    <button type="button" class="icon-btn" aria-label={t('common.remove')} onClick={() => set({ ...x, variants: Object.fromEntries(Object.entries(x.variants).filter(([k]) => k !== n)) })}>
                      ×
                    </button>
                  </div>
                )}
              </Field>
            ))}
            <select aria-label={t('libEd.addVariant')} value="" onChange={(e) => val(e) && set({ ...x, variants: { ...x.variants, [val(e)]: x.text } })}>
              <option value="">+ {t('libEd.addVariant')}</option>
              {NETWORKS.filter((n) => !(n in x.variants)).map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </>
        )}
        onChanged={load}
      />
      <Section<Snippet>
        title={t('library.snippets')}
        help={t('libEd.snippetsHelp')}
        items={lib.snippets}
        path="/snippets"
        canAdd={canAdd}
        blank={{ id: 0, code: '', text: '' } as unknown as Snippet}
        summary={(x) => (
          <>
            <code>/{x.code}</code> <span class="muted small">{x.text.slice(0, 80)}</span>
          </>
        )}
        body={(x) => ({ code: x.code, text: x.text })}
        form={(x, set, fe) => (
          <>
            <Field label={t('libEd.code')} error={fe('code')} hint={t('libEd.codeHint')}>
              {(id, d) => <input id={id} value={x.code} aria-describedby={d} onInput={(e) => set({ ...x, code: val(e).toLowerCase() })} data-testid="snippet-code" />}
            </Field>
            <Field label={t('composer.text')} error={fe('text')}>
              {(id) => <textarea id={id} rows={3} value={x.text} onInput={(e) => set({ ...x, text: val(e) })} data-testid="snippet-text" />}
            </Field>
          </>
        )}
        onChanged={load}
      />
      <Section<HashtagGroup>
        title={t('library.hashtags')}
        help={t('libEd.groupsHelp')}
        items={lib.groups}
        path="/hashtag-groups"
        canAdd={canAdd}
        blank={{ id: 0, name: '', tags: [] } as unknown as HashtagGroup}
        summary={(x) => (
          <>
            <strong>{x.name}</strong> <span class="muted small">{x.tags.join(' ')}</span>
          </>
        )}
        body={(x) => ({ name: x.name, tags: x.tags })}
        form={(x, set, fe) => (
          <>
            <Field label={t('libEd.name')} error={fe('name')}>
              {(id) => <input id={id} value={x.name} onInput={(e) => set({ ...x, name: val(e) })} data-testid="group-name" />}
            </Field>
            <ListField label={t('libEd.tags')} value={x.tags} onChange={(v) => set({ ...x, tags: v })} error={fe('tags')} placeholder="#café, #Paris" testid="group-tags" />
          </>
        )}
        onChanged={load}
      />
    </>
  );
}

interface SectionProps<T extends { id: number }> {
  title: string;
  help: string;
  items: T[];
  path: string;
  canAdd: boolean;
  blank: T;
  summary: (x: T) => preact.ComponentChildren;
  body: (x: T) => Record<string, unknown>;
  form: (x: T, set: (x: T) => void, fe: (k: string) => string | undefined) => preact.ComponentChildren;
  onChanged: () => void;
}

/** Section lists one kind of library item, with an editor for the one being changed or added. */
function Section<T extends { id: number }>(p: SectionProps<T>) {
  const w = useStore(workspace)!;
  const [editing, setEditing] = useState<T | null>(null);
  const [err, setErr] = useState<ApiError | null>(null);
  async function save(e: Event) {
    e.preventDefault();
    if (!editing) return;
    setErr(null);
    try {
      if (editing.id) await api.patch(ws(w.id, `${p.path}/${editing.id}`), p.body(editing));
      else await api.post(ws(w.id, p.path), p.body(editing));
      toast('ok', t('settings.saved'));
      setEditing(null);
      p.onChanged();
    } catch (x) {
      if (x instanceof ApiError) setErr(x);
      toastError(x);
    }
  }
  async function remove(x: T) {
    if (!window.confirm(t('libEd.deleteConfirm'))) return;
    try {
      await api.del(ws(w.id, `${p.path}/${x.id}`));
      toast('ok', t('libEd.deleted'));
      p.onChanged();
    } catch (e) {
      toastError(e);
    }
  }
  return (
    <section class="card" data-testid={'lib-section-' + p.path.slice(1)}>
      <h2>{p.title}</h2>
      <p class="muted small">{p.help}</p>
      <ul class="plain-list lib-list">
        {p.items.map((x) => (
          <li key={x.id}>
            <span class="lib-summary">{p.summary(x)}</span>
            {p.canAdd && (
              <>
                <button class="btn btn-small btn-ghost" onClick={() => (setErr(null), setEditing(structuredClone(x)))}>
                  {t('common.edit')}
                </button>
                <button class="btn btn-small btn-ghost btn-danger" onClick={() => void remove(x)}>
                  {t('common.delete')}
                </button>
              </>
            )}
          </li>
        ))}
        {!p.items.length && <li class="muted">{t('libEd.empty')}</li>}
      </ul>
      {editing ? (
        <form class="card-inner" onSubmit={save}>
          <ErrorSummary err={err} />
          {p.form(editing, setEditing, (k) => err?.fields[k])}
          <div class="form-actions">
            <button class="btn btn-primary" data-testid="lib-save">
              {t('common.save')}
            </button>
            <button type="button" class="btn" onClick={() => setEditing(null)}>
              {t('common.cancel')}
            </button>
          </div>
        </form>
      ) : (
        p.canAdd && (
          <button class="btn btn-small" onClick={() => (setErr(null), setEditing(structuredClone(p.blank)))} data-testid={'lib-add-' + p.path.slice(1)}>
            + {t('common.add')}
          </button>
        )
      )}
    </section>
  );
}
