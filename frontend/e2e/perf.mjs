// The calendar's performance target: a month view holding 2,000 posts is interactive in under a
// second in headless Chromium. The posts are created through the API (as people would, one by one)
// in the current month of a fresh `herald serve --demo`; then the calendar page is loaded signed
// in and timed from navigation start until the month shows all 2,000 posts and the main thread
// is free (the end of the last long task). Figures are printed for BENCHMARKS.md; the run fails
// above HERALD_PERF_MAX_MS (default 1000).
import { apiAs, assert, launch, shot, signIn, startHerald } from './harness.mjs';

const N = Number(process.env.HERALD_PERF_POSTS || 2000);
const MAX_MS = Number(process.env.HERALD_PERF_MAX_MS || 1000);
const RUNS = Number(process.env.HERALD_PERF_RUNS || 5);
const TZ = 'Europe/Paris';

const server = await startHerald();
const browser = await launch();
let ok = false;
try {
  const author = await apiAs(server.url, 'author@demo.herald.local');
  const wid = author.me.workspaces[0].id;
  const chans = (await author.get(`/api/v1/workspaces/${wid}/channels`)).items.map((c) => c.id);
  // The current month in the workspace's zone; every post at a random 5-minute mark in it.
  const ym = new Intl.DateTimeFormat('en-CA', { timeZone: TZ, year: 'numeric', month: '2-digit' }).format(new Date()).slice(0, 7);
  const [y, m] = ym.split('-').map(Number);
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  let seed = 42;
  const rnd = (n) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
  const labels = ['launch', 'tips', 'community', 'events', 'promo', 'recipes'];
  const t0 = Date.now();
  const queue = Array.from({ length: N }, (_, i) => i);
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
        const d = 1 + rnd(days);
        const minutes = rnd(24 * 12) * 5;
        const local = `${ym}-${String(d).padStart(2, '0')}T${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
        await author.post(`/api/v1/workspaces/${wid}/posts`, {
          title: `Post ${i + 1}`,
          text: `Planned post number ${i + 1}: fresh roast, new recipes and events for the community. #coffee`,
          labels: [labels[i % labels.length]],
          targets: chans.slice(0, 1 + (i % chans.length)).map((id) => ({ channel_id: id })),
          local_time: local,
          time_zone: TZ,
        });
      }
    }),
  );
  const seedSec = (Date.now() - t0) / 1000;
  console.log(`seeded ${N} posts in ${seedSec.toFixed(1)} s through the API`);

  // The API answer the month view asks for.
  const from = new Date(Date.UTC(y, m - 1, 1) - 7 * 86400e3).toISOString();
  const to = new Date(Date.UTC(y, m, 1) + 14 * 86400e3).toISOString();
  for (const fields of ['lean', 'full']) {
    const s = Date.now();
    const res = await author.call('GET', `/api/v1/workspaces/${wid}/calendar?from=${from}&to=${to}&fields=${fields}`);
    const ms = Date.now() - s;
    console.log(`GET calendar (${fields}): ${res.posts.length} posts, ${(JSON.stringify(res).length / 1024).toFixed(0)} KB of JSON, ${ms} ms`);
  }

  const page = await browser.ctx.newPage();
  // Long tasks are recorded from the very start of each load, and the moment the month first
  // shows every post is taken in the page (not by polling from here, which would add latency).
  await page.addInitScript((n) => {
    window.__longTasks = [];
    new PerformanceObserver((l) => window.__longTasks.push(...l.getEntries().map((e) => ({ start: e.startTime, end: e.startTime + e.duration })))).observe({ type: 'longtask', buffered: true });
    new MutationObserver((_, obs) => {
      const el = document.querySelector('[data-testid=post-count]');
      if (el && Number(el.textContent.replace(/\D/g, '')) >= n && document.querySelector('[data-testid=post-event]')) {
        window.__shownAt = performance.now();
        obs.disconnect();
      }
    }).observe(document, { subtree: true, childList: true, characterData: true });
  }, N);
  await signIn(page, server.url, 'viewer@demo.herald.local');
  const samples = [];
  for (let run = 0; run < RUNS + 1; run++) {
    await page.reload();
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid=post-count]')?.textContent?.replace(/\D/g, '') || 0) >= n, N, { timeout: 30_000 });
    await page.waitForSelector('[data-testid=post-event]', { state: 'attached' });
    // Wait for the main thread to be idle for 300 ms, then read when it last was busy.
    const r = await page.evaluate(
      () =>
        new Promise((resolve) => {
          const shown = window.__shownAt ?? performance.now();
          const check = () => {
            const last = window.__longTasks.reduce((a, t) => Math.max(a, t.end), 0);
            const mark = (n) => performance.getEntriesByName(n).slice(-1)[0]?.startTime ?? -1;
            const res = performance.getEntriesByType('resource').filter((e) => e.name.includes('/calendar?')).slice(-1)[0];
            const api = res ? [res.startTime, res.requestStart, res.responseStart, res.responseEnd].map(Math.round) : [];
            if (performance.now() - Math.max(last, shown) > 300) resolve({ api, marks: ['herald:calendar-created', 'herald:calendar-data', 'herald:calendar-show', 'herald:calendar-built', 'herald:calendar-rendered'].map((n) => Math.round(mark(n))), shown, lastLongTask: last, longTasks: window.__longTasks.length, events: document.querySelectorAll('[data-testid=post-event]').length });
            else setTimeout(check, 50);
          };
          requestAnimationFrame(() => setTimeout(check, 0));
        }),
    );
    const interactive = Math.max(r.shown, r.lastLongTask);
    if (run > 0) samples.push(interactive); // the first load warms the server's caches
    console.log('  marks (created, data, show, built, rendered):', r.marks.join(', '), '; calendar request (start, sent, first byte, end):', r.api.join(', '));
    console.log(`load ${run}: shown at ${r.shown.toFixed(0)} ms, last long task ends ${r.lastLongTask.toFixed(0)} ms (${r.longTasks} long tasks), ${r.events} event elements; interactive at ${interactive.toFixed(0)} ms${run ? '' : ' (warm-up, not counted)'}`);
  }
  await shot(page, 'perf-month-2000');
  // Moving to the next month and back: the month's events are reused, no refetch.
  const s = await page.evaluate(() => performance.now());
  await page.click('[aria-label=Next]');
  await page.click('[aria-label=Previous]');
  await page.waitForSelector('[data-testid=post-event]', { state: 'attached' });
  const nav = (await page.evaluate(() => performance.now())) - s;
  samples.sort((a, b) => a - b);
  const median = samples[Math.floor(samples.length / 2)];
  console.log(`month view with ${N} posts: interactive in ${samples.map((x) => x.toFixed(0)).join(', ')} ms; median ${median.toFixed(0)} ms, worst ${samples[samples.length - 1].toFixed(0)} ms; next+previous month ${nav.toFixed(0)} ms`);
  assert(median < MAX_MS, `median ${median.toFixed(0)} ms is over ${MAX_MS} ms`);
  ok = true;
} catch (err) {
  console.error(err);
} finally {
  await browser.close();
  await server.stop();
}
console.log(ok ? '1 passed, 0 failed' : '0 passed, 1 failed');
process.exit(ok ? 0 : 1);
