// Shared pieces of the browser tests: a real `herald serve --demo` on SQLite in a temporary data
// directory on a free port, Debian's Chromium driven by playwright-core (never a downloaded
// browser), screenshots kept in test-artifacts/, and small API helpers.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const root = resolve(here, '..', '..');
export const artifacts = resolve(here, '..', 'test-artifacts');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const DEMO_PASSWORD = 'herald-demo-2026';

export function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.unref();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

/** startHerald runs the built binary with --demo on SQLite in a fresh directory. */
export async function startHerald({ env = {} } = {}) {
  const bin = process.env.HERALD_BIN || join(root, 'bin', 'herald');
  if (!existsSync(bin)) throw new Error(`no herald binary at ${bin}: run 'make build' (or set HERALD_BIN)`);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'herald-e2e-'));
  const url = `http://127.0.0.1:${port}`;
  const proc = spawn(bin, ['serve', '--demo', '--addr', `127.0.0.1:${port}`, '--public-url', url, '--data-dir', dir, '--log-level', 'warn'], {
    env: { ...process.env, HERALD_DATABASE_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  proc.stdout.on('data', (d) => (log += d));
  proc.stderr.on('data', (d) => (log += d));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error('herald exited early:\n' + log);
    try {
      const r = await fetch(url + '/readyz');
      if (r.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error('herald did not become ready in 30 s:\n' + log);
    await new Promise((r) => setTimeout(r, 150));
  }
  return {
    url,
    port,
    dir,
    log: () => log,
    async stop() {
      proc.kill('SIGTERM');
      await new Promise((r) => (proc.exitCode !== null ? r() : proc.once('exit', r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** launch starts headless Chromium with a fresh profile. */
export async function launch({ locale = 'en-GB', viewport = { width: 1366, height: 860 }, timezoneId = 'Europe/Paris' } = {}) {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not installed at ${CHROMIUM} (apt-get install chromium)`);
  const profile = mkdtempSync(join(tmpdir(), 'herald-chromium-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
    viewport,
    locale,
    timezoneId,
  });
  return {
    ctx,
    async close() {
      await ctx.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

let shotSeq = 0;
export async function shot(page, name) {
  mkdirSync(artifacts, { recursive: true });
  const file = join(artifacts, `${String(++shotSeq).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/**
 * watch fails the test on a page error (an exception in the UI). expected matches console errors
 * the test causes on purpose (by default the 401 of a signed-out visitor's first /me).
 */
export function watch(page, errors, expected = /401|Unauthorized/) {
  page.on('pageerror', (e) => errors.push('pageerror: ' + e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !expected.test(m.text())) errors.push('console: ' + m.text());
  });
}

/** api calls the JSON API as a user (cookie session with its CSRF token), outside the browser. */
export async function apiAs(base, email) {
  const r = await fetch(base + '/api/v1/auth/signin', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password: DEMO_PASSWORD }),
  });
  if (!r.ok) throw new Error(`sign-in as ${email}: ${r.status}`);
  const cookie = r.headers.get('set-cookie').split(';')[0];
  const me = await r.json();
  const call = async (method, path, body) => {
    const res = await fetch(base + path, {
      method,
      headers: { Cookie: cookie, 'X-CSRF-Token': me.csrf_token, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    const data = text ? JSON.parse(text) : undefined;
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return data;
  };
  return { me, call, get: (p) => call('GET', p), post: (p, b) => call('POST', p, b) };
}

export function assert(cond, msg) {
  if (!cond) throw new Error('assertion failed: ' + msg);
}

export async function signIn(page, base, email) {
  await page.goto(base + '/');
  await page.fill('[data-testid=signin-email]', email);
  await page.fill('[data-testid=signin-password]', DEMO_PASSWORD);
  await page.click('[data-testid=signin-submit]');
  await page.waitForSelector('[data-testid=calendar] .fc-view-harness');
}

/** closeComposer closes the composer, discarding unsaved changes when it asks about them. */
export async function closeComposer(page) {
  await page.click('[data-testid=composer-close]');
  // The question is drawn after a timer (Preact 10.12): look for it until the composer is gone.
  for (const end = Date.now() + 10_000; Date.now() < end; await page.waitForTimeout(50)) {
    if (!(await page.locator('[data-testid=composer]').count())) return;
    const discard = page.locator('[data-testid=discard]');
    if (await discard.count()) await discard.click();
  }
  throw new Error('the composer did not close');
}

export async function signOut(page) {
  await page.click('.usermenu summary');
  await page.click('[data-testid=sign-out]');
  await page.waitForSelector('[data-testid=signin-email]');
}
