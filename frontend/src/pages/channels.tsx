// Channels: connect accounts (OAuth, app password or a form, as each network needs; the setup an
// administrator must do when a network is not configured), see their status, reconnect, pause,
// edit posting slots and time zone. The OAuth callback comes back here with ?connected=,
// ?connect_error= or ?choose= (several accounts reached: pick which become channels).
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, ws } from '../api';
import { fmtDateTime, fmtZone, t, weekdayName } from '../i18n';
import { route, setQuery } from '../lib/router';
import { useStore } from '../lib/store';
import { allZones } from '../lib/tz';
import { channels, config, networks, refreshChannels, viewZone, workspace } from '../state';
import { atLeast, type Channel, type Network, type Page, type Slot } from '../types';
import { Avatar, channelColor, Dialog, Empty, Field, NetworkIcon, val } from '../ui/kit';
import { toast, toastError } from '../ui/toast';

export default function ChannelsPage() {
  const w = useStore(workspace)!;
  const chs = useStore(channels);
  const nets = useStore(networks);
  const r = useStore(route);
  const admin = atLeast(w.role, 'admin');
  const [connecting, setConnecting] = useState<{ net: Network; channel?: Channel } | null>(null);
  const [editing, setEditing] = useState<Channel | null>(null);
  const [choose, setChoose] = useState<{ key: string; network: string } | null>(null);
  const [banner, setBanner] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const focus = Number(r.query.get('focus') || r.query.get('connected') || 0);

  useEffect(() => {
    void refreshChannels();
    const q = r.query;
    if (q.get('connected')) {
      setBanner({ kind: 'ok', text: t('channels.connected') });
      toast('ok', t('channels.connected'));
      setQuery({ connected: null, focus: q.get('connected') });
    } else if (q.get('connect_error')) {
      setBanner({ kind: 'error', text: q.get('connect_error')! });
      setQuery({ connect_error: null });
    } else if (q.get('choose') && q.get('network')) {
      setChoose({ key: q.get('choose')!, network: q.get('network')! });
      setQuery({ choose: null, network: null });
    }
  }, []);

  useEffect(() => {
    if (focus) document.getElementById('channel-' + focus)?.scrollIntoView({ block: 'center' });
  }, [focus, chs.length]);

  async function toggle(c: Channel) {
    try {
      await api.post(ws(w.id, `/channels/${c.id}/${c.paused ? 'resume' : 'pause'}`));
      toast('ok', c.paused ? t('channels.resumed', { name: c.name }) : t('channels.paused', { name: c.name }));
      await refreshChannels();
    } catch (e) {
      toastError(e);
    }
  }

  async function remove(c: Channel) {
    if (!window.confirm(t('channels.deleteConfirm', { name: c.name }))) return;
    try {
      await api.del(ws(w.id, `/channels/${c.id}`));
      toast('ok', t('channels.deleted', { name: c.name }));
      await refreshChannels();
    } catch (e) {
      toastError(e);
    }
  }

  return (
    <div class="page channels-page">
      <div class="page-head">
        <h1>{t('channels.title')}</h1>
      </div>
      {banner && (
        <div class={'banner banner-' + banner.kind} role="status">
          {banner.text}{' '}
          <button class="btn btn-ghost btn-small" onClick={() => setBanner(null)}>
            {t('common.dismiss')}
          </button>
        </div>
      )}
      <section>
        {!chs.length && <Empty>{t('channels.none')}</Empty>}
        <ul class="channel-list">
          {chs.map((c) => {
            const net = nets.find((n) => n.name === c.network);
            return (
              <li key={c.id} id={'channel-' + c.id} class={'card channel-card' + (focus === c.id ? ' focused' : '')} style={{ borderLeftColor: channelColor(c) }} data-testid="channel">
                <div class="channel-head">
                  <Avatar name={c.name} url={c.avatar_url || undefined} size={40} />
                  <div class="channel-who">
                    <strong>{c.name}</strong>
                    <span class="muted small">
                      <NetworkIcon network={c.network} size={14} /> {net?.display_name ?? c.network} {c.handle && '· ' + c.handle}
                    </span>
                  </div>
                  <span class={'badge chstatus-' + (c.paused ? 'paused' : c.status)}>{c.paused ? t('channels.status.paused') : t('channels.status.' + c.status)}</span>
                </div>
                {c.status === 'needs_reconnect' && <p class="target-error">{c.status_reason || t('channels.needsReconnect')}</p>}
                {c.token_expires_at && <p class="muted small">{t('channels.tokenExpires', { when: fmtDateTime(c.token_expires_at, viewZone.get()) })}</p>}
                <div class="slots-line">
                  <span class="muted small">{t('channels.slots')}:</span>{' '}
                  {c.slots.length ? (
                    c.slots
                      .slice()
                      .sort((a, b) => a.weekday - b.weekday || a.time.localeCompare(b.time))
                      .map((s) => (
                        <span key={s.weekday + s.time} class="label">
                          {weekdayName(s.weekday, 'short')} {s.time}
                        </span>
                      ))
                  ) : (
                    <span class="muted small">{t('channels.noSlots')}</span>
                  )}
                  <span class="muted small"> · {fmtZone(c.time_zone)}</span>
                </div>
                {admin && (
                  <div class="channel-actions">
                    <button class="btn btn-small" onClick={() => setEditing(c)} data-testid="edit-channel">
                      {t('channels.edit')}
                    </button>
                    <button class="btn btn-small" onClick={() => void toggle(c)}>
                      {c.paused ? t('channels.resume') : t('channels.pause')}
                    </button>
                    {net && !net.setup && (c.status !== 'connected' || net.connect === 'oauth2') && (
                      <button class={'btn btn-small' + (c.status !== 'connected' ? ' btn-primary' : '')} onClick={() => setConnecting({ net, channel: c })}>
                        {t('channels.reconnect')}
                      </button>
                    )}
                    <button class="btn btn-small btn-ghost btn-danger" onClick={() => void remove(c)}>
                      {t('common.delete')}
                    </button>
                  </div>
                )}
              </li>
            );
          })}
        </ul>
      </section>
      {admin && (
        <section class="connect-section">
          <h2>{t('channels.connectTitle')}</h2>
          <ul class="network-grid">
            {nets.map((n) => (
              <li key={n.name} class="card network-card" data-testid={'network-' + n.name}>
                <div class="channel-head">
                  <NetworkIcon network={n.name} size={28} />
                  <strong>{n.display_name}</strong>
                  {n.sandbox && <span class="badge">{t('channels.demo')}</span>}
                </div>
                {n.setup ? (
                  <p class="muted small setup">{n.setup}</p>
                ) : (
                  <button class="btn btn-primary btn-small" onClick={() => setConnecting({ net: n })} data-testid={'connect-' + n.name}>
                    {t('channels.connect')}
                  </button>
                )}
              </li>
            ))}
          </ul>
          {!config.sandbox && <p class="muted small">{t('channels.sandboxHint')}</p>}
        </section>
      )}
      {connecting && <ConnectDialog net={connecting.net} channel={connecting.channel} onClose={() => setConnecting(null)} />}
      {editing && <EditDialog channel={editing} onClose={() => setEditing(null)} />}
      {choose && <ChooseInner choiceKey={choose.key} network={choose.network} onClose={() => setChoose(null)} />}
    </div>
  );
}

