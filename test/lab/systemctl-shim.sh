#!/bin/bash
# PrintHA lab: a minimal `systemctl` stand-in, installed as /usr/bin/systemctl inside lab nodes
# only (PID 1 of a node is a bash loop, not systemd). /run/systemd/system exists in every node,
# so `service X ...` goes through this shim too.
#
# Actions: start stop restart reload reload-or-restart try-reload-or-restart try-restart
#          status is-active is-enabled enable disable daemon-reload (the last three do nothing)
# Units:   sshd (alias ssh), haproxy, keepalived, smbd (alias samba), nmbd (NetBIOS name service), listeners
#          (alias printha-listeners), haplog, dnsmasq
# Daemons write their stdio to /var/log/<unit>.start.log so callers' pipes are never held open.
set -u
if [ -r /etc/printha-lab/no-inherit.sh ]; then . /etc/printha-lab/no-inherit.sh; fi # close inherited descriptors (the lab lock)
act=
units=()
for a in "$@"; do
  case $a in
    -*) ;;
    *) if [ -z "$act" ]; then act=$a; else u=${a%.service}; units+=("$u"); fi ;;
  esac
done
case $act in daemon-reload | enable | disable | mask | unmask | reset-failed) exit 0 ;; esac
if [ -z "$act" ]; then
  echo "systemctl (PrintHA lab shim): no action given" >&2
  exit 1
fi

canon() {
  case $1 in
    ssh | sshd) echo sshd ;;
    samba | smbd) echo smbd ;;
    nmbd) echo nmbd ;;
    listeners | printha-listeners) echo listeners ;;
    haproxy | keepalived | haplog | dnsmasq) echo "$1" ;;
    *) return 1 ;;
  esac
}
pidfile() {
  case $1 in
    sshd) echo /run/sshd.pid ;;
    haproxy) echo /run/haproxy.pid ;;
    keepalived) echo /run/keepalived.pid ;;
    smbd) echo /run/samba/smbd.pid ;;
    nmbd) echo /run/samba/nmbd.pid ;;
    listeners) echo /run/printha-listeners.pid ;;
    haplog) echo /run/haplog.pid ;;
    dnsmasq) echo /run/dnsmasq.pid ;;
  esac
}
mainpid() { local p; p=$(head -n1 "$(pidfile "$1")" 2>/dev/null) && [ -n "$p" ] && echo "$p"; }
running() { local p; p=$(mainpid "$1") && kill -0 "$p" 2>/dev/null; }
startlog() { echo "/var/log/$1.start.log"; }
fail_tail() {
  echo "Job for $1.service failed. Last lines of $(startlog "$1"):" >&2
  tail -n 15 "$(startlog "$1")" >&2 2>/dev/null
  return 1
}
wait_pidfile() { # $1 unit: wait up to 5 s for a live pid
  local _
  for _ in $(seq 250); do running "$1" && return 0; sleep 0.02; done
  return 1
}

