#!/bin/bash
# PrintHA network-namespace lab (Linux, root). See test/lab/README.md.
#
#   lab.sh up [--servers N] [--reuse]   build the lab (tears down any old or half-built lab first;
#                                        --reuse keeps a healthy lab with the same N instead)
#   lab.sh down                          stop everything: no namespace, process or mount is left
#   lab.sh status | is-up | vip-owner    state; is-up exits 0 when the lab is up
#   lab.sh env                           export lines for a shell running PrintHA against the lab
#   lab.sh exec NODE CMD...              run CMD inside NODE (pha-client: plain `ip netns exec`)
#   lab.sh ssh NODE CMD...               ssh root@NODE from pha-client with the lab key
#   lab.sh start|stop|restart|reload NODE SERVICE   (sshd haproxy keepalived smbd nmbd listeners haplog dnsmasq)
#   lab.sh link-down|link-up NODE        cut / restore NODE's cable (switch port down/up)
#   lab.sh latency NODE MS | latency-clear NODE     tc netem delay on NODE's eth0 (exit 3 if no sch_netem)
#   lab.sh throttle NODE KBIT | throttle-clear NODE  tc tbf rate limit on NODE's eth0
#   lab.sh disk-fill NODE [PATH] | disk-free NODE [PATH]   fill a small tmpfs (default /etc/haproxy on
#                                        balancers, /tmp elsewhere) until ENOSPC / remove the filler
#   lab.sh hostkey-replace NODE          new SSH host key on NODE, sshd restarted, lab known_hosts updated
#   lab.sh dns-add NAME IP | dns-del NAME | dns-list    A records on pha-dns (zone lab.printha.test)
#   lab.sh shares NODE SHARE... | shares NODE --reset   printer shares of one print-server node
#   lab.sh aliases NODE [NAME...]        Samba `netbios aliases` of one print-server node (none at up)
#   lab.sh win-fault NODE FAULT on|off [VALUE] | win-fault NODE --reset
#   lab.sh win-power-on NODE   a server whose restart never returned boots (fault off, emulated boot)
#                                        Windows stand-in faults on pha-psK / pha-dns: reboot-never-returns,
#                                        fail-cmdlet NAME, wrong-credentials, unreachable (winshim/README.md)
#   lab.sh win-state NODE [FILE]         a file of /var/lib/printha-winshim on NODE (default node.json)
#
# pwsh (PowerShell 7.6) is required: print servers and pha-dns run the Windows stand-in
# (test/lab/winshim/README.md) behind a real `Subsystem powershell`.
#
# Topology (all addresses exist only inside the lab's namespaces; the root namespace has none):
#   netns pha-sw: bridge br0 (no IP) with one veth port per node; subnet 10.99.0.0/24, no route out
#   pha-client 10.99.0.100 (plain netns, host filesystem)   VIP 10.99.0.10 (keepalived VRRP)
#   pha-lb1 10.99.0.11  pha-lb2 10.99.0.12  pha-psK 10.99.0.(20+K), K=1..N (N<=20, default 2)
#   pha-dns 10.99.0.53 (dnsmasq, zone lab.printha.test, sshd)
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/no-inherit.sh"

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
B=${PRINTHA_LAB_DIR:-$HERE/run}
mkdir -p "$B" 2>/dev/null || true
B=$(cd "$B" && pwd)
SW=pha-sw
CLIENT=pha-client
VIP=10.99.0.10
ZONE=lab.printha.test
KEY=$B/keys/id_ed25519
TOFU_KH=$B/keys/printha_known_hosts
LAB_KH=$B/keys/lab_known_hosts
LAB_USER=labadmin
LAB_PASSWORD='Lab-Pa55word!'
NODE_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
DEFAULT_SHARES=(HP-LaserJet-4th-Floor KM-C458-Finance KM-bizhub-C308-Reception Canon-iRADV-C5535-Plotroom FollowMe-Secure)
WINSHIM=$HERE/winshim
WINSHIM_MODULE=${PRINTHA_WINSHIM_MODULE:-$WINSHIM/PrintHA.WindowsStandIn} # override: develop against another copy
WINSHIM_STATE=/var/lib/printha-winshim
WINSHIM_FAULTS="reboot-never-returns fail-cmdlet wrong-credentials unreachable"
PWSH_MISSING='pwsh not found: install it with `dotnet tool install --global PowerShell --version 7.6.10` and put ~/.dotnet/tools on PATH (.ci/run does)'
LISTEN_PORTS="21 25 53 80 443 465 515 587 5011-5025 5555 5610 50000-50020 50808 50809"

