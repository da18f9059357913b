// The composer: a panel over the calendar to write a post for several channels. A base text and
// media for every channel, one tab per channel to adapt them (text, media, first comment), live
// counters per network that agree with POST /api/v1/validate, previews shaped like each network's
// post, labels, the planned time in a named zone with "next free slot", and the actions the
// member's role allows in the post's status. A draft is never lost: it is kept in the browser as
// it is typed, saved to the server while it is a draft, and leaving with unsaved changes asks first.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, ApiError, query, ws } from '../api';
import { lazy } from '../lib/lazy';
import { fmtDateTime, fmtRelative, fmtTime, fmtZone, locale, t, tn } from '../i18n';
import { navigate, setLeaveGuard } from '../lib/router';
import { displayStatus } from '../lib/status';
import { useStore } from '../lib/store';
import { dateString, instantOf, localString, nextSlot, parseLocal } from '../lib/tz';
import { channels, memberName, session, viewZone, workspace } from '../state';
import type { CalendarResponse, Channel, CheckResult, ComposeResult, Finding, NetworkRules, Post, PostVoice, Template, VoiceProfileView } from '../types';
import { ChannelChip, Dialog, NetworkIcon, StatusBadge, trapTab, useId, val } from '../ui/kit';
import { dismiss, toast, toastError } from '../ui/toast';
import { NoteDialog } from '../ui/note';
import { localCheck, loadRules, type LocalCheck } from '../content/rules';
import { MediaEditor } from './media';
import { actionsFor, autosaves, editable, emptyDraft, fieldTarget, fromPost, sameContent, sameTime, targetMedia, targetText, toRequest, type ActionName, type Draft, type TargetDraft } from './model';
import { closeComposer, notifyPostsChanged, type ComposerProps } from './open';
import { addHashtags, fillVariables, insertAt, snippetAtCaret, variablesIn } from './library';
import { LibraryBar, RewriteDialog, SaveTemplateDialog, useLibrary, VariablesPanel, VoiceField, type VoiceFieldProps } from './voicebits';
import { forgetLibrary, hasProfile, serverConfig, voiceProfile } from '../voice/client';
import { useLiveCheck, type CheckField } from '../voice/live';
import { ackKey, applyFix, blockers } from '../voice/spans';
import { FindingsList, selectSpan, VoiceGuide } from '../voice/ui';

const Previews = lazy(() => import('./previews'));

const LOCAL_KEY = (wid: number, id: number | 'new') => `herald.draft.${wid}.${id}`;
const AUTOSAVE_MS = 2500;
const VALIDATE_MS = 450;

interface LocalCopy {
  draft: Draft;
  savedAt: string;
  revision?: number;
}

function readLocal(key: string): LocalCopy | null {
  try {
    const raw = localStorage.getItem(key);
    if (!raw) return null;
    const v = JSON.parse(raw) as LocalCopy;
    v.draft.thread ??= []; // copies kept before threads existed
    // A week-old copy is no longer what anyone is looking for.
    if (Date.now() - new Date(v.savedAt).getTime() > 7 * 86400e3) {
      localStorage.removeItem(key);
      return null;
    }
    return v;
  } catch {
    return null;
  }
}

type SaveState = 'idle' | 'dirty' | 'saving' | 'saved' | 'error';

