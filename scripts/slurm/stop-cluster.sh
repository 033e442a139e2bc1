#!/usr/bin/env bash
# Stops the one-node cluster that start-cluster.sh started: slurmd, slurmctld and, when
# that script started it, munged (a munged that was already running is left alone).
# Idempotent: what is not running is skipped. The folder stays, with its logs, for a
# post-mortem; start-cluster.sh starts from a fresh state anyway.
set -uo pipefail

DIR="${REAGE_SLURM_DIR:-${TMPDIR:-/tmp}/reage-slurm}"

say() { echo "slurm: $*" >&2; }

# Stop the process whose id a pid file holds, waiting for it to go (SIGKILL after ~10 s).
stop_pidfile() {
  local name="$1" file="$2" pid
  [ -f "$file" ] || return 0
  pid="$(cat "$file")"
  # only the daemon itself: a pid file outlives its process, and the pid may be reused
  if [ -n "$pid" ] && [ "$(ps -o comm= -p "$pid" 2>/dev/null)" = "$name" ]; then
    say "stopping $name ($pid)"
    kill "$pid" 2>/dev/null
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
  fi
  rm -f "$file"
}

# slurmd first: jobs still running on the node are killed with it, not orphaned
stop_pidfile slurmd "$DIR/slurmd.pid"
stop_pidfile slurmctld "$DIR/slurmctld.pid"
stop_pidfile munged "$DIR/munged.pid"
exit 0
