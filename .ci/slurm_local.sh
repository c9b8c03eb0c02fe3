#!/usr/bin/env bash
# Start / stop a REAL single-node Slurm cluster (munged + slurmctld + slurmd
# [+ optional slurmdbd/mariadb for sacct]) on localhost, without systemd and
# without cgroups.  Debian 12 (bookworm) packages, Slurm 22.05.8.
#
# Usage:  slurm_local.sh up      # install (if needed) + config + start + wait idle
#         slurm_local.sh down    # stop every daemon this script started (by PID file)
#         slurm_local.sh status
# Env:    SLURM_LOCAL_DIR   state dir            (default /tmp/slurm-local/cluster)
#         SLURM_LOCAL_DBD   1 = also run mariadb + slurmdbd so that `sacct`
#                           works (submitit needs sacct to notice cancelled /
#                           killed jobs); 0 = no accounting   (default 1)
#         SLURM_LOCAL_MEM   RealMemory in MB  (default min(20000, 90% of MemTotal);
#                           too high => node DRAINs with 'Low RealMemory')
#         SLURM_LOCAL_CRED_EXPIRE  requeue delay in s (default 10; Slurm's is 120)
#         SLURM_LOCAL_SCHED_PARAMS SchedulerParameters (default bf_interval=1,sched_interval=1)
#         SLURM_LOCAL_MAX_ARRAY_SIZE MaxArraySize (default 4: small on purpose, so that the
#                           test suite exercises codescale's splitting of large arrays)
# Copied from shared/reference/slurm_local.sh (tested there on this kind of VM); codescale's
# .ci/run starts it before the tests and stops it on exit.
# NOTE: state is wiped on `up`, so job ids restart at 1 -> give submitit a fresh
#       folder per run, or stale <folder>/<jobid>/*_result.pkl files are returned.
# Idempotent: `up` first runs `down`, wipes the state dir and starts fresh.
# Must run as root.  Writes /etc/slurm/slurm.conf (+ slurmdbd.conf), since
# the client commands used by submitit (sbatch/sacct/scancel/scontrol) read
# the default config path.
set -euo pipefail

STATE=${SLURM_LOCAL_DIR:-/tmp/slurm-local/cluster}
WITH_DBD=${SLURM_LOCAL_DBD:-1}
MEM=${SLURM_LOCAL_MEM:-$(awk '/MemTotal/{m=int($2/1024*0.9); print (m<20000?m:20000)}' /proc/meminfo)}
CRED_EXPIRE=${SLURM_LOCAL_CRED_EXPIRE:-10}  # requeue delay, Slurm default 120
SCHED_PARAMS=${SLURM_LOCAL_SCHED_PARAMS:-bf_interval=1,sched_interval=1}
MAX_ARRAY_SIZE=${SLURM_LOCAL_MAX_ARRAY_SIZE:-4}
NODE=$(hostname -s)
NCPU=$(nproc)
CONF=/etc/slurm/slurm.conf

log() { echo "[slurm_local $(date +%T)] $*" >&2; }

stop_pidfile() {  # stop_pidfile NAME FILE
  local f=$2 pid
  [[ -s $f ]] || return 0
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    log "stopping $1 (pid $pid)"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && { log "$1 still alive -> SIGKILL"; kill -9 "$pid" 2>/dev/null || true; }
  fi
  rm -f "$f"
}

down() {
  # jobs' processes are children of slurmstepd, which exits with slurmd's jobs;
  # cancel everything first so no job step outlives the daemons.
  if [[ -s $STATE/slurmctld.pid ]] && kill -0 "$(cat "$STATE/slurmctld.pid")" 2>/dev/null; then
    scancel --full --quiet --user=root 2>/dev/null || true
    scancel --quiet --state=PENDING 2>/dev/null || true
    sleep 1
  fi
  stop_pidfile slurmd    "$STATE/slurmd.pid"
  stop_pidfile slurmctld "$STATE/slurmctld.pid"
  stop_pidfile slurmdbd  "$STATE/slurmdbd.pid"
  stop_pidfile mariadbd  "$STATE/mysql/mysqld.pid"
  stop_pidfile munged    "$STATE/munged.pid"
  [[ -L /run/mysqld/mysqld.sock ]] && rm -f /run/mysqld/mysqld.sock
  return 0
}

