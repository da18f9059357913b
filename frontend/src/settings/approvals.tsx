// Settings → Approvals: multi-step approval policies (the workspace's own steps, and the steps a
// label adds, each approved by a role and above, by named members — any one, some, or all — or
// by the client through a review link), and the review settings (approval deadlines, reminders,
// the duplicate and conflict checks at submission). Loaded when the tab opens.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, ws } from '../api';
import { t } from '../i18n';
import { useStore } from '../lib/store';
import { members, workspace } from '../state';
import { atLeast, type ApprovalStep, type Page, type ReviewSettings, type Role, type StepPolicy } from '../types';
import { Field, Spinner, val } from '../ui/kit';
import { toast, toastError } from '../ui/toast';
import { approversOf } from '../voice/steps';
import { memberName } from '../state';
import { ErrorSummary, NumberField } from './fields';

type Kind = 'role' | 'members' | 'client';
// A step's approvers: the client, a role (and above), else the members it names.
const kindOf = (s: ApprovalStep): Kind => (s.client ? 'client' : s.role ? 'role' : 'members');

/** stepRequest is a step as the API takes it: exactly one kind of approver. */
export function stepRequest(s: ApprovalStep): ApprovalStep {
  const kind = kindOf(s);
  return {
    name: s.name.trim(),
    role: kind === 'role' ? s.role || 'editor' : '',
    members: kind === 'members' ? s.members : [],
    client: kind === 'client',
    mode: kind === 'members' ? s.mode : 'any',
    min_approvals: kind === 'client' ? 1 : s.mode === 'all' ? 0 : Math.max(1, s.min_approvals || 1),
  };
}

export default function ApprovalSettings() {
  const w = useStore(workspace)!;
  const admin = atLeast(w.role, 'admin');
  const [list, setList] = useState<StepPolicy[] | null>(null);
  const [adding, setAdding] = useState(false);
  const load = () =>
    api.get<Page<StepPolicy>>(ws(w.id, '/approval-policies')).then(
      (p) => setList([...p.items].sort((a, b) => a.position - b.position || a.id - b.id)),
      toastError,
    );
  useEffect(() => {
    void load();
  }, [w.id]);
  return (
    <>
      <section class="card">
        <h2>{t('policies.title')}</h2>
        <p class="muted small">{t('policies.help', { n: w.approval_policy.required_approvals })}</p>
        {!admin && <p class="muted small">{t('settings.adminsOnly')}</p>}
        {!list ? (
          <Spinner />
        ) : (
          <>
            {list.map((p) => (
              <PolicyEditor key={p.id + ':' + p.updated_at} policy={p} editable={admin} onSaved={load} />
            ))}
            {!list.length && !adding && <p class="muted">{t('policies.none')}</p>}
            {adding && (
              <PolicyEditor
                policy={{ id: 0, name: '', label: '', position: list.length, steps: [{ name: '', role: 'editor', members: [], client: false, mode: 'any', min_approvals: 1 }], created_at: '', updated_at: '' }}
                editable={admin}
                onSaved={() => {
                  setAdding(false);
                  void load();
                }}
                onCancel={() => setAdding(false)}
              />
            )}
            {admin && !adding && (
              <button class="btn" onClick={() => setAdding(true)} data-testid="add-policy">
                + {t('policies.add')}
              </button>
            )}
          </>
        )}
      </section>
      <ReviewSettingsForm editable={admin} />
    </>
  );
}

