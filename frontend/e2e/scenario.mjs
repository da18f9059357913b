// The end-to-end scenario in real headless Chromium against a real `herald serve --demo`
// on SQLite: sign in as an author → create a post for two channels → submit for review; sign in as
// an editor → approve and schedule; drag it to another day; it publishes to the sandbox and the
// calendar shows it published with a link; switch to French and see the calendar in French. Then
// the composer's counters are compared with POST /api/v1/validate for a table of texts on several
// networks, and with a brand voice on a server without a model, the composer underlines but offers
// no rewrite. Screenshots go to frontend/test-artifacts/.
import { apiAs, assert, closeComposer, launch, shot, signIn, signOut, startHerald, watch } from './harness.mjs';

const TZ = 'Europe/Paris'; // the demo workspace's zone
const t0 = Date.now();
const step = (s) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1)}s] ${s}`);

function wall(d) {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(d)
      .map((x) => [x.type, x.value]),
  );
  return { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}` };
}
const addDay = (date, n) => new Date(Date.parse(date + 'T12:00:00Z') + n * 86400e3).toISOString().slice(0, 10);

const server = await startHerald();
const browser = await launch();
const errors = [];
let ok = false;
try {
  const page = await browser.ctx.newPage();
  watch(page, errors);
  const base = server.url;

  // The post will publish one to two minutes from now: planned for the same time tomorrow, then
  // dragged back to today, which is "another day" and makes it due.
  const soon = new Date(Math.ceil((Date.now() + 80_000) / 60_000) * 60_000);
  const { date: day0, time } = wall(soon);
  const day1 = addDay(day0, 1);
  const title = `E2E launch ${Date.now() % 100000}`;

  // 1. The author writes a post for both sandbox channels and submits it for review.
  step('author signs in');
  await signIn(page, base, 'author@demo.herald.local');
  await shot(page, 'author-calendar');
  await page.click('[data-testid=new-post]');
  await page.waitForSelector('[data-testid=composer]');
  const chips = page.locator('[data-testid=composer] .chip-toggle');
  assert((await chips.count()) >= 2, 'the demo has two channels');
  await chips.nth(0).click();
  await chips.nth(1).click();
  await page.fill('[data-testid=composer-title]', title);
  await page.fill('[data-testid=composer-text]', 'Our Winter Blend is back ☕ — cocoa, orange peel and clove. In shops from Monday! #coffee https://herald.example/winter');
  await page.fill('[data-testid=composer-date]', day1);
  await page.fill('[data-testid=composer-time]', time);
  await page.waitForSelector('[data-testid^=counter-]');
  await page.waitForTimeout(700); // the server's verdict arrives after a short pause
  await shot(page, 'author-composer');
  await page.click('[data-testid=action-submit]');
  await page.waitForSelector('[data-testid=composer]', { state: 'detached' });
  await page.waitForSelector('[data-testid=toast-ok]');
  const ev = `[data-testid=post-event]:has-text("${title}")`;
  await page.waitForSelector(ev);
  assert((await page.getAttribute(`${ev} .badge`, 'data-status')) === 'in_review', 'the post is in review on the calendar');
  await shot(page, 'author-submitted');
  await signOut(page);

  // 2. The editor approves it from the review queue, then schedules it.
  step('editor reviews');
  await signIn(page, base, 'editor@demo.herald.local');
  await page.click('a[href="#/review"]');
  await page.waitForSelector(`[data-testid=review-item]:has-text("${title}")`);
  await page.click(`[data-testid=review-item]:has-text("${title}")`);
  await page.waitForSelector(`[data-testid=review-detail]:has-text("${title}") [data-testid=content-diff]`);
  await shot(page, 'editor-review');
  await page.click('[data-testid=review-approve]');
  await page.waitForSelector('[data-testid=toast-ok]');
  await page.click('a[href="#/calendar"]');
  await page.waitForSelector(ev);
  await page.click(ev);
  await page.waitForSelector('[data-testid=composer] [data-testid=action-schedule]');
  await page.click('[data-testid=action-schedule]');
  await page.waitForSelector('[data-testid=composer]', { state: 'detached' });
  await page.waitForSelector(`${ev} .badge[data-status=scheduled]`);
  await shot(page, 'editor-scheduled');

  // 3. Drag it from tomorrow to today (month view keeps the time of day).
  step(`drag from ${day1} to ${day0} at ${time}`);
  const from = await page.locator(ev).boundingBox();
  const cell = await page.locator(`td.fc-daygrid-day[data-date="${day0}"]`).boundingBox();
  assert(from && cell, 'the event and the target day are on screen');
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move(from.x + from.width / 2 + 5, from.y + from.height / 2 + 5, { steps: 3 });
  await page.mouse.move(cell.x + cell.width / 2, cell.y + cell.height - 12, { steps: 12 });
  await page.mouse.up();
  await page.waitForSelector('[data-testid=toast-ok]:has-text("' + title + '")');
  await page.waitForSelector(`td.fc-daygrid-day[data-date="${day0}"] ${ev}`);
  await shot(page, 'editor-dragged');
  const editorApi = await apiAs(base, 'editor@demo.herald.local');
  const wid = editorApi.me.workspaces[0].id;
  const postId = Number(await page.getAttribute(ev, 'data-post'));
  const moved = await editorApi.get(`/api/v1/workspaces/${wid}/posts/${postId}`);
  assert(moved.local_time.startsWith(`${day0}T${time}`), `the post moved to ${day0} ${time}: ${moved.local_time}`);

  // 4. The scheduler publishes it to the sandbox; the calendar shows it published with a link.
  step('waiting for the scheduler to publish');
  const deadline = Date.now() + 5 * 60_000;
  for (;;) {
    const st = await page.getAttribute(`${ev} .badge`, 'data-status').catch(() => null);
    if (st === 'published') break;
    assert(!['failed', 'partially_published', 'unconfirmed', 'missed'].includes(st), 'publication went wrong: ' + st);
    assert(Date.now() < deadline, 'not published within 5 minutes; status ' + st + '\n' + server.log());
    await page.waitForTimeout(5000);
    await page.reload();
    await page.waitForSelector(ev);
  }
  const links = await page.$$eval(`${ev} .ev-link`, (els) => els.map((e) => e.getAttribute('data-url')));
  assert(links.length === 2 && links.every((u) => u.includes('/sandbox/')), 'a link per channel to the sandbox post: ' + links);
  await shot(page, 'published-calendar');
  await page.click(ev);
  await page.waitForSelector('[data-testid=published-link]');
  await shot(page, 'published-detail');
  await page.click('a[href="#/calendar"]');
  await page.waitForSelector(ev);

  // 5. French.
  step('switch to French');
  await page.selectOption('[data-testid=language]', 'fr');
  await page.waitForSelector('[data-testid=today]:has-text("Aujourd’hui")');
  const monthTitle = await page.textContent('.cal-title');
  const frMonth = new Intl.DateTimeFormat('fr-FR', { month: 'long', timeZone: TZ }).format(new Date());
  assert(monthTitle.toLowerCase().includes(frMonth), `French month title (${monthTitle}) names ${frMonth}`);
  const head = await page.textContent('.fc-col-header');
  assert(/lun\.|mar\.|mer\./i.test(head), 'French weekday names: ' + head);
  assert((await page.textContent(`${ev} .badge`)).includes('Publiée'), 'the badge is in French');
  await shot(page, 'french-calendar');

  // 6. The composer's counters agree with POST /api/v1/validate, network by network.
  step('counters against /validate');
  const admin = await apiAs(base, 'admin@demo.herald.local');
  for (const network of ['x', 'bluesky', 'mastodon', 'instagram']) {
    await admin.post(`/api/v1/workspaces/${wid}/channels`, { network, name: `Counter ${network}` });
  }
  await page.selectOption('[data-testid=language]', 'en');
  await page.reload();
  await page.waitForSelector('[data-testid=calendar] .fc-view-harness');
  await page.click('[data-testid=new-post]');
  await page.waitForSelector('[data-testid=composer]');
  for (const name of ['Counter x', 'Counter bluesky', 'Counter mastodon', 'Counter instagram']) {
    await page.click(`[data-testid=composer] .chip-toggle:has-text("${name}")`);
  }
  const texts = [
    'Short and sweet.',
    'Links: https://example.com/a/very/long/path?with=query and example.org/page and t.co and example.de',
    'Emoji 👨‍👩‍👧‍👦 🇫🇷 1️⃣ 👍🏽 ❤️ and accents cafe\u0301 déjà',
    '@alice@example.social @bob #café #1st 日本語 ' + 'é'.repeat(290),
    'हिन्दी नमस्ते ক্ষমা ' + '#tag '.repeat(31),
  ];
  for (const text of texts) {
    await page.fill('[data-testid=composer-text]', text);
    const shown = await page.$$eval('[data-testid^=counter-]', (els) => Object.fromEntries(els.map((e) => [e.dataset.network, Number(e.dataset.length)])));
    const res = await editorApi.post('/api/v1/validate', { text, networks: Object.keys(shown) });
    for (const [n, length] of Object.entries(shown)) {
      assert(res.results[n].length === length, `${n} counts ${JSON.stringify(text.slice(0, 40))} as ${res.results[n].length}; the composer shows ${length}`);
    }
  }
  await shot(page, 'counters');
  await closeComposer(page);

  // 7. This server has no model configured: with a brand voice, the composer checks the text but
  // offers no "rewrite in the brand's voice" (GET /api/v1/config lists no voice_rewrite).
  step('brand voice without a model: no rewrite button');
  const cfg = await editorApi.get('/api/v1/config');
  assert(!cfg.features.includes('voice_rewrite'), 'no rewrite feature: ' + JSON.stringify(cfg));
  await editorApi.call('PUT', `/api/v1/workspaces/${wid}/voice/profile`, { version: 0, profile: { description: 'Warm and plain.', rules: { terms: [{ kind: 'banned', use: 'free of charge', avoid: ['free'] }] } } });
  await page.reload();
  await page.waitForSelector('[data-testid=calendar] .fc-view-harness');
  await page.click('[data-testid=new-post]');
  await page.waitForSelector('[data-testid=composer] [data-testid=voice-guide]');
  await page.fill('[data-testid=composer-text]', 'Shipping is free today.');
  await page.waitForSelector('[data-testid=composer-text-marks] mark.hl-error');
  assert((await page.locator('[data-testid=voice-rewrite]').count()) === 0, 'no rewrite button without a model');
  await closeComposer(page);

  assert(errors.length === 0, 'errors in the page:\n' + errors.join('\n'));
  ok = true;
  step('scenario passed');
} catch (err) {
  console.error(err);
  try {
    const pages = browser.ctx.pages();
    if (pages[0]) await shot(pages[0], 'failure');
  } catch {
    /* ignore */
  }
  if (errors.length) console.error('page errors:\n' + errors.join('\n'));
} finally {
  await browser.close();
  await server.stop();
}
console.log(ok ? '1 passed, 0 failed' : '0 passed, 1 failed');
process.exit(ok ? 0 : 1);
