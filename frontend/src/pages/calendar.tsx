// The calendar: month, week, day and list views of the workspace's posts (FullCalendar's MIT
// packages), in the workspace's time zone or one the user picks, filtered by channel, status,
// label and author. Drag a post to reschedule it (the server decides; its refusal is shown and the
// post goes back; a success can be undone); click an empty slot to write a post for that time.
import { Calendar, type EventApi, type EventInput, type EventSourceFuncArg } from '@fullcalendar/core';
import frLocale from '@fullcalendar/core/locales/fr';
import dayGridPlugin from '@fullcalendar/daygrid';
import interactionPlugin from '@fullcalendar/interaction';
import listPlugin from '@fullcalendar/list';
import timeGridPlugin from '@fullcalendar/timegrid';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, query, ws } from '../api';
import { closeComposer, openComposer, postsChanged } from '../composer/open';
import { fmtDate, fmtTime, fmtZone, locale, t, tn } from '../i18n';
import intlTz from '../lib/fctz';
import { navigate } from '../lib/router';
import { displayStatus, movable, postLabel } from '../lib/status';
import { useStore } from '../lib/store';
import { addDays, allZones, browserZone, dateString, instantOf, weekdayOf, wallOf } from '../lib/tz';
import { channelById, channels, members, setViewZone, viewZone, workspace } from '../state';
import { atLeast, POST_STATUSES, type CalendarPost, type CalendarResponse, type Channel } from '../types';
import { channelColor, Dialog, esc, NetworkIcon, networkIconHTML, StatusBadge } from '../ui/kit';
import { toast, toastError } from '../ui/toast';

type ViewName = 'dayGridMonth' | 'timeGridWeek' | 'timeGridDay' | 'listMonth';
const VIEWS: { name: ViewName; key: string; label: string }[] = [
  { name: 'dayGridMonth', key: 'm', label: 'calendar.month' },
  { name: 'timeGridWeek', key: 'w', label: 'calendar.week' },
  { name: 'timeGridDay', key: 'd', label: 'calendar.day' },
  { name: 'listMonth', key: 'l', label: 'calendar.list' },
];

export interface Filters {
  channel: number[];
  status: string[];
  label: string[];
  author: number[];
}

const FILTER_KEY = 'herald.filters.';
const VIEW_KEY = 'herald.view';
const DAY = 86400e3;

function loadFilters(wid: number): Filters {
  try {
    const f = JSON.parse(localStorage.getItem(FILTER_KEY + wid) || '{}');
    return { channel: f.channel ?? [], status: f.status ?? [], label: f.label ?? [], author: f.author ?? [] };
  } catch {
    return { channel: [], status: [], label: [], author: [] };
  }
}

interface Prefetch {
  wid: number;
  from: number;
  to: number;
  zone: string;
  filters: string;
  res: Promise<CalendarResponse>;
}
let prefetched: Prefetch | null = null;

/**
 * prefetchCalendar asks for the weeks around this month as soon as the page starts, with the
 * workspace, zone and filters of the last visit, so the posts arrive while the session and the
 * calendar are still being set up rather than after. The calendar uses the answer when it covers
 * the range and the filters it needs, and asks again otherwise.
 */
export function prefetchCalendar() {
  try {
    const wid = Number(localStorage.getItem('herald.workspace') || 0);
    if (!wid) return;
    const zone = localStorage.getItem('herald.zone.' + wid);
    if (!zone) return;
    const now = wallOf(new Date(), zone);
    const first = instantOf({ year: now.year, month: now.month, day: 1, hour: 0, minute: 0 }, zone);
    const from = new Date(first.getTime() - 7 * DAY);
    const to = new Date(instantOf({ year: now.month === 12 ? now.year + 1 : now.year, month: (now.month % 12) + 1, day: 1, hour: 0, minute: 0 }, zone).getTime() + 14 * DAY);
    const f = loadFilters(wid);
    const res = api.get<CalendarResponse>(ws(wid, '/calendar' + calendarQuery(from.toISOString(), to.toISOString(), zone, f)), { quiet401: true });
    res.catch(() => {});
    prefetched = { wid, from: from.getTime(), to: to.getTime(), zone, filters: JSON.stringify(f), res };
  } catch {
    prefetched = null;
  }
}

