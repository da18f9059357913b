import { describe, expect, it } from 'vitest';
import { instantOf, localString, nextSlot, offsetMinutes } from '../src/lib/tz';

describe('time zones', () => {
  it('turns wall times into instants like the server (DST gap and overlap)', () => {
    expect(instantOf({ year: 2026, month: 1, day: 15, hour: 9, minute: 0 }, 'Europe/Paris').toISOString()).toBe('2026-01-15T08:00:00.000Z');
    // 02:30 does not exist on 29 March 2026 in Paris: it moves forward by the gap, to 03:30.
    expect(localString(instantOf({ year: 2026, month: 3, day: 29, hour: 2, minute: 30 }, 'Europe/Paris'), 'Europe/Paris')).toBe('2026-03-29T03:30');
    // 02:30 shows twice on 25 October 2026: the first one (summer time).
    expect(instantOf({ year: 2026, month: 10, day: 25, hour: 2, minute: 30 }, 'Europe/Paris').toISOString()).toBe('2026-10-25T00:30:00.000Z');
    expect(offsetMinutes(new Date('2026-07-01T00:00:00Z'), 'America/Montreal')).toBe(-240);
  });
  it('finds the next free posting slot', () => {
    const after = new Date('2026-12-07T10:00:00Z'); // a Monday, 11:00 in Paris
    const slots = [
      { weekday: 1, time: '09:00', zone: 'Europe/Paris' },
      { weekday: 3, time: '12:30', zone: 'Europe/Paris' },
    ];
    expect(nextSlot(slots, after)!.toISOString()).toBe('2026-12-09T11:30:00.000Z');
    const taken = new Set([Math.floor(Date.parse('2026-12-09T11:30:00Z') / 60000)]);
    expect(nextSlot(slots, after, taken)!.toISOString()).toBe('2026-12-14T08:00:00.000Z');
  });
});