log() { printf '%(%T)T lab: %s\n' -1 "$*" >&2; }
die() { log "error: $*"; exit 1; }
now() { date +%s.%N; }
T00=$(date +%s.%N)
dbg() { [ -z "${PRINTHA_LAB_DEBUG:-}" ] || log "+$(since "$T00") $*"; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.2f", b-a}'; }

need_root() {
  [ "$(uname -s)" = Linux ] || die "the lab needs Linux (network namespaces, overlayfs)"
  [ "$(id -u)" = 0 ] || die "the lab needs root (network namespaces, mounts): run it as root"
}

# ------------------------------------------------------------------ topology
servers() { # number of print servers of the running (or last) lab
  local n=2
  [ -f "$B/run/state" ] && n=$(sed -n 's/^SERVERS=//p' "$B/run/state")
  echo "${n:-2}"
}
nodes_for() { # $1 = N
  local k
  printf '%s\n' pha-client pha-lb1 pha-lb2
  for ((k = 1; k <= $1; k++)); do echo "pha-ps$k"; done
  echo pha-dns
}
ip_of() {
  case $1 in
    pha-client) echo 10.99.0.100 ;;
    pha-lb1) echo 10.99.0.11 ;;
    pha-lb2) echo 10.99.0.12 ;;
    pha-dns) echo 10.99.0.53 ;;
    pha-ps*) echo "10.99.0.$((20 + ${1#pha-ps}))" ;;
    *) return 1 ;;
  esac
}
canon_node() { # accepts lb1 / pha-lb1 / client ...; prints pha-NAME or fails
  local n=$1
  [[ $n == pha-* ]] || n=pha-$n
  [[ $n =~ ^pha-(client|lb1|lb2|dns|ps([1-9]|1[0-9]|20))$ ]] || die "unknown node '$1' (nodes: $(nodes_for "$(servers)" | tr '\n' ' '))"
  if [[ $n == pha-ps* ]] && ((${n#pha-ps} > $(servers))); then die "node $n does not exist (the lab has $(servers) print servers)"; fi
  echo "$n"
}
pid1() { # host PID of NODE's PID 1
  local p
  p=$(cat "$B/run/$1.pid1" 2>/dev/null) || die "node $1 is not running (is the lab up? npm run lab:up)"
  [ -d "/proc/$p" ] || die "node $1 is not running (PID $p gone)"
  echo "$p"
}
nx() { # run a command inside a node (all its namespaces, its root, a clean environment)
  local n=$1
  shift
  # 9>&-: daemons started here must not inherit the lab lock (see lab_lock)
  if [ "$n" = "$CLIENT" ]; then
    ip netns exec "$CLIENT" "$@" 9>&-
  else
    nsenter -t "$(pid1 "$n")" -m -u -i -n -p -r -w -- \
      env -i PATH=$NODE_PATH HOME=/root LANG=C.UTF-8 TERM="${TERM:-dumb}" "$@" 9>&-
  fi
}
lab_pid1s() { # host PIDs of every node-init of this lab dir, by exact command line
  local d a
  for d in /proc/[0-9]*; do
    mapfile -d '' a <"$d/cmdline" 2>/dev/null || continue
    [ "${a[0]:-}" = /bin/bash ] && [ "${a[1]:-}" = "$B/node-init.sh" ] && echo "${d#/proc/}"
  done
  return 0
}
lab_netns() { ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^pha-(sw|client|lb1|lb2|dns|ps[0-9]+)$' || true; }
has_pwsh() { command -v pwsh >/dev/null 2>&1; }
need_pwsh() { has_pwsh || die "$PWSH_MISSING"; }
is_win() { [[ $1 == pha-ps* || $1 == pha-dns ]]; }

# ------------------------------------------------------------------ generated configs
gen_sshd() { # $1 node
  cat <<EOF
# PrintHA lab sshd for $1
Port 22
ListenAddress 0.0.0.0
HostKey /etc/ssh/ssh_host_ed25519_key
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
AuthorizedKeysFile /etc/ssh/authorized_keys/%u
UsePAM yes
PrintMotd no
PidFile /run/sshd.pid
AcceptEnv LANG LC_*
Subsystem sftp /usr/lib/openssh/sftp-server
EOF
  if is_win "$1"; then echo "Subsystem powershell /usr/local/bin/pwsh -sshs -NoLogo -ConfigurationFile /etc/printha-winshim/session.pssc"; fi
  cat <<EOF
Match User $LAB_USER
    PasswordAuthentication yes
EOF
}

gen_haproxy_min() {
  cat <<'EOF'
# PrintHA lab: minimal start-up configuration. It binds nothing on the VIP;
# PrintHA (linux-haproxy) or lbcli (loadbalancer-org emulator) replaces it.
global
    log 127.0.0.1:514 local0
    chroot /var/lib/haproxy
    stats socket /run/haproxy/admin.sock mode 660 level admin
    stats socket /var/run/haproxy.stat mode 600 level admin
    stats timeout 30s
    user haproxy
    group haproxy
    daemon

defaults
    log global
    mode tcp
    timeout connect 5s
    timeout client 1m
    timeout server 1m

listen lab-stats
    bind 127.0.0.1:8404
    mode http
    stats enable
    stats uri /
EOF
}

gen_keepalived() { # $1 node $2 state $3 priority
  cat <<EOF
# PrintHA lab keepalived for $1 (run with -P: VRRP only, this kernel has no IPVS)
global_defs {
    router_id $1
    enable_script_security
    script_user root
}
vrrp_script chk_haproxy {
    script "/usr/bin/killall -0 haproxy"
    interval 1
    fall 2
    rise 2
}
vrrp_instance VI_PRINTHA {
    state $2
    interface eth0
    virtual_router_id 51
    priority $3
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass labpass
    }
    virtual_ipaddress {
        $VIP/24 dev eth0
    }
    track_script {
        chk_haproxy
    }
}
EOF
}

gen_lb_config_xml() { # $1 node role: master|slave
  cat <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<config>
  <physical>
    <network>
      <role>$1</role>
      <master>10.99.0.11</master>
      <slave>10.99.0.12</slave>
    </network>
    <pool>
      <name>printha-lab</name>
      <state>ha</state>
      <node><hostname>pha-lb1</hostname><role>master</role><ip>10.99.0.11</ip><type>primary</type></node>
      <node><hostname>pha-lb2</hostname><role>slave</role><ip>10.99.0.12</ip><type>secondary</type></node>
    </pool>
  </physical>
  <heartbeat>
    <ucast_interface><master>eth0</master><slave>eth0</slave></ucast_interface>
    <ucast_ip><master>10.99.0.11</master><slave>10.99.0.12</slave></ucast_ip>
    <vip/>
  </heartbeat>
  <global>
    <firewall><lockdown>off</lockdown><admin_net/><conntrack_size>524288</conntrack_size></firewall>
  </global>
  <ldirectord/>
  <haproxy/>
</config>
EOF
}

gen_smb() { # $1 node
  cat <<EOF
# PrintHA lab Samba for $1: a print server without CUPS (bsd printing, own print command)
[global]
   workgroup = LAB
   netbios name = ${1^^}
   include = /etc/samba/aliases.conf
   server string = %h print server (PrintHA lab)
   server role = standalone server
   security = user
   map to guest = bad user
   guest account = nobody
   smb ports = 445
   # NetBIOS over TCP/IP on, as on a clean Windows server: nmbd answers UDP 137 (name service)
   # until the stand-in's SetTcpipNetbios(2) stops it
   # (not "bind interfaces only": smbd must also accept on a VIP on lo, LVS-DR)
   interfaces = eth0
   logging = file
   log file = /var/log/samba/log.%m
   max log size = 1000
   log level = 1
   load printers = no
   printing = bsd
   printcap name = /dev/null
   print command = mv %s %s.printed
   lpq command = /bin/true
   lprm command = /bin/true

[print\$]
   comment = Printer Drivers
   path = /srv/print-drivers
   guest ok = yes
   read only = yes

[lab-info\$]
   comment = Which node served this connection (PrintHA lab)
   path = /srv/lab-info
   guest ok = yes
   read only = yes

include = /etc/samba/printers.conf
EOF
}

gen_printers() { # share names...
  local s
  for s in "$@"; do
    cat <<EOF
[$s]
   comment = $s on %h
   path = /var/spool/samba-lab
   printable = yes
   guest ok = yes

EOF
  done
}

gen_aliases() { # a clean server has no OptionalNames: no argument = no alias
  if [ $# = 0 ]; then echo "# no netbios aliases (OptionalNames empty)"; else echo "   netbios aliases = $*"; fi
}

gen_dnsmasq() {
  cat <<EOF
# PrintHA lab DNS: authoritative-style answers for $ZONE from a hosts file; nothing is forwarded.
no-resolv
no-hosts
no-poll
listen-address=10.99.0.53
bind-interfaces
domain=$ZONE
local=/$ZONE/
expand-hosts
addn-hosts=/etc/dnsmasq.lab/hosts
log-queries
log-facility=/var/log/dnsmasq.log
EOF
}

node_mac() { # stable MAC of NODE's eth0 (locally administered): 02:50:48:00:00:<last octet>
  local ip
  ip=$(ip_of "$1")
  printf '02:50:48:00:00:%02x\n' "${ip##*.}"
}
node_guid() { # stable interface GUID of NODE's LAN adapter, Windows form {XXXXXXXX-XXXX-4XXX-8XXX-XXXXXXXXXXXX}
  local h
  h=$(printf 'printha-lab %s lan' "$1" | md5sum | tr a-f A-F)
  printf '{%s-%s-4%s-8%s-%s}\n' "${h:0:8}" "${h:8:4}" "${h:13:3}" "${h:17:3}" "${h:20:12}"
}
gen_node_json() { # $1 node: the stand-in's identity of the node (winshim/README.md)
  local n=$1 role=print-server mac
  [ "$n" = pha-dns ] && role=dns-server
  mac=$(node_mac "$n" | tr a-f: A-F-)
  cat <<EOF
{
  "computerName": "${n^^}",
  "role": "$role",
  "domain": "$ZONE",
  "lan": {
    "name": "Ethernet",
    "ifIndex": 6,
    "mac": "$mac",
    "address": "$(ip_of "$n")",
    "prefixLength": 24,
    "guid": "$(node_guid "$n")"
  },
  "os": {
    "caption": "Microsoft Windows Server 2019 Standard",
    "version": "10.0.17763",
    "buildNumber": "17763"
  }
}
EOF
}

pwsh_home() { # the host's PowerShell home, copied once per version into $B/pwsh-<version>; prints that dir
  local exe st ver home cache=$B/pwsh.cache line
  exe=$(command -v pwsh)
  st="$exe $(stat -L -c '%Y %s' "$exe")"
  if [ -s "$cache" ]; then
    line=$(cat "$cache")
    if [ "${line% *}" = "$st" ] && [ -x "$B/pwsh-${line##* }/pwsh" ]; then echo "$B/pwsh-${line##* }"; return 0; fi
  fi
  { read -r ver; read -r home; } < <(pwsh -NoProfile -NonInteractive -Command '$PSVersionTable.PSVersion.ToString(); $PSHOME')
  [[ $ver =~ ^[0-9][0-9A-Za-z.-]*$ ]] && [ -x "$home/pwsh" ] || die "cannot find PowerShell's home (\$PSHOME) of $exe"
  if [ ! -x "$B/pwsh-$ver/pwsh" ]; then
    log "copying PowerShell $ver ($home) into $B/pwsh-$ver (once per version)"
    rm -rf "$B/pwsh-$ver.tmp"
    cp -a "$home/." "$B/pwsh-$ver.tmp/"
    mv "$B/pwsh-$ver.tmp" "$B/pwsh-$ver"
  fi
  echo "$st $ver" >"$cache"
  echo "$B/pwsh-$ver"
}

setupapi_build() { # builds winshim/setupapi with its build.sh (cached by source hash); prints the output dir or nothing
  local src=$WINSHIM/setupapi h out
  [ -f "$src/build.sh" ] || return 0
  h=$(cd "$src" && find . -type f ! -path './out/*' -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
  out=$B/setupapi-$h
  if [ ! -e "$out/.built" ]; then
    rm -rf "$out"
    mkdir -p "$out"
    bash "$src/build.sh" "$out" >"$B/setupapi-build.log" 2>&1 || { cat "$B/setupapi-build.log" >&2; die "winshim/setupapi/build.sh failed (log above)"; }
    touch "$out/.built"
  fi
  echo "$out"
}

win_reset() { # $1 node: the stand-in back to a clean server (as after lab up), services running, faults untouched
  local n=$1
  nx "$n" sh -c '
    st='"$WINSHIM_STATE"'
    rm -f "$st/registry.json" "$st/net.json" "$st"/devices/*.json
    : >"$st/events.log"
    for a in $(ip -o addr show dev lo | awk "{print \$4}"); do
      case $a in 127.0.0.1/8|::1/128) ;; *) ip addr del "$a" dev lo ;; esac
    done
    for c in all eth0; do sysctl -qw net.ipv4.conf.$c.arp_ignore=0 net.ipv4.conf.$c.arp_announce=0; done' || die "$n: win-reset failed"
  case $n in
    pha-dns) nx "$n" sh -c 'cp /etc/dnsmasq.lab/hosts.lab /etc/dnsmasq.lab/hosts && systemctl start sshd dnsmasq >/dev/null && systemctl reload dnsmasq' ||
      die "$n: win-reset failed" ;;
    *) nx "$n" sh -c ': >/etc/samba/aliases.conf; systemctl start sshd smbd listeners nmbd >/dev/null' || die "$n: services did not start" ;;
  esac
}

seed_winshim() { # $1 node $2 seed dir $3 pwsh home $4 setupapi dir (may be empty)
  local n=$1 S=$2
  mkdir -p "$S/usr/local/bin" "$S/usr/local/sbin" "$S/etc/printha-winshim" "$S/usr/local/lib/printha-winshim" \
    "$S/usr/local/share/powershell/Modules" "$S$WINSHIM_STATE/faults" "$S$WINSHIM_STATE/devices"
  cat >"$S/usr/local/bin/pwsh" <<EOF
#!/bin/sh
# PrintHA lab: the host's PowerShell ($3), with the SetupAPI stand-in on the loader path
LD_LIBRARY_PATH=/usr/local/lib/printha-winshim\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}
# the stand-in's compiled types, shared by every node (warmed by lab.sh up)
PRINTHA_WINSHIM_CACHE=$B/winshim-cache
export LD_LIBRARY_PATH PRINTHA_WINSHIM_CACHE
exec "$3/pwsh" "\$@"
EOF
  chmod 0755 "$S/usr/local/bin/pwsh"
  install -m 0644 "$WINSHIM/session.pssc" "$S/etc/printha-winshim/session.pssc"
  install -m 0755 "$WINSHIM/reboot.sh" "$S/usr/local/sbin/pha-win-reboot"
  if [ -d "$WINSHIM_MODULE" ]; then cp -a "$WINSHIM_MODULE/." "$S/usr/local/share/powershell/Modules/PrintHA.WindowsStandIn/"; fi
  if [ -n "${4:-}" ]; then cp -a "$4/." "$S/usr/local/lib/printha-winshim/"; rm -f "$S/usr/local/lib/printha-winshim/.built"; fi
  gen_node_json "$n" >"$S$WINSHIM_STATE/node.json"
  : >"$S$WINSHIM_STATE/events.log"
}

# ------------------------------------------------------------------ prepare (host side, no lab running)
winshim_types_warm() { # compiles the stand-in's .NET types once per source hash (every node's first session would take ~8 s)
  [ -f "$WINSHIM_MODULE/Types.ps1" ] || return 0
  PRINTHA_WINSHIM_CACHE=$B/winshim-cache pwsh -NoLogo -NoProfile -NonInteractive -Command ". '$WINSHIM_MODULE/Types.ps1'" >"$B/winshim-types.log" 2>&1 ||
    { cat "$B/winshim-types.log" >&2; die "the Windows stand-in's types do not compile (log above)"; }
}
prepare() { # $1 = N
  local n N S k psh sapi
  mkdir -p "$B/keys" "$B/run" "$B/nodes"
  psh=$(pwsh_home)
  sapi=$(setupapi_build)
  winshim_types_warm
  [ -d "$WINSHIM_MODULE" ] || log "note: no $WINSHIM_MODULE yet: the Windows stand-in module is not installed on the nodes"
  install -m 0755 "$HERE/node-init.sh" "$B/node-init.sh"
  [ -f "$KEY" ] || ssh-keygen -q -t ed25519 -N '' -C printha-lab-client -f "$KEY"
  rm -f "$TOFU_KH"          # PrintHA's own known_hosts starts absent: trust on first use is exercised
  : >"$LAB_KH.new"
  for n in $(nodes_for "$1"); do
    [ "$n" = $CLIENT ] && continue
    N=$B/nodes/$n
    S=$N/seed
    rm -rf "$N"
    mkdir -p "$N/var-log" "$N/ovl" "$S/usr/bin" "$S/etc/printha-lab"
    install -m 0755 "$HERE/systemctl-shim.sh" "$S/usr/bin/systemctl"
    install -m 0644 "$HERE/no-inherit.sh" "$S/etc/printha-lab/no-inherit.sh"
    echo "$n" >"$S/etc/hostname"
    echo "$n" >"$S/etc/printha-lab-node"
    printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s %s.%s\n::1\tlocalhost ip6-localhost ip6-loopback\n' "$n" "$n" "$ZONE" >"$S/etc/hosts"
    printf 'nameserver 10.99.0.53\nsearch %s\n' "$ZONE" >"$S/etc/resolv.conf"
    case $n in
      pha-lb* | pha-ps* | pha-dns)
        mkdir -p "$S/etc/ssh/authorized_keys"
        gen_sshd "$n" >"$S/etc/ssh/sshd_config"
        ssh-keygen -q -t ed25519 -N '' -C "$n" -f "$S/etc/ssh/ssh_host_ed25519_key"
        install -m 0644 "$KEY.pub" "$S/etc/ssh/authorized_keys/root"
        for k in "$(ip_of "$n")" "$n" "$n.$ZONE"; do
          echo "$k $(cut -d' ' -f1,2 "$S/etc/ssh/ssh_host_ed25519_key.pub")" >>"$LAB_KH.new"
        done
        cat >"$S/etc/printha-lab/boot.sh" <<EOF
#!/bin/sh
id $LAB_USER >/dev/null 2>&1 || useradd -m -s /bin/bash $LAB_USER
echo '$LAB_USER:$LAB_PASSWORD' | chpasswd
EOF
        if is_win "$n"; then echo "date -u +%Y-%m-%dT%H:%M:%S.%3NZ >$WINSHIM_STATE/boot-time" >>"$S/etc/printha-lab/boot.sh"; fi
        chmod 0700 "$S/etc/printha-lab/boot.sh" ;;
    esac
    if is_win "$n"; then seed_winshim "$n" "$S" "$psh" "$sapi"; fi
    case $n in
      pha-lb*)
        mkdir -p "$S/etc/haproxy" "$S/etc/keepalived" "$S/etc/loadbalancer.org" "$S/usr/local/sbin" \
          "$S/var/lib/loadbalancer.org/check" "$S/etc/ha.d/conf"
        printf '/etc/haproxy 8m\n/etc/loadbalancer.org 8m\n' >"$S/etc/printha-lab/small-mounts"
        gen_haproxy_min >"$S/etc/haproxy/haproxy.cfg"
        if [ "$n" = pha-lb1 ]; then
          gen_keepalived "$n" MASTER 150 >"$S/etc/keepalived/keepalived.conf"
          gen_lb_config_xml master >"$S/etc/loadbalancer.org/lb_config.xml"
          echo active >"$N/var-log/nodestatus_local"
        else
          gen_keepalived "$n" BACKUP 100 >"$S/etc/keepalived/keepalived.conf"
          gen_lb_config_xml slave >"$S/etc/loadbalancer.org/lb_config.xml"
          echo passive >"$N/var-log/nodestatus_local"
        fi
        echo "8.13.1 (PrintHA lab lbcli emulator)" >"$S/etc/loadbalancer.org/version.txt"
        install -m 0755 "$HERE/lbcli/lbcli.py" "$S/usr/local/sbin/lbcli" ;;
      pha-ps*)
        mkdir -p "$S/etc/samba" "$S/var/spool/samba-lab" "$S/srv/print-drivers" "$S/srv/lab-info" \
          "$S/usr/local/bin" "$N/var-log/samba"
        chmod 1777 "$S/var/spool/samba-lab"
        gen_smb "$n" >"$S/etc/samba/smb.conf"
        gen_printers "${DEFAULT_SHARES[@]}" >"$S/etc/samba/printers.conf"
        gen_aliases >"$S/etc/samba/aliases.conf"
        echo "served by $n" >"$S/srv/lab-info/README.txt"
        echo "PrintHA lab: no drivers here" >"$S/srv/print-drivers/README.txt"
        echo "$LISTEN_PORTS" >"$S/etc/printha-lab/listen-ports"
        install -m 0755 "$HERE/listeners.py" "$S/usr/local/bin/printha-lab-listen" ;;
      pha-dns)
        mkdir -p "$S/etc/dnsmasq.lab"
        gen_dnsmasq >"$S/etc/dnsmasq.conf"
        {
          for k in $(nodes_for "$1"); do printf '%s\t%s.%s %s\n' "$(ip_of "$k")" "$k" "$ZONE" "$k"; done
        } >"$S/etc/dnsmasq.lab/hosts"
        chmod 0644 "$S/etc/dnsmasq.lab/hosts"
        cp "$S/etc/dnsmasq.lab/hosts" "$S/etc/dnsmasq.lab/hosts.lab" ;; # what win-reset pha-dns restores
    esac
  done
  mv "$LAB_KH.new" "$LAB_KH"
  # ip netns exec bind-mounts /etc/netns/NAME/* over /etc/*: the client resolves through pha-dns
  mkdir -p /etc/netns/$CLIENT
  printf 'nameserver 10.99.0.53\nsearch %s\n' "$ZONE" >/etc/netns/$CLIENT/resolv.conf
}

# ------------------------------------------------------------------ network
net_up() { # $1 = N
  local n
  ip netns add $SW
  ip -n $SW link set lo up
  ip -n $SW link add br0 type bridge
  ip -n $SW link set br0 up
  for n in $(nodes_for "$1"); do
    ip netns add "$n"
    ip link add "v-$n" netns $SW type veth peer name eth0 netns "$n" address "$(node_mac "$n")"
    ip -n $SW link set "v-$n" master br0 up
    ip -n "$n" link set lo up
    ip -n "$n" addr add "$(ip_of "$n")/24" dev eth0
    ip -n "$n" link set eth0 up
  done
  for n in pha-lb1 pha-lb2; do # HAProxy must bind the VIP where keepalived has not put it
    ip netns exec "$n" sysctl -qw net.ipv4.ip_nonlocal_bind=1
  done
}

nodes_up() { # $1 = N
  local n u c _
  for n in $(nodes_for "$1"); do
    [ "$n" = $CLIENT ] && continue
    rm -f "$B/run/$n.ready"
    setsid ip netns exec "$n" unshare --pid --fork --kill-child --mount-proc --uts --ipc \
      --mount --propagation private /bin/bash "$B/node-init.sh" "$n" "$B" \
      </dev/null >"$B/nodes/$n/init.log" 2>&1 9>&- &
    echo $! >"$B/run/$n.unshare"
  done
  for n in $(nodes_for "$1"); do
    [ "$n" = $CLIENT ] && continue
    for _ in $(seq 200); do [ -e "$B/run/$n.ready" ] && break; sleep 0.05; done
    if [ ! -e "$B/run/$n.ready" ]; then
      cat "$B/nodes/$n/init.log" >&2
      die "node $n did not come up"
    fi
    u=$(cat "$B/run/$n.unshare")
    c=$(awk '{print $1}' "/proc/$u/task/$u/children")
    [ -n "$c" ] || die "node $n: no PID 1 under unshare $u"
    echo "$c" >"$B/run/$n.pid1"
  done
}

services_up() { # $1 = N
  local n pids=() rc=0 p
  for n in $(nodes_for "$1"); do
    case $n in
      pha-ps*) nx "$n" systemctl start smbd nmbd listeners sshd & pids+=($!) ;;
      pha-dns) nx "$n" systemctl start dnsmasq sshd & pids+=($!) ;;
      pha-lb*) nx "$n" sh -c 'systemctl start sshd haplog haproxy && systemctl start keepalived' & pids+=($!) ;;
    esac
  done
  for p in "${pids[@]}"; do wait "$p" || rc=1; done
  [ $rc = 0 ] || die "a service did not start (see $B/nodes/*/var-log/*.start.log)"
}

tcp_open() { # from the client netns: $1 ip $2 port
  ip netns exec $CLIENT timeout 1 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
}

wait_ready() { # $1 = N
  local pending=() still t n ip port
  for n in $(nodes_for "$1"); do
    ip=$(ip_of "$n")
    case $n in
      pha-lb*) pending+=("$ip:22") ;;
      pha-ps*) pending+=("$ip:22" "$ip:445" "$ip:515" "$ip:5022") ;;
      pha-dns) pending+=("$ip:53" "$ip:22") ;;
    esac
  done
  for t in $(seq 300); do
    still=()
    for n in "${pending[@]}"; do tcp_open "${n%:*}" "${n#*:}" || still+=("$n"); done
    pending=("${still[@]}")
    if [ ${#pending[@]} = 0 ] && vip_on pha-lb1; then return 0; fi
    sleep 0.1
  done
  die "lab not ready after 30 s (waiting for: ${pending[*]:-} $(vip_on pha-lb1 || echo "VIP on pha-lb1"))"
}

vip_on() { ip -n "$1" -4 -o addr show dev eth0 2>/dev/null | grep -q " $VIP/"; }

# ------------------------------------------------------------------ down
ancestors() { # PIDs of this shell and its ancestors (never killed by down)
  local p=$$
  while [ -n "$p" ] && [ "$p" != 0 ]; do
    echo "$p"
    p=$(awk '{print $4}' "/proc/$p/stat" 2>/dev/null || true)
  done
}

kill_pids() { # TERM, wait up to 2 s, then KILL; by PID only
  local p _
  [ $# = 0 ] && return 0
  kill "$@" 2>/dev/null || true
  for p in "$@"; do
    for _ in $(seq 100); do [ -d "/proc/$p" ] || break; sleep 0.02; done
    [ -d "/proc/$p" ] && kill -KILL "$p" 2>/dev/null || true
  done
  return 0
}

down() {
  local ps cl keep p n left
  # 1. node PID 1s: when a PID 1 exits, the kernel kills its whole PID namespace
  #    ('unshare --fork' ignores SIGTERM in its parent, so signal PID 1 itself)
  mapfile -t ps < <(lab_pid1s)
  kill_pids "${ps[@]}"
  dbg "node PID 1s done"
  # 2. anything else still in a lab netns (test processes in pha-client, nodes of a lab started
  #    with another PRINTHA_LAB_DIR), never our own ancestors
  keep=" $(ancestors | tr '\n' ' ') "
  cl=()
  for n in $(lab_netns); do
    for p in $(ip netns pids "$n" 2>/dev/null); do [[ $keep == *" $p "* ]] || cl+=("$p"); done
  done
  kill_pids "${cl[@]}"
  dbg "other processes done"
  # 3. the unshare parents (normally gone already)
  for f in "$B"/run/*.unshare; do
    [ -e "$f" ] || continue
    p=$(cat "$f")
    # a zombie (state Z) is already dead and waits for the host's PID 1 to reap it
    if [ "$(cat "/proc/$p/comm" 2>/dev/null)" = unshare ] && [ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" != Z ]; then
      kill_pids "$p"
    fi
  done
  rm -f "$B"/run/*.unshare "$B"/run/*.pid1 "$B"/run/*.ready "$B/run/up"
  dbg "unshare parents done"
  for n in $(lab_netns); do ip netns del "$n" 2>/dev/null || true; done
  rm -rf /etc/netns/$CLIENT
  dbg "netns deleted"
  left="$(lab_netns | tr '\n' ' ')$(lab_pid1s | tr '\n' ' ')"
  [ -z "${left// /}" ] || die "leftovers after down: $left"
}

is_up() {
  local n
  [ -f "$B/run/up" ] || return 1
  for n in $(nodes_for "$(servers)"); do
    [ -e "/run/netns/$n" ] || return 1
    [ "$n" = $CLIENT ] && continue
    [ -d "/proc/$(cat "$B/run/$n.pid1" 2>/dev/null || echo x)" ] || return 1
  done
  [ -e /run/netns/$SW ]
}

# ------------------------------------------------------------------ status
netem_check() { # cached: "yes" or a reason
  local f=$B/run/netem
  if [ ! -s "$f" ]; then
    if ip netns add pha-netemcheck 2>/dev/null; then
      if ip netns exec pha-netemcheck tc qdisc add dev lo root netem delay 1ms 2>/dev/null; then echo yes >"$f"
      else echo "sch_netem is not available in this kernel (CONFIG_NET_SCH_NETEM not set)" >"$f"; fi
      ip netns del pha-netemcheck
    else
      echo "unknown (could not create a test namespace)" >"$f"
    fi
  fi
  cat "$f"
}

status() {
  local n st svc line owner=none
  if ! is_up; then
    echo "PrintHA lab: DOWN (dir $B)"
    [ -n "$(lab_netns)$(lab_pid1s)" ] && echo "  leftovers: $(lab_netns | tr '\n' ' ')$(lab_pid1s | tr '\n' ' ') -> run: npm run lab:down"
    return 3
  fi
  for n in pha-lb1 pha-lb2; do vip_on "$n" && owner=$n; done
  echo "PrintHA lab: UP, $(servers) print servers, VIP $VIP on $owner (dir $B)"
  printf '  %-11s %-12s %-8s %s\n' NODE ADDRESS PID1 SERVICES
  for n in $(nodes_for "$(servers)"); do
    case $n in
      pha-lb*) svc="sshd haproxy keepalived haplog" ;;
      pha-ps*) svc="sshd smbd nmbd listeners" ;;
      pha-dns) svc="dnsmasq sshd" ;;
      *) svc="" ;;
    esac
    line=""
    for st in $svc; do line+="$st:$(nx "$n" systemctl is-active "$st" 2>/dev/null || true) "; done
    [ "$n" = $CLIENT ] && line="(plain netns, host filesystem)"
    if [ "$(ip -n $SW -o link show "v-$n" 2>/dev/null | grep -c 'state UP')" = 0 ]; then line+=" LINK-DOWN"; fi
    printf '  %-11s %-12s %-8s %s\n' "$n" "$(ip_of "$n")" "$(cat "$B/run/$n.pid1" 2>/dev/null || echo -)" "$line"
  done
  if has_pwsh; then
    echo "  pwsh: $(command -v pwsh) (nodes: /usr/local/bin/pwsh -> $(sed -n 's/^exec "\(.*\)\/pwsh".*/\1/p' "$B/nodes/pha-dns/seed/usr/local/bin/pwsh" 2>/dev/null))"
  else
    echo "  pwsh: NOT on PATH of this shell (required for 'up': $PWSH_MISSING)"
  fi
  echo "  Windows stand-in: 'Subsystem powershell' with winshim/session.pssc on pha-ps1..$(servers) and pha-dns; module $(nx pha-dns sh -c 'test -f /usr/local/share/powershell/Modules/PrintHA.WindowsStandIn/PrintHA.WindowsStandIn.psd1 && echo installed || echo MISSING'), SetupAPI stand-in $(nx pha-dns sh -c 'ls /usr/local/lib/printha-winshim 2>/dev/null | grep -q . && echo built || echo "not built (no winshim/setupapi/build.sh)"')"
  echo "  netem (latency faults): $(netem_check)"
  echo "  IPVS: not in this kernel -> Layer 4 (DR) forwarding cannot run; lbcli keeps and reports Layer 4 state only"
}

print_env() {
  q() { printf "'%s'" "${1//\'/\'\\\'\'}"; }
  echo "export PRINTHA_LAB=1"
  echo "export PRINTHA_LAB_DIR=$(q "$B")"
  echo "export PRINTHA_SSH_KEY=$(q "$KEY")"
  echo "export PRINTHA_KNOWN_HOSTS=$(q "$TOFU_KH")"
  echo "export PRINTHA_LAB_KNOWN_HOSTS=$(q "$LAB_KH")"
  echo "export PRINTHA_LAB_USER=$(q "$LAB_USER")"
  echo "export PRINTHA_LAB_PASSWORD=$(q "$LAB_PASSWORD")"
  echo "export PRINTHA_LAB_VIP=$VIP"
  echo "export PRINTHA_LAB_NETNS=$CLIENT"
  echo "export PRINTHA_LAB_SERVERS=$(servers)"
  # the laptop-side RSAT stand-in (DnsServer cmdlets -> pha-dns over PowerShell-over-SSH)
  local mp=$WINSHIM/rsat
  [ -n "${PSModulePath:-}" ] && [[ ":$PSModulePath:" != *":$mp:"* ]] && mp+=":$PSModulePath"
  echo "export PSModulePath=$(q "$mp")"
}

# ------------------------------------------------------------------ faults and helpers
sw_port() { echo "v-$1"; }
need_up() { is_up || die "the lab is not up (npm run lab:up)"; }

disk_default() { case $1 in pha-lb*) echo /etc/haproxy ;; *) echo /tmp ;; esac; }
check_tmpfs() { # $1 node $2 path: must be a tmpfs mount point in the node
  [[ $2 =~ ^/[A-Za-z0-9._/-]*$ ]] || die "bad path '$2'"
  nx "$1" mountpoint -q "$2" || die "$2 is not a mount point on $1 (small tmpfs mounts: /tmp$([[ $1 == pha-lb* ]] && echo ", /etc/haproxy, /etc/loadbalancer.org"))"
  [ "$(nx "$1" findmnt -n -o FSTYPE --target "$2")" = tmpfs ] || die "$2 on $1 is not a tmpfs"
}

replace_hostkey() {
  local n=$1 pub k
  nx "$n" sh -c 'rm -f /etc/ssh/ssh_host_ed25519_key /etc/ssh/ssh_host_ed25519_key.pub &&
    ssh-keygen -q -t ed25519 -N "" -C "$(hostname)-replaced" -f /etc/ssh/ssh_host_ed25519_key &&
    systemctl restart sshd' >/dev/null
  pub=$(nx "$n" cat /etc/ssh/ssh_host_ed25519_key.pub | cut -d' ' -f1,2)
  awk -v a="$(ip_of "$n")" -v b="$n" -v c="$n.$ZONE" '$1!=a && $1!=b && $1!=c' "$LAB_KH" >"$LAB_KH.new"
  for k in "$(ip_of "$n")" "$n" "$n.$ZONE"; do echo "$k $pub" >>"$LAB_KH.new"; done
  mv "$LAB_KH.new" "$LAB_KH"
  nx "$n" ssh-keygen -l -f /etc/ssh/ssh_host_ed25519_key.pub | awk '{print $2}'
}

dns_name_ok() { [[ $1 =~ ^[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*$ ]] || die "bad DNS name '$1'"; }
dns_fqdn() { local n=${1,,}; [[ $n == *.* ]] && echo "$n" || echo "$n.$ZONE"; }
dns_rewrite() { # $1 fqdn to remove, $2 optional "ip fqdn short" line to add
  local cur
  cur=$(nx pha-dns cat /etc/dnsmasq.lab/hosts)
  {
    awk -v f="$1" '{keep=1; for(i=2;i<=NF;i++) if (tolower($i)==f) keep=0} keep' <<<"$cur"
    if [ -n "${2:-}" ]; then echo "$2"; fi
  } | nx pha-dns sh -c 'cat >/etc/dnsmasq.lab/hosts.new && chmod 0644 /etc/dnsmasq.lab/hosts.new &&
      mv /etc/dnsmasq.lab/hosts.new /etc/dnsmasq.lab/hosts && systemctl reload dnsmasq'
}

share_ok() { [[ $1 =~ ^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$ ]] || die "bad share name '$1' (letters, digits, . _ -)"; }
netbios_ok() { [[ $1 =~ ^[A-Za-z0-9][A-Za-z0-9_-]{0,14}$ ]] || die "bad NetBIOS name '$1' (1-15 of letters, digits, _ -)"; }
need_ps() { [[ $1 == pha-ps* ]] || die "$1 is not a print-server node"; }
need_win() { is_win "$1" || die "$1 runs no Windows stand-in (print servers pha-psK and pha-dns do)"; }

# Windows stand-in faults: a file in faults/ is the switch the module reads; wrong-credentials and
# unreachable also act on sshd's side (root's key refused / TCP 22 answered with a reset).
win_fault() { # $1 node $2 fault $3 on|off $4 value
  local n=$1 f=$2 v=${4:-} F=$WINSHIM_STATE/faults
  case $f:$3 in
    fail-cmdlet:on)
      [[ $v =~ ^[A-Za-z]+-[A-Za-z0-9]+$ ]] || die "fail-cmdlet needs a cmdlet name (e.g. New-NetIPAddress), got '$v'"
      printf '%s\n' "$v" | nx "$n" sh -c 'cat >"$1"' sh "$F/fail-cmdlet" ;;
    reboot-never-returns:on) nx "$n" touch "$F/$f" ;;
    wrong-credentials:on)
      nx "$n" sh -c 'touch "$1"; k=/etc/ssh/authorized_keys; if [ -e $k/root ]; then mv -f $k/root $k/.root.wrong-credentials; fi' sh "$F/$f" ;;
    wrong-credentials:off)
      nx "$n" sh -c 'rm -f "$1"; k=/etc/ssh/authorized_keys; if [ -e $k/.root.wrong-credentials ]; then mv -f $k/.root.wrong-credentials $k/root; fi' sh "$F/$f" ;;
    unreachable:on)
      nx "$n" touch "$F/$f"
      nx "$n" nft -f - <<'EOF'
