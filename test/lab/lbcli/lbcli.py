#!/usr/bin/python3
"""lbcli -- TEST DOUBLE of the Loadbalancer.org appliance command line, for the PrintHA lab.

THIS IS NOT THE LOADBALANCER.ORG PRODUCT. The real appliance cannot run here, so this emulator
implements, strictly, the actions and options written down in shared/reference/lbcli.md (the
project's research notes on the vendor's lbcli help, JSON library and wrappers), so that PrintHA's
loadbalancer-org driver can be contract-tested. Where the notes are unsure ([U]/[I]) the choice made
here is listed in test/lab/README.md. It is installed as /usr/local/sbin/lbcli on pha-lb1/pha-lb2.

What it does:
  - options are `--key value` pairs; unknown actions/options, missing required options, bad values
    (IP, ports "80:443" / "5011-5025", labels outside [A-Za-z0-9_-], enums) -> a JSON status line;
  - state lives in /etc/loadbalancer.org/lb_config.xml (previous copy: lb_config.xml.old);
  - `list --function dumpconfig` prints the XML as JSON on output line index 1, with the XML-to-JSON
    quirks: one <virtual>/<real> is a single object, not an array; an empty element is [];
  - Layer 7 VIPs are turned into a real /etc/haproxy/haproxy.cfg (checked with `haproxy -c` before it
    is written); `reload-haproxy` / `restart-haproxy` apply it through the node's systemctl, so
    traffic to the VIP really flows (SNAT through HAProxy);
  - Layer 4 VIPs are kept, written to /etc/ha.d/conf/ldirectord.cf and reported, but nothing
    forwards them: this kernel has no IPVS;
  - drain/halt/online change HAProxy's runtime state through /var/run/haproxy.stat and are kept in
    /etc/loadbalancer.org/rip_state.json (an emulator file) so they survive a reload.
Output: a text line, then one JSON line {"lbcli":[{"action":..,"status":..,...}]} (`--method api`:
the JSON line only). Status is one of success, failed, fatal (usage), exists, missing. The exit code
is 0 whenever a status line was printed (the appliance's exit codes are undocumented): parse the JSON.

Environment (tests only): LBCLI_ROOT=<dir> runs against <dir>/etc/... instead of / and never touches
services. Without it, lbcli refuses to run outside a lab node (/etc/printha-lab-node).
"""
from __future__ import annotations

import fcntl
import hashlib
import ipaddress
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

ROOT = os.environ.get("LBCLI_ROOT", "/")
SANDBOX = ROOT not in ("", "/")


def P(path: str) -> str:
    return os.path.join(ROOT, path.lstrip("/"))


XML_PATH = "/etc/loadbalancer.org/lb_config.xml"
STATE_PATH = "/etc/loadbalancer.org/rip_state.json"
EMU_PATH = "/etc/loadbalancer.org/emulator.json"
HAPROXY_CFG = "/etc/haproxy/haproxy.cfg"
LDIRECTORD_CF = "/etc/ha.d/conf/ldirectord.cf"
STAT_SOCK = "/var/run/haproxy.stat"
NODESTATUS = "/var/log/nodestatus_local"
CHECK_DIR = "/var/lib/loadbalancer.org/check"


class Outcome(Exception):
    """A status to report: failed, fatal, exists, missing."""

    def __init__(self, status: str, message: str, **extra):
        super().__init__(message)
        self.status = status
        self.message = message
        self.extra = extra


def failed(msg: str) -> Outcome:
    return Outcome("failed", msg)


def fatal(msg: str) -> Outcome:
    return Outcome("fatal", msg)


# ----------------------------------------------------------------------------- validators
LABEL_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
PORTS_RE = re.compile(r"^\d{1,5}(-\d{1,5})?(:\d{1,5}(-\d{1,5})?)*$")
TIME_RE = re.compile(r"^\d{1,9}(ms|s|m|h|d)?$")
FILE_RE = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")


def v_label(opt: str, v: str) -> str:
    if not LABEL_RE.match(v):
        raise failed(f"--{opt} '{v}' is not a valid label: use 1-64 of A-Z a-z 0-9 _ -")
    return v


def v_ip(opt: str, v: str) -> str:
    try:
        return str(ipaddress.ip_address(v))
    except ValueError:
        raise failed(f"--{opt} '{v}' is not a valid IP address") from None


def v_port(opt: str, v: str) -> str:
    if not v.isdigit() or not 1 <= int(v) <= 65535:
        raise failed(f"--{opt} '{v}' is not a valid port (1-65535)")
    return str(int(v))


def expand_ports(spec: str) -> list[int]:
    out: list[int] = []
    for part in spec.split(":"):
        if "-" in part:
            a, b = (int(x) for x in part.split("-", 1))
            out.extend(range(a, b + 1))
        else:
            out.append(int(part))
    return out


def v_ports(opt: str, v: str) -> str:
    if not PORTS_RE.match(v):
        raise failed(
            f"--{opt} '{v}' is not a valid port list: separate ports with colons and give ranges as "
            "first-last, e.g. 80:443 or 5011-5025:5610"
        )
    for part in v.split(":"):
        nums = [int(x) for x in part.split("-")]
        if any(not 1 <= n <= 65535 for n in nums) or (len(nums) == 2 and nums[0] > nums[1]):
            raise failed(f"--{opt} '{v}': '{part}' is not a valid port or ascending range (1-65535)")
    return v


def v_int(lo: int, hi: int):
    def f(opt: str, v: str) -> str:
        if not v.isdigit() or not lo <= int(v) <= hi:
            raise failed(f"--{opt} '{v}' must be a whole number from {lo} to {hi}")
        return str(int(v))

    return f


def v_enum(*allowed: str):
    def f(opt: str, v: str) -> str:
        if v not in allowed:
            raise failed(f"--{opt} '{v}' is not valid: use one of {'|'.join(allowed)}")
        return v

    return f


def v_netmask(opt: str, v: str) -> str:
    try:
        net = ipaddress.IPv4Network(f"0.0.0.0/{v}")
    except ValueError:
        raise failed(f"--{opt} '{v}' is not a valid netmask (e.g. 255.255.255.255)") from None
    if str(net.netmask) != v:
        raise failed(f"--{opt} '{v}' is not a valid netmask (e.g. 255.255.255.255)")
    return v


def v_time(opt: str, v: str) -> str:
    if not TIME_RE.match(v):
        raise failed(f"--{opt} '{v}' is not a valid time (e.g. 12h, 30m, 5000)")
    return v