/** takePrefetch returns the early answer when it covers what the calendar asks for. */
function takePrefetch(wid: number, from: Date, to: Date, zone: string, f: Filters): Promise<CalendarResponse> | null {
  const p = prefetched;
  prefetched = null;
  if (!p || p.wid !== wid || p.zone !== zone || p.filters !== JSON.stringify(f) || from.getTime() < p.from || to.getTime() > p.to) return null;
  return p.res.then((res) => ({ ...res, posts: res.posts.filter((x) => x.scheduled_at && Date.parse(x.scheduled_at) >= from.getTime() && Date.parse(x.scheduled_at) < to.getTime()) }));
}

/** calendarQuery is the API query for a range and the filters (exported for tests). */
export function calendarQuery(from: string, to: string, zone: string, f: Filters): string {
  return query({ from, to, tz: zone, fields: 'lean', channel: f.channel, status: f.status, label: f.label, author: f.author });
}

/** toEvent turns a post into a calendar event. */
export function toEvent(p: CalendarPost, canMove: boolean): EventInput {
  const first = p.targets[0];
  const color = first ? channelColor(first.channel_id) : '#868e96';
  const st = displayStatus(p);
  return {
    id: String(p.id),
    start: p.scheduled_at!,
    title: postLabel(p),
    backgroundColor: color + '1a',
    borderColor: color,
    textColor: '#1f2328',
    classNames: ['post-ev', 'st-' + st],
    startEditable: canMove && movable(p.status),
    durationEditable: false,
    extendedProps: { post: p, status: st },
  };
}

/** In the month grid a day shows at most this many posts, then "+N more" (which lists them all). */
export const SHOWN_PER_DAY = 2;

/**
 * buildEvents turns posts into calendar events. In the month grid, a day with more posts than
 * fit shows its first SHOWN_PER_DAY and a "+N more" entry: FullCalendar would otherwise build
 * (hidden) elements for every post, and 2,000 of them take seconds to lay out.
 */
export function buildEvents(posts: CalendarPost[], month: boolean, zone: string, canWrite: boolean): EventInput[] {
  const planned = posts.filter((p) => p.scheduled_at);
  if (!month) return planned.map((p) => toEvent(p, canWrite));
  const byDay = new Map<string, CalendarPost[]>();
  for (const p of planned) {
    const day = dateString(new Date(p.scheduled_at!), zone);
    let l = byDay.get(day);
    if (!l) byDay.set(day, (l = []));
    l.push(p);
  }
  const out: EventInput[] = [];
  for (const [day, list] of byDay) {
    if (list.length <= SHOWN_PER_DAY + 1) {
      for (const p of list) out.push(toEvent(p, canWrite));
      continue;
    }
    for (const p of list.slice(0, SHOWN_PER_DAY)) out.push(toEvent(p, canWrite));
    out.push({
      id: 'more-' + day,
      start: list[SHOWN_PER_DAY].scheduled_at!,
      classNames: ['more-ev'],
      editable: false,
      startEditable: false,
      backgroundColor: 'transparent',
      borderColor: 'transparent',
      extendedProps: { more: { day, posts: list } },
    });
  }
  return out;
}

function eventHTML(p: CalendarPost, status: string, timeText: string, compact: boolean): string {
  const icons = p.targets
    .slice(0, 4)
    .map((tg) => networkIconHTML(channelById(tg.channel_id)?.network ?? '?', 14))
    .join('');
  const more = p.targets.length > 4 ? `<span class="ev-more">+${p.targets.length - 4}</span>` : '';
  const links = p.targets
    .filter((tg) => tg.status === 'published' && tg.external_url)
    .map(
      (tg) =>
        `<span class="ev-link" role="link" tabindex="0" data-url="${esc(tg.external_url!)}" aria-label="${esc(t('calendar.openPublished', { channel: channelById(tg.channel_id)?.name ?? '' }))}" title="${esc(tg.external_url!)}">↗</span>`,
    )
    .join('');
  const badge = `<span class="badge status-${status}${compact ? ' badge-compact' : ''}" data-status="${status}">${esc(t('status.' + status))}</span>`;
  // The brand voice score of the post's current revision (none when the workspace has no profile).
  const vs = p.voice_score;
  const score =
    vs === null || vs === undefined
      ? ''
      : `<span class="ev-score score-small score-${vs >= 90 ? 'good' : vs >= 70 ? 'fair' : 'poor'}" data-score="${vs}" title="${esc(t('voice.scoreTitle', { score: vs }))}">◆${vs}</span>`;
  const labels = compact || !p.labels.length ? '' : `<span class="ev-labels">${p.labels.map((l) => `<span class="label">${esc(l)}</span>`).join('')}</span>`;
  return `<div class="ev" data-post="${p.id}"><span class="ev-line">${timeText ? `<span class="ev-time">${esc(timeText)}</span>` : ''}<span class="ev-icons">${icons}${more}</span>${badge}${score}${links}</span><span class="ev-title">${esc(postLabel(p))}</span>${labels}</div>`;
}

