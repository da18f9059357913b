// The brand voice and the composing library inside the composer: a text field whose findings
// are underlined and listed with their fixes and notes, the library bar (templates, snippets,
// hashtag groups, rewrite), the variables to fill in, the rewrite dialog, and what a refused
// submission said. composer.tsx holds the state; these draw it.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, ws } from '../api';
import { t, tn } from '../i18n';
import { useId } from '../ui/kit';
import { toastError } from '../ui/toast';
import { Dialog } from '../ui/kit';
import type { Finding, HashtagGroup, RewriteResult, Snippet, Template } from '../types';
import { FindingsList, HighlightedTextArea, Highlights, ScoreBadge } from '../voice/ui';
import { library, type Library } from '../voice/client';

export interface VoiceFieldProps {
  label: string;
  value: string;
  onInput: (v: string, caret: number) => void;
  /** null: the brand voice is off (no profile), a plain text area */
  findings: Finding[] | null;
  score?: number;
  notes: Record<string, string>;
  onNote: (key: string, note: string) => void;
  onFix: (f: Finding) => void;
  onSelect: (f: Finding) => void;
  caret: number | null;
  onCaret: (pos: number) => void;
  onKeyDown?: (e: KeyboardEvent) => void;
  taRef: { current: HTMLTextAreaElement | null };
  disabled?: boolean;
  error?: string;
  testid?: string;
  placeholder?: string;
  rows?: number;
  /** under the field, before the findings (the snippet hint, the variables) */
  below?: ComponentChildren;
  /** in the findings' summary line (the rewrite button) */
  actions?: ComponentChildren;
}

/** VoiceField is a labelled text area with the brand voice's underlines and list. */
export function VoiceField(p: VoiceFieldProps) {
  const id = useId('vt');
  const listId = id + '-findings';
  const errId = id + '-e';
  return (
    <div class={'field voice-field' + (p.error ? ' has-error' : '')}>
      <label for={id}>{p.label}</label>
      <HighlightedTextArea
        id={id}
        value={p.value}
        findings={p.findings ?? []}
        onInput={p.onInput}
        onCaret={p.onCaret}
        onKeyDown={p.onKeyDown}
        disabled={p.disabled}
        rows={p.rows}
        placeholder={p.placeholder ?? t('composer.textPlaceholder')}
        testid={p.testid}
        invalid={!!p.error}
        // The counts, not the whole list: the list follows the field and is reached with Tab.
        describedBy={[p.error ? errId : '', p.findings ? listId + '-summary' : ''].filter(Boolean).join(' ') || undefined}
        taRef={p.taRef}
      />
      {p.error && (
        <div class="field-error" id={errId} role="alert">
          {p.error}
        </div>
      )}
      {p.below}
      {p.findings && (
        <FindingsList
          id={listId}
          text={p.value}
          findings={p.findings}
          caret={p.caret}
          notes={p.notes}
          readOnly={p.disabled}
          onFix={p.onFix}
          onSelect={p.onSelect}
          onNote={p.onNote}
          score={p.value.trim() ? p.score : undefined}
        >
          {p.actions}
        </FindingsList>
      )}
    </div>
  );
}

/** useLibrary loads the workspace's library when the composer opens. */
export function useLibrary(wid: number): [Library | null, () => void] {
  const [lib, setLib] = useState<Library | null>(null);
  const load = (fresh = false) =>
    library(wid, fresh).then(setLib, () => {
      /* the bar says the library is empty; the composer works without it */
    });
  useEffect(() => {
    // Fresh each time the composer opens: teammates add to the library.
    void load(true);
  }, [wid]);
  return [lib, () => void load(true)];
}