def v_text(opt: str, v: str) -> str:
    if any(c in v for c in "\n\r\0<>") or len(v) > 255:
        raise failed(f"--{opt}: value contains characters that are not allowed")
    return v


def v_file(opt: str, v: str) -> str:
    if not FILE_RE.match(v):
        raise failed(f"--{opt} '{v}' is not a valid file name (a script in {CHECK_DIR}/)")
    return v


def v_email(opt: str, v: str) -> str:
    if not re.match(r"^[^@\s<>]+@[^@\s<>]+$", v):
        raise failed(f"--{opt} '{v}' is not a valid e-mail address")
    return v


ON_OFF = v_enum("on", "off")

# ----------------------------------------------------------------------------- option tables
# option -> (validator, XML path relative to <virtual>)
L4_ADD = {
    "ip": (v_ip, "server"),
    "ports": (v_ports, "ports"),
    "forwarding": (v_enum("gate", "masq", "ipip", "snat"), "forwardingmethod"),
    "protocol": (v_enum("tcp", "udp", "tcpudp", "ops", "fwm"), "protocol"),
    "slave_ip": (v_ip, "slave_ip"),
}
L4_ADD_REQUIRED = ["vip", "ip", "ports", "forwarding", "protocol"]
L4_EDIT = {
    "ip": (v_ip, "server"),
    "ports": (v_ports, "ports"),
    "protocol": (v_enum("tcp", "udp", "ops", "fwm"), "protocol"),
    "forwarding": (v_enum("gate", "masq", "ipip", "snat"), "forwardingmethod"),
    "persistent": (ON_OFF, "persistent"),
    "persist_time": (v_int(0, 2147483647), "persist_time"),
    "granularity": (v_netmask, "granularity"),
    "scheduler": (v_enum("wlc", "wrr", "dh"), "scheduler"),
    "feedback": (v_enum("agent", "http", "none"), "feedbackmethod"),
    "check_type": (v_enum("negotiate", "connect", "ping", "external", "off", "on", "5", "10"), "service/check/type"),
    "check_port": (v_port, "service/check/port"),
    "check_service": (
        v_enum("http", "https", "http_proxy", "imap", "imaps", "pop", "pops", "ldap", "smtp", "nntp", "dns",
               "mysql", "sip", "simpletcp", "radius", "none"),
        "service/check/service",
    ),
    "check_vhost": (v_text, "service/vhost"),
    "check_request": (v_text, "service/check/request"),
    "check_response": (v_text, "service/check/response"),
    "check_login": (v_text, "service/login"),
    "check_password": (v_text, "service/password"),
    "check_database": (v_text, "service/database"),
    "check_secret": (v_text, "service/secret"),
    "check_command": (v_file, "service/check/command"),
    "fallback_ip": (v_ip, "fallback/ip"),
    "fallback_port": (v_port, "fallback/port"),
    "fallback_local": (ON_OFF, "masq"),
    "email": (v_email, "emailalert/to"),
    "email_from": (v_email, "emailalert/from"),
    "autoscale_group": (v_text, "autoscale_group"),
}
L4_DEFAULTS = {
    "persistent": "on", "persist_time": "300", "granularity": "255.255.255.255", "scheduler": "wlc",
    "feedbackmethod": "none", "service/check/type": "connect", "service/check/port": "",
    "service/check/service": "none", "service/check/request": "", "service/check/response": "",
    "service/check/command": "", "service/vhost": "", "service/login": "", "service/password": "",
    "service/database": "", "service/secret": "", "fallback/ip": "", "fallback/port": "", "masq": "off",
    "emailalert/to": "", "emailalert/from": "",
}
L7_MODES = ("http", "tcp", "other_tcp")
L7_ADD = {
    "ip": (v_ip, "server"),
    "ports": (v_ports, "ports"),
    "mode": (v_enum(*L7_MODES), "mode"),
    "fallback_ip": (v_ip, "fallback/ip"),
    "fallback_port": (v_port, "fallback/port"),
    "service_type": (v_enum("waf_frontend"), "service_type"),
    "encrypt_all_backends": (ON_OFF, "backend_encryption"),
}
L7_ADD_REQUIRED = ["vip", "ip", "ports", "mode"]
L7_EDIT = {
    "ip": (v_ip, "server"),
    "ports": (v_ports, "ports"),
    "mode": (v_enum(*L7_MODES), "mode"),
    "persistence": (
        v_enum("ip", "none", "http", "appsession", "sslsesid", "rdp-session", "rdp-cookie", "http_ip", "xff",
               "fallback_persist"),
        "persistence",
    ),
    "persist_time": (v_int(0, 2147483647), "persist_time"),
    "persist_table_size": (v_int(1, 100000000), "persist_table_size"),
    "maxconn": (v_int(1, 10000000), "maxconn"),
    "scheduler": (v_enum("roundrobin", "leastconn"), "scheduler"),
    "check_type": (
        v_enum("negotiate_http", "negotiate_http_head", "negotiate_https", "negotiate_https_head", "connect",
               "external", "mysql", "none"),
        "check/type",
    ),
    "check_port": (v_port, "check/port"),
    "check_request": (v_text, "check/request"),
    "check_receive": (v_text, "check/response"),
    "check_host": (v_text, "check/host"),
    "external_check_script": (v_file, "external_check_script"),
    "timeout": (ON_OFF, "timeout"),
    "timeout_client": (v_time, "timeout_client"),
    "timeout_server": (v_time, "timeout_server"),
    "redispatch": (ON_OFF, "redispatch"),
    "tproxy": (ON_OFF, "transparentproxy"),
    "send_proxy": (v_enum("none", "v1", "v2", "v2_ssl", "v2_ssn_cn"), "send_proxy"),
    "source_address": (v_ip, "source_address"),
    "feedback_method": (v_enum("agent", "none"), "feedback"),
    "feedback_port": (v_port, "feedback_port"),
    "clear_stick_drain": (ON_OFF, "clear_stick_drain"),
    "fallback_ip": (v_ip, "fallback/ip"),
    "fallback_port": (v_port, "fallback/port"),
}
L7_DEFAULTS = {
    "cookie": "", "persistence": "none", "persist_time": "30", "persist_table_size": "10240",
    "maxconn": "40000", "scheduler": "roundrobin", "check/type": "connect", "check/port": "",
    "check/request": "", "check/response": "", "check/host": "", "check/username": "",
    "external_check_script": "", "fallback/ip": "", "fallback/port": "", "fallback/persist": "off",
    "fallback/encrypt": "off", "feedback": "none", "feedback_port": "", "timeout": "on",
    "timeout_client": "12h", "timeout_server": "12h", "redispatch": "on", "transparentproxy": "off",
    "send_proxy": "none", "source_address": "", "clear_stick_drain": "off", "backend_encryption": "off",
}
RIP_OPTS = {
    "ip": (v_ip, "server"),
    "port": (v_port, "port"),
    "weight": (v_int(0, 65535), "weight"),
    "minconns": (v_int(0, 10000000), "minconns"),
    "maxconns": (v_int(0, 10000000), "maxconns"),
}
RIP_L7_ONLY = {"encrypted": (ON_OFF, "encrypted")}

