// Time zones with Intl only: wall-clock parts of an instant in a zone, and the instant of a wall
// time, with the same rules as the server's LocalToInstant (server/rules.go): a time in the
// spring-forward gap moves forward by the gap; a time shown twice in the fall-back overlap means
// its first occurrence.

export interface Wall {
  year: number;
  month: number; // 1–12
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const partsCache = new Map<string, Intl.DateTimeFormat>();

function partsFormat(zone: string): Intl.DateTimeFormat {
  let f = partsCache.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    partsCache.set(zone, f);
  }
  return f;
}

/** wallOf returns the wall-clock time of an instant in a zone. */
export function wallOf(d: Date | number, zone: string): Wall {
  const out: Record<string, number> = {};
  for (const p of partsFormat(zone).formatToParts(typeof d === 'number' ? new Date(d) : d)) {
    if (p.type !== 'literal') out[p.type] = Number(p.value);
  }
  return {
    year: out.year,
    month: out.month,
    day: out.day,
    hour: out.hour === 24 ? 0 : out.hour,
    minute: out.minute,
    second: out.second,
  };
}

/** offsetMinutes is the zone's offset from UTC at an instant (Paris in winter: 60). */
export function offsetMinutes(d: Date | number, zone: string): number {
  const ms = typeof d === 'number' ? d : d.getTime();
  const w = wallOf(ms, zone);
  const asUTC = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return Math.round((asUTC - Math.floor(ms / 1000) * 1000) / 60000);
}

/** instantOf returns the instant a wall-clock time in a zone names (DST rules above). */
export function instantOf(w: Pick<Wall, 'year' | 'month' | 'day' | 'hour' | 'minute'>, zone: string): Date {
  const wall = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute);
  const offA = offsetMinutes(wall - 26 * 3600e3, zone);
  const offB = offsetMinutes(wall + 26 * 3600e3, zone);
  let best: number | undefined;
  for (const off of [offA, offB]) {
    const t = wall - off * 60e3;
    const back = wallOf(t, zone);
    if (back.year === w.year && back.month === w.month && back.day === w.day && back.hour === w.hour && back.minute === w.minute) {
      if (best === undefined || t < best) best = t;
    }
  }
  return new Date(best ?? wall - offA * 60e3);
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** localString is an instant as "YYYY-MM-DDTHH:MM" in a zone (the API's local_time). */
export function localString(d: Date | number, zone: string): string {
  const w = wallOf(d, zone);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}`;
}

/** dateString is an instant's date as "YYYY-MM-DD" in a zone. */
export function dateString(d: Date | number, zone: string): string {
  return localString(d, zone).slice(0, 10);
}

/** parseLocal reads "YYYY-MM-DDTHH:MM" (or a date and a time) into wall parts. */
export function parseLocal(date: string, time = '00:00'): Wall | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const tm = /^(\d{2}):(\d{2})$/.exec(time);
  if (!m || !tm) return null;
  return { year: +m[1], month: +m[2], day: +m[3], hour: +tm[1], minute: +tm[2], second: 0 };
}

/** weekdayOf is the weekday (0 = Sunday) of a wall date. */
export function weekdayOf(w: Pick<Wall, 'year' | 'month' | 'day'>): number {
  return new Date(Date.UTC(w.year, w.month - 1, w.day)).getUTCDay();
}

/** addDays moves a wall date by n days (calendar arithmetic, no zone involved). */
export function addDays(w: Wall, n: number): Wall {
  const d = new Date(Date.UTC(w.year, w.month - 1, w.day + n, w.hour, w.minute));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: 0 };
}

export function browserZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/** allZones lists IANA zones the browser knows, for the zone pickers. */
export function allZones(): string[] {
  const anyIntl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  try {
    if (anyIntl.supportedValuesOf) return anyIntl.supportedValuesOf('timeZone');
  } catch {
    /* older browsers */
  }
  return ['UTC', 'Europe/Paris', 'Europe/London', 'Europe/Brussels', 'America/Montreal', 'America/New_York', 'America/Los_Angeles', 'Africa/Dakar', 'Asia/Tokyo'];
}

/**
 * nextSlot returns the first instant after `after` that is one of the weekly slots, each a weekday
 * and "HH:MM" in its channel's zone, and not in `taken` (instants, compared to the minute).
 */
export function nextSlot(
  slots: { weekday: number; time: string; zone: string }[],
  after: Date,
  taken: Set<number> = new Set(),
  horizonDays = 56,
): Date | null {
  let best: number | null = null;
  for (const s of slots) {
    const [hh, mm] = s.time.split(':').map(Number);
    const start = wallOf(after, s.zone);
    for (let i = 0; i <= horizonDays; i++) {
      const day = addDays({ ...start, hour: hh, minute: mm, second: 0 }, i);
      if (weekdayOf(day) !== s.weekday) continue;
      const at = instantOf(day, s.zone).getTime();
      if (at <= after.getTime() || taken.has(Math.floor(at / 60000))) continue;
      if (best === null || at < best) best = at;
      break;
    }
  }
  return best === null ? null : new Date(best);
}
