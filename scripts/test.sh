#!/usr/bin/env bash
# The one test command: sets up a fresh machine, then runs every check.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export ELECTRON_SKIP_BINARY_DOWNLOAD=1
echo "== lint";        npx eslint .
echo "== typecheck";   npx tsc -p tsconfig.test.json --noEmit
echo "== python";      (cd training && /usr/bin/python3 -m pytest -q tests)
echo "== unit";        npx vitest run
echo "== build";       npx vite build --logLevel warn
echo "== e2e";         npx vitest run --config vitest.e2e.config.ts
