#!/usr/bin/env bash
# The main job on a fresh machine: set up, then age the Tears of Steel plate
# (24 frames) to 60+ with the default hybrid (G's change + the prototype age layer), into out/demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
FOOTAGE="${REAGE_FOOTAGE:-../shared/footage}"
node bin/reage.js info
node bin/reage.js age "$FOOTAGE/tears_of_steel/tos_0500.####.png" --frames 1001-1024 \
  --out out/demo/tears_of_steel --age 60+ --resume "$@"
echo "demo: aged frames in out/demo/tears_of_steel/"