function ConnectDialog({ net, channel, onClose }: { net: Network; channel?: Channel; onClose: () => void }) {
  const w = useStore(workspace)!;
  const [values, setValues] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState<ApiError | null>(null);
  const set = (k: string, v: string) => setValues((x) => ({ ...x, [k]: v }));

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setErr(null);
    const body: Record<string, unknown> = channel ? { channel_id: channel.id } : {};
    if (net.connect === 'oauth2') {
      if (net.name === 'mastodon') body.instance = values.instance ?? '';
    } else if (net.connect === 'app_password') {
      Object.assign(body, { identifier: values.identifier ?? '', password: values.password ?? '', server: values.server ?? '' });
    } else {
      body.values = values;
    }
    try {
      const res = await api.post<{ authorize_url?: string } & Partial<Channel>>(ws(w.id, `/connect/${net.name}`), body);
      if (res.authorize_url) {
        // The network's sign-in page; it comes back to /#/channels with the outcome.
        location.assign(res.authorize_url);
        return;
      }
      toast('ok', t('channels.connected'));
      await refreshChannels();
      onClose();
    } catch (x) {
      if (x instanceof ApiError) setErr(x);
      else toastError(x);
    } finally {
      setBusy(false);
    }
  }

  const fieldErr = (name: string) => err?.fields[name] ?? err?.fields['values.' + name];
  const generalErr = err && !Object.keys(err.fields).length ? err.message : '';
  return (
    <Dialog title={channel ? t('channels.reconnectTitle', { name: channel.name }) : t('channels.connectTo', { network: net.display_name })} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        {net.connect === 'oauth2' && (
          <>
            <p class="muted">{t('channels.oauthHelp', { network: net.display_name })}</p>
            {net.name === 'mastodon' && (
              <Field label={t('channels.instance')} error={fieldErr('instance')} hint={t('channels.instanceHint')}>
                {(id, d) => <input id={id} value={values.instance ?? ''} placeholder="mastodon.social" aria-describedby={d} onInput={(e) => set('instance', val(e))} autofocus />}
              </Field>
            )}
          </>
        )}
        {net.connect === 'app_password' && (
          <>
            <Field label={t('channels.identifier')} error={fieldErr('identifier')}>
              {(id, d) => <input id={id} value={values.identifier ?? ''} placeholder="you.bsky.social" aria-describedby={d} onInput={(e) => set('identifier', val(e))} autofocus />}
            </Field>
            <Field label={t('channels.appPassword')} error={fieldErr('password')} hint={t('channels.appPasswordHint')}>
              {(id, d) => <input id={id} type="password" autocomplete="off" value={values.password ?? ''} aria-describedby={d} onInput={(e) => set('password', val(e))} />}
            </Field>
            <Field label={t('channels.server')} error={fieldErr('server')} hint={t('channels.serverHint')}>
              {(id, d) => <input id={id} value={values.server ?? ''} placeholder="https://bsky.social" aria-describedby={d} onInput={(e) => set('server', val(e))} />}
            </Field>
          </>
        )}
        {net.connect === 'form' &&
          (net.form ?? []).map((f) => (
            <Field key={f.name} label={f.label + (f.optional ? ' ' + t('channels.optional') : '')} error={fieldErr(f.name)} hint={f.help}>
              {(id, d) => <input id={id} type={f.secret ? 'password' : 'text'} autocomplete="off" placeholder={f.placeholder} value={values[f.name] ?? ''} aria-describedby={d} onInput={(e) => set(f.name, val(e))} />}
            </Field>
          ))}
        {generalErr && (
          <div class="form-error" role="alert">
            {generalErr}
          </div>
        )}
        <div class="dialog-actions">
          <button type="button" class="btn" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {net.connect === 'oauth2' ? t('channels.continueTo', { network: net.display_name }) : t('channels.connect')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function ChooseInner({ choiceKey, network, onClose }: { choiceKey: string; network: string; onClose: () => void }) {
  const w = useStore(workspace)!;
  const [items, setItems] = useState<{ id: string; name: string; handle?: string; avatar_url?: string; kind?: string }[] | null>(null);
  const [picked, setPicked] = useState<string[]>([]);
  const [err, setErr] = useState('');
  useEffect(() => {
    api
      .get<Page<{ id: string; name: string; handle?: string; avatar_url?: string; kind?: string }>>(ws(w.id, `/connect/${network}/choices?key=${encodeURIComponent(choiceKey)}`))
      .then((p) => setItems(p.items))
      .catch((e) => setErr(e instanceof ApiError ? e.message : String(e)));
  }, []);
  async function save() {
    try {
      await api.post(ws(w.id, `/connect/${network}/choose`), { key: choiceKey, ids: picked });
      toast('ok', t('channels.connected'));
      await refreshChannels();
      onClose();
    } catch (e) {
      setErr(e instanceof ApiError ? e.fields.ids || e.message : String(e));
    }
  }
  return (
    <Dialog title={t('channels.chooseTitle')} onClose={onClose}>
      <p class="muted">{t('channels.chooseHelp')}</p>
      {err && <div class="form-error">{err}</div>}
      {items?.map((c) => (
        <label key={c.id} class="check choice">
          <input type="checkbox" checked={picked.includes(c.id)} onChange={(e) => setPicked((l) => ((e.currentTarget as HTMLInputElement).checked ? [...l, c.id] : l.filter((x) => x !== c.id)))} />
          <Avatar name={c.name} url={c.avatar_url} size={28} />
          <span>
            <strong>{c.name}</strong> <span class="muted small">{[c.handle, c.kind].filter(Boolean).join(' · ')}</span>
          </span>
        </label>
      ))}
      <div class="dialog-actions">
        <button class="btn" onClick={onClose}>
          {t('common.cancel')}
        </button>
        <button class="btn btn-primary" disabled={!picked.length} onClick={() => void save()}>
          {t('channels.addChosen')}
        </button>
      </div>
    </Dialog>
  );
}

function EditDialog({ channel, onClose }: { channel: Channel; onClose: () => void }) {
  const w = useStore(workspace)!;
  const [name, setName] = useState(channel.name);
  const [zone, setZone] = useState(channel.time_zone);
  const [slots, setSlots] = useState<Slot[]>(channel.slots.slice().sort((a, b) => a.weekday - b.weekday || a.time.localeCompare(b.time)));
  const [err, setErr] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  async function save(e: Event) {
    e.preventDefault();
    setBusy(true);
    setErr(null);
    try {
      await api.patch(ws(w.id, `/channels/${channel.id}`), { name, time_zone: zone });
      await api.put(ws(w.id, `/channels/${channel.id}/slots`), { slots });
      toast('ok', t('channels.saved'));
      await refreshChannels();
      onClose();
    } catch (x) {
      if (x instanceof ApiError) setErr(x);
      toastError(x);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog title={t('channels.editTitle', { name: channel.name })} onClose={onClose} wide>
      <form onSubmit={save}>
        <Field label={t('channels.name')} error={err?.fields.name}>
          {(id) => <input id={id} value={name} onInput={(e) => setName(val(e))} />}
        </Field>
        <Field label={t('calendar.timeZone')} error={err?.fields.time_zone} hint={t('channels.zoneHint')}>
          {(id) => (
            <select id={id} value={zone} onChange={(e) => setZone(val(e))}>
              {Array.from(new Set([zone, w.time_zone, ...allZones()])).map((z) => (
                <option key={z} value={z}>
                  {z}
                </option>
              ))}
            </select>
          )}
        </Field>
        <fieldset class="slots-editor">
          <legend>{t('channels.slots')}</legend>
          <p class="hint">{t('channels.slotsHint')}</p>
          {slots.map((s, i) => (
            <div key={i} class="slot-row">
              <select aria-label={t('channels.weekday')} value={s.weekday} onChange={(e) => setSlots(slots.map((x, k) => (k === i ? { ...x, weekday: Number(val(e)) } : x)))}>
                {[1, 2, 3, 4, 5, 6, 0].map((d) => (
                  <option key={d} value={d}>
                    {weekdayName(d)}
                  </option>
                ))}
              </select>
              <input type="time" aria-label={t('composer.time')} value={s.time} onInput={(e) => setSlots(slots.map((x, k) => (k === i ? { ...x, time: val(e) } : x)))} aria-invalid={!!err?.fields[`slots[${i}].time`]} />
              <button type="button" class="icon-btn" aria-label={t('common.remove')} onClick={() => setSlots(slots.filter((_, k) => k !== i))}>
                ×
              </button>
              {err?.fields[`slots[${i}].time`] && <span class="field-error">{err.fields[`slots[${i}].time`]}</span>}
            </div>
          ))}
          <button type="button" class="btn btn-small" onClick={() => setSlots([...slots, { weekday: 1, time: '09:00' }])}>
            + {t('channels.addSlot')}
          </button>
        </fieldset>
        <div class="dialog-actions">
          <button type="button" class="btn" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button class="btn btn-primary" disabled={busy}>
            {t('common.save')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