ACTIONS = (
    "add-vip edit-vip delete-vip add-rip edit-rip delete-rip drain halt online list reload-haproxy "
    "restart-haproxy reload-ldirectord restart-ldirectord reload-heartbeat restart-heartbeat "
    "haproxy-clear-stick nodestatus"
).split()
# documented in lbcli.md but not emulated by this test double
NOT_EMULATED = (
    "clone-vip ha_create add-floating-ip delete-floating-ip fix-floating-ip api power lockdown hostname dns "
    "mtu route address pbr termination acl headers gslb status-gslb restart-pound restart-stunnel "
    "restart-collectd restart-firewall restart-syslog restart-snmp restart-waf restart-autoscaling "
    "restart-azha reload-apache reload-waf reload-syslog reload-stunnel reload-gslb support-download"
).split()


# ----------------------------------------------------------------------------- XML state
def load_xml() -> ET.Element:
    try:
        return ET.parse(P(XML_PATH)).getroot()
    except FileNotFoundError:
        root = ET.Element("config")
        ET.SubElement(root, "ldirectord")
        ET.SubElement(root, "haproxy")
        return root
    except ET.ParseError as e:
        raise failed(f"{XML_PATH} is not valid XML ({e}); restore it from lb_config.xml.old") from None


def section(root: ET.Element, name: str) -> ET.Element:
    el = root.find(name)
    if el is None:
        el = ET.SubElement(root, name)
    return el


def set_path(parent: ET.Element, path: str, value: str) -> None:
    cur = parent
    for part in path.split("/"):
        nxt = cur.find(part)
        if nxt is None:
            nxt = ET.SubElement(cur, part)
        cur = nxt
    cur.text = value if value != "" else None


def get_path(parent: ET.Element, path: str) -> str:
    el = parent.find(path)
    return (el.text or "") if el is not None else ""


def vips(root: ET.Element) -> list[tuple[int, ET.Element]]:
    out = []
    for layer, name in ((4, "ldirectord"), (7, "haproxy")):
        sec = root.find(name)
        if sec is not None:
            out.extend((layer, v) for v in sec.findall("virtual"))
    return out


def find_vip(root: ET.Element, label: str) -> tuple[int, ET.Element]:
    for layer, v in vips(root):
        if get_path(v, "label") == label:
            return layer, v
    raise Outcome("missing", f"VIP '{label}' does not exist")


def reals(vip: ET.Element) -> list[ET.Element]:
    return vip.findall("real")


def find_rip(vip: ET.Element, label: str) -> ET.Element:
    for r in reals(vip):
        if get_path(r, "label") == label:
            return r
    raise Outcome("missing", f"RIP '{label}' does not exist in VIP '{get_path(vip, 'label')}'")


def indent(el: ET.Element, level: int = 0) -> None:
    pad = "\n" + "  " * level
    if len(el):
        if not (el.text or "").strip():
            el.text = pad + "  "
        for child in el:
            indent(child, level + 1)
            if not (child.tail or "").strip():
                child.tail = pad + "  "
        if not (el[-1].tail or "").strip():
            el[-1].tail = pad
    elif level and not (el.tail or "").strip():
        el.tail = pad


def atomic_write(path: str, data: str, mode: int = 0o644) -> None:
    d = os.path.dirname(P(path))
    os.makedirs(d, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".lbcli.", dir=d)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, P(path))
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def xml_text(root: ET.Element) -> str:
    indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def xml_to_json(el: ET.Element):
    """XML -> JSON like the appliance's dump: repeated tags -> list, a single child -> object
    (NOT a one-element list), an empty element -> []."""
    children = list(el)
    if not children:
        text = (el.text or "").strip()
        return text if text else []
    counts: dict[str, int] = {}
    for c in children:
        counts[c.tag] = counts.get(c.tag, 0) + 1
    out: dict = {}
    for c in children:
        val = xml_to_json(c)
        if counts[c.tag] > 1:
            out.setdefault(c.tag, []).append(val)
        else:
            out[c.tag] = val
    return out


def load_state() -> dict:
    try:
        with open(P(STATE_PATH), encoding="utf-8") as f:
            return json.load(f)
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


# ----------------------------------------------------------------------------- generators
def haproxy_time(v: str, default_unit: str = "ms") -> str:
    return v if not v.isdigit() else f"{v}{default_unit}"


