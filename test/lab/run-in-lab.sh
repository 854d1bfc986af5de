#!/bin/bash
# Run a command inside the PrintHA lab's client namespace, with the lab's environment:
#   bash test/lab/run-in-lab.sh vitest run --project integration
# Brings the lab up first (as root) and down afterwards (also on failure or Ctrl-C), and prints
# both times. PRINTHA_LAB_KEEP=1: reuse a lab that is already up and leave it up afterwards.
# PRINTHA_LAB_SERVERS=N: number of print servers (default 2).
# The command runs under `ip netns exec pha-client`, so everything it starts (vitest workers,
# PrintHA's ssh2 connections, smbclient, Chromium) reaches the lab and nothing else.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB=$HERE/lab.sh
[ $# -gt 0 ] || { echo "usage: run-in-lab.sh CMD [ARGS...]" >&2; exit 2; }
[ "$(uname -s)" = Linux ] || { echo "run-in-lab: the lab needs Linux" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "run-in-lab: the lab needs root (network namespaces, mounts): run as root" >&2; exit 2; }

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.2f", b-a}'; }

# one lab per machine: a second test run waits here until the first one has torn its lab down
exec 9>/run/printha-lab.lock
if ! flock -n 9; then
  echo "run-in-lab: another lab test run holds /run/printha-lab.lock: waiting (up to 15 min)" >&2
  flock -w 900 9 || { echo "run-in-lab: gave up waiting for the lab lock" >&2; exit 1; }
fi
export PRINTHA_LAB_LOCKED=1

owned=1
t0=$(now)
if [ "${PRINTHA_LAB_KEEP:-}" = 1 ] && bash "$LAB" is-up; then
  owned=0
  echo "run-in-lab: reusing the running lab (PRINTHA_LAB_KEEP=1)" >&2
else
  teardown() {
    local rc=$? t
    trap - EXIT INT TERM
    t=$(now)
    bash "$LAB" down 9>&- || rc=1
    echo "run-in-lab: lab tear-down took $(since "$t") s" >&2
    exit $rc
  }
  trap teardown EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  bash "$LAB" up --servers "${PRINTHA_LAB_SERVERS:-2}" 9>&-
  echo "run-in-lab: lab bring-up took $(since "$t0") s" >&2
fi

eval "$(bash "$LAB" env)"
export PRINTHA_LAB_MANAGED=1
set +e
ip netns exec "$PRINTHA_LAB_NETNS" "$@" 9>&-
rc=$?
set -e
[ $owned = 1 ] || exit $rc
exit $rc