export default function Composer(props: ComposerProps) {
  const w = useStore(workspace)!;
  const me = useStore(session)!;
  const zone = useStore(viewZone);
  const chs = useStore(channels);
  const [post, setPost] = useState<Post | null>(null);
  const [loading, setLoading] = useState(!!props.postId);
  const [draft, setDraft] = useState<Draft>(emptyDraft);
  const baseline = useRef<Draft>(emptyDraft());
  const [tab, setTab] = useState<'all' | number>('all');
  const [err, setErr] = useState<ApiError | null>(null);
  const [sentOrder, setSentOrder] = useState<number[]>([]);
  const [busy, setBusy] = useState<ActionName | null>(null);
  const [saveState, setSaveState] = useState<SaveState>('idle');
  const [savedAt, setSavedAt] = useState<Date | null>(null);
  const [restore, setRestore] = useState<LocalCopy | null>(null);
  const [rules, setRules] = useState<Map<string, NetworkRules> | null>(null);
  const [checks, setChecks] = useState<Record<number, CheckResult>>({});
  const [confirmClose, setConfirmClose] = useState(false);
  const [noteFor, setNoteFor] = useState<ActionName | null>(null);
  const [showPreview, setShowPreview] = useState(true);
  // The brand voice: the profile (version 0: none), the server's optional features, the author's
  // notes on warnings (by ackKey), what a refused submission said, and where the caret is.
  const [profile, setProfile] = useState<VoiceProfileView | null>(null);
  const [features, setFeatures] = useState<string[]>([]);
  const [notes, setNotes] = useState<Record<string, string>>({});
  const [gate, setGate] = useState<Finding[] | null>(null);
  const [caret, setCaret] = useState<{ key: string; pos: number } | null>(null);
  const [rewriting, setRewriting] = useState(false);
  const [savingTemplate, setSavingTemplate] = useState(false);
  const [lib, reloadLib] = useLibrary(w.id);
  const areas = useRef(new Map<string, { current: HTMLTextAreaElement | null }>());
  const panel = useRef<HTMLDivElement>(null);
  const localKey = LOCAL_KEY(w.id, post?.id ?? props.postId ?? 'new');
  const dirty = !sameContent(draft, baseline.current) || !sameTime(draft, baseline.current);
  const status = post?.status ?? null;
  const canEdit = editable(status) && (!!post ? post.author_id === me.user.id || w.role === 'editor' || w.role === 'admin' || w.role === 'owner' : w.role !== 'viewer');
  const needsReview = w.approval_policy.required_approvals > 0 && !(w.approval_policy.editors_skip_review && ['editor', 'admin', 'owner'].includes(w.role ?? ''));
  const actions = actionsFor(w.role, status, !post || post.author_id === me.user.id, needsReview);

  // Load the post, or start a new one (at the time the calendar was clicked).
  useEffect(() => {
    void loadRules().then(setRules, (e) => toastError(e));
    // Asked again each time: an editor may have changed the voice since (one small request).
    voiceProfile(w.id, true).then(setProfile, () => setProfile(null));
    serverConfig().then(
      (c) => setFeatures(c.features ?? []),
      () => setFeatures([]),
    );
    if (props.postId) {
      // Notes the author already gave on this revision's warnings are not asked for again.
      api
        .get<PostVoice>(ws(w.id, `/posts/${props.postId}/voice`))
        .then((v) => setNotes((n) => ({ ...Object.fromEntries(v.acknowledgements.map((a) => [ackKey({ rule: a.rule, excerpt: a.excerpt }), a.note])), ...n })))
        .catch(() => {});
    }
    if (props.postId) {
      api
        .get<Post>(ws(w.id, `/posts/${props.postId}`))
        .then((p) => {
          adopt(p);
          const local = readLocal(LOCAL_KEY(w.id, p.id));
          if (local && local.revision === p.revision && !sameContent(local.draft, baseline.current)) setRestore(local);
        })
        .catch((e) => {
          toastError(e);
          closeComposer();
        })
        .finally(() => setLoading(false));
    } else {
      const d = emptyDraft();
      if (props.at) {
        const at = new Date(props.at);
        d.date = dateString(at, viewZone.get());
        d.time = localString(at, viewZone.get()).slice(11);
      }
      const usable = channels.get().filter((c) => !c.paused && c.status === 'connected');
      if (usable.length === 1) d.targets = [{ channelId: usable[0].id, text: null, media: null, firstComment: '' }];
      baseline.current = d;
      setDraft(d);
      const local = readLocal(LOCAL_KEY(w.id, 'new'));
      if (local && !sameContent(local.draft, d)) setRestore(local);
    }
  }, []);

  function adopt(p: Post) {
    setPost(p);
    const z = viewZone.get();
    const d = fromPost(p, p.scheduled_at ? dateString(new Date(p.scheduled_at), z) : '', p.scheduled_at ? localString(new Date(p.scheduled_at), z).slice(11) : '');
    baseline.current = d;
    setDraft(d);
  }

  // Keep a copy in the browser as the user types.
  useEffect(() => {
    if (loading) return;
    const id = setTimeout(() => {
      try {
        if (dirty) localStorage.setItem(localKey, JSON.stringify({ draft, savedAt: new Date().toISOString(), revision: post?.revision } satisfies LocalCopy));
      } catch {
        /* storage full or blocked: the server autosave still runs */
      }
    }, 300);
    if (dirty && saveState !== 'saving') setSaveState('dirty');
    return () => clearTimeout(id);
  }, [draft]);

  // Save drafts to the server while typing pauses; other statuses wait for an explicit save,
  // because editing approved content sends it back to review.
  useEffect(() => {
    if (loading || !dirty || !canEdit || !autosaves(status) || busy) return;
    if (!post && !draft.text.trim() && !draft.title.trim()) return;
    const id = setTimeout(() => void save(true), AUTOSAVE_MS);
    return () => clearTimeout(id);
  }, [draft, busy, loading]);

  // Warn before leaving the page (or the composer, through the router) with unsaved changes.
  useEffect(() => {
    const onBefore = (e: BeforeUnloadEvent) => {
      if (dirtyRef.current) {
        e.preventDefault();
        e.returnValue = '';
      }
    };
    window.addEventListener('beforeunload', onBefore);
    setLeaveGuard(() => !dirtyRef.current || window.confirm(t('composer.leaveConfirm')));
    return () => {
      window.removeEventListener('beforeunload', onBefore);
      setLeaveGuard(null);
    };
  }, []);
  const dirtyRef = useRef(dirty);
  dirtyRef.current = dirty;

  // The server's verdict on each channel's content, a moment after typing stops.
  useEffect(() => {
    if (!rules || !draft.targets.length) {
      setChecks({});
      return;
    }
    const ctl = new AbortController();
    const id = setTimeout(async () => {
      const out: Record<number, CheckResult> = {};
      try {
        await Promise.all(
          draft.targets.map(async (tg) => {
            const ch = chs.find((c) => c.id === tg.channelId);
            if (!ch || !rules.has(ch.network)) return;
            const res = await api.post<{ results: Record<string, CheckResult> }>(
              '/api/v1/validate',
              {
                text: targetText(draft, tg),
                thread: toRequest(draft).thread,
                first_comment: tg.firstComment,
                media: targetMedia(draft, tg).map((m) => ({ url: m.url, kind: m.kind, mime: m.mime, size_bytes: m.size_bytes, alt_text: m.alt_text })),
                networks: [ch.network],
              },
              { signal: ctl.signal },
            );
            out[tg.channelId] = res.results[ch.network];
          }),
        );
        setChecks(out);
      } catch {
        /* the local counters still show; the next change tries again */
      }
    }, VALIDATE_MS);
    return () => {
      clearTimeout(id);
      ctl.abort();
    };
  }, [draft.text, draft.media, draft.thread, draft.targets, rules]);

  const local = useMemo(() => {
    const out: Record<number, LocalCheck> = {};
    if (!rules) return out;
    for (const tg of draft.targets) {
      const ch = chs.find((c) => c.id === tg.channelId);
      const r = ch && rules.get(ch.network);
      if (r) out[tg.channelId] = localCheck(r, targetText(draft, tg), targetMedia(draft, tg).length, tg.firstComment);
    }
    return out;
  }, [draft, rules, chs]);

  // Field errors from the API, placed next to the field or channel tab they concern.
  const errors = useMemo(() => {
    const base: Record<string, string> = {};
    const byChannel: Record<number, Record<string, string>> = {};
    if (err) {
      for (const [name, msg] of Object.entries(err.fields)) {
        const ft = fieldTarget(name, sentOrder);
        if (ft.channelId) (byChannel[ft.channelId] ??= {})[ft.field] = msg;
        else base[ft.field] = msg;
      }
    }
    return { base, byChannel };
  }, [err, sentOrder]);

  function update(fn: (d: Draft) => Draft) {
    setDraft((d) => fn({ ...d }));
  }

  function updateTarget(channelId: number, fn: (t: TargetDraft) => TargetDraft) {
    update((d) => ({ ...d, targets: d.targets.map((x) => (x.channelId === channelId ? fn({ ...x }) : x)) }));
  }

  function toggleChannel(c: Channel) {
    update((d) => {
      const on = d.targets.some((x) => x.channelId === c.id);
      return { ...d, targets: on ? d.targets.filter((x) => x.channelId !== c.id) : [...d.targets, { channelId: c.id, text: null, media: null, firstComment: '' }] };
    });
    if (tab === c.id) setTab('all');
  }

  // ---- Brand voice and the library ----
  const voiceOn = hasProfile(profile);
  const checkFields = useMemo<CheckField[]>(() => {
    if (!voiceOn) return [];
    const out: CheckField[] = [];
    const onBase = draft.targets.filter((x) => x.text === null).map((x) => x.channelId);
    if (!draft.targets.length || onBase.length) out.push({ key: 'text', text: draft.text, channelIds: onBase });
    for (const tg of draft.targets) if (tg.text !== null) out.push({ key: 'ch:' + tg.channelId, text: tg.text, channelIds: [tg.channelId] });
    // A thread's later parts need not carry what the post as a whole carries (as the server checks).
    draft.thread.forEach((part, i) =>
      out.push({ key: 'thread:' + i, text: part.text, channelIds: draft.targets.map((x) => x.channelId), skipRules: ['hashtags.required', 'disclaimer.missing'] }),
    );
    return out;
  }, [voiceOn, draft.text, draft.targets, draft.thread]);
  const live = useLiveCheck(w.id, checkFields, draft.labels, post?.campaign ?? '', locale(), voiceOn);
  const findingsBy: Record<string, Finding[]> = {};
  for (const f of checkFields) findingsBy[f.key] = live.findingsFor(f.key, f.text);
  const liveFindings = checkFields.flatMap((f) => findingsBy[f.key]);
  // Duplicates and conflicts are found at submission only; their warnings need a note too. What
  // the server said about the text itself the live check shows, on the text as it is now.
  const clashes = (gate ?? []).filter((f) => f.rule.startsWith('review.'));
  const gateShown = voiceOn ? clashes : gate ?? [];
  const blk = blockers([...liveFindings, ...clashes], notes);
  const varNames = variablesIn([draft.text, ...draft.targets.map((x) => x.text ?? ''), ...draft.thread.map((x) => x.text)].join('\n'));
  const blockedReason = [
    blk.errors.length ? tn('voice.block.errors', blk.errors.length) : '',
    blk.unacknowledged.length ? tn('voice.block.warnings', blk.unacknowledged.length) : '',
    varNames.length ? t('voice.block.variables', { names: varNames.map((n) => `{{${n}}}`).join(', ') }) : '',
  ]
    .filter(Boolean)
    .join(' · ');
  // The toast saying why a submission waits goes once the reason changes (the footer keeps it).
  const blockToast = useRef(0);
  useEffect(() => {
    if (blockToast.current) {
      dismiss(blockToast.current);
      blockToast.current = 0;
    }
  }, [blockedReason]);
  /** gated: the actions that commit the text for review, which the brand voice checks. */
  const gated = (a: ActionName) => a === 'submit' || ((a === 'schedule' || a === 'publish_now') && (status === null || status === 'draft' || status === 'changes_requested'));

  function areaRef(k: string) {
    let r = areas.current.get(k);
    if (!r) areas.current.set(k, (r = { current: null }));
    return r;
  }

  function fieldText(key: string): string {
    if (key.startsWith('ch:')) return draft.targets.find((x) => x.channelId === Number(key.slice(3)))?.text ?? '';
    if (key.startsWith('thread:')) return draft.thread[Number(key.slice(7))]?.text ?? '';
    return draft.text;
  }

  function setFieldText(key: string, v: string) {
    if (key.startsWith('ch:')) updateTarget(Number(key.slice(3)), (x) => ({ ...x, text: v }));
    else if (key.startsWith('thread:')) {
      const i = Number(key.slice(7));
      update((d) => ({ ...d, thread: d.thread.map((p, k) => (k === i ? { ...p, text: v } : p)) }));
    } else update((d) => ({ ...d, text: v }));
  }

  /**
   * afterRender runs fn once Preact has drawn the state just set: Preact 10.12 draws what an
   * event handler changed after a timer, so a frame alone may come first.
   */
  function afterRender(fn: () => void) {
    setTimeout(() => requestAnimationFrame(fn));
  }

  /** placeCaret focuses a field with the caret at pos once it is drawn. */
  function placeCaret(key: string, pos: number) {
    setCaret({ key, pos });
    afterRender(() => {
      const el = areaRef(key).current;
      if (!el) return;
      el.focus();
      el.setSelectionRange(pos, pos);
    });
  }

  /** fixIn applies a finding's fix in one click; the other findings stay on their words. */
  function fixIn(key: string, f: Finding) {
    const r = applyFix(fieldText(key), findingsBy[key] ?? [], f);
    if (!r) {
      toast('info', t('voice.fixStale'));
      return;
    }
    setFieldText(key, r.text);
    live.record(key, r.text, r.findings);
    placeCaret(key, r.caret);
  }

  /** insertIn puts text at the caret of a field (at its end when the caret is elsewhere). */
  function insertIn(key: string, text: string) {
    const cur = fieldText(key);
    const el = areaRef(key).current;
    const start = el && caret?.key === key ? el.selectionStart : cur.length;
    const end = el && caret?.key === key ? el.selectionEnd : cur.length;
    const sep = start > 0 && !/\s$/.test(cur.slice(0, start)) ? ' ' : '';
    const r = insertAt(cur, start, end, sep + text);
    setFieldText(key, r.text);
    placeCaret(key, r.caret);
  }

  /** snippetKey expands "/code" before the caret into its snippet when Tab is pressed. */
  function snippetKey(key: string, e: KeyboardEvent) {
    if (e.key !== 'Tab' || e.shiftKey || e.altKey || e.ctrlKey || e.metaKey || !lib) return;
    const el = e.currentTarget as HTMLTextAreaElement;
    if (el.selectionStart !== el.selectionEnd) return;
    const m = snippetAtCaret(el.value, el.selectionStart, lib.snippets);
    if (!m) return;
    e.preventDefault();
    e.stopPropagation();
    const r = insertAt(el.value, m.start, m.end, m.snippet.text);
    setFieldText(key, r.text);
    placeCaret(key, r.caret);
  }

  function voiceProps(key: string) {
    return {
      findings: voiceOn ? findingsBy[key] ?? [] : null,
      score: live.state[key]?.score,
      notes,
      onNote: (k: string, n: string) => setNotes((x) => ({ ...x, [k]: n })),
      onFix: (f: Finding) => fixIn(key, f),
      onSelect: (f: Finding) => selectSpan(areaRef(key).current, f.span.start, f.span.end),
      caret: caret?.key === key ? caret.pos : null,
      onCaret: (pos: number) => setCaret({ key, pos }),
      onKeyDown: (e: KeyboardEvent) => snippetKey(key, e),
      taRef: areaRef(key),
      below: snippetHint(key),
    };
  }

  function snippetHint(key: string) {
    if (!lib || caret?.key !== key) return null;
    const m = snippetAtCaret(fieldText(key), caret.pos, lib.snippets);
    return m ? (
      <p class="hint snippet-hint" role="status" data-testid="snippet-hint">
        {t('library.tabInserts', { code: m.snippet.code })}
      </p>
    ) : null;
  }

  /** showFirstBlocker takes the author to what stops the submission. */
  function showFirstBlocker() {
    const f = blk.errors[0] ?? blk.unacknowledged[0];
    if (!f) return;
    const key = checkFields.find((c) => findingsBy[c.key]?.includes(f))?.key;
    if (!key) {
      document.querySelector<HTMLElement>('[data-testid=voice-gate]')?.focus();
      return;
    }
    setTab(key.startsWith('ch:') ? Number(key.slice(3)) : 'all');
    afterRender(() => selectSpan(areaRef(key).current, f.span.start, f.span.end));
    setCaret({ key, pos: f.span.start });
  }

  function fillAll(values: Record<string, string>) {
    const fill = (x: string) => fillVariables(x, values).text;
    update((d) => ({ ...d, text: fill(d.text), targets: d.targets.map((x) => (x.text === null ? x : { ...x, text: fill(x.text) })), thread: d.thread.map((p) => ({ ...p, text: fill(p.text) })) }));
  }

  /** useTemplate replaces the text with a template (and each channel's network variant). */
  async function applyTemplate(tp: Template) {
    if ((draft.text.trim() || draft.targets.some((x) => x.text?.trim())) && !window.confirm(t('library.replaceConfirm', { name: tp.name }))) return;
    try {
      const base = await api.post<ComposeResult>(ws(w.id, '/compose'), { template_id: tp.id });
      const nets = Array.from(new Set(draft.targets.map((x) => chs.find((c) => c.id === x.channelId)?.network).filter((n): n is string => !!n && n in tp.variants)));
      const variants = Object.fromEntries(await Promise.all(nets.map(async (n) => [n, (await api.post<ComposeResult>(ws(w.id, '/compose'), { template_id: tp.id, network: n })).text] as const)));
      update((d) => ({
        ...d,
        text: base.text,
        labels: [...d.labels, ...base.labels.filter((l) => !d.labels.some((x) => x.toLowerCase() === l.toLowerCase()))],
        targets: d.targets.map((x) => {
          const n = chs.find((c) => c.id === x.channelId)?.network ?? '';
          return n in variants ? { ...x, text: variants[n] } : x;
        }),
      }));
      setTab('all');
      placeCaret('text', base.text.length);
      toast('ok', base.missing.length ? tn('library.templateUsedVars', base.missing.length, { name: tp.name }) : t('library.templateUsed', { name: tp.name }));
    } catch (e) {
      toastError(e);
    }
  }

  async function saveTemplate(name: string): Promise<ApiError | null> {
    const variants: Record<string, string> = {};
    for (const x of draft.targets) {
      const n = chs.find((c) => c.id === x.channelId)?.network;
      if (n && x.text !== null && !(n in variants)) variants[n] = x.text;
    }
    try {
      await api.post<Template>(ws(w.id, '/templates'), { name, text: draft.text, labels: draft.labels, variants });
      forgetLibrary(w.id);
      reloadLib();
      setSavingTemplate(false);
      toast('ok', t('library.templateSaved', { name }));
      return null;
    } catch (e) {
      if (e instanceof ApiError) return e;
      toastError(e);
      return null;
    }
  }

  /** sendNotes acknowledges, on the saved revision, the warnings the author wrote a note for. */
  async function sendNotes(p: Post) {
    if (!Object.values(notes).some((n) => n.trim())) return;
    const v = await api.get<PostVoice>(ws(w.id, `/posts/${p.id}/voice`));
    const items = v.findings.filter((f) => f.severity === 'warning' && !f.acknowledged && (notes[ackKey(f)] ?? '').trim()).map((f) => ({ finding_id: f.id, note: notes[ackKey(f)].trim() }));
    if (items.length) await api.post<PostVoice>(ws(w.id, `/posts/${p.id}/voice/acknowledgements`), { revision: v.revision, items });
  }

  function plannedLocal(): string | null {
    if (!draft.date || !draft.time) return null;
    return `${draft.date}T${draft.time}`;
  }

  /** save creates or updates the post; it returns the saved post (or null after an error). */
  async function save(auto = false): Promise<Post | null> {
    const d = draft;
    const req = toRequest(d);
    setSentOrder(d.targets.map((x) => x.channelId));
    setSaveState('saving');
    if (!auto) setErr(null);
    try {
      let p = post;
      if (!p) {
        const body: Record<string, unknown> = { ...req };
        const lt = plannedLocal();
        if (lt) {
          body.local_time = lt;
          body.time_zone = viewZone.get();
        }
        p = await api.post<Post>(ws(w.id, '/posts'), body);
        try {
          localStorage.removeItem(LOCAL_KEY(w.id, 'new'));
        } catch {
          /* ignore */
        }
      } else {
        if (!sameContent(d, baseline.current)) p = await api.patch<Post>(ws(w.id, `/posts/${p.id}`), { ...req, revision: p.revision });
        if (!sameTime(d, baseline.current)) {
          const lt = plannedLocal();
          if (lt) p = await api.post<Post>(ws(w.id, `/posts/${p.id}/reschedule`), { local_time: lt, time_zone: viewZone.get() });
          else if (p.status === 'scheduled') p = await api.post<Post>(ws(w.id, `/posts/${p.id}/unschedule`));
        }
      }
      // Keep what was typed meanwhile: only the saved part becomes the baseline.
      const savedDraft = d;
      setPost(p);
      baseline.current = savedDraft;
      setDraft((cur) => (cur === d ? { ...savedDraft } : cur));
      try {
        localStorage.removeItem(LOCAL_KEY(w.id, p.id));
      } catch {
        /* ignore */
      }
      setSaveState('saved');
      setSavedAt(new Date());
      if (!auto) setErr(null);
      notifyPostsChanged();
      return p;
    } catch (e) {
      setSaveState('error');
      if (e instanceof ApiError) {
        setErr(e);
        if (!auto || e.code === 'revision_conflict') toastError(e, auto ? t('composer.autosaveFailed') : t('composer.saveFailed'));
      } else toastError(e);
      return null;
    }
  }

  async function run(action: ActionName, note?: string) {
    if (busy) return;
    if (gated(action) && blockedReason && canEdit) {
      // What the author must do first is said next to the button; take them to it.
      if (blockToast.current) dismiss(blockToast.current);
      blockToast.current = toast('error', t('voice.blocked', { reason: blockedReason }), { ms: 8000 });
      showFirstBlocker();
      return;
    }
    setBusy(action);
    setErr(null);
    try {
      if (action === 'request_changes' && note === undefined) {
        setNoteFor('request_changes');
        return;
      }
      let p = post;
      if (action !== 'restore' && action !== 'unschedule' && (dirty || !p)) {
        if (!canEdit && p) throw new ApiError(409, { error: { message: t('composer.notEditable') } });
        p = await save();
        if (!p) return;
      }
      if (action === 'save') {
        toast('ok', t('composer.savedToast'));
        return;
      }
      const body: Record<string, unknown> = {};
      if (action === 'schedule') {
        const lt = plannedLocal();
        if (!lt) {
          setErr(new ApiError(422, { error: { code: 'validation_failed', message: t('composer.chooseTime'), fields: { scheduled_at: t('composer.chooseTime') } } }));
          return;
        }
        body.local_time = lt;
        body.time_zone = viewZone.get();
      }
      if (note !== undefined) body.note = note;
      if (action === 'publish_now' && !window.confirm(t('composer.publishNowConfirm'))) return;
      if (gated(action)) await sendNotes(p!);
      const path = action.replace('_', '-');
      const res = await api.post<Post>(ws(w.id, `/posts/${p!.id}/${path}`), Object.keys(body).length ? body : undefined);
      adopt(res);
      notifyPostsChanged();
      toast('ok', t('composer.done.' + action, { status: t('status.' + res.status) }));
      setGate(null);
      if (['submit', 'approve', 'schedule', 'publish_now'].includes(action)) closeComposer();
    } catch (e) {
      setSentOrder(draft.targets.map((x) => x.channelId));
      if (e instanceof ApiError && (e.code === 'voice_errors' || e.code === 'voice_unacknowledged')) {
        // The server's word on the saved revision: shown with the findings, each with its note.
        setGate((e.details.findings as Finding[] | undefined) ?? []);
        // The panel and the footer say what to do; the toast only says it did not go, and goes.
        if (blockToast.current) dismiss(blockToast.current);
        blockToast.current = toast('error', t('voice.gateToast'), { ms: 6000 });
        return;
      }
      if (e instanceof ApiError) setErr(e);
      toastError(e, t('composer.actionFailed.' + action));
    } finally {
      setBusy(null);
    }
  }

  function close() {
    if (dirty) setConfirmClose(true);
    else finishClose();
  }

  function finishClose(discard = false) {
    if (discard) {
      try {
        localStorage.removeItem(localKey);
      } catch {
        /* ignore */
      }
    }
    dirtyRef.current = false;
    closeComposer();
  }

  async function nextFree() {
    const targets = draft.targets.map((x) => chs.find((c) => c.id === x.channelId)).filter(Boolean) as Channel[];
    const pool = (targets.length ? targets : chs).filter((c) => !c.paused);
    const slots = pool.flatMap((c) => c.slots.map((s) => ({ ...s, zone: c.time_zone })));
    if (!slots.length) {
      toast('info', t('composer.noSlots'));
      return;
    }
    const now = new Date(Date.now() + 5 * 60e3);
    const to = new Date(now.getTime() + 56 * 86400e3);
    try {
      const res = await api.get<CalendarResponse>(
        ws(w.id, '/calendar' + query({ from: now.toISOString(), to: to.toISOString(), fields: 'lean', channel: pool.map((c) => c.id) })),
      );
      const taken = new Set(res.posts.filter((p) => p.scheduled_at && p.id !== post?.id && p.status !== 'canceled').map((p) => Math.floor(new Date(p.scheduled_at!).getTime() / 60000)));
      const at = nextSlot(slots, now, taken);
      if (!at) {
        toast('info', t('composer.noFreeSlot'));
        return;
      }
      const z = viewZone.get();
      update((d) => ({ ...d, date: dateString(at, z), time: localString(at, z).slice(11) }));
      toast('info', t('composer.slotPicked', { when: fmtDateTime(at, z) }));
    } catch (e) {
      toastError(e);
    }
  }

  const shownBase = new Set(['text', 'title', 'labels', 'scheduled_at', 'local_time', 'time_zone', 'targets', 'media', 'note']);
  const otherBase = Object.entries(errors.base).filter(([k]) => !shownBase.has(k) && !k.startsWith('labels['));
  const channelProblems = Object.keys(errors.byChannel).map(Number);
  const title = post ? t('composer.editTitle') : t('composer.newTitle');
  const selected = draft.targets.map((x) => chs.find((c) => c.id === x.channelId)).filter(Boolean) as Channel[];
  const activeTarget = tab === 'all' ? null : draft.targets.find((x) => x.channelId === tab) ?? null;
  const activeChannel = activeTarget ? chs.find((c) => c.id === activeTarget.channelId) : undefined;
  const planned = draft.date && draft.time ? parseLocal(draft.date, draft.time) : null;
  const plannedAt = planned ? instantOf(planned, zone) : null;
  const readOnly = !canEdit;
  const titleId = useId('composer');
  const activeKey = activeTarget && activeTarget.text !== null ? 'ch:' + activeTarget.channelId : 'text';
  const canRewrite = voiceOn && features.includes('voice_rewrite') && !readOnly;

  return (
    <div class="drawer-overlay" onMouseDown={(e) => e.target === e.currentTarget && close()}>
      <div
        class="drawer"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        ref={panel}
        data-testid="composer"
        onKeyDown={(e) => {
          if (e.key === 'Escape' && !confirmClose && !noteFor) {
            e.stopPropagation();
            close();
          }
          if (e.key === 'Tab' && panel.current && !confirmClose && !noteFor) trapTab(e, panel.current);
          if ((e.ctrlKey || e.metaKey) && e.key === 's') {
            e.preventDefault();
            void run('save');
          }
        }}
      >
        <header class="drawer-head">
          <h2 id={titleId}>{title}</h2>
          {post && <StatusBadge status={displayStatus(post)} />}
          <SaveIndicator state={saveState} at={savedAt} />
          <span class="spacer" />
          {post && (
            <button
              class="btn btn-ghost btn-small"
              onClick={() => {
                finishClose();
                navigate('/posts/' + post.id);
              }}
            >
              {t('composer.details')}
            </button>
          )}
          <button class="btn btn-ghost btn-small" aria-pressed={showPreview} onClick={() => setShowPreview(!showPreview)}>
            {t('composer.preview')}
          </button>
          <button class="icon-btn" aria-label={t('common.close')} onClick={close} data-testid="composer-close">
            ×
          </button>
        </header>
        {loading ? (
          <div class="page-loading">{t('common.loading')}</div>
        ) : (
          <div class={'drawer-body' + (showPreview || voiceOn ? ' with-preview' : '')}>
            <div class="composer-main">
              {restore && (
                <div class="banner banner-warn" role="status">
                  {t('composer.restorePrompt', { when: fmtRelative(restore.savedAt) })}{' '}
                  <button
                    class="btn btn-small"
                    onClick={() => {
                      setDraft(restore.draft);
                      setRestore(null);
                    }}
                  >
                    {t('composer.restore')}
                  </button>{' '}
                  <button
                    class="btn btn-ghost btn-small"
                    onClick={() => {
                      localStorage.removeItem(localKey);
                      setRestore(null);
                    }}
                  >
                    {t('composer.discard')}
                  </button>
                </div>
              )}
              {post?.review && post.status === 'changes_requested' && <ReviewNotes post={post} />}
              {readOnly && post && <div class="banner banner-warn">{t('composer.readOnly', { status: t('status.' + post.status) })}</div>}
              {err && (otherBase.length > 0 || channelProblems.length > 0 || !Object.keys(err.fields).length) && (
                <div class="form-error" role="alert" data-testid="composer-error">
                  <div>{err.message}</div>
                  {channelProblems.map((id) => {
                    const c = chs.find((x) => x.id === id);
                    const first = Object.values(errors.byChannel[id])[0];
                    return (
                      <div key={id}>
                        <button type="button" class="linkish" onClick={() => setTab(id)}>
                          {c?.name ?? '#' + id}
                        </button>
                        : {first}
                      </div>
                    );
                  })}
                  {otherBase.map(([k, v]) => (
                    <div key={k}>
                      <code>{k}</code>: {v}
                    </div>
                  ))}
                </div>
              )}

              {gateShown.length > 0 && (
                <div class="banner banner-error voice-gate" role="alert" tabIndex={-1} data-testid="voice-gate">
                  <strong>{t('voice.gateTitle')}</strong>
                  <FindingsList text="" findings={gateShown} notes={notes} readOnly={readOnly} onNote={(k, n) => setNotes((x) => ({ ...x, [k]: n }))} />
                  <p class="small">{t('voice.gateHelp')}</p>
                </div>
              )}

              <section class="composer-section">
                <div class="label-text" id="ch-label">
                  {t('composer.channels')}
                </div>
                <div class="chips" role="group" aria-labelledby="ch-label">
                  {chs.map((c) => (
                    <ChannelChip key={c.id} channel={c} selected={draft.targets.some((x) => x.channelId === c.id)} onToggle={() => toggleChannel(c)} disabled={readOnly} />
                  ))}
                  {!chs.length && <span class="muted">{t('composer.noChannels')}</span>}
                </div>
                {errors.base.targets && <div class="field-error">{errors.base.targets}</div>}
              </section>

              <div class="field">
                <label for="c-title">{t('composer.titleLabel')}</label>
                <input id="c-title" value={draft.title} disabled={readOnly} placeholder={t('composer.titlePlaceholder')} onInput={(e) => update((d) => ({ ...d, title: val(e) }))} aria-invalid={!!errors.base.title} data-testid="composer-title" />
                {errors.base.title && <div class="field-error">{errors.base.title}</div>}
              </div>

              <div class="tabs" role="tablist" aria-label={t('composer.versions')}>
                <button role="tab" aria-selected={tab === 'all'} class={'tab' + (tab === 'all' ? ' active' : '')} onClick={() => setTab('all')} data-testid="tab-all">
                  {t('composer.allChannels')}
                </button>
                {selected.map((c) => {
                  const tg = draft.targets.find((x) => x.channelId === c.id)!;
                  const lc = local[c.id];
                  const bad = (lc && lc.over) || !!errors.byChannel[c.id] || (checks[c.id] && !checks[c.id].ok);
                  return (
                    <button key={c.id} role="tab" aria-selected={tab === c.id} class={'tab' + (tab === c.id ? ' active' : '') + (bad ? ' tab-bad' : '')} onClick={() => setTab(c.id)} data-testid={'tab-' + c.id}>
                      <NetworkIcon network={c.network} size={16} />
                      {c.name}
                      {(tg.text !== null || tg.media !== null || tg.firstComment) && <span class="dot" title={t('composer.customized')} aria-label={t('composer.customized')} />}
                      {bad && <span class="sr-only">{t('composer.hasProblems')}</span>}
                    </button>
                  );
                })}
              </div>

              {!readOnly && (
                <LibraryBar
                  lib={lib}
                  disabled={readOnly}
                  onTemplate={(tp) => void applyTemplate(tp)}
                  onSnippet={(sn) => insertIn(activeKey, sn.text)}
                  onGroup={(g) => {
                    const k = activeKey;
                    const next = addHashtags(fieldText(k), g.tags);
                    setFieldText(k, next);
                    placeCaret(k, next.length);
                  }}
                  onSaveTemplate={() => setSavingTemplate(true)}
                  canSave={!!draft.text.trim()}
                />
              )}

              <div role="tabpanel" class="tabpanel">
                {tab === 'all' || !activeTarget || !activeChannel ? (
                  <>
                    <VoiceField
                      label={t('composer.text')}
                      value={draft.text}
                      disabled={readOnly}
                      error={errors.base.text}
                      onInput={(v, pos) => {
                        update((d) => ({ ...d, text: v }));
                        setCaret({ key: 'text', pos });
                      }}
                      testid="composer-text"
                      {...voiceProps('text')}
                      actions={
                        canRewrite && (
                          <button type="button" class="btn btn-small btn-ghost" onClick={() => setRewriting(true)} disabled={!draft.text.trim()} data-testid="voice-rewrite">
                            {t('voice.rewrite')}
                          </button>
                        )
                      }
                    />
                    <div class="counters" aria-live="polite">
                      {draft.targets
                        .filter((x) => x.text === null)
                        .map((x) => {
                          const c = chs.find((ch) => ch.id === x.channelId);
                          return c ? <Counter key={c.id} channel={c} lc={local[c.id]} server={checks[c.id]} /> : null;
                        })}
                    </div>
                    <MediaEditor media={draft.media} disabled={readOnly} onChange={(m) => update((d) => ({ ...d, media: m }))} error={errors.base.media} />
                    <ThreadEditor
                      draft={draft}
                      channels={selected}
                      rules={rules}
                      disabled={readOnly}
                      errors={errors.base}
                      onChange={(thread) => update((d) => ({ ...d, thread }))}
                      voice={(i) => voiceProps('thread:' + i)}
                      onCaret={(i, pos) => setCaret({ key: 'thread:' + i, pos })}
                    />
                  </>
                ) : (
                  <ChannelTab
                    key={activeChannel.id}
                    channel={activeChannel}
                    target={activeTarget}
                    draft={draft}
                    rules={rules?.get(activeChannel.network)}
                    lc={local[activeChannel.id]}
                    server={checks[activeChannel.id]}
                    errors={errors.byChannel[activeChannel.id] ?? {}}
                    disabled={readOnly}
                    onChange={(fn) => updateTarget(activeChannel.id, fn)}
                    voice={voiceProps('ch:' + activeChannel.id)}
                    onCaret={(pos) => setCaret({ key: 'ch:' + activeChannel.id, pos })}
                  />
                )}
              </div>

              <VariablesPanel names={varNames} disabled={readOnly} onFill={fillAll} />

              <LabelsInput labels={draft.labels} disabled={readOnly} error={errors.base.labels ?? Object.entries(errors.base).find(([k]) => k.startsWith('labels['))?.[1]} onChange={(l) => update((d) => ({ ...d, labels: l }))} />

              <fieldset class="schedule" disabled={readOnly && status !== 'approved'}>
                <legend>{t('composer.when')}</legend>
                <div class="schedule-row">
                  <label>
                    <span class="sr-only">{t('composer.date')}</span>
                    <input type="date" value={draft.date} onInput={(e) => update((d) => ({ ...d, date: val(e) }))} aria-label={t('composer.date')} data-testid="composer-date" />
                  </label>
                  <label>
                    <span class="sr-only">{t('composer.time')}</span>
                    <input type="time" value={draft.time} onInput={(e) => update((d) => ({ ...d, time: val(e) }))} aria-label={t('composer.time')} data-testid="composer-time" />
                  </label>
                  <span class="zone-tag" title={t('calendar.timeZone')}>
                    {fmtZone(zone, plannedAt ?? new Date())}
                  </span>
                  <button type="button" class="btn btn-small" onClick={() => void nextFree()} data-testid="next-slot">
                    {t('composer.nextSlot')}
                  </button>
                  {(draft.date || draft.time) && (
                    <button type="button" class="btn btn-ghost btn-small" onClick={() => update((d) => ({ ...d, date: '', time: '' }))}>
                      {t('composer.clearTime')}
                    </button>
                  )}
                </div>
                {plannedAt && (
                  <div class="hint">
                    {fmtDateTime(plannedAt, zone)}
                    {plannedAt.getTime() < Date.now() && <strong class="warn-text"> · {t('composer.inPast')}</strong>}
                  </div>
                )}
                {(errors.base.scheduled_at || errors.base.local_time || errors.base.time_zone) && (
                  <div class="field-error" role="alert">
                    {errors.base.scheduled_at || errors.base.local_time || errors.base.time_zone}
                  </div>
                )}
              </fieldset>
            </div>
            {(showPreview || voiceOn) && (
              <aside class="composer-preview" aria-label={showPreview ? t('composer.preview') : t('voice.guide')}>
                {voiceOn && profile && <VoiceGuide profile={profile.profile} updatedAt={profile.updated_at} />}
                {showPreview && <Previews draft={draft} channels={selected} author={memberName(post?.author_id ?? me.user.id)} at={plannedAt} />}
              </aside>
            )}
          </div>
        )}
        <footer class="drawer-foot">
          {post && <span class="muted small">{t('composer.revision', { n: post.revision, author: memberName(post.author_id) })}</span>}
          <span class="spacer" />
          {actions.length === 0 && <span class="muted small">{t('composer.noActions')}</span>}
          {blockedReason && canEdit && actions.some(gated) && (
            <span class="blocked-reason" id="voice-blocked" data-testid="voice-blocked">
              {t('voice.blocked', { reason: blockedReason })}{' '}
              {(blk.errors.length > 0 || blk.unacknowledged.length > 0) && (
                <button type="button" class="linkish" onClick={showFirstBlocker}>
                  {t('voice.showBlocker')}
                </button>
              )}
            </span>
          )}
          {actions.map((a, i) => (
            <button
              key={a}
              class={'btn ' + (i === 0 ? (a === 'approve' ? 'btn-ok' : 'btn-primary') : a === 'cancel' ? 'btn-ghost btn-danger' : '') + (gated(a) && blockedReason && canEdit ? ' is-blocked' : '')}
              disabled={!!busy || (a === 'save' && !dirty && !!post)}
              aria-disabled={gated(a) && !!blockedReason && canEdit ? 'true' : undefined}
              aria-describedby={gated(a) && blockedReason && canEdit ? 'voice-blocked' : undefined}
              onClick={() => void run(a)}
              data-testid={'action-' + a}
            >
              {busy === a ? t('common.saving') : t('action.' + a)}
            </button>
          ))}
        </footer>
      </div>
      {confirmClose && (
        <Dialog title={t('composer.unsavedTitle')} onClose={() => setConfirmClose(false)}>
          <p>{t('composer.unsavedBody')}</p>
          <div class="dialog-actions">
            <button class="btn btn-danger" onClick={() => finishClose(true)} data-testid="discard">
              {t('composer.discard')}
            </button>
            <button class="btn" onClick={() => setConfirmClose(false)}>
              {t('composer.keepEditing')}
            </button>
            {canEdit && (
              <button
                class="btn btn-primary"
                onClick={async () => {
                  setConfirmClose(false);
                  if (await save()) finishClose();
                }}
              >
                {t('composer.saveAndClose')}
              </button>
            )}
          </div>
        </Dialog>
      )}
      {rewriting && (
        <RewriteDialog
          wid={w.id}
          request={{ text: draft.text, channel_id: draft.targets.find((x) => x.text === null)?.channelId ?? 0, labels: draft.labels, campaign: post?.campaign ?? '', locale: locale() }}
          onClose={() => setRewriting(false)}
          onUse={(r) => {
            setRewriting(false);
            setFieldText('text', r.text);
            live.record('text', r.text, r.findings);
            setTab('all');
            placeCaret('text', r.text.length);
          }}
        />
      )}
      {savingTemplate && <SaveTemplateDialog onCancel={() => setSavingTemplate(false)} onSave={saveTemplate} />}
      {noteFor && (
        <NoteDialog
          onCancel={() => {
            setNoteFor(null);
            setBusy(null);
          }}
          onSend={(note) => {
            setNoteFor(null);
            setBusy(null);
            void run('request_changes', note);
          }}
          error={errors.base.note}
        />
      )}
    </div>
  );
}

