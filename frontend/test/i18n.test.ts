// Both languages have every key, with the same placeholders, and no empty text.
import { describe, expect, it } from 'vitest';
import en from '../src/i18n/en';
import fr from '../src/i18n/fr';
import { setLocale, t, tn } from '../src/i18n';

const placeholders = (s: string) => Array.from(s.matchAll(/\{(\w+)\}/g), (m) => m[1]).sort();

describe('dictionaries', () => {
  it('have the same keys', () => {
    expect(Object.keys(fr).sort()).toEqual(Object.keys(en).sort());
  });
  it('use the same placeholders', () => {
    for (const k of Object.keys(en)) expect([k, placeholders(fr[k] ?? '')]).toEqual([k, placeholders(en[k])]);
  });
  it('have no empty text', () => {
    for (const d of [en, fr]) for (const [k, v] of Object.entries(d)) expect([k, v.trim().length > 0]).toEqual([k, true]);
  });
  it('translate and pluralize in French', () => {
    setLocale('fr');
    expect(t('nav.calendar')).toBe('Calendrier');
    expect(tn('calendar.count', 0)).toBe('Aucune publication');
    expect(tn('calendar.count', 1)).toBe('1 publication');
    expect(tn('calendar.count', 2000)).toMatch(/^2\s000 publications$/);
    setLocale('en');
    expect(tn('calendar.count', 2)).toBe('2 posts');
  });
});
