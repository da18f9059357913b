// A small i18n module: one flat dictionary per language (en.ts, fr.ts; a test checks they have the
// same keys and placeholders), {name} placeholders, plurals through Intl.PluralRules
// (key.one / key.other), and Intl for every date, time and number, always in an explicit time zone.
import en from './en';
import fr from './fr';

export type Locale = 'en' | 'fr';
export type Dict = Record<string, string>;

export const dictionaries: Record<Locale, Dict> = { en, fr };
export const LOCALES: { code: Locale; label: string }[] = [
  { code: 'en', label: 'English' },
  { code: 'fr', label: 'Français' },
];

const STORAGE_KEY = 'herald.locale';
let current: Locale = detect();
const listeners = new Set<(l: Locale) => void>();

function detect(): Locale {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === 'en' || saved === 'fr') return saved;
  } catch {
    /* storage may be blocked */
  }
  const langs = typeof navigator !== 'undefined' ? navigator.languages || [navigator.language] : [];
  for (const l of langs) {
    if (l?.toLowerCase().startsWith('fr')) return 'fr';
    if (l?.toLowerCase().startsWith('en')) return 'en';
  }
  return 'en';
}

export function locale(): Locale {
  return current;
}

/** intlLocale is the BCP 47 tag Intl formats with (fr-FR, en-GB or the browser's English). */
export function intlLocale(): string {
  if (current === 'fr') return 'fr-FR';
  const nav = typeof navigator !== 'undefined' ? navigator.language : 'en-US';
  return nav && nav.toLowerCase().startsWith('en') ? nav : 'en-US';
}

export function setLocale(l: Locale) {
  if (l === current) return;
  current = l;
  try {
    localStorage.setItem(STORAGE_KEY, l);
  } catch {
    /* ignore */
  }
  document.documentElement.lang = l;
  listeners.forEach((fn) => fn(l));
}

export function onLocaleChange(fn: (l: Locale) => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function interpolate(s: string, params?: Record<string, unknown>): string {
  if (!params) return s;
  return s.replace(/\{(\w+)\}/g, (m, k) => (k in params ? String(params[k]) : m));
}

/** t translates a key; a missing key shows the key itself (and the dictionary test fails). */
export function t(key: string, params?: Record<string, unknown>): string {
  const s = dictionaries[current][key] ?? dictionaries.en[key] ?? key;
  return interpolate(s, params);
}

/** tn translates a counted message: key.one, key.other (and key.zero when present). */
export function tn(key: string, count: number, params?: Record<string, unknown>): string {
  const dict = dictionaries[current];
  const p = { count: fmtNumber(count), ...params };
  if (count === 0 && dict[key + '.zero']) return interpolate(dict[key + '.zero'], p);
  const rule = new Intl.PluralRules(intlLocale()).select(count);
  const s = dict[`${key}.${rule}`] ?? dict[`${key}.other`] ?? dictionaries.en[`${key}.other`] ?? key;
  return interpolate(s, p);
}

/** has reports whether a key exists (for optional, data-driven keys such as error codes). */
export function has(key: string): boolean {
  return key in dictionaries[current];
}

const fmtCache = new Map<string, Intl.DateTimeFormat>();

function dtf(opts: Intl.DateTimeFormatOptions, timeZone?: string): Intl.DateTimeFormat {
  const k = intlLocale() + '|' + (timeZone || '') + '|' + JSON.stringify(opts);
  let f = fmtCache.get(k);
  if (!f) {
    f = new Intl.DateTimeFormat(intlLocale(), { ...opts, timeZone });
    fmtCache.set(k, f);
  }
  return f;
}

type DateLike = Date | string | number;
const toDate = (d: DateLike) => (d instanceof Date ? d : new Date(d));

export function fmtDateTime(d: DateLike, timeZone?: string): string {
  return dtf({ dateStyle: 'medium', timeStyle: 'short' }, timeZone).format(toDate(d));
}

export function fmtDate(d: DateLike, timeZone?: string, style: 'long' | 'medium' | 'full' = 'medium'): string {
  return dtf({ dateStyle: style }, timeZone).format(toDate(d));
}

export function fmtTime(d: DateLike, timeZone?: string): string {
  return dtf({ hour: '2-digit', minute: '2-digit' }, timeZone).format(toDate(d));
}

/** fmtZone names a zone for people: "Europe/Paris (UTC+01:00)". */
export function fmtZone(zone: string, at: Date = new Date()): string {
  try {
    const part = dtf({ timeZoneName: 'longOffset' }, zone)
      .formatToParts(at)
      .find((p) => p.type === 'timeZoneName');
    return part ? `${zone.replace(/_/g, ' ')} (${part.value.replace('GMT', 'UTC')})` : zone;
  } catch {
    return zone;
  }
}

export function fmtNumber(n: number): string {
  return new Intl.NumberFormat(intlLocale()).format(n);
}

export function fmtBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return new Intl.NumberFormat(intlLocale(), { maximumFractionDigits: i ? 1 : 0 }).format(v) + ' ' + units[i];
}

/** fmtRelative says "3 minutes ago" / "il y a 3 minutes". */
export function fmtRelative(d: DateLike, now: Date = new Date()): string {
  const diff = (toDate(d).getTime() - now.getTime()) / 1000;
  const rtf = new Intl.RelativeTimeFormat(intlLocale(), { numeric: 'auto' });
  const abs = Math.abs(diff);
  if (abs < 60) return rtf.format(Math.round(diff), 'second');
  if (abs < 3600) return rtf.format(Math.round(diff / 60), 'minute');
  if (abs < 86400) return rtf.format(Math.round(diff / 3600), 'hour');
  if (abs < 86400 * 30) return rtf.format(Math.round(diff / 86400), 'day');
  return fmtDate(d);
}

/** weekdayName is the localized name of a weekday (0 = Sunday). */
export function weekdayName(day: number, style: 'long' | 'short' = 'long'): string {
  // 2023-01-01 was a Sunday.
  return dtf({ weekday: style }, 'UTC').format(new Date(Date.UTC(2023, 0, 1 + day, 12)));
}
