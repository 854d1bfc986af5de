#!/bin/bash
# PID 1 of a PrintHA lab node (a "mini container"). lab.sh starts it as
#   setsid ip netns exec NODE unshare --pid --fork --kill-child --mount-proc --uts --ipc \
#        --mount --propagation private /bin/bash node-init.sh NODE LAB_DIR
# The node gets:
#   - hostname = NODE (UTS namespace),
#   - root = overlay(lower = host /, upper = tmpfs): whatever is written on the node
#     (/etc/haproxy, /etc/passwd, /var/lib/samba ...) stays private to it and is gone at teardown,
#   - a clean /root (tmpfs with /etc/skel), then LAB_DIR/nodes/NODE/seed/ copied over that root,
#   - fresh /proc (own PID namespace), /sys (own network namespace), /run, /tmp, /dev/shm,
#   - LAB_DIR/nodes/NODE/var-log bind-mounted as /var/log (logs stay readable from the host),
#   - small tmpfs mounts listed in seed /etc/printha-lab/small-mounts ("PATH SIZE" lines), so
#     "disk full" faults are real ENOSPC errors,
#   - /etc/printha-lab/boot.sh run once after pivot_root (users, permissions).
# When this process exits, the kernel kills every process of the node's PID namespace.
set -euo pipefail
n=$1
B=$2
N=$B/nodes/$n
O=$N/ovl
umask 022
hostname "$n"
mount -t tmpfs -o mode=0755,size=512m tmpfs "$O"
mkdir -p "$O/up" "$O/work" "$O/root"
mount -t overlay overlay -o "lowerdir=/,upperdir=$O/up,workdir=$O/work" "$O/root"
R=$O/root
# root's home is a clean appliance-like one (the host's /root has its own dotfiles, e.g. pyenv)
mount -t tmpfs -o mode=0700,size=16m tmpfs "$R/root"
cp -a /etc/skel/. "$R/root/"
cp -a "$N/seed/." "$R/"
mount -t proc proc "$R/proc"
mount -t sysfs sysfs "$R/sys"
mount --rbind /dev "$R/dev"
mount -t tmpfs -o mode=1777 tmpfs "$R/dev/shm"
mount -t tmpfs -o mode=0755,size=64m tmpfs "$R/run"
mkdir -p "$R/run/sshd" "$R/run/samba" "$R/run/haproxy" "$R/run/lock" "$R/run/systemd/system"
chmod 0755 "$R/run/sshd"
mount -t tmpfs -o mode=1777,size=64m tmpfs "$R/tmp"
mkdir -p "$R/var/log"
mount --bind "$N/var-log" "$R/var/log"
mkdir -p "$R$B"
mount --bind "$B" "$R$B"
# small tmpfs mounts (disk-full faults): keep what the overlay had there
if [ -f "$R/etc/printha-lab/small-mounts" ]; then
  while read -r path size; do
    [ -n "$path" ] || continue
    mkdir -p "$R$path"
    tmp=$(mktemp -d "$O/keep.XXXXXX")
    cp -a "$R$path/." "$tmp/"
    mount -t tmpfs -o "mode=0755,size=$size" tmpfs "$R$path"
    cp -a "$tmp/." "$R$path/"
    rm -rf "$tmp"
  done < "$R/etc/printha-lab/small-mounts"
fi
cd "$R"
mkdir -p .oldroot
pivot_root . .oldroot
cd /
umount -l /.oldroot
rmdir /.oldroot
ip link set lo up
if [ -x /etc/printha-lab/boot.sh ]; then /etc/printha-lab/boot.sh >>/var/log/printha-lab-boot.log 2>&1; fi
touch "$B/run/$n.ready"
set +e
trap 'exit 0' TERM INT
# bash reaps every child (including re-parented daemons) when SIGCHLD arrives during wait
while :; do sleep 3600 & wait $!; done
