# PrintHA lab: sourced by lab.sh and (as /etc/printha-lab/no-inherit.sh in every node) by the
# systemctl shim. Nothing they start inherits a descriptor of their caller, the lab lock above all
# (`flock /run/printha-lab.lock …` hands it to its command as fd 3; lab.sh's own lock is fd 9): a
# daemon that kept it would hold the lock after the run ended and every other lab user would wait.
for _fd in /proc/$$/fd/*; do
  _fd=${_fd##*/}
  [[ $_fd =~ ^[0-9]+$ ]] || continue
  case $_fd in 0 | 1 | 2 | 255) ;; *) { eval "exec $_fd>&-"; } 2>/dev/null || true ;; esac
done
unset _fd