/** ThreadEditor edits the later parts of a thread, each with its counters per network. */
function ThreadEditor({
  draft,
  channels: chs,
  rules,
  disabled,
  errors,
  onChange,
  voice,
  onCaret,
}: {
  draft: Draft;
  channels: Channel[];
  rules: Map<string, NetworkRules> | null;
  disabled: boolean;
  errors: Record<string, string>;
  onChange: (t: Draft['thread']) => void;
  voice: (i: number) => VoiceBits;
  onCaret: (i: number, pos: number) => void;
}) {
  const without = chs.filter((c) => rules?.get(c.network) && !rules.get(c.network)!.threads);
  const set = (i: number, part: Draft['thread'][number]) => onChange(draft.thread.map((x, k) => (k === i ? part : x)));
  return (
    <section class="thread-editor" aria-label={t('thread.title')}>
      {draft.thread.map((part, i) => (
        <div key={i} class="thread-part" data-testid="thread-part">
          <VoiceField
            label={t('thread.part', { n: i + 2 })}
            value={part.text}
            rows={3}
            disabled={disabled}
            error={errors[`thread[${i}].text`] ?? errors[`thread[${i}]`]}
            placeholder={t('thread.placeholder')}
            onInput={(v, pos) => {
              set(i, { ...part, text: v });
              onCaret(i, pos);
            }}
            {...voice(i)}
          />
          <div class="counters">
            {chs
              .filter((c) => rules?.get(c.network)?.threads)
              .map((c) => (
                <Counter key={c.id} channel={c} lc={localCheck(rules!.get(c.network)!, part.text, part.media.length)} />
              ))}
          </div>
          <MediaEditor media={part.media} disabled={disabled} onChange={(m) => set(i, { ...part, media: m })} error={errors[`thread[${i}].media`]} />
          {!disabled && (
            <button type="button" class="btn btn-ghost btn-small btn-danger" onClick={() => onChange(draft.thread.filter((_, k) => k !== i))}>
              {t('thread.remove', { n: i + 2 })}
            </button>
          )}
        </div>
      ))}
      {errors.thread && <div class="field-error">{errors.thread}</div>}
      {draft.thread.length > 0 && without.length > 0 && <p class="warn-text small">{t('thread.unsupported', { channels: without.map((c) => c.name).join(', ') })}</p>}
      {!disabled && (
        <button type="button" class="btn btn-small" onClick={() => onChange([...draft.thread, { text: '', media: [] }])} data-testid="add-thread-part">
          + {t('thread.add')}
        </button>
      )}
    </section>
  );
}