table inet printha_winshim {
  chain input {
    type filter hook input priority 0; policy accept;
    tcp dport 22 reject with tcp reset
  }
}
EOF
      ;;
    unreachable:off)
      nx "$n" rm -f "$F/$f"
      nx "$n" sh -c 'nft list table inet printha_winshim >/dev/null 2>&1 && nft delete table inet printha_winshim; true' ;;
    *:off) nx "$n" rm -f "$F/$f" ;;
    *) die "usage: lab.sh win-fault NODE FAULT on|off [VALUE] (faults: $WINSHIM_FAULTS) | win-fault NODE --reset" ;;
  esac
}

# ------------------------------------------------------------------ main
# One lab per machine (the namespace names are fixed): up and down wait for each other, and
# run-in-lab.sh holds the lock for a whole test run (its children get PRINTHA_LAB_LOCKED=1).
lab_lock() {
  [ "${PRINTHA_LAB_LOCKED:-}" = 1 ] && return 0
  exec 9>/run/printha-lab.lock
  if ! flock -n 9; then
    log "another lab command or test run holds /run/printha-lab.lock: waiting (up to 15 min)"
    flock -w 900 9 || die "gave up waiting for /run/printha-lab.lock"
  fi
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case $cmd in
  up)
    need_root
    N=2
    reuse=0
    while [ $# -gt 0 ]; do
      case $1 in
        --servers) N=${2:-}; shift 2 || die "--servers needs a number" ;;
        --servers=*) N=${1#*=}; shift ;;
        --reuse) reuse=1; shift ;;
        *) die "unknown option '$1' (usage: lab.sh up [--servers N] [--reuse])" ;;
      esac
    done
    [[ $N =~ ^[0-9]+$ ]] && ((N >= 1 && N <= 20)) || die "--servers must be 1..20, got '$N'"
    need_pwsh
    lab_lock
    if [ $reuse = 1 ] && is_up && [ "$(servers)" = "$N" ]; then log "lab already up with $N print servers (reused)"; exit 0; fi
    t0=$(now)
    td=""
    if [ -n "$(lab_netns)$(lab_pid1s)" ]; then log "tearing down the previous lab first"; down; td="old lab down $(since "$t0"), "; fi
    mkdir -p "$B/run"
    echo "SERVERS=$N" >"$B/run/state"
    trap 'rc=$?; if [ $rc != 0 ]; then log "bring-up failed: tearing down"; down || true; fi; exit $rc' EXIT
    prepare "$N"; t1=$(since "$t0")
    net_up "$N"; t2=$(since "$t0")
    nodes_up "$N"; t3=$(since "$t0")
    services_up "$N"; t4=$(since "$t0")
    wait_ready "$N"
    trap - EXIT
    touch "$B/run/up"
    log "lab up in $(since "$t0") s (${td}prepare $t1, network $t2, nodes $t3, daemons $t4, ready $(since "$t0"))" ;;
  down)
    need_root
    lab_lock
    t0=$(now)
    down
    log "lab down in $(since "$t0") s" ;;
  status) need_root; status ;;
  is-up) is_up ;;
  vip-owner)
    need_up
    o=none
    for n in pha-lb1 pha-lb2; do vip_on "$n" && o=$n; done
    echo "$o" ;;
  env) print_env ;;
  exec | nx)
    need_root
    [ $# -ge 2 ] || die "usage: lab.sh exec NODE CMD..."
    n=$(canon_node "$1"); shift
    nx "$n" "$@" ;;
  ssh)
    need_root
    [ $# -ge 1 ] || die "usage: lab.sh ssh NODE [CMD...]"
    n=$(canon_node "$1"); shift
    nx $CLIENT ssh -F none -i "$KEY" -o BatchMode=yes -o UserKnownHostsFile="$LAB_KH" \
      -o StrictHostKeyChecking=yes -o ConnectTimeout=5 "root@$(ip_of "$n")" "$@" ;;
  start | stop | restart | reload)
    need_root; need_up
    [ $# = 2 ] || die "usage: lab.sh $cmd NODE SERVICE"
    n=$(canon_node "$1")
    [ "$n" != $CLIENT ] || die "pha-client runs no services"
    nx "$n" systemctl "$cmd" "$2" ;;
  link-down | link-up)
    need_root; need_up
    [ $# = 1 ] || die "usage: lab.sh $cmd NODE"
    n=$(canon_node "$1")
    ip -n $SW link set "$(sw_port "$n")" "${cmd#link-}" ;;
  latency)
    need_root; need_up
    [ $# = 2 ] && [[ $2 =~ ^[0-9]+$ ]] || die "usage: lab.sh latency NODE MS"
    n=$(canon_node "$1")
    r=$(netem_check)
    if [ "$r" != yes ]; then log "latency cannot be emulated here: $r (use 'throttle' for a slow link)"; exit 3; fi
    ip -n "$n" link >/dev/null
    ip netns exec "$n" tc qdisc replace dev eth0 root netem delay "${2}ms" ;;
  throttle)
    need_root; need_up
    [ $# = 2 ] && [[ $2 =~ ^[0-9]+$ ]] && (($2 >= 8)) || die "usage: lab.sh throttle NODE KBIT (>= 8)"
    n=$(canon_node "$1")
    ip netns exec "$n" tc qdisc replace dev eth0 root tbf rate "${2}kbit" burst 4kb latency 2s ;;
  latency-clear | throttle-clear)
    need_root; need_up
    [ $# = 1 ] || die "usage: lab.sh $cmd NODE"
    n=$(canon_node "$1")
    ip netns exec "$n" tc qdisc del dev eth0 root 2>/dev/null || true ;;
  disk-fill | disk-free)
    need_root; need_up
    [ $# -ge 1 ] && [ $# -le 2 ] || die "usage: lab.sh $cmd NODE [PATH]"
    n=$(canon_node "$1")
    [ "$n" != $CLIENT ] || die "pha-client uses the host filesystem: no disk faults there"
    path=${2:-$(disk_default "$n")}
    check_tmpfs "$n" "$path"
    if [ "$cmd" = disk-fill ]; then
      nx "$n" sh -c 'cat /dev/zero > "$1/.printha-lab-fill" 2>/dev/null; sync; df -h "$1" | tail -n1' sh "$path"
    else
      nx "$n" rm -f "$path/.printha-lab-fill"
    fi ;;
  hostkey-replace)
    need_root; need_up
    [ $# = 1 ] || die "usage: lab.sh hostkey-replace NODE"
    n=$(canon_node "$1")
    [[ $n == pha-lb* || $n == pha-ps* ]] || die "$n runs no sshd"
    replace_hostkey "$n" ;;
  dns-add)
    need_root; need_up
    [ $# = 2 ] || die "usage: lab.sh dns-add NAME IP"
    dns_name_ok "$1"
    [[ $2 =~ ^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})$ ]] || die "bad IPv4 address '$2'"
    f=$(dns_fqdn "$1")
    short=""
    [[ $f == *".$ZONE" ]] && short=${f%".$ZONE"}
    dns_rewrite "$f" "$(printf '%s\t%s %s' "$2" "$f" "$short")" ;;
  dns-del)
    need_root; need_up
    [ $# = 1 ] || die "usage: lab.sh dns-del NAME"
    dns_name_ok "$1"
    dns_rewrite "$(dns_fqdn "$1")" ;;
  dns-list) need_root; need_up; nx pha-dns cat /etc/dnsmasq.lab/hosts ;;
  shares)
    need_root; need_up
    [ $# -ge 2 ] || die "usage: lab.sh shares NODE SHARE... | shares NODE --reset"
    n=$(canon_node "$1"); shift
    need_ps "$n"
    if [ "$1" = --reset ]; then set -- "${DEFAULT_SHARES[@]}"; fi
    for s in "$@"; do share_ok "$s"; done
    gen_printers "$@" | nx "$n" sh -c 'cat >/etc/samba/printers.conf && smbcontrol smbd reload-config' ;;
  aliases)
    need_root; need_up
    [ $# -ge 1 ] || die "usage: lab.sh aliases NODE [NAME...]"
    n=$(canon_node "$1"); shift
    need_ps "$n"
    for s in "$@"; do netbios_ok "$s"; done
    # nmbd registers names only at start: restart it when it runs (NetBIOS on)
    gen_aliases "$@" | nx "$n" sh -c 'cat >/etc/samba/aliases.conf && smbcontrol smbd reload-config &&
      { ! systemctl is-active nmbd >/dev/null || systemctl restart nmbd; }' ;;
  win-fault)
    need_root; need_up
    [ $# -ge 2 ] || die "usage: lab.sh win-fault NODE FAULT on|off [VALUE] | win-fault NODE --reset"
    n=$(canon_node "$1"); shift
    need_win "$n"
    if [ "$1" = --reset ]; then
      for f in $WINSHIM_FAULTS; do win_fault "$n" "$f" off; done
    else
      [[ " $WINSHIM_FAULTS " == *" $1 "* ]] || die "unknown fault '$1' (faults: $WINSHIM_FAULTS)"
      [ "${2:-}" = on ] || [ "${2:-}" = off ] || die "usage: lab.sh win-fault NODE $1 on|off [VALUE]"
      win_fault "$n" "$1" "$2" "${3:-}"
    fi ;;
  win-reset)
    need_root; need_up
    [ $# = 1 ] || die "usage: lab.sh win-reset NODE"
    n=$(canon_node "$1")
    need_win "$n"
    win_reset "$n" ;;
  win-power-on)
    # The engineer at the console of a server whose restart never came back: the fault goes away and
    # the node boots (the emulated reboot: new boot time, boot hook, services).
    need_root; need_up
    [ $# = 1 ] || die "usage: lab.sh win-power-on NODE"
    n=$(canon_node "$1")
    need_win "$n"
    nx "$n" sh -c 'rm -f "$1" && /usr/local/sbin/pha-win-reboot' sh "$WINSHIM_STATE/faults/reboot-never-returns" || die "$n: power-on failed" ;;
  win-state)
    need_root; need_up
    [ $# -ge 1 ] && [ $# -le 2 ] || die "usage: lab.sh win-state NODE [FILE]"
    n=$(canon_node "$1")
    need_win "$n"
    f=${2:-node.json}
    [[ $f =~ ^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$ && $f != *..* ]] || die "bad state file '$f' (a path inside $WINSHIM_STATE)"
    nx "$n" cat "$WINSHIM_STATE/$f" ;;
  "" | -h | --help | help) sed -n '2,34p' "$0" ;;
  *) die "unknown command '$cmd' (lab.sh help)" ;;
esac