/**
 * slotMarkers are the channels' posting slots in a range, as faint background events. They are
 * made for whatever range FullCalendar fetches (it reuses a month's events for the weeks in it)
 * and shown only in the week and day views (styles.css hides them in the month grid).
 */
export function slotMarkers(chs: Channel[], from: Date, to: Date): EventInput[] {
  const out: EventInput[] = [];
  const days = Math.ceil((to.getTime() - from.getTime()) / DAY) + 2;
  for (const ch of chs) {
    if (ch.paused) continue;
    const start = wallOf(from.getTime() - DAY, ch.time_zone);
    for (let i = 0; i < days; i++) {
      const day = addDays({ ...start, hour: 0, minute: 0, second: 0 }, i);
      const wd = weekdayOf(day);
      for (const s of ch.slots) {
        if (s.weekday !== wd) continue;
        const [hh, mm] = s.time.split(':').map(Number);
        const at = instantOf({ ...day, hour: hh, minute: mm }, ch.time_zone);
        if (at < from || at >= to) continue;
        out.push({
          start: at,
          end: new Date(at.getTime() + 15 * 60e3),
          display: 'background',
          classNames: ['slot-marker'],
          backgroundColor: channelColor(ch),
          extendedProps: { slot: true, channel: ch.id },
        });
      }
    }
  }
  return out;
}

