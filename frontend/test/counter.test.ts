// The composer's counters against the server's content rules: test/counter-cases.json is written
// by the Go test frontend/counter_cases_test.go from publishers/content, so a difference here is
// a composer counter that would disagree with POST /api/v1/validate.
import { beforeAll, describe, expect, it } from 'vitest';
import fixture from './counter-cases.json';
import { count, hashtagCount, mentionCount, setTLDs } from '../src/content/count';

beforeAll(() => setTLDs(fixture.tlds));

describe('counters agree with the server', () => {
  for (const c of fixture.cases) {
    it(JSON.stringify(c.text.slice(0, 60)), () => {
      const got: Record<string, number> = {};
      for (const n of Object.keys(c.lengths)) got[n] = count(c.text, (fixture.counters as Record<string, string>)[n]);
      expect(got).toEqual(c.lengths);
      expect(hashtagCount(c.text)).toBe(c.hashtags);
      expect(mentionCount(c.text)).toBe(c.mentions);
    });
  }
});