do_start() {
  local u=$1 log
  running "$u" && return 0
  log=$(startlog "$u")
  case $u in
    sshd)
      mkdir -p /run/sshd && chmod 0755 /run/sshd
      /usr/sbin/sshd -E /var/log/sshd.log </dev/null >>"$log" 2>&1 || { fail_tail "$u"; return 1; } ;;
    haproxy) # master-worker, master in the foreground of start-stop-daemon so its stderr (reload errors) is logged
      mkdir -p /run/haproxy
      rm -f /run/haproxy.pid
      start-stop-daemon --start --background --output "$log" --exec /usr/sbin/haproxy -- \
        -W -f /etc/haproxy/haproxy.cfg -p /run/haproxy.pid -S /run/haproxy-master.sock </dev/null >>"$log" 2>&1 ;;
    keepalived) # no syslog in a node: foreground (-n), console log (-l) to a file; -P = VRRP only (no IPVS here)
      rm -f /run/keepalived.pid /run/vrrp.pid
      start-stop-daemon --start --background --output /var/log/keepalived.log \
        --exec /usr/sbin/keepalived -- -n -l -D -G -P -f /etc/keepalived/keepalived.conf </dev/null >>"$log" 2>&1 ;;
    smbd)
      /usr/sbin/smbd -D </dev/null >>"$log" 2>&1 || { fail_tail "$u"; return 1; } ;;
    nmbd)
      /usr/sbin/nmbd -D </dev/null >>"$log" 2>&1 || { fail_tail "$u"; return 1; } ;;
    listeners)
      rm -f /run/printha-listeners.ready
      start-stop-daemon --start --background --make-pidfile --pidfile /run/printha-listeners.pid \
        --output /var/log/printha-listeners.log \
        --exec /usr/bin/python3 -- /usr/local/bin/printha-lab-listen /etc/printha-lab/listen-ports \
        /run/printha-listeners.ready </dev/null >>"$log" 2>&1 ;;
    haplog)
      start-stop-daemon --start --background --make-pidfile --pidfile /run/haplog.pid \
        --exec /usr/bin/socat -- -u UDP4-RECV:514,bind=127.0.0.1 OPEN:/var/log/haproxy.log,creat,append \
        </dev/null >>"$log" 2>&1 ;;
    dnsmasq)
      /usr/sbin/dnsmasq -C /etc/dnsmasq.conf -x /run/dnsmasq.pid </dev/null >>"$log" 2>&1 || { fail_tail "$u"; return 1; } ;;
  esac
  wait_pidfile "$u" || { fail_tail "$u"; return 1; }
  wait_serving "$u" || { fail_tail "$u"; return 1; }
}
wait_serving() { # a started unit is only "started" once it accepts connections (like sd_notify READY=1)
  local _ port=
  case $1 in sshd) port=22 ;; smbd) port=445 ;; dnsmasq) port=53 ;; esac
  for _ in $(seq 250); do
    if [ "$1" = listeners ]; then [ -e /run/printha-listeners.ready ] && return 0
    elif [ "$1" = nmbd ]; then ss -Hlun "sport = :137" | grep -q . && return 0
    elif [ -n "$port" ]; then ss -Hltn "sport = :$port" | grep -q . && return 0
    else return 0; fi
    sleep 0.02
  done
  return 1
}
do_stop() {
  local u=$1 p _
  p=$(mainpid "$u") || return 0
  kill "$p" 2>/dev/null
  for _ in $(seq 250); do kill -0 "$p" 2>/dev/null || break; sleep 0.02; done
  kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null
  rm -f "$(pidfile "$u")"
  [ "$u" = keepalived ] && rm -f /run/vrrp.pid
  return 0
}
haproxy_proc() { # "<reloads> <failed reloads>" of the master, from its CLI socket
  echo "show proc" | socat -t 2 - UNIX-CONNECT:/run/haproxy-master.sock 2>/dev/null |
    awk '$2 == "master" { f = 0; if (match($0, /failed: [0-9]+/)) f = substr($0, RSTART + 8, RLENGTH - 8); print $3, f; exit }'
}
haproxy_reload() { # USR2 to the master, then wait until it has re-read the configuration
  # The master counts reloads and failed reloads; a good reload resets "failed" to 0, so only a
  # failed count that went UP means this reload failed. A master that was restarted meanwhile
  # (new PID, both counters back to 0) did not take this reload: that is not a confirmation either.
  local pid before after _
  pid=$(mainpid haproxy)
  before=$(haproxy_proc)
  kill -USR2 "$pid"
  for _ in $(seq 100); do
    sleep 0.05
    after=$(haproxy_proc)
    [ -n "$after" ] && [ "${after%% *}" != "${before%% *}" ] && break
  done
  if [ -z "$after" ] || [ -z "$before" ] || [ "${after%% *}" = "${before%% *}" ] || [ "$(mainpid haproxy)" != "$pid" ]; then
    echo "Job for haproxy.service failed: the master did not confirm the reload within 5 s" >&2
    return 1
  fi
  if [ "${after##* }" -gt "${before##* }" ]; then
    echo "Job for haproxy.service failed: HAProxy rejected the new configuration; it keeps the old one. Last lines of $(startlog haproxy):" >&2
    tail -n 8 "$(startlog haproxy)" >&2
    return 1
  fi
}
do_reload() {
  local u=$1 out
  case $u in
    haproxy)
      if ! out=$(/usr/sbin/haproxy -c -q -f /etc/haproxy/haproxy.cfg 2>&1); then
        echo "Job for haproxy.service failed: configuration check failed (haproxy -c):" >&2
        echo "$out" >&2
        return 1
      fi
      haproxy_reload ;;
    smbd) kill -HUP "$(mainpid smbd)" ;;
    listeners | haplog) do_stop "$u"; do_start "$u" ;;
    *) kill -HUP "$(mainpid "$u")" ;;
  esac
}

rc=0
for raw in "${units[@]}"; do
  if ! u=$(canon "$raw"); then
    echo "Unit $raw.service could not be found." >&2
    rc=5
    continue
  fi
  case $act in
    start) do_start "$u" || rc=1 ;;
    stop) do_stop "$u" ;;
    restart) do_stop "$u"; do_start "$u" || rc=1 ;;
    reload)
      if running "$u"; then do_reload "$u" || rc=1
      else echo "$u.service is not active, cannot reload." >&2; rc=1; fi ;;
    reload-or-restart | try-reload-or-restart | try-restart | condrestart)
      if running "$u"; then
        if [ "$act" = try-restart ] || [ "$act" = condrestart ]; then do_stop "$u"; do_start "$u" || rc=1
        else do_reload "$u" || rc=1; fi
      elif [ "$act" = reload-or-restart ]; then do_start "$u" || rc=1
      fi ;;
    is-active) if running "$u"; then echo active; else echo inactive; rc=3; fi ;;
    is-enabled) echo enabled ;;
    status)
      echo "● $u.service - $u (PrintHA lab systemctl shim)"
      echo "     Loaded: loaded (lab shim; enabled)"
      if running "$u"; then
        echo "     Active: active (running)"
        echo "   Main PID: $(mainpid "$u")"
      else
        echo "     Active: inactive (dead)"
        rc=3
      fi ;;
    *) echo "systemctl (PrintHA lab shim): unsupported action '$act'" >&2; rc=1 ;;
  esac
done
exit $rc