def gen_haproxy(root: ET.Element, state: dict) -> str:
    l7 = [v for layer, v in vips(root) if layer == 7]
    external = any(get_path(v, "check/type") == "external" for v in l7)
    g = [
        "# Generated by lbcli (PrintHA lab EMULATOR of a Loadbalancer.org appliance) from",
        f"# {XML_PATH}. Do not edit: change the XML with lbcli and run lbcli --action reload-haproxy.",
        "global",
        "    daemon",
        f"    stats socket {STAT_SOCK} mode 600 level admin",
        "    stats socket /run/haproxy/admin.sock mode 660 level admin",
        "    stats timeout 30s",
        "    log 127.0.0.1:514 local0",
        "    user haproxy",
        "    group haproxy",
        "    chroot /var/lib/haproxy",
    ]
    if external:
        g += ["    external-check", "    insecure-fork-wanted"]
    g += [
        "",
        "defaults",
        "    log global",
        "    mode tcp",
        "    option dontlognull",
        "    timeout connect 4s",
        "    timeout client 12h",
        "    timeout server 12h",
        "    retries 3",
        "",
        "listen stats",
        "    bind 127.0.0.1:7777",
        "    mode http",
        "    stats enable",
        "    stats uri /",
    ]
    for v in l7:
        label = get_path(v, "label")
        ip = get_path(v, "server")
        ports = expand_ports(get_path(v, "ports"))
        mode = "http" if get_path(v, "mode") == "http" else "tcp"
        bind_ip = f"[{ip}]" if ":" in ip else ip
        g += ["", f"listen {label}"]
        for p in ports:
            g.append(f"    bind {bind_ip}:{p}")
        g.append(f"    mode {mode}")
        g.append("    option httplog" if mode == "http" else "    option tcplog")
        if mode == "http":
            g.append("    option forwardfor")
        g.append(f"    balance {get_path(v, 'scheduler') or 'roundrobin'}")
        g.append(f"    maxconn {get_path(v, 'maxconn') or '40000'}")
        if get_path(v, "timeout") != "off":
            g.append(f"    timeout client {haproxy_time(get_path(v, 'timeout_client') or '12h')}")
            g.append(f"    timeout server {haproxy_time(get_path(v, 'timeout_server') or '12h')}")
        persistence = get_path(v, "persistence")
        if persistence in ("ip", "http_ip", "fallback_persist"):
            size = get_path(v, "persist_table_size") or "10240"
            mins = get_path(v, "persist_time") or "30"
            g.append(f"    stick-table type ip size {size} expire {mins}m")
            g.append("    stick on src")
        elif persistence in ("http", "appsession") and mode == "http":
            g.append("    cookie SERVERID insert nocache indirect")
        if get_path(v, "redispatch") == "on":
            g.append("    option redispatch")
        src = get_path(v, "source_address")
        if get_path(v, "transparentproxy") == "on":
            g.append("    source 0.0.0.0 usesrc clientip")
        elif src:
            g.append(f"    source {src}")
        ctype = get_path(v, "check/type") or "connect"
        req = get_path(v, "check/request") or "/"
        if ctype.startswith("negotiate_http"):
            meth = "HEAD" if ctype.endswith("_head") else "GET"
            g.append(f"    option httpchk {meth} {req}")
            if get_path(v, "check/response"):
                g.append(f"    http-check expect string {get_path(v, 'check/response')}")
        elif ctype == "mysql":
            g.append("    option mysql-check")
        elif ctype == "external":
            script = get_path(v, "external_check_script") or "none"
            g.append("    option external-check")
            g.append(f"    external-check command {CHECK_DIR}/{script}")
        if get_path(v, "fallback/ip"):
            fp = get_path(v, "fallback/port")
            g.append(f"    server backup {get_path(v, 'fallback/ip')}{':' + fp if fp else ''} backup")
        check_port = get_path(v, "check/port")
        send_proxy = {"v1": "send-proxy", "v2": "send-proxy-v2", "v2_ssl": "send-proxy-v2-ssl",
                      "v2_ssn_cn": "send-proxy-v2-ssl-cn"}.get(get_path(v, "send_proxy"), "")
        for r in reals(v):
            rl = get_path(r, "label")
            rip = get_path(r, "server")
            rport = get_path(r, "port")
            addr = (f"[{rip}]" if ":" in rip else rip) + (f":{rport}" if rport else "")
            line = f"    server {rl} {addr} weight {get_path(r, 'weight') or '100'}"
            st = state.get(f"{label}/{rl}", "online")
            if st == "drain":
                line = f"    server {rl} {addr} weight 0"
            if get_path(r, "maxconns") not in ("", "0"):
                line += f" maxconn {get_path(r, 'maxconns')}"
            if get_path(r, "minconns") not in ("", "0"):
                line += f" minconn {get_path(r, 'minconns')}"
            if ctype != "none":
                line += " check inter 4000 rise 2 fall 2"
                if check_port:
                    line += f" port {check_port}"
                elif not rport:
                    line += f" port {ports[0]}"
                if ctype.startswith("negotiate_https"):
                    line += " check-ssl verify none"
            if get_path(r, "encrypted") == "on" or get_path(v, "backend_encryption") == "on":
                line += " ssl verify none"
            if send_proxy:
                line += f" {send_proxy}"
            if st == "halt":
                line += " disabled"
            g.append(line)
    return "\n".join(g) + "\n"


def gen_ldirectord(root: ET.Element, state: dict) -> str:
    fwd = {"gate": "gate", "masq": "masq", "ipip": "ipip", "snat": "masq"}
    out = [
        "# Generated by lbcli (PrintHA lab EMULATOR). This kernel has no IPVS: ldirectord does not run",
        "# and nothing forwards Layer 4 VIPs in the lab. Kept for inspection only.",
        "checktimeout=5", "checkinterval=10", "failurecount=1", "autoreload=no", "quiescent=yes", "",
    ]
    mark = 0
    for layer, v in vips(root):
        if layer != 4:
            continue
        label = get_path(v, "label")
        ports = get_path(v, "ports")
        single = ":" not in ports and "-" not in ports
        if single:
            out.append(f"virtual={get_path(v, 'server')}:{ports}")
        else:
            mark += 1
            out.append(f"virtual={mark}   # fwmark for {get_path(v, 'server')} ports {ports}")
        out.append(f"\tlabel={label}")
        for r in reals(v):
            w = "0" if state.get(f"{label}/{get_path(r, 'label')}", "online") != "online" else (get_path(r, "weight") or "100")
            rp = get_path(r, "port") or (ports if single else "")
            out.append(f"\treal={get_path(r, 'server')}{':' + rp if rp else ''} {fwd.get(get_path(v, 'forwardingmethod'), 'gate')} {w}")
        out.append(f"\tprotocol={get_path(v, 'protocol') or 'tcp'}")
        out.append(f"\tscheduler={get_path(v, 'scheduler') or 'wlc'}")
        out.append(f"\tchecktype={get_path(v, 'service/check/type') or 'connect'}")
        if get_path(v, "service/check/port"):
            out.append(f"\tcheckport={get_path(v, 'service/check/port')}")
        if get_path(v, "persistent") == "on":
            out.append(f"\tpersistent={get_path(v, 'persist_time') or '300'}")
            out.append(f"\tnetmask={get_path(v, 'granularity') or '255.255.255.255'}")
        out.append("")
    return "\n".join(out) + "\n"


# ----------------------------------------------------------------------------- services
def haproxy_check(text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix="lbcli-haproxy.", suffix=".cfg")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        try:
            r = subprocess.run(["haproxy", "-c", "-q", "-f", tmp], capture_output=True, text=True, timeout=30)
        except FileNotFoundError:
            return
        if r.returncode != 0:
            msg = " ".join((r.stdout + r.stderr).replace(tmp, "haproxy.cfg").split())
            raise failed(f"the generated HAProxy configuration is not valid, nothing was changed: {msg[:600]}")
    finally:
        os.unlink(tmp)


