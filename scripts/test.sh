#!/usr/bin/env bash
# The one test command: sets up a fresh machine, then runs every check.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# independent age estimators: the e2e suite reads exported frames' ages with them
bash scripts/fetch-human-models.sh
export ELECTRON_SKIP_BINARY_DOWNLOAD=1
# A one-node Slurm cluster for test/farm/slurm.test.ts, stopped however the run ends,
# unless it was already running (another run's, which is left to it).
# REAGE_SLURM=1 only when it came up: then that test must run rather than skip.
pgrep -x slurmctld >/dev/null || trap 'bash scripts/slurm/stop-cluster.sh' EXIT
if SLURM_CONF="$(bash scripts/slurm/start-cluster.sh)"; then
  export SLURM_CONF REAGE_SLURM=1
else
  echo "== slurm: the one-node cluster did not start (above); test/farm/slurm.test.ts will be skipped" >&2
fi
echo "== lint";        npx eslint .
echo "== typecheck";   npx tsc -p tsconfig.test.json --noEmit
echo "== python";      (cd training && /usr/bin/python3 -m pytest -q tests)
echo "== unit";        npx vitest run
echo "== build";       npx vite build --logLevel warn
echo "== e2e";         npx vitest run --config vitest.e2e.config.ts