/** LibraryBar offers the templates, snippets and hashtag groups above the text. */
export function LibraryBar({
  lib,
  disabled,
  onTemplate,
  onSnippet,
  onGroup,
  onSaveTemplate,
  canSave,
}: {
  lib: Library | null;
  disabled?: boolean;
  onTemplate: (t: Template) => void;
  onSnippet: (s: Snippet) => void;
  onGroup: (g: HashtagGroup) => void;
  onSaveTemplate: () => void;
  canSave: boolean;
}) {
  const close = (e: Event) => (e.currentTarget as HTMLElement).closest('details')?.removeAttribute('open');
  return (
    <div class="library-bar" role="toolbar" aria-label={t('library.bar')}>
      <details class="lib-menu" data-testid="lib-templates">
        <summary class="btn btn-small" aria-disabled={disabled}>
          {t('library.templates')}
        </summary>
        <div class="lib-pop">
          {!lib ? (
            <p class="muted small">{t('common.loading')}</p>
          ) : !lib.templates.length ? (
            <p class="muted small">{t('library.noTemplates')}</p>
          ) : (
            <ul>
              {lib.templates.map((tp) => (
                <li key={tp.id}>
                  <button
                    type="button"
                    class="lib-item"
                    disabled={disabled}
                    onClick={(e) => {
                      close(e);
                      onTemplate(tp);
                    }}
                    data-testid="lib-template"
                  >
                    <strong>{tp.name}</strong>
                    <span class="muted small">{tp.text.slice(0, 90)}</span>
                    {tp.variables.length > 0 && <span class="small">{tp.variables.map((v) => `{{${v}}}`).join(' ')}</span>}
                  </button>
                </li>
              ))}
            </ul>
          )}
          {canSave && (
            <button
              type="button"
              class="btn btn-small btn-ghost"
              onClick={(e) => {
                close(e);
                onSaveTemplate();
              }}
              data-testid="lib-save-template"
            >
              {t('library.saveAsTemplate')}
            </button>
          )}
        </div>
      </details>
      <details class="lib-menu" data-testid="lib-snippets">
        <summary class="btn btn-small">{t('library.snippets')}</summary>
        <div class="lib-pop">
          {!lib ? (
            <p class="muted small">{t('common.loading')}</p>
          ) : !lib.snippets.length ? (
            <p class="muted small">{t('library.noSnippets')}</p>
          ) : (
            <ul>
              {lib.snippets.map((s) => (
                <li key={s.id}>
                  <button
                    type="button"
                    class="lib-item"
                    disabled={disabled}
                    onClick={(e) => {
                      close(e);
                      onSnippet(s);
                    }}
                    data-testid="lib-snippet"
                  >
                    <code>/{s.code}</code>
                    <span class="muted small">{s.text.slice(0, 90)}</span>
                  </button>
                </li>
              ))}
            </ul>
          )}
          <p class="hint">{t('library.snippetHint')}</p>
        </div>
      </details>
      <details class="lib-menu" data-testid="lib-groups">
        <summary class="btn btn-small">{t('library.hashtags')}</summary>
        <div class="lib-pop">
          {!lib ? (
            <p class="muted small">{t('common.loading')}</p>
          ) : !lib.groups.length ? (
            <p class="muted small">{t('library.noGroups')}</p>
          ) : (
            <ul>
              {lib.groups.map((g) => (
                <li key={g.id}>
                  <button
                    type="button"
                    class="lib-item"
                    disabled={disabled}
                    onClick={(e) => {
                      close(e);
                      onGroup(g);
                    }}
                    data-testid="lib-group"
                  >
                    <strong>{g.name}</strong>
                    <span class="muted small">{g.tags.join(' ')}</span>
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
      </details>
    </div>
  );
}

/** VariablesPanel fills in the {{variables}} the texts still hold. */
export function VariablesPanel({ names, disabled, onFill }: { names: string[]; disabled?: boolean; onFill: (values: Record<string, string>) => void }) {
  const [values, setValues] = useState<Record<string, string>>({});
  if (!names.length) return null;
  return (
    <form
      class="variables"
      onSubmit={(e) => {
        e.preventDefault();
        onFill(values);
      }}
      data-testid="variables"
    >
      <div class="label-text">{tn('library.variablesLeft', names.length)}</div>
      <div class="variables-grid">
        {names.map((n) => (
          <label key={n}>
            <code>{`{{${n}}}`}</code>
            <input value={values[n] ?? ''} disabled={disabled} onInput={(e) => setValues((v) => ({ ...v, [n]: (e.currentTarget as HTMLInputElement).value }))} data-testid={'var-' + n} />
          </label>
        ))}
      </div>
      <button class="btn btn-small" disabled={disabled || !names.some((n) => (values[n] ?? '').trim())} data-testid="variables-fill">
        {t('library.fill')}
      </button>
    </form>
  );
}

/** SaveTemplateDialog names the current text as a template. */
export function SaveTemplateDialog({ onCancel, onSave }: { onCancel: () => void; onSave: (name: string) => Promise<ApiError | null> }) {
  const [name, setName] = useState('');
  const [err, setErr] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <Dialog title={t('library.saveAsTemplate')} onClose={onCancel}>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setErr(await onSave(name.trim()));
          setBusy(false);
        }}
      >
        <div class={'field' + (err?.fields.name ? ' has-error' : '')}>
          <label for="tpl-name">{t('library.templateName')}</label>
          <input id="tpl-name" value={name} onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)} autoFocus data-testid="tpl-name" />
          {err && <div class="field-error">{err.fields.name ?? err.message}</div>}
          <div class="hint">{t('library.saveHint')}</div>
        </div>
        <div class="dialog-actions">
          <button type="button" class="btn" onClick={onCancel}>
            {t('common.cancel')}
          </button>
          <button class="btn btn-primary" disabled={busy || !name.trim()}>
            {t('common.save')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/**
 * RewriteDialog asks the configured model for the text in the brand's voice and shows the
 * answer with its own findings; the author decides. Nothing changes until "Use this text".
 */
export function RewriteDialog({ wid, request, onUse, onClose }: { wid: number; request: { text: string; channel_id: number; labels: string[]; campaign: string; locale: string }; onUse: (r: RewriteResult) => void; onClose: () => void }) {
  const [res, setRes] = useState<RewriteResult | null>(null);
  const [err, setErr] = useState<ApiError | null>(null);
  const [n, setN] = useState(0);
  useEffect(() => {
    setRes(null);
    setErr(null);
    api.post<RewriteResult>(ws(wid, '/voice/rewrite'), request).then(setRes, (e) => {
      if (e instanceof ApiError) setErr(e);
      else toastError(e);
    });
  }, [n]);
  return (
    <Dialog title={t('voice.rewriteTitle')} onClose={onClose} wide>
      <div data-testid="rewrite-dialog">
        {!res && !err && (
          <p class="muted" role="status">
            {t('voice.rewriting')}
          </p>
        )}
        {err && (
          <div class="form-error" role="alert">
            {err.message}
          </div>
        )}
        {res && (
          <>
            <p class="small">
              <ScoreBadge score={res.original_score} /> → <ScoreBadge score={res.score} /> <span class="muted">{t('voice.rewriteModel', { model: res.model })}</span>
            </p>
            <Highlights text={res.text} findings={res.findings} class="rewrite-text" testid="rewrite-text" />
            <FindingsList text={res.text} findings={res.findings} notes={{}} readOnly />
            <p class="hint">{t('voice.rewriteHint')}</p>
          </>
        )}
        <div class="dialog-actions">
          <button type="button" class="btn" onClick={onClose}>
            {t('voice.keepMine')}
          </button>
          {(res || err) && (
            <button type="button" class="btn btn-ghost" onClick={() => setN((x) => x + 1)}>
              {t('voice.rewriteAgain')}
            </button>
          )}
          <button type="button" class="btn btn-primary" disabled={!res} onClick={() => res && onUse(res)} data-testid="rewrite-use">
            {t('voice.useRewrite')}
          </button>
        </div>
      </div>
    </Dialog>
  );
}