def sandbox_log(line: str) -> None:
    os.makedirs(P("/var/log"), exist_ok=True)
    with open(P("/var/log/lbcli-services.log"), "a", encoding="utf-8") as f:
        f.write(line + "\n")


def run_service(argv: list[str]) -> tuple[int, str]:
    if SANDBOX:
        sandbox_log(" ".join(argv))
        return 0, ""
    r = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    return r.returncode, (r.stdout + r.stderr).strip()


def stat_socket(cmd: str) -> str | None:
    if SANDBOX:
        sandbox_log(f"socket: {cmd}")
        return None
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(3)
        s.connect(STAT_SOCK)
        s.sendall((cmd + "\n").encode())
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        s.close()
        return data.decode(errors="replace")
    except OSError:
        return None


def live_l7_status() -> dict[str, str]:
    out: dict[str, str] = {}
    text = stat_socket("show stat")
    if not text:
        return out
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        f = line.split(",")
        if len(f) > 17 and f[1] not in ("FRONTEND", "BACKEND"):
            out[f"{f[0]}/{f[1]}"] = f[17]
    return out


# ----------------------------------------------------------------------------- the CLI
class Cli:
    def __init__(self, opts: dict[str, str], action: str):
        self.o = opts
        self.action = action
        self.used: set[str] = {"action", "method"}

    def get(self, key: str, required: bool = False) -> str | None:
        self.used.add(key)
        v = self.o.get(key)
        if v is None and required:
            raise fatal(f"--{key} is required for --action {self.action}")
        return v

    def only(self, allowed: set[str]) -> None:
        extra = [k for k in self.o if k not in allowed | {"action", "method"}]
        if extra:
            raise fatal(f"unknown option --{extra[0]} for --action {self.action} (see lbcli --help {self.action})")


def save(root: ET.Element, state: dict, regenerate_l7: bool, regenerate_l4: bool) -> None:
    cfg = gen_haproxy(root, state) if regenerate_l7 else None
    if cfg is not None:
        haproxy_check(cfg)
    text = xml_text(root)
    try:
        if os.path.exists(P(XML_PATH)):
            with open(P(XML_PATH), encoding="utf-8") as f:
                old = f.read()
            atomic_write(XML_PATH + ".old", old)
        atomic_write(XML_PATH, text)
        atomic_write(STATE_PATH, json.dumps(state, indent=1, sort_keys=True) + "\n")
        if cfg is not None:
            atomic_write(HAPROXY_CFG, cfg)
            atomic_write("/etc/haproxy/haproxy.md5", hashlib.md5(cfg.encode()).hexdigest() + "\n")
        if regenerate_l4:
            l4 = gen_ldirectord(root, state)
            atomic_write(LDIRECTORD_CF, l4)
            atomic_write("/etc/ha.d/conf/ldirectord.md5", hashlib.md5(l4.encode()).hexdigest() + "\n")
    except OSError as e:
        raise failed(f"could not write the configuration: {e.strerror} ({e.filename or ''}); nothing was applied") from None


def port_clash(root: ET.Element, ip: str, ports: str, layer: int, protocol: str, skip: ET.Element | None) -> None:
    want = set(expand_ports(ports))
    for other_layer, v in vips(root):
        if v is skip or get_path(v, "server") != ip:
            continue
        if other_layer == 4 and layer == 4 and {get_path(v, "protocol"), protocol} == {"tcp", "udp"}:
            continue
        clash = want & set(expand_ports(get_path(v, "ports")))
        if clash:
            raise failed(
                f"{ip} port {min(clash)} is already used by VIP '{get_path(v, 'label')}': one IP:port can belong to one VIP"
            )


def apply_opts(cli: Cli, vip: ET.Element, table: dict) -> list[str]:
    changed = []
    for key, (validator, path) in table.items():
        val = cli.get(key)
        if val is not None:
            set_path(vip, path, validator(key, val))
            changed.append(key)
    return changed


def act_add_vip(cli: Cli, root: ET.Element, state: dict) -> dict:
    layer = cli.get("layer", required=True)
    if layer not in ("4", "7"):
        raise failed(f"--layer '{layer}' is not valid: use 4|7")
    table, required = (L4_ADD, L4_ADD_REQUIRED) if layer == "4" else (L7_ADD, L7_ADD_REQUIRED)
    cli.only(set(table) | {"layer", "vip"})
    for k in required:
        cli.get(k, required=True)
    label = v_label("vip", cli.get("vip", required=True) or "")
    for key, (validator, _path) in table.items():
        if cli.o.get(key) is not None:
            validator(key, cli.o[key])
    for _l, v in vips(root):
        if get_path(v, "label") == label:
            raise Outcome("exists", f"VIP '{label}' already exists")
    ip = v_ip("ip", cli.o["ip"])
    port_clash(root, ip, cli.o["ports"], int(layer), cli.o.get("protocol", "tcp"), None)
    sec = section(root, "ldirectord" if layer == "4" else "haproxy")
    vip = ET.SubElement(sec, "virtual")
    set_path(vip, "label", label)
    apply_opts(cli, vip, table)
    if layer == "7" and get_path(vip, "mode") == "tcp":
        set_path(vip, "mode", "other_tcp")  # --mode tcp is an alias of other_tcp
    for path, val in (L4_DEFAULTS if layer == "4" else L7_DEFAULTS).items():
        if vip.find(path) is None:
            set_path(vip, path, val)
    save(root, state, layer == "7", layer == "4")
    return {"message": f"Layer {layer} VIP '{label}' added", "vip": label, "layer": layer}


def act_edit_vip(cli: Cli, root: ET.Element, state: dict) -> dict:
    label = v_label("vip", cli.get("vip", required=True) or "")
    known = set(L4_EDIT) | set(L7_EDIT) | {"vip"}
    cli.only(known)
    layer, vip = find_vip(root, label)
    table, other = (L4_EDIT, L7_EDIT) if layer == 4 else (L7_EDIT, L4_EDIT)
    for k in cli.o:
        if k in other and k not in table:
            raise failed(f"--{k} is not an option for a Layer {layer} VIP ('{label}')")
    for key, (validator, _path) in table.items():
        if cli.o.get(key) is not None:
            validator(key, cli.o[key])
    new_ip = v_ip("ip", cli.o["ip"]) if "ip" in cli.o else get_path(vip, "server")
    new_ports = cli.o.get("ports", get_path(vip, "ports"))
    port_clash(root, new_ip, new_ports, layer, cli.o.get("protocol", get_path(vip, "protocol")), vip)
    changed = apply_opts(cli, vip, table)
    if not changed:
        raise fatal(f"--action edit-vip needs at least one option to change (see lbcli --help edit-vip)")
    if layer == 7 and get_path(vip, "mode") == "tcp":
        set_path(vip, "mode", "other_tcp")
    save(root, state, layer == 7, layer == 4)
    return {"message": f"VIP '{label}' updated: {', '.join(changed)}", "vip": label, "layer": str(layer)}