function PolicyEditor({ policy, editable, onSaved, onCancel }: { policy: StepPolicy; editable: boolean; onSaved: () => void; onCancel?: () => void }) {
  const w = useStore(workspace)!;
  const mems = useStore(members);
  const [p, setP] = useState(policy);
  const [err, setErr] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const fe = (k: string) => err?.fields[k];
  const setStep = (i: number, s: ApprovalStep) => setP({ ...p, steps: p.steps.map((x, k) => (k === i ? s : x)) });
  const move = (i: number, d: number) => {
    const steps = [...p.steps];
    const [s] = steps.splice(i, 1);
    steps.splice(i + d, 0, s);
    setP({ ...p, steps });
  };

  async function save(e: Event) {
    e.preventDefault();
    setBusy(true);
    setErr(null);
    const body = { name: p.name.trim(), label: p.label.trim(), position: p.position, steps: p.steps.map(stepRequest) };
    try {
      if (p.id) await api.put(ws(w.id, `/approval-policies/${p.id}`), body);
      else await api.post(ws(w.id, '/approval-policies'), body);
      toast('ok', t('policies.saved', { name: body.name }));
      onSaved();
    } catch (x) {
      if (x instanceof ApiError) setErr(x);
      toastError(x);
    } finally {
      setBusy(false);
    }
  }
  async function remove() {
    if (!window.confirm(t('policies.deleteConfirm', { name: p.name }))) return;
    try {
      await api.del(ws(w.id, `/approval-policies/${p.id}`));
      toast('ok', t('policies.deleted', { name: p.name }));
      onSaved();
    } catch (x) {
      toastError(x);
    }
  }

  return (
    <form class="policy card-inner" onSubmit={save} data-testid="policy">
      <ErrorSummary err={err} />
      <fieldset class="plain" disabled={!editable}>
        <div class="grid3">
          <Field label={t('policies.name')} error={fe('name')}>
            {(id) => <input id={id} value={p.name} onInput={(e) => setP({ ...p, name: val(e) })} data-testid="policy-name" />}
          </Field>
          <Field label={t('policies.label')} error={fe('label')} hint={t('policies.labelHint')}>
            {(id, d) => <input id={id} value={p.label} aria-describedby={d} onInput={(e) => setP({ ...p, label: val(e) })} data-testid="policy-label" />}
          </Field>
          <NumberField label={t('policies.position')} value={p.position} min={0} max={1000} onChange={(v) => setP({ ...p, position: v ?? 0 })} error={fe('position')} hint={t('policies.positionHint')} />
        </div>
        <ol class="steps-editor">
          {p.steps.map((s, i) => {
            const kind = kindOf(s);
            return (
              <li key={i} class="step-editor" data-testid="step-editor">
                <div class="grid3">
                  <Field label={t('policies.stepName', { n: i + 1 })} error={fe(`steps[${i}].name`)}>
                    {(id) => <input id={id} value={s.name} onInput={(e) => setStep(i, { ...s, name: val(e) })} placeholder={t('policies.stepNamePlaceholder')} data-testid="step-name" />}
                  </Field>
                  <Field label={t('policies.approvers')}>
                    {(id) => (
                      <select
                        id={id}
                        value={kind}
                        onChange={(e) => {
                          const k = val(e) as Kind;
                          setStep(i, { ...s, client: k === 'client', role: k === 'role' ? s.role || 'editor' : '', members: k === 'members' ? s.members : [], mode: 'any', min_approvals: 1 });
                        }}
                        data-testid="step-kind"
                      >
                        <option value="role">{t('policies.kind.role')}</option>
                        <option value="members">{t('policies.kind.members')}</option>
                        <option value="client">{t('policies.kind.client')}</option>
                      </select>
                    )}
                  </Field>
                  {kind === 'role' && (
                    <Field label={t('settings.role')}>
                      {(id) => (
                        <select id={id} value={s.role || 'editor'} onChange={(e) => setStep(i, { ...s, role: val(e) as Role })}>
                          {(['editor', 'admin', 'owner'] as Role[]).map((r) => (
                            <option key={r} value={r}>
                              {t('policies.roleAndAbove', { role: t('role.' + r) })}
                            </option>
                          ))}
                        </select>
                      )}
                    </Field>
                  )}
                  {kind === 'members' && (
                    <Field label={t('policies.mode')}>
                      {(id) => (
                        <select id={id} value={s.mode} onChange={(e) => setStep(i, { ...s, mode: val(e) as 'any' | 'all' })}>
                          <option value="any">{t('policies.modeAny')}</option>
                          <option value="all">{t('policies.modeAll')}</option>
                        </select>
                      )}
                    </Field>
                  )}
                  {kind !== 'client' && s.mode !== 'all' && (
                    <NumberField label={t('policies.min')} value={s.min_approvals || 1} min={1} max={10} onChange={(v) => setStep(i, { ...s, min_approvals: v ?? 1 })} />
                  )}
                </div>
                {kind === 'members' && (
                  <fieldset class="members-pick">
                    <legend>{t('policies.members')}</legend>
                    {mems
                      .filter((m) => m.role !== 'viewer')
                      .map((m) => (
                        <label key={m.user_id} class="check">
                          <input
                            type="checkbox"
                            checked={s.members.includes(m.user_id)}
                            onChange={(e) => setStep(i, { ...s, members: (e.currentTarget as HTMLInputElement).checked ? [...s.members, m.user_id] : s.members.filter((x) => x !== m.user_id) })}
                          />
                          {m.name} <span class="muted small">{t('role.' + m.role)}</span>
                        </label>
                      ))}
                  </fieldset>
                )}
                {fe(`steps[${i}]`) && <div class="field-error">{fe(`steps[${i}]`)}</div>}
                <div class="step-tools">
                  <span class="muted small">{approversOf(stepRequest(s), memberName)}</span>
                  <span class="spacer" />
                  <button type="button" class="btn btn-small btn-ghost" disabled={i === 0} onClick={() => move(i, -1)} aria-label={t('policies.up', { n: i + 1 })}>
                    ↑
                  </button>
                  <button type="button" class="btn btn-small btn-ghost" disabled={i === p.steps.length - 1} onClick={() => move(i, 1)} aria-label={t('policies.down', { n: i + 1 })}>
                    ↓
                  </button>
                  <button type="button" class="btn btn-small btn-ghost btn-danger" onClick={() => setP({ ...p, steps: p.steps.filter((_, k) => k !== i) })}>
                    {t('common.remove')}
                  </button>
                </div>
              </li>
            );
          })}
        </ol>
        {fe('steps') && <div class="field-error">{fe('steps')}</div>}
        <button type="button" class="btn btn-small" onClick={() => setP({ ...p, steps: [...p.steps, { name: '', role: 'editor', members: [], client: false, mode: 'any', min_approvals: 1 }] })} data-testid="add-step">
          + {t('policies.addStep')}
        </button>
      </fieldset>
      {editable && (
        <div class="form-actions">
          <button class="btn btn-primary" disabled={busy} data-testid="policy-save">
            {t('common.save')}
          </button>
          {onCancel && (
            <button type="button" class="btn" onClick={onCancel}>
              {t('common.cancel')}
            </button>
          )}
          {p.id > 0 && (
            <button type="button" class="btn btn-ghost btn-danger" onClick={() => void remove()}>
              {t('common.delete')}
            </button>
          )}
        </div>
      )}
    </form>
  );
}

