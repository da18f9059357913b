// A FullCalendar plugin for named time zones with Intl, so the calendar shows posts in the
// workspace's zone (or one the user picks) whatever the browser's zone is, without a date library.
import { createPlugin } from '@fullcalendar/core';
import { NamedTimeZoneImpl } from '@fullcalendar/core/internal';
import { instantOf, offsetMinutes, wallOf } from './tz';

const cache = new Map<string, number[]>();

class IntlZone extends NamedTimeZoneImpl {
  offsetForArray(a: number[]): number {
    const at = instantOf({ year: a[0], month: a[1] + 1, day: a[2], hour: a[3], minute: a[4] }, this.timeZoneName);
    return offsetMinutes(at, this.timeZoneName);
  }

  timestampToArray(ms: number): number[] {
    // FullCalendar asks for the same instants many times while laying out a month.
    const key = this.timeZoneName + '|' + ms;
    let out = cache.get(key);
    if (!out) {
      const w = wallOf(ms, this.timeZoneName);
      out = [w.year, w.month - 1, w.day, w.hour, w.minute, w.second, ((ms % 1000) + 1000) % 1000];
      if (cache.size > 20000) cache.clear();
      cache.set(key, out);
    }
    return out.slice();
  }
}

export default createPlugin({ name: 'herald-intl-tz', namedTimeZonedImpl: IntlZone });