def act_delete_vip(cli: Cli, root: ET.Element, state: dict) -> dict:
    cli.only({"vip"})
    label = v_label("vip", cli.get("vip", required=True) or "")
    layer, vip = find_vip(root, label)
    section(root, "ldirectord" if layer == 4 else "haproxy").remove(vip)
    for k in [k for k in state if k.startswith(label + "/")]:
        del state[k]
    save(root, state, layer == 7, layer == 4)
    return {"message": f"VIP '{label}' deleted", "vip": label, "layer": str(layer)}


def rip_table(layer: int) -> dict:
    return {**RIP_OPTS, **(RIP_L7_ONLY if layer == 7 else {})}


def check_dr_port(layer: int, vip: ET.Element, port: str | None) -> None:
    if layer != 4 or get_path(vip, "forwardingmethod") not in ("gate", "ipip") or port is None:
        return
    ports = get_path(vip, "ports")
    if ":" in ports or "-" in ports or port != ports:
        raise failed(
            f"--port {port}: a {get_path(vip, 'forwardingmethod')} (DR/TUN) VIP cannot translate ports; "
            "leave --port out or give the VIP's own port"
        )


def act_add_rip(cli: Cli, root: ET.Element, state: dict) -> dict:
    cli.only(set(RIP_OPTS) | set(RIP_L7_ONLY) | {"vip", "rip"})
    vlabel = v_label("vip", cli.get("vip", required=True) or "")
    rlabel = v_label("rip", cli.get("rip", required=True) or "")
    cli.get("ip", required=True)
    layer, vip = find_vip(root, vlabel)
    table = rip_table(layer)
    for k in cli.o:
        if k in RIP_L7_ONLY and k not in table:
            raise failed(f"--{k} is only valid for Layer 7 VIPs")
    for key, (validator, _p) in table.items():
        if cli.o.get(key) is not None:
            validator(key, cli.o[key])
    for r in reals(vip):
        if get_path(r, "label") == rlabel:
            raise Outcome("exists", f"RIP '{rlabel}' already exists in VIP '{vlabel}'")
    check_dr_port(layer, vip, cli.o.get("port"))
    rip = ET.SubElement(vip, "real")
    set_path(rip, "label", rlabel)
    apply_opts(cli, rip, table)
    for path, val in (("port", ""), ("weight", "100"), ("minconns", "0"), ("maxconns", "0")):
        if rip.find(path) is None:
            set_path(rip, path, val)
    if layer == 7 and rip.find("encrypted") is None:
        set_path(rip, "encrypted", "off")
    save(root, state, layer == 7, layer == 4)
    return {"message": f"RIP '{rlabel}' added to VIP '{vlabel}'", "vip": vlabel, "rip": rlabel}


def act_edit_rip(cli: Cli, root: ET.Element, state: dict) -> dict:
    cli.only(set(RIP_OPTS) | set(RIP_L7_ONLY) | {"vip", "rip"})
    vlabel = v_label("vip", cli.get("vip", required=True) or "")
    rlabel = v_label("rip", cli.get("rip", required=True) or "")
    layer, vip = find_vip(root, vlabel)
    rip = find_rip(vip, rlabel)
    table = rip_table(layer)
    for k in cli.o:
        if k in RIP_L7_ONLY and k not in table:
            raise failed(f"--{k} is only valid for Layer 7 VIPs")
    for key, (validator, _p) in table.items():
        if cli.o.get(key) is not None:
            validator(key, cli.o[key])
    check_dr_port(layer, vip, cli.o.get("port"))
    changed = apply_opts(cli, rip, table)
    if not changed:
        raise fatal("--action edit-rip needs at least one option to change (see lbcli --help edit-rip)")
    save(root, state, layer == 7, layer == 4)
    return {"message": f"RIP '{rlabel}' in VIP '{vlabel}' updated: {', '.join(changed)}", "vip": vlabel, "rip": rlabel}


def act_delete_rip(cli: Cli, root: ET.Element, state: dict) -> dict:
    cli.only({"vip", "rip"})
    vlabel = v_label("vip", cli.get("vip", required=True) or "")
    rlabel = v_label("rip", cli.get("rip", required=True) or "")
    layer, vip = find_vip(root, vlabel)
    vip.remove(find_rip(vip, rlabel))
    state.pop(f"{vlabel}/{rlabel}", None)
    save(root, state, layer == 7, layer == 4)
    return {"message": f"RIP '{rlabel}' deleted from VIP '{vlabel}'", "vip": vlabel, "rip": rlabel}


def act_rip_state(cli: Cli, root: ET.Element, state: dict) -> dict:
    cli.only({"vip", "rip", "services"})
    vlabel = v_label("vip", cli.get("vip", required=True) or "")
    rlabel = v_label("rip", cli.get("rip", required=True) or "")
    services = cli.get("services")
    if services is not None and services != "all":
        raise failed(f"--services '{services}' is not valid: use all")
    layer, vip = find_vip(root, vlabel)
    find_rip(vip, rlabel)
    targets = [vlabel]
    if services == "all":
        targets = [get_path(v, "label") for l, v in vips(root) if l == layer
                   and any(get_path(r, "label") == rlabel for r in reals(v))]
    new = {"drain": "drain", "halt": "halt", "online": "online"}[cli.action]
    for t in targets:
        if new == "online":
            state.pop(f"{t}/{rlabel}", None)
        else:
            state[f"{t}/{rlabel}"] = new
    save(root, state, layer == 7, layer == 4)
    runtime = {"drain": "drain", "halt": "maint", "online": "ready"}[new]
    applied = []
    if layer == 7:
        for t in targets:
            if stat_socket(f"set server {t}/{rlabel} state {runtime}") is not None:
                if new == "online":  # a drained RIP was written with weight 0: give it its weight back
                    _l, tv = find_vip(root, t)
                    weight = get_path(find_rip(tv, rlabel), "weight") or "100"
                    stat_socket(f"set weight {t}/{rlabel} {weight}")
                applied.append(t)
    return {"message": f"RIP '{rlabel}' set to {new} in: {', '.join(targets)}", "rip": rlabel, "vips": targets,
            "runtime_applied": applied}


