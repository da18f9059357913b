// The brand voice issue's "done when", in real headless Chromium against a real `herald serve
// --demo` on SQLite. What the test needs is seeded through the API first: a French voice profile
// with a banned term (and a preferred one), and an approval policy that adds a client step to
// posts labelled "client". Then, in the browser:
//   1. the author, writing in French, sees the banned term underlined with its replacement,
//      cannot submit while the error remains, applies the fix in one click, keeps a warning with
//      a note, and submits;
//   2. the editor sees the findings and the note in the review queue, with the approval steps,
//      approves the editors' step and creates a client review link;
//   3. the client, without an account (a fresh browser profile), approves through the link;
//   4. the post's timeline (and the audit API) shows the approval under the link's name.
// Screenshots go to frontend/test-artifacts/ (voice-*.png).
import { apiAs, assert, launch, shot, signIn, signOut, startHerald, watch } from './harness.mjs';

const t0 = Date.now();
const step = (s) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1)}s] ${s}`);

const server = await startHerald();
const browser = await launch({ locale: 'fr-FR' });
const errors = [];
let ok = false;
try {
  const base = server.url;
  const editorApi = await apiAs(base, 'editor@demo.herald.local');
  const adminApi = await apiAs(base, 'admin@demo.herald.local');
  const wid = editorApi.me.workspaces[0].id;
  const W = (p) => `/api/v1/workspaces/${wid}${p}`;

  step('seed: French voice profile and a client step for posts labelled "client"');
  const profile = {
    description: 'Chaleureuse, précise, jamais insistante. Nous vouvoyons nos clients.',
    audience: 'Les amateurs de café de spécialité.',
    do: ['Nos clients retrouvent le mélange d’hiver dès lundi.'],
    dont: ['Livraison GRATUITE !!!'],
    rules: {
      language: 'fr',
      terms: [
        { kind: 'banned', use: 'offert', avoid: ['gratuit'], reason: 'le service juridique refuse « gratuit »' },
        { kind: 'preferred', use: 'client', avoid: ['utilisateur'], gender: 'm' },
      ],
      form: { address: 'vous' },
    },
  };
  const saved = await editorApi.call('PUT', W('/voice/profile'), { profile, version: 0 });
  assert(saved.version === 1, 'profile saved');
  await adminApi.post(W('/approval-policies'), { name: 'Validation client', label: 'client', steps: [{ name: 'Client', client: true }] });

  const page = await browser.ctx.newPage();
  watch(page, errors);

  // 1. The author writes in French.
  step('author writes in French');
  await signIn(page, base, 'author@demo.herald.local');
  await page.click('[data-testid=new-post]');
  await page.waitForSelector('[data-testid=composer]');
  await page.locator('[data-testid=composer] .chip-toggle').first().click();
  const title = `Envois d’hiver ${Date.now() % 100000}`;
  await page.fill('[data-testid=composer-title]', title);
  // Planned for tomorrow at 10:00 (Paris), so the post is on the calendar with its voice score.
  const tomorrow = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date(Date.now() + 86400e3));
  await page.fill('[data-testid=composer-date]', tomorrow);
  await page.fill('[data-testid=composer-time]', '10:00');
  await page.fill('[data-testid=labels-input]', 'client');
  await page.press('[data-testid=labels-input]', 'Enter');
  await page.waitForSelector('[data-testid=voice-guide]:has-text("Chaleureuse")');
  const text = '🎉 Nos utilisateurs adorent les envois gratuits.';
  await page.click('[data-testid=composer-text]');
  await page.keyboard.type(text, { delay: 5 });
  const banned = '[data-testid=voice-finding][data-rule="vocabulary.banned"]';
  await page.waitForSelector('[data-testid=composer-text-marks] mark.hl-error:text-is("gratuits")');
  await page.waitForSelector(`${banned} [data-testid=voice-fix]:has-text("offerts")`);
  assert((await page.textContent(banned)).includes('gratuit'), 'the finding names the banned word');
  await shot(page, 'voice-author-underlined');

  step('cannot submit while the error remains');
  await page.waitForSelector('[data-testid=voice-blocked]');
  assert((await page.getAttribute('[data-testid=action-submit]', 'aria-disabled')) === 'true', 'submit is marked unavailable');
  // aria-disabled, not disabled: the button stays focusable and says why when pressed.
  await page.click('[data-testid=action-submit]', { force: true });
  await page.waitForSelector('[data-testid=toast-error]');
  assert(await page.isVisible('[data-testid=composer]'), 'the composer stays open');
  const drafts = (await editorApi.get(W('/posts?status=in_review'))).items.filter((p) => p.title === title);
  assert(drafts.length === 0, 'nothing went to review');
  await shot(page, 'voice-author-blocked');

  step('one-click fix, then a note on the warning');
  await page.click(`${banned} [data-testid=voice-fix]`);
  await shot(page, 'voice-debug-after-fix');
  console.log('toasts:', JSON.stringify(await page.$$eval('.toast', (els) => els.map((e) => e.textContent))));
  const fixed = await page.inputValue('[data-testid=composer-text]');
  assert(fixed === '🎉 Nos utilisateurs adorent les envois offerts.', 'the fix replaced the word: ' + fixed);
  await page.waitForSelector('[data-testid=composer-text-marks] mark.hl-error', { state: 'detached' });
  const pref = '[data-testid=voice-finding][data-rule="vocabulary.preferred"]';
  await page.waitForSelector(pref);
  await page.click(`${pref} [data-testid=voice-ack]`);
  await page.fill(`${pref} [data-testid=voice-ack-text]`, 'Citation exacte d’un client : on garde son mot.');
  await page.click(`${pref} [data-testid=voice-ack-save]`);
  await page.waitForSelector('[data-testid=voice-blocked]', { state: 'detached' });
  await shot(page, 'voice-author-fixed');
  await page.click('[data-testid=action-submit]');
  await page.waitForSelector('[data-testid=composer]', { state: 'detached' });
  const [sent] = (await editorApi.get(W('/posts?status=in_review'))).items.filter((p) => p.title === title);
  assert(sent, 'the post is in review');
  const pv = await editorApi.get(W(`/posts/${sent.id}/voice`));
  assert(pv.errors === 0 && pv.unacknowledged === 0 && pv.acknowledgements.length === 1, 'one acknowledgement stored: ' + JSON.stringify(pv));
  await signOut(page);

  // 2. The editor sees the findings and the note in the review queue, with the steps.
  step('editor reviews');
  await signIn(page, base, 'editor@demo.herald.local');
  const card = `[data-testid=post-event]:has-text("${title}")`;
  await page.waitForSelector(`${card} .ev-score[data-score="${pv.score}"]`);
  await page.click('a[href="#/review"]');
  const item = `[data-testid=review-item]:has-text("${title}")`;
  await page.waitForSelector(item);
  await page.click(item);
  const detail = `[data-testid=review-detail]:has-text("${title}")`;
  await page.waitForSelector(`${detail} [data-testid=voice-review] [data-testid=review-marked-text] mark.hl-warning:text-is("utilisateurs")`);
  await page.waitForSelector(`${detail} [data-testid=voice-acks]:has-text("Citation exacte")`);
  await page.waitForSelector(`${detail} [data-testid=voice-ack-item]:has-text("Camille")`); // the note names its author
  const stepsShown = await page.$$eval(`${detail} [data-testid=approval-step]`, (els) => els.map((e) => [e.textContent, e.dataset.current]));
  assert(stepsShown.length === 2 && stepsShown[0][1] === 'true' && stepsShown[1][0].includes('Client'), 'two steps, the editors’ first: ' + JSON.stringify(stepsShown));
  await shot(page, 'voice-editor-review');
  await page.click(`${detail} [data-testid=review-approve]`);
  await page.waitForSelector(`${detail} [data-testid=approval-step][data-current=true]:has-text("Client")`);
  await page.waitForSelector(`${detail} [data-testid=approve-why]`);
  await page.click(`${detail} [data-testid=send-to-client]`);
  await page.fill('[data-testid=client-link-name]', 'Acme — marketing');
  await page.click('[data-testid=client-link-create]');
  await page.waitForSelector('[data-testid=client-link-url]');
  const link = await page.inputValue('[data-testid=client-link-url]');
  assert(link.startsWith(base + '/review/hrld_rev_'), 'a client review link: ' + link);
  await shot(page, 'voice-editor-client-link');
  await page.keyboard.press('Escape');

  // 3. The client approves through the link, in a browser that has never signed in.
  step('client approves through the link');
  const client = await launch({ locale: 'fr-FR' });
  try {
    const cp = await client.ctx.newPage();
    const res = await cp.goto(link);
    assert(res.status() === 200, 'the client page opens without an account: ' + res.status());
    await cp.waitForSelector(`text=${title}`);
    await shot(cp, 'voice-client-page');
    await cp.click('button[name=decision][value=approve]');
    await cp.waitForSelector('text=votre validation est enregistrée');
    await shot(cp, 'voice-client-approved');
  } finally {
    await client.close();
  }

  // 4. The post's timeline shows the approval under the link's name; so does the audit API.
  step('the audit log shows the client link');
  await page.goto(base + '/#/posts/' + sent.id);
  const tl = '[data-testid=timeline]';
  await page.waitForSelector(`${tl} .tl-audit:has-text("client link: Acme — marketing")`);
  assert(/approuvée|validée/.test(await page.textContent(`${tl} .tl-audit:has-text("client link: Acme")`)), 'the timeline says what the client did');
  await shot(page, 'voice-post-timeline');
  const audit = (await editorApi.get(W(`/posts/${sent.id}/audit?limit=200`))).items;
  const byClient = audit.find((e) => e.actor === 'client link: Acme — marketing' && /approved/.test(e.action));
  assert(byClient && byClient.actor_id === null, 'audited under the link’s identity: ' + JSON.stringify(audit.map((e) => [e.actor, e.action])));
  const approved = await editorApi.get(W(`/posts/${sent.id}`));
  assert(approved.status === 'approved', 'every step done: the post is approved (' + approved.status + ')');

  assert(errors.length === 0, 'errors in the page:\n' + errors.join('\n'));
  ok = true;
  step('voice scenario passed');
} catch (err) {
  console.error(err);
  try {
    const pages = browser.ctx.pages();
    if (pages.length) await shot(pages[pages.length - 1], 'voice-failure');
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