/** VoiceBits are what a text field needs from the composer to show the brand voice. */
type VoiceBits = Omit<VoiceFieldProps, 'label' | 'value' | 'onInput'>;

function SaveIndicator({ state, at }: { state: SaveState; at: Date | null }) {
  const text =
    state === 'saving'
      ? t('common.saving')
      : state === 'dirty'
        ? t('composer.unsaved')
        : state === 'error'
          ? t('composer.notSaved')
          : state === 'saved' && at
            ? t('composer.savedAt', { time: fmtTime(at) })
            : '';
  return (
    <span class={'save-state save-' + state} aria-live="polite" data-testid="save-state" data-state={state}>
      {text}
    </span>
  );
}

function TextArea({ label, value, onInput, disabled, error, testid, placeholder, rows = 7 }: { label: string; value: string; onInput: (v: string) => void; disabled?: boolean; error?: string; testid?: string; placeholder?: string; rows?: number }) {
  const id = useId('ta');
  return (
    <div class={'field' + (error ? ' has-error' : '')}>
      <label for={id}>{label}</label>
      <textarea id={id} rows={rows} value={value} disabled={disabled} placeholder={placeholder ?? t('composer.textPlaceholder')} onInput={(e) => onInput(val(e))} aria-invalid={!!error} aria-describedby={error ? id + '-e' : undefined} data-testid={testid} />
      {error && (
        <div class="field-error" id={id + '-e'} role="alert">
          {error}
        </div>
      )}
    </div>
  );
}

