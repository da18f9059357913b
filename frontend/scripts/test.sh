#!/usr/bin/env bash
# The web UI's tests, run by `make test` after the Go tests: type check and build, Vitest (units,
# components, the composer's counters against the server's rules), the initial-JavaScript budget,
# and the browser tests in Debian's Chromium against a real `herald serve --demo` on SQLite (the
# calendar scenario, the brand voice and approvals scenario, then the 2,000-post month view as a
# regression guard).
#
# Without Node.js or Chromium this says so loudly and skips what it cannot run; with
# HERALD_REQUIRE_BROWSER=1 (set by .ci/run) a missing tool fails the run instead.
set -euo pipefail
cd "$(dirname "$0")/.."
require=${HERALD_REQUIRE_BROWSER:-0}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
export CHROMIUM

skip() {
  echo "!!"
  echo "!! SKIPPED: $1"
  echo "!!"
  if [ "$require" = 1 ]; then
    echo "!! HERALD_REQUIRE_BROWSER=1: a skipped UI test is a failure here."
    exit 1
  fi
  exit 0
}

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  skip "Node.js is not installed: the UI's unit and browser tests did not run (install Node.js 20.19+)."
fi
if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>20||(a===20&&b>=19)?0:1)'; then
  skip "Node.js $(node --version) is older than 20.19: the UI's unit and browser tests did not run."
fi

echo "== ui: install, type check and build"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run build

echo "== ui: vitest"
npx vitest run

echo "== ui: initial JavaScript budget"
node scripts/size.mjs

if [ ! -x "$CHROMIUM" ]; then
  skip "Chromium is not installed at $CHROMIUM: the browser tests did not run (apt-get install chromium)."
fi

echo "== ui: herald binary with this UI embedded"
(cd .. && go build -o bin/herald ./cmd/herald)
export HERALD_BIN="$(cd .. && pwd)/bin/herald"

echo "== ui: browser scenario (screenshots in frontend/test-artifacts/)"
node e2e/scenario.mjs

echo "== ui: brand voice and approvals scenario (French author, editor, client link; settings; library; rewrite)"
node e2e/voice.mjs

echo "== ui: month view with 2,000 posts (regression guard; BENCHMARKS.md has the target run)"
HERALD_PERF_RUNS=${HERALD_PERF_RUNS:-3} HERALD_PERF_MAX_MS=${HERALD_PERF_MAX_MS:-2500} node e2e/perf.mjs