export function CalendarPage() {
  const w = useStore(workspace)!;
  const zone = useStore(viewZone);
  const chs = useStore(channels);
  const mems = useStore(members);
  const changed = useStore(postsChanged);
  const el = useRef<HTMLDivElement>(null);
  const cal = useRef<Calendar | null>(null);
  const [title, setTitle] = useState('');
  const [view, setView] = useState<ViewName>((localStorage.getItem(VIEW_KEY) as ViewName) || 'dayGridMonth');
  const [filters, setFilters] = useState<Filters>(() => loadFilters(w.id));
  const [labels, setLabels] = useState<string[]>([]);
  const [loading, setLoading] = useState(false);
  const [truncated, setTruncated] = useState(false);
  const [count, setCount] = useState(0);
  const [help, setHelp] = useState(false);
  const lastData = useRef<{ key: string; res: CalendarResponse } | null>(null);
  const inflight = useRef<{ key: string; req: Promise<CalendarResponse> } | null>(null);
  const viewKind = useRef<'month' | 'other' | null>(null);
  const [dayList, setDayList] = useState<{ day: string; posts: CalendarPost[] } | null>(null);
  const filtersRef = useRef(filters);
  filtersRef.current = filters;
  const canWrite = atLeast(w.role, 'author');

  // Build the calendar once per workspace and language; options that change later are set on it.
  useEffect(() => {
    const calendar = new Calendar(el.current!, {
      plugins: [dayGridPlugin, timeGridPlugin, listPlugin, interactionPlugin, intlTz],
      locale: locale() === 'fr' ? frLocale : 'en',
      timeZone: viewZone.get(),
      initialView: view,
      headerToolbar: false,
      height: '100%',
      dayMaxEvents: true,
      nowIndicator: true,
      eventInteractive: true,
      editable: canWrite,
      eventDurationEditable: false,
      defaultTimedEventDuration: '00:30',
      scrollTime: '08:00:00',
      slotEventOverlap: false,
      displayEventTime: false,
      progressiveEventRendering: true,
      datesSet: (arg) => {
        const kind = arg.view.type === 'dayGridMonth' ? 'month' : 'other';
        if (viewKind.current && viewKind.current !== kind) calendar.refetchEvents();
        viewKind.current = kind;
        setTitle(arg.view.title);
        setView(arg.view.type as ViewName);
        localStorage.setItem(VIEW_KEY, arg.view.type);
      },
      eventSources: [
        {
          id: 'posts',
          events: (info: EventSourceFuncArg, ok, fail) => {
            const key = calendarQuery(info.startStr, info.endStr, viewZone.get(), filtersRef.current);
            const show = (res: CalendarResponse) => {
              setTruncated(res.truncated);
              setCount(res.posts.length);
              setLabels((prev) => Array.from(new Set([...prev, ...res.posts.flatMap((p) => p.labels)])).sort((a, b) => a.localeCompare(b)));
              const month = cal.current?.view.type === 'dayGridMonth' || (!cal.current && view === 'dayGridMonth');
              performance.mark('herald:calendar-show');
              const evs = buildEvents(res.posts, month, viewZone.get(), canWrite);
              performance.mark('herald:calendar-built');
              ok(evs);
              performance.mark('herald:calendar-rendered');
            };
            // Switching between the month grid and the other views asks again for the same
            // range (the month shows a summary of busy days): answer from the last response.
            if (lastData.current?.key === key) return show(lastData.current.res);
            // One request per range: a refetch while the answer is on its way waits for it.
            if (inflight.current?.key !== key) {
              setLoading(true);
              const fresh = () => api.get<CalendarResponse>(ws(w.id, '/calendar' + key));
              const early = takePrefetch(w.id, info.start, info.end, viewZone.get(), filtersRef.current);
              // A prefetch made before signing in (the page loaded signed out) fails with a 401:
              // ask again now that there is a session, rather than show its error.
              const req = early ? early.catch(fresh) : fresh();
              inflight.current = { key, req };
              req
                .then((res) => {
                  performance.mark('herald:calendar-data');
                  if (inflight.current?.key === key) lastData.current = { key, res };
                })
                .catch(() => {})
                .finally(() => {
                  if (inflight.current?.key === key) inflight.current = null;
                  setLoading(false);
                });
            }
            inflight.current!.req.then(show, (err) => {
              toastError(err, t('calendar.loadFailed'));
              fail(err);
            });
          },
        },
        {
          id: 'slots',
          events: (info: EventSourceFuncArg, ok) => {
            const f = filtersRef.current;
            const list = channels.get().filter((c) => !f.channel.length || f.channel.includes(c.id));
            ok(slotMarkers(list, info.start, info.end));
          },
        },
      ],
      eventContent: (arg) => {
        const more = arg.event.extendedProps.more as { posts: CalendarPost[] } | undefined;
        if (more) return { html: `<span class="more-link">${esc(tn('calendar.more', more.posts.length - SHOWN_PER_DAY))}</span>` };
        const p = arg.event.extendedProps.post as CalendarPost | undefined;
        if (!p) return true;
        const compact = arg.view.type === 'dayGridMonth';
        const time = arg.view.type.startsWith('list') ? '' : fmtTime(arg.event.start!, viewZone.get());
        return { html: eventHTML(p, arg.event.extendedProps.status, time, compact) };
      },
      eventDidMount: (arg) => {
        const more = arg.event.extendedProps.more as { day: string; posts: CalendarPost[] } | undefined;
        if (more) arg.el.setAttribute('aria-label', tn('calendar.moreLabel', more.posts.length, { day: fmtDate(more.posts[0].scheduled_at!, viewZone.get(), 'long') }));
        const p = arg.event.extendedProps.post as CalendarPost | undefined;
        if (!p) return;
        arg.el.setAttribute('aria-label', `${postLabel(p)}, ${t('status.' + arg.event.extendedProps.status)}, ${fmtTime(arg.event.start!, viewZone.get())}`);
        arg.el.dataset.testid = 'post-event';
        arg.el.dataset.post = String(p.id);
        arg.el.addEventListener('keydown', (e) => onEventKey(e as KeyboardEvent, arg.event));
      },
      eventClick: (arg) => {
        const target = arg.jsEvent.target as HTMLElement | null;
        const link = target?.closest<HTMLElement>('.ev-link');
        arg.jsEvent.preventDefault();
        if (link?.dataset.url) {
          window.open(link.dataset.url, '_blank', 'noopener');
          return;
        }
        const more = arg.event.extendedProps.more as { day: string; posts: CalendarPost[] } | undefined;
        if (more) {
          setDayList(more);
          return;
        }
        const p = arg.event.extendedProps.post as CalendarPost;
        if (canWrite && !['published', 'publishing', 'partially_published'].includes(p.status)) openComposer({ postId: p.id });
        else navigate('/posts/' + p.id);
      },
      eventDrop: (arg) => void reschedule(arg.event, arg.oldEvent.start!, arg.revert),
      dateClick: (arg) => {
        if (!canWrite) return;
        let at = arg.date;
        if (arg.allDay) {
          // A day in the month view: the first posting slot of that day, else 09:00.
          const z = viewZone.get();
          const day = wallOf(arg.date, z);
          const slots = channels
            .get()
            .flatMap((c) => c.slots.map((s) => ({ ...s, zone: c.time_zone })))
            .filter((s) => s.weekday === weekdayOf(day))
            .map((s) => s.time)
            .sort();
          const [hh, mm] = (slots[0] ?? '09:00').split(':').map(Number);
          at = instantOf({ ...day, hour: hh, minute: mm }, z);
        }
        if (at.getTime() < Date.now()) {
          toast('info', t('calendar.pastSlot'));
          return;
        }
        openComposer({ at: at.toISOString() });
      },
    });
    performance.mark('herald:calendar-created');
    cal.current = calendar;
    (el.current as unknown as { fc?: Calendar }).fc = calendar; // for tests and debugging
    calendar.render();
    return () => {
      calendar.destroy();
      cal.current = null;
    };
  }, [w.id, w.role]);

  // These react to changes after the calendar was built with the values of the time (which its
  // first request used). Each compares with the value it last saw rather than skipping a first
  // run: Preact 10.12 runs an effect again when the component renders before its first effects
  // were flushed, which asked for the month five times on every load.
  const seen = useRef({ zone, filters, changed, chs });
  useEffect(() => {
    if (seen.current.zone === zone) return;
    seen.current.zone = zone;
    cal.current?.setOption('timeZone', zone);
    lastData.current = null;
    cal.current?.refetchEvents();
  }, [zone]);

  useEffect(() => {
    if (seen.current.filters === filters) return;
    seen.current.filters = filters;
    localStorage.setItem(FILTER_KEY + w.id, JSON.stringify(filters));
    lastData.current = null;
    cal.current?.refetchEvents();
  }, [filters]);

  useEffect(() => {
    if (seen.current.changed === changed) return;
    seen.current.changed = changed;
    lastData.current = null;
    cal.current?.refetchEvents();
  }, [changed]);

  useEffect(() => {
    // Channels give events their icons and colours, and the week view its slot markers; the
    // posts come from the last response, not a new request.
    if (seen.current.chs === chs) return;
    seen.current.chs = chs;
    cal.current?.refetchEvents();
  }, [chs]);

  async function reschedule(ev: EventApi, from: Date, revert: () => void) {
    const p = ev.extendedProps.post as CalendarPost;
    const to = ev.start!;
    try {
      await api.post(ws(w.id, `/posts/${p.id}/reschedule`), { scheduled_at: to.toISOString() });
      const z = viewZone.get();
      toast('ok', t('calendar.moved', { title: postLabel(p), when: formatWhen(to, z) }), {
        action: {
          label: t('common.undo'),
          run: async () => {
            try {
              await api.post(ws(w.id, `/posts/${p.id}/reschedule`), { scheduled_at: from.toISOString() });
              toast('ok', t('calendar.moveUndone'));
            } catch (err) {
              toastError(err, t('calendar.undoFailed'));
            }
            lastData.current = null;
            cal.current?.refetchEvents();
          },
        },
      });
      lastData.current = null;
      cal.current?.refetchEvents();
    } catch (err) {
      revert();
      toastError(err, t('calendar.moveRefused'));
    }
  }

  /** Keyboard rescheduling: Alt+←/→ moves a focused post by a day, Alt+↑/↓ by 30 minutes. */
  function onEventKey(e: KeyboardEvent, ev: EventApi) {
    if (!e.altKey || !ev.startEditable) return;
    const step = { ArrowLeft: -DAY, ArrowRight: DAY, ArrowUp: -30 * 60e3, ArrowDown: 30 * 60e3 }[e.key];
    if (!step) return;
    e.preventDefault();
    const from = ev.start!;
    const to = new Date(from.getTime() + step);
    ev.setStart(to);
    void reschedule(ev, from, () => ev.setStart(from));
  }

  // Page shortcuts: t today, ←/→ previous/next, m/w/d/l views, n new post, ? help.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const tag = (e.target as HTMLElement)?.tagName;
      if (e.ctrlKey || e.metaKey || e.altKey || ['INPUT', 'TEXTAREA', 'SELECT'].includes(tag) || (e.target as HTMLElement)?.isContentEditable) return;
      if (document.querySelector('.overlay, .drawer')) return;
      const c = cal.current;
      if (!c) return;
      const v = VIEWS.find((x) => x.key === e.key);
      if (e.key === 't') c.today();
      else if (e.key === 'ArrowLeft' && !(e.target as HTMLElement)?.closest('.fc-event')) c.prev();
      else if (e.key === 'ArrowRight' && !(e.target as HTMLElement)?.closest('.fc-event')) c.next();
      else if (v) c.changeView(v.name);
      else if (e.key === 'n' && canWrite) openComposer({});
      else if (e.key === '?') setHelp(true);
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [canWrite]);

  useEffect(() => () => closeComposer(), []);

  const active = filters.channel.length + filters.status.length + filters.label.length + filters.author.length;
  const zones = zoneChoices(w.time_zone, zone);
  return (
    <div class="calendar-page">
      <div class="cal-toolbar" role="toolbar" aria-label={t('calendar.toolbar')}>
        <div class="cal-nav">
          <button class="btn" onClick={() => cal.current?.today()} data-testid="today">
            {t('calendar.today')}
          </button>
          <button class="icon-btn" aria-label={t('calendar.prev')} onClick={() => cal.current?.prev()}>
            ‹
          </button>
          <button class="icon-btn" aria-label={t('calendar.next')} onClick={() => cal.current?.next()}>
            ›
          </button>
          <h1 class="cal-title" aria-live="polite">
            {title}
          </h1>
          {loading && <span class="muted small">{t('common.loading')}</span>}
        </div>
        <div class="cal-views" role="group" aria-label={t('calendar.views')}>
          {VIEWS.map((v) => (
            <button key={v.name} class={'seg' + (view === v.name ? ' active' : '')} aria-pressed={view === v.name} onClick={() => cal.current?.changeView(v.name)} data-testid={'view-' + v.key}>
              {t(v.label)}
            </button>
          ))}
        </div>
        <label class="zone-pick">
          <span class="muted small">{t('calendar.timeZone')}</span>
          <select value={zone} onChange={(e) => setViewZone((e.currentTarget as HTMLSelectElement).value)} data-testid="zone">
            {zones.map((z) => (
              <option key={z} value={z}>
                {fmtZone(z)}
                {z === w.time_zone ? ' · ' + t('calendar.workspaceZone') : ''}
              </option>
            ))}
          </select>
        </label>
        <button class="icon-btn" aria-label={t('calendar.shortcuts')} title={t('calendar.shortcuts')} onClick={() => setHelp(true)}>
          ?
        </button>
      </div>
      <div class="cal-filters">
        <MultiFilter
          label={t('filter.channel')}
          options={chs.map((c) => ({ value: String(c.id), label: c.name, icon: <NetworkIcon network={c.network} size={14} /> }))}
          selected={filters.channel.map(String)}
          onChange={(v) => setFilters({ ...filters, channel: v.map(Number) })}
        />
        <MultiFilter
          label={t('filter.status')}
          options={POST_STATUSES.map((s) => ({ value: s, label: t('status.' + s) }))}
          selected={filters.status}
          onChange={(v) => setFilters({ ...filters, status: v })}
        />
        <MultiFilter label={t('filter.label')} options={Array.from(new Set([...labels, ...filters.label])).map((l) => ({ value: l, label: l }))} selected={filters.label} onChange={(v) => setFilters({ ...filters, label: v })} />
        <MultiFilter
          label={t('filter.author')}
          options={mems.filter((m) => m.role !== 'viewer').map((m) => ({ value: String(m.user_id), label: m.name || m.email }))}
          selected={filters.author.map(String)}
          onChange={(v) => setFilters({ ...filters, author: v.map(Number) })}
        />
        {active > 0 && (
          <button class="btn btn-ghost btn-small" onClick={() => setFilters({ channel: [], status: [], label: [], author: [] })}>
            {t('filter.clear')}
          </button>
        )}
        <span class="muted small cal-count" data-testid="post-count">
          {tn('calendar.count', count)}
        </span>
        <span class="legend">
          {chs.map((c) => (
            <span key={c.id} class="legend-item" title={c.name}>
              <span class="swatch" style={{ background: channelColor(c) }} />
              {c.name}
            </span>
          ))}
        </span>
      </div>
      {truncated && (
        <div class="banner banner-warn" role="status">
          {t('calendar.truncated')}
        </div>
      )}
      <div class="cal-body" ref={el} data-testid="calendar" />
      {dayList && (
        <Dialog title={fmtDate(dayList.posts[0].scheduled_at!, zone, 'full')} onClose={() => setDayList(null)}>
          <ul class="day-list" data-testid="day-list">
            {dayList.posts.map((p) => (
              <li key={p.id}>
                <button
                  class="day-item"
                  onClick={() => {
                    setDayList(null);
                    if (canWrite && !['published', 'publishing', 'partially_published'].includes(p.status)) openComposer({ postId: p.id });
                    else navigate('/posts/' + p.id);
                  }}
                >
                  <span class="ev-time">{fmtTime(p.scheduled_at!, zone)}</span>
                  <span class="ev-icons">
                    {p.targets.map((tg) => (
                      <NetworkIcon key={tg.id} network={channelById(tg.channel_id)?.network ?? '?'} size={14} />
                    ))}
                  </span>
                  <StatusBadge status={displayStatus(p)} />
                  <span class="day-title">{postLabel(p)}</span>
                </button>
              </li>
            ))}
          </ul>
        </Dialog>
      )}
      {help && (
        <Dialog title={t('calendar.shortcuts')} onClose={() => setHelp(false)}>
          <dl class="shortcuts">
            <dt>
              <kbd>t</kbd>
            </dt>
            <dd>{t('calendar.today')}</dd>
            <dt>
              <kbd>←</kbd> <kbd>→</kbd>
            </dt>
            <dd>
              {t('calendar.prev')} / {t('calendar.next')}
            </dd>
            <dt>
              <kbd>m</kbd> <kbd>w</kbd> <kbd>d</kbd> <kbd>l</kbd>
            </dt>
            <dd>
              {VIEWS.map((v) => t(v.label)).join(' / ')}
            </dd>
            <dt>
              <kbd>n</kbd>
            </dt>
            <dd>{t('calendar.newPost')}</dd>
            <dt>
              <kbd>Tab</kbd> <kbd>Enter</kbd>
            </dt>
            <dd>{t('calendar.kbOpen')}</dd>
            <dt>
              <kbd>Alt</kbd>+<kbd>←</kbd>/<kbd>→</kbd>/<kbd>↑</kbd>/<kbd>↓</kbd>
            </dt>
            <dd>{t('calendar.kbMove')}</dd>
          </dl>
        </Dialog>
      )}
    </div>
  );
}