install_pkgs() {
  local pkgs=(slurmctld slurmd slurm-client munge)
  [[ $WITH_DBD == 1 ]] && pkgs+=(slurmdbd mariadb-server)
  local missing=()
  for p in "${pkgs[@]}"; do
    [[ $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) == "install ok installed" ]] || missing+=("$p")
  done
  if ((${#missing[@]})); then
    log "apt-get install ${missing[*]}"
    # policy-rc.d in containers usually blocks service start; make sure of it
    # so that postinst scripts do not try to launch daemons we start ourselves.
    local prc=/usr/sbin/policy-rc.d created=0
    if [[ ! -e $prc ]]; then printf '#!/bin/sh\nexit 101\n' >$prc; chmod +x $prc; created=1; fi
    [[ -n $(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -print -quit 2>/dev/null) ]] || apt-get update -qq
    # stale package lists 404 on install: refresh them once and retry
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
      || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
    if ((created)); then rm -f $prc; fi
  fi
}

start_munge() {
  install -d -o munge -g munge -m 0755 /run/munge
  install -d -o munge -g munge -m 0700 /var/log/munge /etc/munge
  install -d -o munge -g munge -m 0711 /var/lib/munge
  if [[ ! -s /etc/munge/munge.key ]]; then
    log "creating munge key"
    mungekey --create --keyfile=/etc/munge/munge.key 2>/dev/null \
      || dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none
  fi
  chown munge:munge /etc/munge/munge.key; chmod 0400 /etc/munge/munge.key
  # pid file must be writable by the munge user
  install -d -o munge -g munge -m 0755 "$STATE/munge"
  runuser -u munge -- /usr/sbin/munged --pid-file="$STATE/munge/munged.pid" \
      --log-file="$STATE/munge/munged.log"
  for _ in $(seq 50); do [[ -s $STATE/munge/munged.pid ]] && break; sleep 0.1; done
  cp "$STATE/munge/munged.pid" "$STATE/munged.pid"
  munge -n | unmunge >/dev/null || { log "munge self-test FAILED"; exit 1; }
  log "munged up (pid $(cat "$STATE/munged.pid"))"
}

start_dbd() {
  local dd=$STATE/mysql
  install -d -o mysql -g mysql "$dd" "$dd/data" /run/mysqld
  log "initialising mariadb in $dd/data"
  mariadb-install-db --user=mysql --datadir="$dd/data" --auth-root-authentication-method=socket \
      --skip-test-db >"$dd/install.log" 2>&1
  # mariadbd-safe would be the usual wrapper; run the server directly so its pid is known
  runuser -u mysql -- /usr/sbin/mariadbd --no-defaults --datadir="$dd/data" \
      --socket="$dd/mysqld.sock" --pid-file="$dd/mysqld.pid" --skip-networking \
      --log-error="$dd/mysqld.err" --innodb-buffer-pool-size=64M >/dev/null 2>&1 &
  for _ in $(seq 100); do [[ -S $dd/mysqld.sock ]] && break; sleep 0.2; done
  [[ -S $dd/mysqld.sock ]] || { log "mariadb did not start:"; tail "$dd/mysqld.err"; exit 1; }
  mariadb --socket="$dd/mysqld.sock" -uroot <<SQL
CREATE DATABASE IF NOT EXISTS slurm_acct_db;
CREATE USER IF NOT EXISTS 'slurm'@'localhost' IDENTIFIED BY 'slurmlocal';
GRANT ALL ON slurm_acct_db.* TO 'slurm'@'localhost';
FLUSH PRIVILEGES;
SQL
  cat >/etc/slurm/slurmdbd.conf <<EOF
AuthType=auth/munge
DbdHost=localhost
DbdPort=6819
SlurmUser=root
PidFile=$STATE/slurmdbd.pid
LogFile=$STATE/slurmdbd.log
DebugLevel=info
StorageType=accounting_storage/mysql
StorageHost=localhost
StorageLoc=slurm_acct_db
StorageUser=slurm
StoragePass=slurmlocal
StoragePort=3306
EOF
  # libmariadb connects to "localhost" via the default socket path
  ln -sf "$dd/mysqld.sock" /run/mysqld/mysqld.sock
  chmod 0600 /etc/slurm/slurmdbd.conf
  slurmdbd
  for _ in $(seq 100); do
    [[ -s $STATE/slurmdbd.pid ]] && sacctmgr -n -i list cluster >/dev/null 2>&1 && break; sleep 0.2
  done
  log "slurmdbd up (pid $(cat "$STATE/slurmdbd.pid"))"
}

write_conf() {
  install -d /etc/slurm "$STATE/ctld" "$STATE/spool"
  local acct="AccountingStorageType=accounting_storage/none"
  if [[ $WITH_DBD == 1 ]]; then
    acct="AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
AccountingStoragePort=6819
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherFrequency=30"
  else
    acct="$acct
JobAcctGatherType=jobacct_gather/none"
  fi
  cat >$CONF <<EOF
# generated by slurm_local.sh
ClusterName=local
SlurmctldHost=$NODE(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
# requeued jobs wait cred_expire seconds before restarting (default 120)
AuthInfo=cred_expire=$CRED_EXPIRE
SlurmctldPort=6817
SlurmdPort=6818
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/spool
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=$STATE/slurmctld.log
SlurmdLogFile=$STATE/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# no cgroups, no systemd
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SwitchType=switch/none
$acct
JobCompType=jobcomp/none
MailProg=/bin/true
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
DefMemPerCPU=1024
SchedulerType=sched/backfill
# fast turnaround for tests (defaults: bf_interval=30, sched_interval=60)
SchedulerParameters=$SCHED_PARAMS
ReturnToService=2
JobRequeue=1
KillWait=5
MinJobAge=300
MaxArraySize=$MAX_ARRAY_SIZE
InactiveLimit=0
Waittime=0
MessageTimeout=10
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$NCPU RealMemory=$MEM State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
}

up() {
  [[ $(id -u) == 0 ]] || { log "must be root"; exit 1; }
  local t0; t0=$(date +%s%N)
  down
  install_pkgs
  local t1; t1=$(date +%s%N)
  rm -rf "$STATE"; mkdir -p "$STATE"
  write_conf
  start_munge
  [[ $WITH_DBD == 1 ]] && start_dbd
  slurmctld -i            # daemonises, writes SlurmctldPidFile
  for _ in $(seq 100); do scontrol ping >/dev/null 2>&1 && break; sleep 0.1; done
  log "slurmctld up (pid $(cat "$STATE/slurmctld.pid"))"
  slurmd -N "$NODE"       # daemonises, writes SlurmdPidFile
  local st=""
  for _ in $(seq 300); do
    st=$(sinfo -h -n "$NODE" -o %T 2>/dev/null || true)
    [[ $st == idle* ]] && break; sleep 0.1
  done
  [[ $st == idle* ]] || { log "node not idle (state '$st')"; tail -20 "$STATE/slurmd.log" "$STATE/slurmctld.log" >&2; exit 1; }
  local t2; t2=$(date +%s%N)
  log "cluster ready: node $NODE idle. teardown+install $(( (t1-t0)/1000000 ))ms, daemon start $(( (t2-t1)/1000000 ))ms"
  sinfo
}

status() {
  for d in munged slurmdbd slurmctld slurmd; do
    f=$STATE/$d.pid; [[ $d == munged ]] || true
    if [[ -s $f ]] && kill -0 "$(cat "$f")" 2>/dev/null; then echo "$d: running pid $(cat "$f")"; else echo "$d: not running"; fi
  done
  sinfo 2>&1 || true
}

case ${1:-} in
  up) up ;;
  down) down; log "stopped" ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