function ReviewSettingsForm({ editable }: { editable: boolean }) {
  const w = useStore(workspace)!;
  const [rs, setRs] = useState<ReviewSettings | null>(null);
  const [err, setErr] = useState<ApiError | null>(null);
  useEffect(() => {
    api.get<ReviewSettings>(ws(w.id, '/review-settings')).then(setRs, toastError);
  }, [w.id]);
  if (!rs) return null;
  const fe = (k: string) => err?.fields[k];
  const set = (k: keyof ReviewSettings) => (v: number | null) => setRs({ ...rs, [k]: v ?? 0 });
  async function save(e: Event) {
    e.preventDefault();
    setErr(null);
    try {
      setRs(await api.put<ReviewSettings>(ws(w.id, '/review-settings'), rs));
      toast('ok', t('settings.saved'));
    } catch (x) {
      if (x instanceof ApiError) setErr(x);
      toastError(x);
    }
  }
  return (
    <section class="card">
      <h2>{t('reviewSet.title')}</h2>
      <form onSubmit={save} data-testid="review-settings">
        <fieldset class="plain" disabled={!editable}>
          <h3>{t('reviewSet.deadlines')}</h3>
          <div class="grid2">
            <NumberField label={t('reviewSet.lead')} value={rs.approval_lead_minutes} min={0} onChange={set('approval_lead_minutes')} error={fe('approval_lead_minutes')} hint={t('reviewSet.leadHint')} testid="rs-lead" />
            <NumberField label={t('reviewSet.reminder')} value={rs.reminder_minutes} min={0} onChange={set('reminder_minutes')} error={fe('reminder_minutes')} hint={t('reviewSet.reminderHint')} />
          </div>
          <h3>{t('reviewSet.checks')}</h3>
          <div class="grid3">
            <NumberField label={t('reviewSet.dupWindow')} value={rs.duplicate_window_days} min={0} max={90} onChange={set('duplicate_window_days')} error={fe('duplicate_window_days')} hint={t('reviewSet.dupWindowHint')} />
            <NumberField label={t('reviewSet.similarity')} value={rs.duplicate_similarity} min={50} max={100} onChange={set('duplicate_similarity')} error={fe('duplicate_similarity')} hint={t('reviewSet.similarityHint')} />
            <NumberField label={t('reviewSet.conflict')} value={rs.conflict_window_minutes} min={0} max={1440} onChange={set('conflict_window_minutes')} error={fe('conflict_window_minutes')} hint={t('reviewSet.conflictHint')} />
          </div>
        </fieldset>
        {editable && (
          <div class="form-actions">
            <button class="btn btn-primary" data-testid="review-settings-save">
              {t('common.save')}
            </button>
          </div>
        )}
      </form>
    </section>
  );
}