function formatWhen(d: Date, zone: string): string {
  return new Intl.DateTimeFormat(locale() === 'fr' ? 'fr-FR' : navigator.language, { dateStyle: 'medium', timeStyle: 'short', timeZone: zone }).format(d);
}

/** zoneChoices puts the workspace's zone, the browser's and the chosen one first. */
function zoneChoices(wsZone: string, chosen: string): string[] {
  const first = Array.from(new Set([wsZone, browserZone(), chosen, 'UTC']));
  return [...first, ...allZones().filter((z) => !first.includes(z))];
}

interface Option {
  value: string;
  label: string;
  icon?: preact.ComponentChildren;
}

/** MultiFilter is a disclosure with checkboxes: keyboard-friendly without a widget library. */
export function MultiFilter({ label, options, selected, onChange }: { label: string; options: Option[]; selected: string[]; onChange: (v: string[]) => void }) {
  const ref = useRef<HTMLDetailsElement>(null);
  useEffect(() => {
    const close = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) ref.current.open = false;
    };
    document.addEventListener('mousedown', close);
    return () => document.removeEventListener('mousedown', close);
  }, []);
  return (
    <details class="filter" ref={ref} onKeyDown={(e) => e.key === 'Escape' && ref.current && (ref.current.open = false)}>
      <summary class={'btn btn-small' + (selected.length ? ' filter-on' : '')}>
        {label}
        {selected.length ? ` · ${selected.length}` : ''}
      </summary>
      <div class="filter-menu" role="group" aria-label={label}>
        {options.length === 0 && <div class="muted small">{t('filter.none')}</div>}
        {options.map((o) => (
          <label key={o.value} class="check">
            <input
              type="checkbox"
              checked={selected.includes(o.value)}
              onChange={(e) => {
                const on = (e.currentTarget as HTMLInputElement).checked;
                onChange(on ? [...selected, o.value] : selected.filter((x) => x !== o.value));
              }}
            />
            {o.icon}
            <span>{o.label}</span>
          </label>
        ))}
      </div>
    </details>
  );
}

