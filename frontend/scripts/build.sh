#!/usr/bin/env bash
# Builds the web UI into frontend/dist/app (embedded by the herald binary). Without Node.js it says
# so and exits 0: the binary then serves the placeholder page that explains how to build the UI.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "!! Node.js is not installed: the web UI was not built; Herald will serve a placeholder page."
  echo "!! Install Node.js 20.19 or newer (with npm) and run 'make ui' to build it."
  exit 0
fi
if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>20||(a===20&&b>=19)?0:1)'; then
  echo "!! Node.js $(node --version) is too old for the UI build (20.19 or newer is needed); the placeholder page will be served."
  exit 0
fi
# npm ci reinstalls from the lock file; skip it when node_modules already matches the lock.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run build
