#!/usr/bin/env bash
# Starts a one-node Slurm cluster on this machine (controller and compute node both on
# localhost), so that `reage farm slurm` job arrays can be run end to end where no real
# cluster is reachable (CI, a laptop). It installs nothing: slurm-wlm and munge must be
# there (scripts/setup.sh installs them).
#
# Everything Slurm writes (slurm.conf, state, spool, pid files, logs) lives in one folder,
# $REAGE_SLURM_DIR (default: a fixed folder under the temp dir, so stop-cluster.sh finds
# it), so nothing under /etc/slurm is touched and clients find this cluster through
# SLURM_CONF. munge is the system's: its key is created if absent, munged is started if
# no munged answers yet.
#
# Idempotent: daemons already running from this folder are left as they are. Prints the
# path of slurm.conf as its only line on stdout (progress goes to stderr), so callers do
#   SLURM_CONF="$(bash scripts/slurm/start-cluster.sh)" && export SLURM_CONF
# Exits non-zero, naming the log to read, when the node does not come up idle in time.
set -euo pipefail

DIR="${REAGE_SLURM_DIR:-${TMPDIR:-/tmp}/reage-slurm}"
CONF="$DIR/slurm.conf"
WAIT_S="${REAGE_SLURM_WAIT_S:-60}"

say() { echo "slurm: $*" >&2; }
fail() { say "$*"; exit 1; }

for tool in slurmctld slurmd sinfo sbatch munged munge unmunge; do
  command -v "$tool" >/dev/null 2>&1 || PATH="$PATH:/usr/sbin"
  command -v "$tool" >/dev/null 2>&1 || fail "$tool is not installed: apt-get install slurm-wlm munge (scripts/setup.sh does)"
done
[ "$(id -u)" = 0 ] || fail "the one-node cluster runs its daemons as root (SlurmUser=root); run this as root"

mkdir -p "$DIR/state" "$DIR/spool" "$DIR/log"

# A daemon from this folder is running: its pid file names a live process of that name
# (not a pid reused by something else since an earlier run, nor a zombie).
alive() {
  local stat comm
  [ -f "$2" ] || return 1
  read -r stat comm < <(ps -o stat=,comm= -p "$(cat "$2")" 2>/dev/null) || return 1
  [ "$comm" = "$1" ] && [ "${stat#Z}" = "$stat" ]
}

# ---- munge: Slurm's authentication; every daemon and client must share one key
munge_ok() { munge -n 2>/dev/null | unmunge >/dev/null 2>&1; }
if ! munge_ok; then
  KEY=/etc/munge/munge.key
  if [ ! -s "$KEY" ]; then
    say "creating a munge key at $KEY"
    mkdir -p /etc/munge
    if command -v mungekey >/dev/null 2>&1; then mungekey --create --keyfile="$KEY"
    else dd if=/dev/urandom of="$KEY" bs=1 count=1024 status=none; fi
  fi
  # munged refuses a key, socket folder or log folder others can write to, and wants them its user's
  MUNGE_USER=root
  id munge >/dev/null 2>&1 && MUNGE_USER=munge
  mkdir -p /run/munge /var/lib/munge /var/log/munge
  chown "$MUNGE_USER:" /etc/munge "$KEY" /run/munge /var/lib/munge /var/log/munge
  chmod 0700 /etc/munge && chmod 0400 "$KEY" && chmod 0755 /run/munge
  say "starting munged (as $MUNGE_USER)"
  if [ "$MUNGE_USER" = root ]; then munged --force; else runuser -u munge -- munged; fi
  # remembered so stop-cluster.sh stops only a munged this script started
  pgrep -n -x munged >"$DIR/munged.pid" || true
  for _ in $(seq 1 20); do munge_ok && break; sleep 0.5; done
  munge_ok || fail "munged did not answer; see /var/log/munge/munged.log"
fi

# ---- slurm.conf: the smallest one-node cluster (no cgroups, no accounting database)
CPUS="$(nproc)"
TOTAL_MB="$(free -m | awk '/^Mem:/ {print $2}')"
# declared below the real figure: slurmd drains a node that has less memory than slurm.conf says
REAL_MB=$((TOTAL_MB * 9 / 10))
cat >"$CONF.new" <<EOF
# Written by scripts/slurm/start-cluster.sh: a one-node cluster on localhost.
ClusterName=reage
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
KillWait=10
MinJobAge=300
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$REAL_MB State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
# replace the file only when it changed, so a running cluster is not left on a stale config
if [ -f "$CONF" ] && cmp -s "$CONF" "$CONF.new"; then rm "$CONF.new"; else mv "$CONF.new" "$CONF"; fi
export SLURM_CONF="$CONF"

# ---- the daemons
if ! alive slurmctld "$DIR/slurmctld.pid"; then
  say "starting slurmctld (log: $DIR/log/slurmctld.log)"
  # -c: a fresh state every time, so jobs of an earlier run never come back
  slurmctld -c -f "$CONF"
fi
if ! alive slurmd "$DIR/slurmd.pid"; then
  say "starting slurmd (log: $DIR/log/slurmd.log)"
  slurmd -N localhost -f "$CONF"
fi

# ---- wait for the node to be schedulable
for _ in $(seq 1 $((WAIT_S * 2))); do
  state="$(sinfo -h -N -n localhost -o '%T' 2>/dev/null | head -1 || true)"
  case "$state" in
    idle | mixed | allocated) say "node localhost is $state"; echo "$CONF"; exit 0 ;;
    down* | drain* | fail*)
      # a node seen before (an earlier run's state) may come back down: ask for it once
      scontrol update nodename=localhost state=resume >/dev/null 2>&1 || true ;;
  esac
  sleep 0.5
done
fail "node localhost did not become idle within ${WAIT_S}s (last state: ${state:-none}); see $DIR/log/slurmctld.log and $DIR/log/slurmd.log"
