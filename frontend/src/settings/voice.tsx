// Settings → Brand voice: the workspace's profile (description, vocabulary, hashtags, links,
// mentions, emoji, form, disclaimers, severities) with its adjustments per label and per channel,
// saved with the version it was loaded at (a newer save by someone else is a conflict, never
// overwritten), and a box to try a text against the saved voice. Loaded when the tab opens.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, ws } from '../api';
import { locale, t } from '../i18n';
import { useStore } from '../lib/store';
import { channels, workspace } from '../state';
import { atLeast, type Disclaimer, type EmojiRules, type FormRules, type Severity, type Term, type TermKind, type VoiceCheck, type VoicePatch, type VoiceProfile, type VoiceProfileView } from '../types';
import { Field, Spinner, val } from '../ui/kit';
import { toast, toastError } from '../ui/toast';
import { rememberProfile, voiceProfile } from '../voice/client';
import { FindingsList, Highlights } from '../voice/ui';
import { ErrorSummary, ListField, NumberField } from './fields';

const LANGUAGES = ['', 'en', 'fr', 'es', 'de', 'it', 'pt'];
const KINDS: TermKind[] = ['banned', 'preferred', 'brand', 'sensitive'];
const NETWORKS = ['*', 'x', 'bluesky', 'mastodon', 'threads', 'linkedin', 'facebook', 'instagram', 'telegram', 'discord', 'slack'];

type Errors = (path: string) => string | undefined;

const emptyEmoji = (): EmojiRules => ({ mode: '', max: 0, banned: [] });
const emptyForm = (): FormRules => ({ max_sentence_words: 0, min_reading_ease: 0, max_exclamations: null, max_all_caps: null, acronyms: [], address: '' });

