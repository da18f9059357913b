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
// Then the rest of the UI around it: the settings editors (a term, a policy, review settings, a
// snippet, a hashtag group and a template made in the browser), the composer's library (the
// snippet by /code + Tab, the group, the template and its variables), revoking the client link,
// "rewrite in the brand's voice" against a fake OpenAI-compatible model server, and a duplicate
// refused at submission until the author notes it.
// Screenshots go to frontend/test-artifacts/ (voice-*.png).
import { startFakeLLM } from './fakellm.mjs';
import { apiAs, assert, closeComposer, launch, shot, signIn, signOut, startHerald, watch } from './harness.mjs';

const t0 = Date.now();
/**
 * valueOf reads a text field once it holds want (Preact 10.12 renders what a click changed after
 * a timer, so a value read right after the click may be the old one), or after 5 s, whatever it
 * holds then (for the assertion to show).
 */
async function valueOf(page, selector, want) {
  await page.waitForFunction(([sel, v]) => document.querySelector(sel)?.value === v, [selector, want], { timeout: 5000 }).catch(() => {});
  return page.inputValue(selector);
}
/** until polls cond (the API catching up with a click) for up to 10 s. */
async function until(cond, what) {
  for (const end = Date.now() + 10_000; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) if (await cond()) return;
  throw new Error('timed out waiting: ' + what);
}
const step = (s) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1)}s] ${s}`);

// The model answers with the post in the brand's words (one preferred word still left, so the
// rewrite's own findings show).
const llm = await startFakeLLM({ key: 'sk-test', reply: () => 'Nos utilisateurs adorent les envois offerts, livrés chez vous.' });
const server = await startHerald({ env: { HERALD_LLM_BASE_URL: llm.url, HERALD_LLM_API_KEY: 'sk-test', HERALD_LLM_MODEL: llm.model } });
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
  // The duplicate refused at submission (part 8) is a 422 the browser reports in the console.
  watch(page, errors, /401|Unauthorized|422 \(Unprocessable Entity\)/);

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
  const fixed = await valueOf(page, '[data-testid=composer-text]', '🎉 Nos utilisateurs adorent les envois offerts.');
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
  await page.waitForSelector(`${detail} [data-testid=approval-deadline]`); // approve before the planned time
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

  // 5. The settings editors, in the browser (as the admin, who may change everything).
  step('settings: brand voice, approval policy, review settings, library');
  await signOut(page);
  await signIn(page, base, 'admin@demo.herald.local');
  await page.goto(base + '/#/settings/voice');
  await page.waitForSelector('[data-testid=voice-editor] [data-testid=term]');
  const terms = await page.locator('[data-testid=term]').count();
  await page.click('[data-testid=add-term]');
  const term = page.locator('[data-testid=term]').nth(terms);
  await term.waitFor();
  await term.locator('[data-testid=term-kind]').selectOption('sensitive');
  await term.locator('[data-testid=term-avoid]').fill('licenciement, grève');
  await term.locator('[data-testid=term-reason]').fill('Sujet social : relecture par la direction.');
  await page.click('[data-testid=voice-save]');
  await page.waitForSelector('[data-testid=toast-ok]:has-text("version 2")');
  const v2 = await editorApi.get(W('/voice/profile'));
  assert(v2.version === 2 && v2.profile.rules.terms.some((x) => x.kind === 'sensitive' && x.avoid.includes('grève')), 'the term was saved: ' + JSON.stringify(v2.profile.rules.terms));
  await page.fill('[data-testid=voice-try]', 'Une grève gratuite.');
  await page.waitForSelector('[data-testid=voice-finding][data-rule="vocabulary.sensitive"]');
  await shot(page, 'voice-settings-profile');

  await page.click('[data-testid=settings-tab-approvals]');
  await page.waitForSelector('[data-testid=policy]'); // the client policy seeded above
  const policies = await page.locator('[data-testid=policy]').count();
  await page.click('[data-testid=add-policy]');
  const pol = page.locator('[data-testid=policy]').nth(policies);
  await pol.waitFor();
  await pol.locator('[data-testid=policy-name]').fill('Juridique');
  await pol.locator('[data-testid=policy-label]').fill('partenariat');
  await pol.locator('[data-testid=step-name]').fill('Service juridique');
  await pol.locator('[data-testid=step-kind]').selectOption('members');
  await pol.locator('.members-pick label:has-text("Camille") input').check();
  await pol.locator('[data-testid=policy-save]').click();
  await page.waitForSelector('[data-testid=toast-ok]:has-text("Juridique")');
  const pols = (await editorApi.get(W('/approval-policies'))).items;
  const legal = pols.find((x) => x.name === 'Juridique');
  assert(legal && legal.label === 'partenariat' && legal.steps[0].members.length === 1 && !legal.steps[0].client, 'the policy was saved: ' + JSON.stringify(pols));
  await page.fill('[data-testid=rs-lead]', '30');
  await page.click('[data-testid=review-settings-save]');
  await until(async () => (await editorApi.get(W('/review-settings'))).approval_lead_minutes === 30, 'review settings saved');
  await shot(page, 'voice-settings-approvals');

  await page.click('[data-testid=settings-tab-library]');
  await page.click('[data-testid=lib-add-snippets]');
  await page.fill('[data-testid=snippet-code]', 'sig');
  await page.fill('[data-testid=snippet-text]', '— L’équipe Herald Café');
  await page.click('[data-testid=lib-save]');
  await page.waitForSelector('[data-testid=lib-section-snippets] li:has-text("/sig")');
  await page.click('[data-testid=lib-add-hashtag-groups]');
  await page.fill('[data-testid=group-name]', 'Hiver');
  await page.fill('[data-testid=group-tags]', '#HeraldCafé, #Hiver');
  await page.click('[data-testid=lib-save]');
  await page.waitForSelector('[data-testid=lib-section-hashtag-groups] li:has-text("Hiver")');
  await page.click('[data-testid=lib-add-templates]');
  await page.fill('[data-testid=tpl-edit-name]', 'Événement');
  await page.fill('[data-testid=tpl-edit-text]', 'Rendez-vous le {{event_date}} : {{link}}');
  await page.click('[data-testid=lib-save]');
  await page.waitForSelector('[data-testid=lib-section-templates] li:has-text("Événement")');
  await shot(page, 'voice-settings-library');

  // 6. The client links page: the link made above is active; revoking it closes the page.
  step('client links: revoke');
  await page.click('[data-testid=settings-tab-clients]');
  await page.waitForSelector('[data-testid=client-link-row][data-status=active]:has-text("Acme")');
  page.once('dialog', (d) => d.accept());
  await page.click('[data-testid=client-link-row]:has-text("Acme") [data-testid=client-link-revoke]');
  await page.waitForSelector('[data-testid=client-link-row][data-status=revoked]:has-text("Acme")');
  assert((await fetch(link)).status === 404, 'a revoked link no longer opens');
  await shot(page, 'voice-settings-clients');
  await signOut(page);

  // 7. The composer's library and the rewrite, as the author.
  step('composer: template, variables, snippet, hashtags, rewrite');
  await signIn(page, base, 'author@demo.herald.local');
  await page.click('[data-testid=new-post]');
  await page.waitForSelector('[data-testid=composer] [data-testid=voice-guide]');
  await page.locator('[data-testid=composer] .chip-toggle').first().click();
  await page.click('[data-testid=lib-templates] summary');
  await page.click('[data-testid=lib-template]:has-text("Événement")');
  await page.waitForSelector('[data-testid=variables] [data-testid=var-event_date]');
  await page.fill('[data-testid=var-event_date]', '12 mars');
  await page.fill('[data-testid=var-link]', 'https://herald.example/mars');
  await page.click('[data-testid=variables-fill]');
  await page.waitForSelector('[data-testid=variables]', { state: 'detached' });
  assert((await valueOf(page, '[data-testid=composer-text]', 'Rendez-vous le 12 mars : https://herald.example/mars')) === 'Rendez-vous le 12 mars : https://herald.example/mars', 'the template was filled in');
  await page.click('[data-testid=composer-text]');
  await page.keyboard.press('End');
  await page.keyboard.type(' /sig');
  await page.waitForSelector('[data-testid=snippet-hint]');
  await page.keyboard.press('Tab');
  await page.click('[data-testid=lib-groups] summary');
  await page.click('[data-testid=lib-group]:has-text("Hiver")');
  const want = 'Rendez-vous le 12 mars : https://herald.example/mars — L’équipe Herald Café\n\n#HeraldCafé #Hiver';
  const composed = await valueOf(page, '[data-testid=composer-text]', want);
  assert(composed === want, 'snippet and hashtags inserted: ' + JSON.stringify(composed));
  await shot(page, 'voice-composer-library');
  await page.fill('[data-testid=composer-text]', 'Nos utilisateurs adorent les envois gratuits.');
  await page.waitForSelector('[data-testid=voice-rewrite]');
  await page.click('[data-testid=voice-rewrite]');
  await page.waitForSelector('[data-testid=rewrite-dialog] [data-testid=rewrite-text]');
  await page.waitForSelector('[data-testid=rewrite-dialog] [data-testid=voice-finding][data-rule="vocabulary.preferred"]');
  await shot(page, 'voice-composer-rewrite');
  await page.click('[data-testid=rewrite-use]');
  const rewritten = 'Nos utilisateurs adorent les envois offerts, livrés chez vous.';
  assert((await valueOf(page, '[data-testid=composer-text]', rewritten)) === rewritten, 'the rewrite replaced the text');
  assert(llm.requests.length === 1 && llm.requests[0].user.includes('gratuits') && llm.requests[0].system.length > 0, 'the model was asked once with the text and the voice');
  await closeComposer(page);

  // 8. The duplicate check at submission: the same text on the same channel a few minutes from
  // the approved post is refused until the author says why, in the panel the refusal opens.
  step('duplicate at submission: refused, noted, submitted');
  await adminApi.call('PUT', W('/review-settings'), { duplicate_window_days: 7 });
  await page.click('[data-testid=new-post]');
  await page.waitForSelector('[data-testid=composer] [data-testid=voice-guide]');
  await page.locator('[data-testid=composer] .chip-toggle').first().click();
  const dupTitle = `Doublon ${Date.now() % 100000}`;
  await page.fill('[data-testid=composer-title]', dupTitle);
  await page.fill('[data-testid=composer-date]', tomorrow);
  await page.fill('[data-testid=composer-time]', '10:05');
  await page.fill('[data-testid=composer-text]', fixed);
  await page.waitForSelector(`${pref} [data-testid=voice-ack]`);
  await page.click(`${pref} [data-testid=voice-ack]`);
  await page.fill(`${pref} [data-testid=voice-ack-text]`, 'Citation exacte, encore.');
  await page.click(`${pref} [data-testid=voice-ack-save]`);
  await page.waitForSelector('[data-testid=voice-blocked]', { state: 'detached' });
  await page.click('[data-testid=action-submit]');
  const dup = '[data-testid=voice-gate] [data-testid=voice-finding][data-rule="review.duplicate"]';
  await page.waitForSelector(dup);
  await page.waitForSelector('[data-testid=voice-blocked]'); // the duplicate needs its note
  await shot(page, 'voice-composer-duplicate');
  await page.click(`${dup} [data-testid=voice-ack]`);
  await page.fill(`${dup} [data-testid=voice-ack-text]`, 'Rappel volontaire, cinq minutes après.');
  await page.click(`${dup} [data-testid=voice-ack-save]`);
  await page.waitForSelector('[data-testid=voice-blocked]', { state: 'detached' });
  await page.click('[data-testid=action-submit]');
  await page.waitForSelector('[data-testid=composer]', { state: 'detached' });
  const [dupPost] = (await editorApi.get(W('/posts?status=in_review'))).items.filter((p) => p.title === dupTitle);
  assert(dupPost, 'the duplicate went to review once noted');
  const dv = await editorApi.get(W(`/posts/${dupPost.id}/voice`));
  assert(dv.acknowledgements.length === 2 && dv.findings.some((f) => f.rule === 'review.duplicate' && f.acknowledged), 'both notes stored: ' + JSON.stringify(dv.acknowledgements));

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
  await llm.close();
}
console.log(ok ? '1 passed, 0 failed' : '0 passed, 1 failed');
process.exit(ok ? 0 : 1);
