// The initial JavaScript a visitor downloads, gzipped: the entry script of dist/app/index.html and
// every chunk it imports statically (what the browser must load before the first paint). Chunks
// loaded on demand (the composer, the review queue, charts) are listed apart. Fails above the
// budget (250 KB gzipped, from the issue).
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const BUDGET = Number(process.env.HERALD_JS_BUDGET_KB || 250) * 1024;
const here = dirname(fileURLToPath(import.meta.url));
const dist = resolve(here, '..', 'dist', 'app');
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const gz = (file) => gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;

const initial = new Set();
const visit = (file) => {
  if (initial.has(file)) return;
  initial.add(file);
  const src = readFileSync(join(dist, file), 'utf8');
  // Static imports between chunks: import{…}from"./x.js" or import"./x.js" at the top level.
  for (const m of src.matchAll(/(?:^|[;\n}])\s*import\s*(?:[^'"()]*?from\s*)?["'](\.\/[^"']+\.js)["']/g)) visit(join('assets', m[1].slice(2)));
};
for (const m of html.matchAll(/<script[^>]+src="\/([^"]+\.js)"/g)) visit(m[1]);
for (const m of html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="\/([^"]+\.js)"/g)) visit(m[1]);

let total = 0;
const rows = [];
for (const f of initial) {
  const n = gz(f);
  total += n;
  rows.push([f, n]);
}
const lazy = readdirSync(join(dist, 'assets'))
  .filter((f) => f.endsWith('.js') && !initial.has(join('assets', f)))
  .map((f) => [join('assets', f), gz(join('assets', f))])
  .sort((a, b) => b[1] - a[1]);
const kb = (n) => (n / 1024).toFixed(1) + ' KB';
console.log('initial JavaScript (gzipped):');
for (const [f, n] of rows) console.log(`  ${f.padEnd(40)} ${kb(n)}`);
console.log(`  total ${kb(total)} (budget ${kb(BUDGET)})`);
console.log('loaded on demand (gzipped):');
for (const [f, n] of lazy) console.log(`  ${f.padEnd(40)} ${kb(n)}`);
if (total > BUDGET) {
  console.error(`FAIL: the initial JavaScript is ${kb(total)} gzipped, over the ${kb(BUDGET)} budget`);
  process.exit(1);
}
console.log('1 passed, 0 failed');