export default function VoiceSettings() {
  const w = useStore(workspace)!;
  const editable = atLeast(w.role, 'editor');
  const [view, setView] = useState<VoiceProfileView | null>(null);
  const [p, setP] = useState<VoiceProfile | null>(null);
  const [err, setErr] = useState<ApiError | null>(null);
  const [conflict, setConflict] = useState(false);
  const [busy, setBusy] = useState(false);

  function adopt(v: VoiceProfileView) {
    setView(v);
    setP(structuredClone(v.profile));
    setConflict(false);
    setErr(null);
  }
  const load = () => voiceProfile(w.id, true).then(adopt, toastError);
  useEffect(() => {
    void load();
  }, [w.id]);

  if (!view || !p)
    return (
      <section class="card">
        <Spinner />
      </section>
    );

  const edit = (fn: (d: VoiceProfile) => void) =>
    setP((cur) => {
      const c = structuredClone(cur!);
      fn(c);
      return c;
    });
  const fe: Errors = (path) => err?.fields['profile.' + path];
  const dirty = JSON.stringify(p) !== JSON.stringify(view.profile);

  async function save(e: Event) {
    e.preventDefault();
    setBusy(true);
    setErr(null);
    try {
      const res = await api.put<VoiceProfileView>(ws(w.id, '/voice/profile'), { profile: p, version: view!.version });
      rememberProfile(w.id, res);
      adopt(res);
      toast('ok', t('voiceEd.saved', { version: res.version }));
    } catch (x) {
      if (x instanceof ApiError && x.code === 'version_conflict') setConflict(true);
      else if (x instanceof ApiError) setErr(x);
      toastError(x);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="voice-editor" onSubmit={save} data-testid="voice-editor">
      <section class="card">
        <h2>{t('voiceEd.title')}</h2>
        <p class="muted small">{view.version ? t('voiceEd.version', { version: view.version }) : t('voiceEd.none')}</p>
        {!editable && <p class="muted small">{t('voiceEd.editorsOnly')}</p>}
        {conflict && (
          <div class="banner banner-warn" role="alert">
            {t('voiceEd.conflict')}{' '}
            <button type="button" class="btn btn-small" onClick={() => void load()}>
              {t('voiceEd.reload')}
            </button>
          </div>
        )}
        <ErrorSummary err={err} strip="profile." />
      </section>
      <fieldset class="plain" disabled={!editable}>
        <Group title={t('voiceEd.describe')} open>
          <Field label={t('voiceEd.description')} error={fe('description')} hint={t('voiceEd.descriptionHint')}>
            {(id, d) => <textarea id={id} rows={4} value={p.description} aria-describedby={d} onInput={(e) => edit((x) => void (x.description = val(e)))} data-testid="voice-description" />}
          </Field>
          <Field label={t('voiceEd.audience')} error={fe('audience')}>
            {(id, d) => <textarea id={id} rows={2} value={p.audience} aria-describedby={d} onInput={(e) => edit((x) => void (x.audience = val(e)))} />}
          </Field>
          <div class="grid2">
            <ListField lines label={t('voiceEd.do')} value={p.do} onChange={(v) => edit((x) => void (x.do = v))} error={fe('do')} hint={t('voiceEd.linesHint')} />
            <ListField lines label={t('voiceEd.dont')} value={p.dont} onChange={(v) => edit((x) => void (x.dont = v))} error={fe('dont')} hint={t('voiceEd.linesHint')} />
          </div>
          <LanguageSelect label={t('voiceEd.language')} value={p.rules.language} onChange={(v) => edit((x) => void (x.rules.language = v ?? ""))} error={fe('rules.language')} hint={t('voiceEd.languageHint')} />
        </Group>

        <Group title={t('voiceEd.vocabulary')} open>
          <p class="muted small">{t('voiceEd.vocabularyHint')}</p>
          <TermsEditor terms={p.rules.terms} onChange={(v) => edit((x) => void (x.rules.terms = v))} path="rules.terms" fe={fe} />
        </Group>

        <Group title={t('voiceEd.hashtags')}>
          <div class="grid2">
            <ListField label={t('voiceEd.requiredTags')} value={p.rules.hashtags.required} onChange={(v) => edit((x) => void (x.rules.hashtags.required = v))} error={fe('rules.hashtags.required')} placeholder="#Herald" />
            <ListField label={t('voiceEd.bannedTags')} value={p.rules.hashtags.banned} onChange={(v) => edit((x) => void (x.rules.hashtags.banned = v))} error={fe('rules.hashtags.banned')} />
            <ListField label={t('voiceEd.knownTags')} value={p.rules.hashtags.known} onChange={(v) => edit((x) => void (x.rules.hashtags.known = v))} error={fe('rules.hashtags.known')} hint={t('voiceEd.knownTagsHint')} />
            <PositionSelect value={p.rules.hashtags.position} onChange={(v) => edit((x) => void (x.rules.hashtags.position = v as '' | 'end' | 'inline'))} error={fe('rules.hashtags.position')} />
          </div>
          <label class="check">
            <input type="checkbox" checked={p.rules.hashtags.camel_case} onChange={(e) => edit((x) => void (x.rules.hashtags.camel_case = (e.currentTarget as HTMLInputElement).checked))} />
            {t('voiceEd.camelCase')}
          </label>
          <MaxTagsEditor value={p.rules.hashtags.max} onChange={(v) => edit((x) => void (x.rules.hashtags.max = v))} fe={fe} />
        </Group>

        <Group title={t('voiceEd.links')}>
          <div class="grid2">
            <ListField label={t('voiceEd.allowedDomains')} value={p.rules.links.allowed_domains} onChange={(v) => edit((x) => void (x.rules.links.allowed_domains = v))} error={fe('rules.links.allowed_domains')} hint={t('voiceEd.allowedDomainsHint')} />
            <ListField label={t('voiceEd.brandDomains')} value={p.rules.links.brand_domains} onChange={(v) => edit((x) => void (x.rules.links.brand_domains = v))} error={fe('rules.links.brand_domains')} hint={t('voiceEd.brandDomainsHint')} />
            <ListField label={t('voiceEd.requiredUtm')} value={p.rules.links.required_utm} onChange={(v) => edit((x) => void (x.rules.links.required_utm = v))} error={fe('rules.links.required_utm')} placeholder="utm_source, utm_medium, utm_campaign" />
            <ListField
              lines
              label={t('voiceEd.utmValues')}
              value={Object.entries(p.rules.links.utm_values).map(([k, v]) => `${k}=${v}`)}
              onChange={(v) => edit((x) => void (x.rules.links.utm_values = Object.fromEntries(v.filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')).trim(), l.slice(l.indexOf('=') + 1).trim()]))))}
              error={fe('rules.links.utm_values')}
              hint={t('voiceEd.utmValuesHint')}
            />
            <ListField label={t('voiceEd.allowedMentions')} value={p.rules.mentions.allowed} onChange={(v) => edit((x) => void (x.rules.mentions.allowed = v))} error={fe('rules.mentions.allowed')} placeholder="@herald" />
            <ListField label={t('voiceEd.bannedMentions')} value={p.rules.mentions.banned} onChange={(v) => edit((x) => void (x.rules.mentions.banned = v))} error={fe('rules.mentions.banned')} />
          </div>
        </Group>

        <Group title={t('voiceEd.emojiAndForm')}>
          <EmojiEditor value={p.rules.emoji} onChange={(v) => edit((x) => void (x.rules.emoji = v))} path="rules.emoji" fe={fe} />
          <FormEditor value={p.rules.form} onChange={(v) => edit((x) => void (x.rules.form = v))} path="rules.form" fe={fe} />
        </Group>

        <Group title={t('voiceEd.disclaimers')}>
          <p class="muted small">{t('voiceEd.disclaimersHint')}</p>
          <DisclaimersEditor value={p.rules.disclaimers} onChange={(v) => edit((x) => void (x.rules.disclaimers = v))} path="rules.disclaimers" fe={fe} />
        </Group>

        <Group title={t('voiceEd.labels')}>
          <p class="muted small">{t('voiceEd.labelsHint')}</p>
          {p.labels.map((lp, i) => (
            <div class="patch card-inner" key={i} data-testid="label-patch">
              <div class="patch-head">
                <Field label={t('voiceEd.label')} error={fe(`labels[${i}].label`)}>
                  {(id) => <input id={id} value={lp.label} onInput={(e) => edit((x) => void (x.labels[i].label = val(e)))} data-testid="label-patch-name" />}
                </Field>
                <button type="button" class="btn btn-small btn-ghost btn-danger" onClick={() => edit((x) => void x.labels.splice(i, 1))}>
                  {t('common.remove')}
                </button>
              </div>
              <PatchEditor value={lp} onChange={(v) => edit((x) => void (x.labels[i] = { ...v, label: x.labels[i].label }))} path={`labels[${i}]`} fe={fe} />
            </div>
          ))}
          <button type="button" class="btn btn-small" onClick={() => edit((x) => void x.labels.push({ label: '' }))} data-testid="add-label-patch">
            + {t('voiceEd.addLabel')}
          </button>
        </Group>

        <ChannelPatches p={p} edit={edit} fe={fe} />

        <Group title={t('voiceEd.severities')}>
          <p class="muted small">{t('voiceEd.severitiesHint')}</p>
          <table class="table severities">
            <thead>
              <tr>
                <th scope="col">{t('voiceEd.rule')}</th>
                <th scope="col">{t('voiceEd.default')}</th>
                <th scope="col">{t('voiceEd.inThisWorkspace')}</th>
              </tr>
            </thead>
            <tbody>
              {view.rules.map((r) => (
                <tr key={r.id}>
                  <td>
                    {t('rule.' + r.id) !== 'rule.' + r.id ? t('rule.' + r.id) : r.id} <code class="muted small">{r.id}</code>
                  </td>
                  <td>{t('voice.severity.' + r.default_severity)}</td>
                  <td>
                    <select
                      aria-label={t('voiceEd.severityOf', { rule: r.id })}
                      value={p.severities[r.id] ?? ''}
                      onChange={(e) =>
                        edit((x) => {
                          const v = val(e) as Severity | '';
                          if (v) x.severities[r.id] = v;
                          else delete x.severities[r.id];
                        })
                      }
                    >
                      <option value="">{t('voiceEd.asDefault')}</option>
                      {(['error', 'warning', 'info'] as Severity[]).map((s) => (
                        <option key={s} value={s}>
                          {t('voice.severity.' + s)}
                        </option>
                      ))}
                    </select>
                    {fe('severities.' + r.id) && <div class="field-error">{fe('severities.' + r.id)}</div>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Group>
      </fieldset>
      {editable && (
        <div class="form-actions sticky-actions">
          <button class="btn btn-primary" disabled={busy || !dirty} data-testid="voice-save">
            {busy ? t('common.saving') : t('common.save')}
          </button>
          {dirty && (
            <button type="button" class="btn btn-ghost" onClick={() => adopt(view)}>
              {t('voiceEd.discard')}
            </button>
          )}
          {dirty && <span class="muted small">{t('voiceEd.unsaved')}</span>}
        </div>
      )}
      <TryVoice wid={w.id} hasProfile={view.version > 0} />
    </form>
  );
}

function Group({ title, open, children }: { title: string; open?: boolean; children: ComponentChildren }) {
  return (
    <details class="card voice-group" open={open}>
      <summary>
        <h3>{title}</h3>
      </summary>
      {children}
    </details>
  );
}

function LanguageSelect({ label, value, onChange, error, hint, inherit }: { label: string; value: string | undefined; onChange: (v: string | undefined) => void; error?: string; hint?: string; inherit?: boolean }) {
  return (
    <Field label={label} error={error} hint={hint}>
      {(id, d) => (
        <select id={id} aria-describedby={d} value={value === undefined ? '~' : value} onChange={(e) => onChange(val(e) === '~' ? undefined : val(e))}>
          {inherit && <option value="~">{t('voiceEd.inherit')}</option>}
          {LANGUAGES.map((l) => (
            <option key={l} value={l}>
              {l ? t('lang.' + l) : t('voiceEd.anyLanguage')}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

function PositionSelect({ value, onChange, error, inherit }: { value: string | undefined; onChange: (v: string | undefined) => void; error?: string; inherit?: boolean }) {
  return (
    <Field label={t('voiceEd.position')} error={error}>
      {(id) => (
        <select id={id} value={value === undefined ? '~' : value} onChange={(e) => onChange(val(e) === '~' ? undefined : val(e))}>
          {inherit && <option value="~">{t('voiceEd.inherit')}</option>}
          <option value="">{t('voiceEd.anywhere')}</option>
          <option value="end">{t('voiceEd.atEnd')}</option>
          <option value="inline">{t('voiceEd.inline')}</option>
        </select>
      )}
    </Field>
  );
}

/** TermsEditor edits vocabulary rules: the words to flag, what to write instead, and why. */
function TermsEditor({ terms, onChange, path, fe }: { terms: Term[]; onChange: (v: Term[]) => void; path: string; fe: Errors }) {
  const set = (i: number, tm: Term) => onChange(terms.map((x, k) => (k === i ? tm : x)));
  return (
    <div class="terms" data-testid="terms">
      {terms.map((tm, i) => (
        <div class="term-row" key={i} data-testid="term">
          <Field label={t('voiceEd.kind')} error={fe(`${path}[${i}].kind`)}>
            {(id) => (
              <select id={id} value={tm.kind} onChange={(e) => set(i, { ...tm, kind: val(e) as TermKind })} data-testid="term-kind">
                {KINDS.map((k) => (
                  <option key={k} value={k}>
                    {t('voiceEd.kind.' + k)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <ListField label={tm.kind === 'brand' ? t('voiceEd.misspellings') : t('voiceEd.avoid')} value={tm.avoid ?? []} onChange={(v) => set(i, { ...tm, avoid: v })} error={fe(`${path}[${i}].avoid`) ?? fe(`${path}[${i}].avoid[0]`)} testid="term-avoid" />
          <Field label={tm.kind === 'brand' ? t('voiceEd.brandName') : tm.kind === 'sensitive' ? t('voiceEd.useOptional') : t('voiceEd.use')} error={fe(`${path}[${i}].use`)}>
            {(id) => <input id={id} value={tm.use ?? ''} onInput={(e) => set(i, { ...tm, use: val(e) })} data-testid="term-use" />}
          </Field>
          <Field label={t('voiceEd.reason')} error={fe(`${path}[${i}].reason`)}>
            {(id) => <input id={id} value={tm.reason ?? ''} onInput={(e) => set(i, { ...tm, reason: val(e) })} data-testid="term-reason" />}
          </Field>
          <Field label={t('voiceEd.gender')} error={fe(`${path}[${i}].gender`)}>
            {(id) => (
              <select id={id} value={tm.gender ?? ''} onChange={(e) => set(i, { ...tm, gender: val(e) as '' | 'm' | 'f' })} title={t('voiceEd.genderHint')}>
                <option value="">—</option>
                <option value="m">{t('voiceEd.masculine')}</option>
                <option value="f">{t('voiceEd.feminine')}</option>
              </select>
            )}
          </Field>
          <button type="button" class="icon-btn" aria-label={t('voiceEd.removeTerm', { n: i + 1 })} onClick={() => onChange(terms.filter((_, k) => k !== i))}>
            ×
          </button>
        </div>
      ))}
      <button type="button" class="btn btn-small" onClick={() => onChange([...terms, { kind: 'banned', use: '', avoid: [], reason: '' }])} data-testid="add-term">
        + {t('voiceEd.addTerm')}
      </button>
    </div>
  );
}

function MaxTagsEditor({ value, onChange, fe }: { value: Record<string, number>; onChange: (v: Record<string, number>) => void; fe: Errors }) {
  const entries = Object.entries(value);
  const free = NETWORKS.filter((n) => !(n in value));
  return (
    <div class="field">
      <div class="label-text">{t('voiceEd.maxTags')}</div>
      <div class="max-tags">
        {entries.map(([n, m]) => (
          <label key={n} class="max-tag">
            <span>{n === '*' ? t('voiceEd.otherNetworks') : n}</span>
            <input type="number" min={0} max={100} value={m} onInput={(e) => onChange({ ...value, [n]: Number(val(e)) })} />
            <button type="button" class="icon-btn" aria-label={t('common.remove')} onClick={() => onChange(Object.fromEntries(entries.filter(([k]) => k !== n)))}>
              ×
            </button>
            {fe('rules.hashtags.max.' + n) && <span class="field-error">{fe('rules.hashtags.max.' + n)}</span>}
          </label>
        ))}
        {free.length > 0 && (
          <select aria-label={t('voiceEd.addNetworkLimit')} value="" onChange={(e) => val(e) && onChange({ ...value, [val(e)]: 5 })}>
            <option value="">+ {t('voiceEd.addNetworkLimit')}</option>
            {free.map((n) => (
              <option key={n} value={n}>
                {n === '*' ? t('voiceEd.otherNetworks') : n}
              </option>
            ))}
          </select>
        )}
      </div>
    </div>
  );
}

function EmojiEditor({ value, onChange, path, fe }: { value: EmojiRules; onChange: (v: EmojiRules) => void; path: string; fe: Errors }) {
  return (
    <div class="grid3">
      <Field label={t('voiceEd.emoji')} error={fe(path + '.mode')}>
        {(id) => (
          <select id={id} value={value.mode} onChange={(e) => onChange({ ...value, mode: val(e) as EmojiRules['mode'] })}>
            <option value="">{t('voiceEd.emojiFree')}</option>
            <option value="max">{t('voiceEd.emojiMax')}</option>
            <option value="none">{t('voiceEd.emojiNone')}</option>
          </select>
        )}
      </Field>
      {value.mode === 'max' && <NumberField label={t('voiceEd.emojiMaxN')} value={value.max} min={0} max={100} onChange={(v) => onChange({ ...value, max: v ?? 0 })} error={fe(path + '.max')} />}
      <ListField label={t('voiceEd.bannedEmoji')} value={value.banned} onChange={(v) => onChange({ ...value, banned: v })} error={fe(path + '.banned')} />
    </div>
  );
}

function FormEditor({ value, onChange, path, fe }: { value: FormRules; onChange: (v: FormRules) => void; path: string; fe: Errors }) {
  return (
    <>
      <div class="grid3">
        <NumberField label={t('voiceEd.maxSentence')} value={value.max_sentence_words || null} optional min={0} max={200} onChange={(v) => onChange({ ...value, max_sentence_words: v ?? 0 })} error={fe(path + '.max_sentence_words')} />
        <NumberField label={t('voiceEd.readingEase')} value={value.min_reading_ease || null} optional min={0} max={100} onChange={(v) => onChange({ ...value, min_reading_ease: v ?? 0 })} error={fe(path + '.min_reading_ease')} hint={t('voiceEd.readingEaseHint')} />
        <Field label={t('voiceEd.address')} error={fe(path + '.address')} hint={t('voiceEd.addressHint')}>
          {(id, d) => (
            <select id={id} aria-describedby={d} value={value.address} onChange={(e) => onChange({ ...value, address: val(e) as FormRules['address'] })} data-testid="voice-address">
              <option value="">{t('voiceEd.addressAny')}</option>
              <option value="vous">vous</option>
              <option value="tu">tu</option>
              <option value="consistent">{t('voiceEd.addressConsistent')}</option>
            </select>
          )}
        </Field>
        <NumberField label={t('voiceEd.maxExclamations')} value={value.max_exclamations} optional min={0} max={100} onChange={(v) => onChange({ ...value, max_exclamations: v })} error={fe(path + '.max_exclamations')} />
        <NumberField label={t('voiceEd.maxCaps')} value={value.max_all_caps} optional min={0} max={100} onChange={(v) => onChange({ ...value, max_all_caps: v })} error={fe(path + '.max_all_caps')} />
        <ListField label={t('voiceEd.acronyms')} value={value.acronyms} onChange={(v) => onChange({ ...value, acronyms: v })} error={fe(path + '.acronyms')} placeholder="SNCF, RGPD" />
      </div>
    </>
  );
}

function DisclaimersEditor({ value, onChange, path, fe }: { value: Disclaimer[]; onChange: (v: Disclaimer[]) => void; path: string; fe: Errors }) {
  const set = (i: number, d: Disclaimer) => onChange(value.map((x, k) => (k === i ? d : x)));
  return (
    <div class="disclaimers">
      {value.map((d, i) => (
        <div class="term-row" key={i}>
          <ListField label={t('voiceEd.disclaimerForms')} value={d.any} onChange={(v) => set(i, { ...d, any: v })} error={fe(`${path}[${i}].any`) ?? fe(`${path}[${i}].any[0]`)} placeholder="#ad, #sponsorisé" testid="disclaimer-any" />
          <Field label={t('voiceEd.position')} error={fe(`${path}[${i}].position`)}>
            {(id) => (
              <select id={id} value={d.position} onChange={(e) => set(i, { ...d, position: val(e) as Disclaimer['position'] })}>
                <option value="">{t('voiceEd.anywhere')}</option>
                <option value="start">{t('voiceEd.atStart')}</option>
                <option value="end">{t('voiceEd.atEnd')}</option>
              </select>
            )}
          </Field>
          <button type="button" class="icon-btn" aria-label={t('common.remove')} onClick={() => onChange(value.filter((_, k) => k !== i))}>
            ×
          </button>
        </div>
      ))}
      <button type="button" class="btn btn-small" onClick={() => onChange([...value, { any: [], position: '' }])} data-testid="add-disclaimer">
        + {t('voiceEd.addDisclaimer')}
      </button>
    </div>
  );
}

/** PatchEditor edits what a label or a channel changes: lists add to the rules, values replace. */
function PatchEditor<P extends VoicePatch>({ value, onChange, path, fe }: { value: P; onChange: (v: P) => void; path: string; fe: Errors }) {
  const set = <K extends keyof VoicePatch>(k: K, v: VoicePatch[K] | undefined) => {
    const next = { ...value } as P;
    if (v === undefined || (Array.isArray(v) && !v.length)) delete (next as VoicePatch)[k];
    else (next as VoicePatch)[k] = v;
    onChange(next);
  };
  return (
    <div class="patch-body">
      <div class="grid3">
        <LanguageSelect inherit label={t('voiceEd.language')} value={value.language} onChange={(v) => set('language', v)} error={fe(path + '.language')} />
        <NumberField label={t('voiceEd.maxTagsPatch')} value={value.max_hashtags ?? null} optional min={0} max={100} onChange={(v) => set('max_hashtags', v ?? undefined)} error={fe(path + '.max_hashtags')} />
        <PositionSelect inherit value={value.hashtag_position} onChange={(v) => set('hashtag_position', v as VoicePatch['hashtag_position'])} error={fe(path + '.hashtag_position')} />
        <ListField label={t('voiceEd.requiredTagsAdd')} value={value.required_hashtags ?? []} onChange={(v) => set('required_hashtags', v)} error={fe(path + '.required_hashtags')} />
        <ListField label={t('voiceEd.bannedTagsAdd')} value={value.banned_hashtags ?? []} onChange={(v) => set('banned_hashtags', v)} error={fe(path + '.banned_hashtags')} />
        <ListField label={t('voiceEd.allowedDomainsAdd')} value={value.allowed_domains ?? []} onChange={(v) => set('allowed_domains', v)} error={fe(path + '.allowed_domains')} />
      </div>
      <div class="label-text">{t('voiceEd.termsAdd')}</div>
      <TermsEditor terms={value.terms ?? []} onChange={(v) => set('terms', v)} path={path + '.terms'} fe={fe} />
      <div class="label-text">{t('voiceEd.disclaimersAdd')}</div>
      <DisclaimersEditor value={value.disclaimers ?? []} onChange={(v) => set('disclaimers', v)} path={path + '.disclaimers'} fe={fe} />
      <label class="check">
        <input type="checkbox" checked={!!value.emoji} onChange={(e) => set('emoji', (e.currentTarget as HTMLInputElement).checked ? emptyEmoji() : undefined)} />
        {t('voiceEd.ownEmoji')}
      </label>
      {value.emoji && <EmojiEditor value={value.emoji} onChange={(v) => set('emoji', v)} path={path + '.emoji'} fe={fe} />}
      <label class="check">
        <input type="checkbox" checked={!!value.form} onChange={(e) => set('form', (e.currentTarget as HTMLInputElement).checked ? emptyForm() : undefined)} />
        {t('voiceEd.ownForm')}
      </label>
      {value.form && <FormEditor value={value.form} onChange={(v) => set('form', v)} path={path + '.form'} fe={fe} />}
    </div>
  );
}

function ChannelPatches({ p, edit, fe }: { p: VoiceProfile; edit: (fn: (d: VoiceProfile) => void) => void; fe: Errors }) {
  const chs = useStore(channels);
  const free = chs.filter((c) => !p.channels.some((cp) => cp.channel_id === c.id));
  return (
    <Group title={t('voiceEd.channels')}>
      <p class="muted small">{t('voiceEd.channelsHint')}</p>
      {p.channels.map((cp, i) => (
        <div class="patch card-inner" key={cp.channel_id}>
          <div class="patch-head">
            <strong>{chs.find((c) => c.id === cp.channel_id)?.name ?? '#' + cp.channel_id}</strong>
            {fe(`channels[${i}].channel_id`) && <span class="field-error">{fe(`channels[${i}].channel_id`)}</span>}
            <button type="button" class="btn btn-small btn-ghost btn-danger" onClick={() => edit((x) => void x.channels.splice(i, 1))}>
              {t('common.remove')}
            </button>
          </div>
          <PatchEditor value={cp} onChange={(v) => edit((x) => void (x.channels[i] = { ...v, channel_id: cp.channel_id }))} path={`channels[${i}]`} fe={fe} />
        </div>
      ))}
      {free.length > 0 && (
        <select aria-label={t('voiceEd.addChannel')} value="" onChange={(e) => val(e) && edit((x) => void x.channels.push({ channel_id: Number(val(e)) }))}>
          <option value="">+ {t('voiceEd.addChannel')}</option>
          {free.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </select>
      )}
    </Group>
  );
}

/** TryVoice checks a text against the saved profile, as the composer would. */
function TryVoice({ wid, hasProfile }: { wid: number; hasProfile: boolean }) {
  const [text, setText] = useState('');
  const [res, setRes] = useState<{ text: string; check: VoiceCheck } | null>(null);
  useEffect(() => {
    if (!text.trim() || !hasProfile) {
      setRes(null);
      return;
    }
    const id = setTimeout(() => {
      api.post<VoiceCheck>(ws(wid, '/voice/check'), { text, locale: locale() }).then((c) => setRes({ text, check: c }), toastError);
    }, 300);
    return () => clearTimeout(id);
  }, [text, hasProfile]);
  return (
    <section class="card">
      <h3>{t('voiceEd.try')}</h3>
      <p class="muted small">{hasProfile ? t('voiceEd.tryHint') : t('voiceEd.tryNone')}</p>
      <textarea rows={3} value={text} disabled={!hasProfile} onInput={(e) => setText(val(e))} aria-label={t('voiceEd.try')} data-testid="voice-try" />
      {res && (
        <>
          <Highlights text={res.text} findings={res.check.findings} class="review-text" />
          <FindingsList text={res.text} findings={res.check.findings} notes={{}} readOnly score={res.check.score} />
        </>
      )}
    </section>
  );
}