def vip_summary(layer: int, v: ET.Element, state: dict, live: dict[str, str]) -> dict:
    label = get_path(v, "label")
    d = {"label": label, "ip": get_path(v, "server"), "ports": get_path(v, "ports"), "layer": str(layer)}
    if layer == 4:
        d.update(forwarding=get_path(v, "forwardingmethod"), protocol=get_path(v, "protocol"),
                 persistent=get_path(v, "persistent"), persist_time=get_path(v, "persist_time"),
                 scheduler=get_path(v, "scheduler"), check_type=get_path(v, "service/check/type"),
                 check_port=get_path(v, "service/check/port"))
    else:
        d.update(mode=get_path(v, "mode"), persistence=get_path(v, "persistence"),
                 persist_time=get_path(v, "persist_time"), scheduler=get_path(v, "scheduler"),
                 check_type=get_path(v, "check/type"), check_port=get_path(v, "check/port"))
    rips = []
    for r in reals(v):
        rl = get_path(r, "label")
        admin = state.get(f"{label}/{rl}", "online")
        if layer == 7:
            health = live.get(f"{label}/{rl}", "unknown (HAProxy not running this VIP: reload-haproxy?)")
        else:
            health = "unknown (no IPVS in this kernel)"
        rips.append({"label": rl, "ip": get_path(r, "server"), "port": get_path(r, "port"),
                     "weight": get_path(r, "weight"), "state": admin, "status": health})
    d["rips"] = rips
    return d


def act_list(cli: Cli, root: ET.Element, state: dict):
    function = cli.get("function", required=True)
    if function == "dumpconfig":
        cli.only({"function"})
        return "dumpconfig", xml_to_json(root)
    if function != "virtual":
        if function in ("advanced", "floatingip"):
            raise failed(f"list --function {function} is not emulated by the PrintHA lab lbcli test double")
        raise failed(f"--function '{function}' is not valid: use virtual|dumpconfig|advanced|floatingip")
    cli.only({"function", "layer", "vip", "rip"})
    layer = cli.get("layer", required=True)
    if layer not in ("4", "7"):
        raise failed(f"--layer '{layer}' is not valid: use 4|7")
    vfilter = cli.get("vip")
    rfilter = cli.get("rip")
    live = live_l7_status() if layer == "7" else {}
    out = []
    for l, v in vips(root):
        if str(l) != layer or (vfilter and get_path(v, "label") != vfilter):
            continue
        s = vip_summary(l, v, state, live)
        if rfilter:
            s["rips"] = [r for r in s["rips"] if r["label"] == rfilter]
        out.append(s)
    if vfilter and not out:
        raise Outcome("missing", f"VIP '{vfilter}' does not exist in Layer {layer}")
    return None, {"message": f"{len(out)} Layer {layer} VIP(s)", "function": "virtual", "layer": layer,
                  "virtual": out}


def act_service(cli: Cli, root: ET.Element, state: dict) -> dict:
    cli.only(set())
    a = cli.action
    if a in ("reload-haproxy", "restart-haproxy"):
        if SANDBOX:
            run_service(["systemctl", a.split("-")[0], "haproxy"])
            return {"message": f"HAProxy {a.split('-')[0]}ed (sandbox: recorded only)"}
        rc, _ = run_service(["systemctl", "is-active", "haproxy"])
        verb = "restart" if a == "restart-haproxy" or rc != 0 else "reload"
        rc, out = run_service(["systemctl", verb, "haproxy"])
        if rc != 0:
            raise failed(f"HAProxy {verb} failed: {' '.join(out.split())[:600]}")
        return {"message": f"HAProxy {verb}ed"}
    if a in ("reload-ldirectord", "restart-ldirectord"):
        return {"message": "ldirectord configuration written; NOT applied: this lab kernel has no IPVS "
                           "(PrintHA lab emulator)", "ipvs": "unavailable"}
    if a in ("reload-heartbeat", "restart-heartbeat"):
        return {"message": "heartbeat is not emulated: in the lab keepalived holds the floating IP (PrintHA lab emulator)"}
    if a == "haproxy-clear-stick":
        cleared = []
        for l, v in vips(root):
            if l == 7 and stat_socket(f"clear table {get_path(v, 'label')}") is not None:
                cleared.append(get_path(v, "label"))
        return {"message": f"stick tables cleared: {', '.join(cleared) or 'none'}"}
    raise fatal(f"unknown action {a}")


def act_nodestatus(cli: Cli, root: ET.Element, state: dict) -> dict:
    cli.only(set())
    try:
        with open(P(NODESTATUS), encoding="utf-8") as f:
            st = f.read().strip()
    except FileNotFoundError:
        st = "unknown"
    role = get_path(root, "physical/network/role")
    return {"message": f"this node is {st}", "nodestatus": st, "role": role, "hostname": socket.gethostname()}


HANDLERS = {
    "add-vip": act_add_vip, "edit-vip": act_edit_vip, "delete-vip": act_delete_vip,
    "add-rip": act_add_rip, "edit-rip": act_edit_rip, "delete-rip": act_delete_rip,
    "drain": act_rip_state, "halt": act_rip_state, "online": act_rip_state,
    "reload-haproxy": act_service, "restart-haproxy": act_service, "reload-ldirectord": act_service,
    "restart-ldirectord": act_service, "reload-heartbeat": act_service, "restart-heartbeat": act_service,
    "haproxy-clear-stick": act_service, "nodestatus": act_nodestatus,
}

