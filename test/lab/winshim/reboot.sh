#!/bin/bash
# PrintHA lab, Windows stand-in (TEST DOUBLE): the emulated reboot of a print server / pha-dns.
# Installed by lab.sh up as /usr/local/sbin/pha-win-reboot; the shim's Restart-Computer runs it.
# It detaches itself at once (own session, stdio to /var/log/printha-winshim-reboot.log), so the
# caller returns and its answer gets out before the "machine" goes down:
#   1 s later: event "down"; sshd (with every open session: PowerShell sessions break), smbd,
#   nmbd and the listeners stop (pha-dns: sshd and dnsmasq);
#   after PRINTHA_WINSHIM_REBOOT_SECONDS (default 4; /etc/printha-winshim/reboot-seconds wins when
#   present): with faults/reboot-never-returns: event "never-returns" and the node stays down;
#   otherwise a new boot-time, the module's boot hook
#     pwsh -NoProfile -NonInteractive -Command 'Import-Module PrintHA.WindowsStandIn; Invoke-StandInBoot'
#   (OptionalNames -> Samba netbios aliases; NetBIOS setting -> starts nmbd or keeps it stopped),
#   then smbd, the listeners and sshd (pha-dns: dnsmasq and sshd) start again: event "up".
# Events are JSON lines {"t": "<ISO UTC, ms>", "event": ...} in /var/lib/printha-winshim/events.log.
set -u
S=${PRINTHA_WINSHIM_STATE:-/var/lib/printha-winshim}
LOG=/var/log/printha-winshim-reboot.log
if [ "${PHA_WIN_REBOOT_DETACHED:-}" != 1 ]; then
  PHA_WIN_REBOOT_DETACHED=1 setsid "$0" "$@" </dev/null >>"$LOG" 2>&1 &
  exit 0
fi
trap '' HUP PIPE
if [ -r /etc/printha-lab/no-inherit.sh ]; then . /etc/printha-lab/no-inherit.sh; fi

ts() { date -u +%Y-%m-%dT%H:%M:%S.%3NZ; }
ev() { # $1 event, $2 optional extra JSON members (',"k":v')
  printf '{"t":"%s","event":"%s"%s}\n' "$(ts)" "$1" "${2:-}" >>"$S/events.log"
  echo "$(ts) $1${2:-}"
}
kill_comm() { # every process of this node (own PID namespace) named exactly $1, TERM then KILL
  local d p pids=() _
  for d in /proc/[0-9]*; do
    p=${d#/proc/}
    [ "$p" = $$ ] && continue
    [ "$(cat "$d/comm" 2>/dev/null)" = "$1" ] && pids+=("$p")
  done
  [ ${#pids[@]} = 0 ] && return 0
  kill "${pids[@]}" 2>/dev/null
  for p in "${pids[@]}"; do
    for _ in $(seq 50); do [ -d "/proc/$p" ] || break; sleep 0.02; done
    kill -KILL "$p" 2>/dev/null
  done
  return 0
}

secs=${PRINTHA_WINSHIM_REBOOT_SECONDS:-4}
if [ -r /etc/printha-winshim/reboot-seconds ]; then secs=$(tr -dc '0-9.' </etc/printha-winshim/reboot-seconds); fi
[[ $secs =~ ^[0-9]+(\.[0-9]+)?$ ]] || secs=4

case $(cat /etc/printha-lab-node 2>/dev/null) in
  pha-dns) svc=(dnsmasq) ;;
  *) svc=(smbd listeners) ;;
esac

sleep 1
ev down
systemctl stop sshd nmbd "${svc[@]}" >/dev/null 2>&1
# a reboot ends every session: the per-connection sshd and smbd processes and the sessions' pwsh too
kill_comm sshd
kill_comm pwsh
kill_comm smbd
kill_comm nmbd
sleep "$secs"
if [ -e "$S/faults/reboot-never-returns" ]; then
  ev never-returns
  exit 0
fi
ts >"$S/boot-time"
if ! out=$(/usr/local/bin/pwsh -NoProfile -NonInteractive -Command 'Import-Module PrintHA.WindowsStandIn; Invoke-StandInBoot' 2>&1); then
  echo "$out"
  ev boot-hook-failed ",\"output\":$(printf '%s' "$out" | tail -c 2000 | python3 -c 'import json,sys; print(json.dumps(sys.stdin.read()))')"
fi
rc=0
systemctl start "${svc[@]}" sshd || rc=$?
if [ $rc = 0 ]; then ev up; else ev up ",\"failed\":\"systemctl start exit $rc\""; fi