/** Counter shows one channel's length as its network counts it, and the server's problems. */
export function Counter({ channel, lc, server }: { channel: Channel; lc?: LocalCheck; server?: CheckResult }) {
  if (!lc) return null;
  const left = lc.limit ? lc.limit - lc.length : 0;
  const near = lc.limit > 0 && left >= 0 && left < Math.max(10, lc.limit * 0.05);
  const problems = server?.problems ?? [];
  return (
    <div class={'counter' + (lc.over ? ' over' : near ? ' near' : '')} data-testid={'counter-' + channel.id} data-network={channel.network} data-length={lc.length} data-limit={lc.limit}>
      <NetworkIcon network={channel.network} size={14} />
      <span class="counter-name">{channel.name}</span>
      <span class="counter-num" aria-label={t('composer.counterLabel', { length: lc.length, limit: lc.limit || '∞' })}>
        {lc.length}
        {lc.limit ? ` / ${lc.limit}` : ''}
      </span>
      {lc.hashtags && lc.hashtags.count > 0 && (
        <span class={'counter-extra' + (lc.hashtags.count > lc.hashtags.limit ? ' over' : '')}>{t('composer.hashtags', { count: lc.hashtags.count, limit: lc.hashtags.limit })}</span>
      )}
      {problems.length > 0 && (
        <ul class="problems">
          {problems.map((p, i) => (
            <li key={i} class={'problem problem-' + p.severity}>
              {p.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function ChannelTab({
  channel,
  target,
  draft,
  rules,
  lc,
  server,
  errors,
  disabled,
  onChange,
  voice,
  onCaret,
}: {
  channel: Channel;
  target: TargetDraft;
  draft: Draft;
  rules?: NetworkRules;
  lc?: LocalCheck;
  server?: CheckResult;
  errors: Record<string, string>;
  disabled: boolean;
  onChange: (fn: (t: TargetDraft) => TargetDraft) => void;
  voice: VoiceBits;
  onCaret: (pos: number) => void;
}) {
  const custom = target.text !== null;
  const ownMedia = target.media !== null;
  const mediaErr = Object.entries(errors).find(([k]) => k.startsWith('media'))?.[1];
  return (
    <div class="channel-tab">
      <label class="check">
        <input type="checkbox" checked={custom} disabled={disabled} onChange={(e) => onChange((x) => ({ ...x, text: (e.currentTarget as HTMLInputElement).checked ? draft.text : null }))} data-testid="customize-text" />
        {t('composer.customizeText', { channel: channel.name })}
      </label>
      {custom ? (
        <VoiceField
          label={t('composer.textFor', { channel: channel.name })}
          value={target.text ?? ''}
          disabled={disabled}
          error={errors.text ?? errors.target}
          onInput={(v, pos) => {
            onChange((x) => ({ ...x, text: v }));
            onCaret(pos);
          }}
          testid="target-text"
          {...voice}
        />
      ) : (
        <blockquote class="base-text">{draft.text || <span class="muted">{t('composer.emptyBase')}</span>}</blockquote>
      )}
      {!custom && (errors.text || errors.target) && <div class="field-error">{errors.text || errors.target}</div>}
      <div class="counters">
        <Counter channel={channel} lc={lc} server={server} />
      </div>
      <label class="check">
        <input type="checkbox" checked={ownMedia} disabled={disabled} onChange={(e) => onChange((x) => ({ ...x, media: (e.currentTarget as HTMLInputElement).checked ? [...draft.media] : null }))} />
        {t('composer.customizeMedia')}
      </label>
      {ownMedia && <MediaEditor media={target.media ?? []} disabled={disabled} onChange={(m) => onChange((x) => ({ ...x, media: m }))} error={mediaErr} max={rules?.max_media} />}
      {rules?.first_comment ? (
        <TextArea
          label={t('composer.firstComment')}
          value={target.firstComment}
          disabled={disabled}
          rows={3}
          placeholder={t('composer.firstCommentPlaceholder')}
          error={errors.first_comment}
          onInput={(v) => onChange((x) => ({ ...x, firstComment: v }))}
          testid="first-comment"
        />
      ) : (
        <p class="muted small">{t('composer.noFirstComment', { network: rules?.name ?? channel.network })}</p>
      )}
    </div>
  );
}

function LabelsInput({ labels, onChange, disabled, error }: { labels: string[]; onChange: (l: string[]) => void; disabled?: boolean; error?: string }) {
  const [text, setText] = useState('');
  const id = useId('labels');
  const add = () => {
    const l = text.trim().replace(/,$/, '');
    if (l && !labels.some((x) => x.toLowerCase() === l.toLowerCase())) onChange([...labels, l]);
    setText('');
  };
  return (
    <div class={'field' + (error ? ' has-error' : '')}>
      <label for={id}>{t('composer.labels')}</label>
      <div class="labels-input">
        {labels.map((l) => (
          <span key={l} class="label label-chip">
            {l}
            {!disabled && (
              <button type="button" class="label-x" aria-label={t('composer.removeLabel', { label: l })} onClick={() => onChange(labels.filter((x) => x !== l))}>
                ×
              </button>
            )}
          </span>
        ))}
        <input
          id={id}
          value={text}
          disabled={disabled}
          placeholder={labels.length ? '' : t('composer.labelsPlaceholder')}
          onInput={(e) => {
            const v = val(e);
            if (v.endsWith(',')) {
              setText(v);
              setTimeout(add);
            } else setText(v);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              add();
            } else if (e.key === 'Backspace' && !text && labels.length) onChange(labels.slice(0, -1));
          }}
          onBlur={add}
          data-testid="labels-input"
        />
      </div>
      {error && <div class="field-error">{error}</div>}
    </div>
  );
}

function ReviewNotes({ post }: { post: Post }) {
  const notes = (post.review?.decisions ?? []).filter((d) => d.decision === 'changes_requested' && d.note);
  const last = notes[notes.length - 1];
  if (!last) return null;
  return (
    <div class="banner banner-warn review-note" role="note">
      <strong>{t('composer.changesRequestedBy', { name: memberName(last.reviewer_id) })}</strong> {last.note}
    </div>
  );
}