# ----------------------------------------------------------------------------- help
HELP = {
    "add-vip": "lbcli --action add-vip --layer 4 --vip <LABEL> --ip <VIP_IP> --ports <PORTS> --forwarding gate|masq|ipip|snat --protocol tcp|udp|tcpudp|ops|fwm [--slave_ip <IP>]\n"
               "lbcli --action add-vip --layer 7 --vip <LABEL> --ip <VIP_IP> --ports <PORTS> --mode http|tcp [--fallback_ip ..] [--fallback_port ..] [--service_type waf_frontend] [--encrypt_all_backends on|off]\n"
               "  PORTS: 80, 80:443 (colon-separated list), 800-900 (range) or a mix such as 80:90-100:3443",
    "edit-vip": "lbcli --action edit-vip --vip <LABEL> [options]\n  Layer 4: " + " ".join(f"[--{k}]" for k in L4_EDIT)
                + "\n  Layer 7: " + " ".join(f"[--{k}]" for k in L7_EDIT),
    "delete-vip": "lbcli --action delete-vip --vip <LABEL>",
    "add-rip": "lbcli --action add-rip --vip <VIP> --rip <RIP_LABEL> --ip <RIP_IP> [--weight n] [--port p] [--minconns n] [--maxconns n] [--encrypted on|off (Layer 7)]",
    "edit-rip": "lbcli --action edit-rip --vip <VIP> --rip <RIP_LABEL> [--ip ..] [--port ..] [--weight ..] [--minconns ..] [--maxconns ..] [--encrypted on|off]",
    "delete-rip": "lbcli --action delete-rip --vip <VIP> --rip <RIP_LABEL>",
    "drain": "lbcli --action drain|halt|online --vip <VIP> --rip <RIP> [--services all]",
    "list": "lbcli --action list --function virtual --layer 4|7 [--vip X] [--rip Y]\nlbcli --action list --function dumpconfig",
    "nodestatus": "lbcli --action nodestatus",
    "reload-haproxy": "lbcli --action reload-haproxy | restart-haproxy | reload-ldirectord | restart-ldirectord | reload-heartbeat | restart-heartbeat | haproxy-clear-stick",
}
HELP["halt"] = HELP["online"] = HELP["drain"]
for _a in ("restart-haproxy", "reload-ldirectord", "restart-ldirectord", "reload-heartbeat", "restart-heartbeat",
           "haproxy-clear-stick"):
    HELP[_a] = HELP["reload-haproxy"]


def help_text(topic: str | None) -> str | None:
    if topic in (None, "lbcli"):
        return (
            "lbcli -- PrintHA lab EMULATOR of the Loadbalancer.org appliance CLI (a test double, not the product)\n"
            "Usage: lbcli --action <action> [--<option> <value> ...] [--method api]\n"
            "       lbcli --help lbcli | --help <action> | --help cidr\n\n"
            + "\n\n".join(HELP[a] for a in ("add-vip", "edit-vip", "delete-vip", "add-rip", "edit-rip", "delete-rip",
                                            "drain", "list", "reload-haproxy", "nodestatus"))
            + "\n\nNot emulated (documented on the appliance): " + " ".join(NOT_EMULATED) + "\n"
        )
    if topic == "cidr":
        lines = ["CIDR  Netmask"]
        for n in range(32, -1, -1):
            lines.append(f"/{n:<4} {ipaddress.IPv4Network(f'0.0.0.0/{n}').netmask}")
        return "\n".join(lines) + "\n"
    if topic in HELP:
        return HELP[topic] + "\n"
    return None


# ----------------------------------------------------------------------------- main
def parse_argv(argv: list[str]) -> dict[str, str]:
    opts: dict[str, str] = {}
    i = 0
    while i < len(argv):
        tok = argv[i]
        if not tok.startswith("--") or len(tok) < 3:
            raise fatal(f"unexpected argument '{tok}': options are --<name> <value>")
        key = tok[2:]
        if "=" in key:
            raise fatal(f"write '--{key.split('=', 1)[0]} <value>' (with a space), not '{tok}'")
        if i + 1 >= len(argv) or (argv[i + 1].startswith("--") and key != "help"):
            if key == "help":
                opts["help"] = "lbcli"
                i += 1
                continue
            raise fatal(f"option --{key} needs a value")
        if key in opts:
            raise fatal(f"option --{key} is given twice")
        opts[key] = argv[i + 1]
        i += 2
    return opts


def emit(action: str, status: str, body: dict, api: bool) -> None:
    item = {"action": action, "status": status, **body}
    shape = "array"
    try:
        with open(P(EMU_PATH), encoding="utf-8") as f:
            shape = json.load(f).get("shape", "array")
    except (FileNotFoundError, json.JSONDecodeError, AttributeError):
        pass
    if shape == "object":
        doc: object = {"lbcli": item}
    elif shape == "wrapped":
        doc = [{"lbcli": [item]}]
    else:
        doc = {"lbcli": [item]}
    if not api:
        text = body.get("message") or body.get("error") or status
        print(f"LBCLI {action}: {status}: {text}")
    print(json.dumps(doc, separators=(",", ":")))


def main(argv: list[str]) -> int:
    if not SANDBOX and not os.path.exists("/etc/printha-lab-node"):
        print("lbcli (PrintHA lab emulator): refusing to run outside a PrintHA lab node "
              "(set LBCLI_ROOT=<dir> for a sandbox)", file=sys.stderr)
        return 2
    action = "unknown"
    api = False
    try:
        opts = parse_argv(argv)
        if "help" in opts:
            text = help_text(opts["help"])
            if text is None:
                raise failed(f"no help for '{opts['help']}' (try lbcli --help lbcli)")
            sys.stdout.write(text)
            return 0
        method = opts.get("method")
        if method is not None:
            if method != "api":
                raise fatal(f"--method '{method}' is not valid: use api")
            api = True
        if "action" not in opts:
            raise fatal("--action is required (lbcli --help lbcli)")
        action = opts["action"]
        if action in NOT_EMULATED:
            raise failed(f"action '{action}' exists on the appliance but is not emulated by the PrintHA lab lbcli test double")
        if action != "list" and action not in HANDLERS:
            raise fatal(f"unknown action '{action}' (lbcli --help lbcli)")
        cli = Cli(opts, action)
        os.makedirs(P("/run"), exist_ok=True)
        with open(P("/run/lbcli.lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            root = load_xml()
            state = load_state()
            if action == "list":
                kind, body = act_list(cli, root, state)
                if kind == "dumpconfig":
                    if not api:
                        print("LBCLI list dumpconfig: success")
                    print(json.dumps(body, separators=(",", ":")))
                    return 0
            else:
                body = HANDLERS[action](cli, root, state)
        emit(action, "success", body, api)
        return 0
    except Outcome as o:
        emit(action, o.status, {"error": o.message, **o.extra}, api)
        return 0
    except Exception as e:  # never a Python traceback on the appliance's stdout
        emit(action, "fatal", {"error": f"internal emulator error: {type(e).__name__}: {e}"}, api)
        return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
