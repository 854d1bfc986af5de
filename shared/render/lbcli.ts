/**
 * Loadbalancer.org appliance generator: the lbcli commands that build the site's VIPs and RIPs
 * (DESIGN.md "Platforms"; seed 000 §10 Layer 4 DR, §11 Layer 7 SNAT; syntax from
 * shared/reference/lbcli.md §1.3-1.6), the by-hand script balancer/lbcli.sh, and the wanted state
 * the appliance engine diffs against `lbcli --action list --function dumpconfig`.
 *
 * Choices (each one documented where it is made):
 * - argv[0] is the absolute path /usr/local/sbin/lbcli: the vendor's own code calls it so, and a
 *   non-login SSH shell need not have /usr/local/sbin on PATH (lbcli.md §1.1).
 * - every call ends with `--method api`, which forces a JSON reply with a `status` (lbcli.md §1.1).
 * - `add-vip` carries only the minimal options, `edit-vip` the rest (lbcli.md §1.3 "safer pattern"),
 *   so a re-run whose add says "exists" still re-applies every setting.
 * - RIP labels are the site's server labels on every VIP (the guide uses PS1/PS2 on PrintServers
 *   and Phoenix1/Phoenix2 on Dispatcher): with one label per server,
 *   `lbcli --action drain|halt|online --vip <any VIP> --rip PS1 --services all` acts on that server
 *   in every VIP of the layer at once (lbcli.md §1.4), which is what a failover drill and a
 *   rolling reboot need.
 */
import type { ResolvedSite, ResolvedVip } from '../model/resolve.js';
import { shellJoin, quotePosix } from '../quote/posix.js';
import { formatRanges, normalizeRanges, parsePortSpec, type PortRange } from '../site/ports.js';
import type { Scheduler } from '../site/schema.js';
import { commentText, effectiveCheckPorts, riseCount } from './balancer-common.js';
import { HALFOPEN_CHECK_SCRIPT } from './checkscript.js';

export const LBCLI_PATH = '/usr/local/sbin/lbcli';
/** Where the appliance looks for external health-check scripts (lbcli.md §3.1). */
export const LB_CHECK_DIR = '/var/lib/loadbalancer.org/check';
/**
 * The half-open probe PrintHA deploys into LB_CHECK_DIR: `printha-halfopen-check <ip> <port>...`
 * exits 0 only when every port answered SYN with SYN-ACK, and closes with RST (never FIN).
 * The per-VIP wrappers below call it with the VIP's check ports.
 */
export const HALFOPEN_PROBE_NAME = 'printha-halfopen-check';
/** Where the per-VIP wrappers keep their warm-up/failure counters (tmpfs: reset at boot). */
export const LB_HALFOPEN_STATE_DIR = '/var/run/printha-checks';
/** The appliance's master configuration (lbcli.md §3.1), backed up before any change. */
export const LB_CONFIG_XML = '/etc/loadbalancer.org/lb_config.xml';

export interface LbcliCommand {
  argv: string[];
  /** One line for the plan view; lbcli.sh prints it and names it when it stops. */
  purpose: string;
  vip?: string;
  rip?: string;
}

export interface WantedLbcliReal {
  label: string;
  ip: string;
  /** Only when the RIP port differs from the VIP's (SNAT backendPort); DR never translates. */
  port?: string;
  weight: number;
}

export interface WantedLbcliVip {
  label: string;
  layer: 4 | 7;
  ip: string;
  /** lbcli port syntax: colon-separated, ranges first-last (lbcli.md §1.3). */
  ports: string;
  /** Layer 4 only: `gate` = direct routing. */
  forwarding?: 'gate';
  /** Layer 7 only: HAProxy TCP mode. */
  mode?: 'tcp';
  protocol: 'tcp';
  persistence: {
    on: boolean;
    /** Layer 4: seconds; Layer 7: minutes (lbcli.md §1.5: unit unconfirmed, read it back). */
    time: number;
    unit: 'seconds' | 'minutes';
    /** Layer 4 only: per-client netmask. */
    granularity?: string;
  };
  /** lbcli scheduler value: wlc|wrr (Layer 4), leastconn|roundrobin (Layer 7). */
  scheduler: string;
  check: {
    type: 'connect' | 'external';
    /** connect: the probed port. */
    port?: number;
    /** external: the script name in LB_CHECK_DIR. */
    script?: string;
    /** Every port the check probes on each server. */
    ports: number[];
  };
  reals: WantedLbcliReal[];
}

export interface HalfOpenCheckScript {
  /** File name in LB_CHECK_DIR, as passed to --check_command / --external_check_script. */
  name: string;
  path: string;
  vipLabel: string;
  ports: number[];
  /** Good probes in a row before a server that was down is reported up (warm-up). */
  needSuccesses: number;
  /** Failed probes in a row before a server that was up is reported down. */
  fall: number;
  content: string;
}

export interface WantedLbcliState {
  layer: 4 | 7;
  vips: WantedLbcliVip[];
  /** External check scripts the VIPs reference; install them before the VIPs (both HA nodes). */
  checkScripts: HalfOpenCheckScript[];
}

/** lbcli port syntax (lbcli.md §1.3): "80:90-100:3443". */
export function lbcliPorts(ports: readonly PortRange[]): string {
  return formatRanges(ports, ':', '-');
}

/**
 * Parses a port list as lbcli or dumpconfig prints it (colons, commas or spaces between items,
 * ranges first-last) into merged ranges; null when any item is not a port or range.
 */
export function parseLbcliPorts(s: string | number): PortRange[] | null {
  const items = String(s)
    .split(/[\s,:]+/)
    .filter((x) => x !== '');
  if (items.length === 0) return null;
  const out: PortRange[] = [];
  for (const it of items) {
    const r = parsePortSpec(it);
    if (typeof r === 'string') return null;
    out.push(r);
  }
  return normalizeRanges(out);
}

/** True when two lbcli/dumpconfig port lists name the same ports (order and separators ignored). */
export function lbcliPortsEqual(a: string | number, b: string | number): boolean {
  const x = parseLbcliPorts(a);
  const y = parseLbcliPorts(b);
  if (!x || !y) return false;
  return lbcliPorts(x) === lbcliPorts(y);
}

export function lbcliLayer(r: ResolvedSite): 4 | 7 {
  return r.site.mode === 'dr' ? 4 : 7;
}

/** Layer 4 lbcli schedulers are wlc|wrr|dh (lbcli.md §1.3): lc is wlc with equal weights, rr is wrr. */
function l4Scheduler(s: Scheduler): 'wlc' | 'wrr' {
  return s === 'lc' || s === 'wlc' ? 'wlc' : 'wrr';
}

/** Layer 7 lbcli schedulers are roundrobin|leastconn (lbcli.md §1.5); HAProxy weighs both. */
function l7Scheduler(s: Scheduler): 'leastconn' | 'roundrobin' {
  return s === 'lc' || s === 'wlc' ? 'leastconn' : 'roundrobin';
}

/**
 * ldirectord `checkport` and the Layer 7 `--check_port` take one port, and a plain connect check
 * closes with FIN on Layer 4 (platforms.md §3). So a half-open check, or a check on more than one
 * port, runs as an external check script that probes every port half-open.
 */
export function usesExternalCheck(v: ResolvedVip): boolean {
  return v.check.kind === 'half-open' || effectiveCheckPorts(v).length > 1;
}

export function checkScriptName(v: ResolvedVip): string {
  return `${HALFOPEN_PROBE_NAME}-${v.label}`;
}

/**
 * The per-VIP external check: a wrapper that calls the half-open probe with the VIP's check ports
 * and its warm-up. The probe (resources/checks/printha-halfopen-check) keeps the counter: a server
 * that was down is reported up only after `needSuccesses` good probes in a row; a server that is up
 * is reported with each probe's own result and counts as down (warm-up again) after `fall` failures
 * in a row, which is when the appliance, with a failure count of `fall`, takes it out. Without a
 * state file (first probe after the appliance starts) a server starts as up, so a balancer failover
 * does not take every server out for the warm-up. ldirectord and HAProxy pass the real server as $3.
 */
export function halfOpenCheckScript(r: ResolvedSite, v: ResolvedVip): HalfOpenCheckScript {
  const ports = effectiveCheckPorts(v);
  const need = riseCount(v.check);
  const fall = Math.max(1, v.check.fall);
  const name = checkScriptName(v);
  const content = [
    '#!/bin/sh',
    `# PrintHA external health check for VIP ${v.label} of site "${commentText(r.site.name)}".`,
    '# Generated by PrintHA: re-render the site instead of editing this file.',
    '# ldirectord (Layer 4) and HAProxy (Layer 7) call it as: <vip> <vip port> <real server ip> <real server port>.',
    `# It probes TCP ${ports.join(', ')} on the real server half-open (SYN, SYN-ACK, RST; never FIN) with`,
    `# ${HALFOPEN_PROBE_NAME}. Warm-up: a server that was down is reported up after ${need} good probe(s) in a row`,
    `# (${v.check.riseSeconds} s at a ${v.check.intervalSeconds} s check interval); a server that is up counts as down again`,
    `# after ${fall} failed probes in a row (set the appliance's check interval to ${v.check.intervalSeconds} s and its failure count to ${fall}).`,
    '# HAProxy runs external checks with an empty PATH unless told otherwise.',
    'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    'export PATH',
    `PROBE=${quotePosix(`${LB_CHECK_DIR}/${HALFOPEN_PROBE_NAME}`)}`,
    `STATE_DIR=${quotePosix(LB_HALFOPEN_STATE_DIR)}`,
    `LABEL=${quotePosix(v.label)}`,
    `PORTS=${quotePosix(ports.join(' '))}`,
    `FALL=${fall}`,
    `NEED=${need}`,
    'rip=${3:-}',
    'if [ -z "$rip" ]; then',
    '  echo "usage: $0 VIP VIP_PORT REAL_SERVER_IP REAL_SERVER_PORT" >&2',
    '  exit 2',
    'fi',
    "key=\"${LABEL}_$(printf '%s' \"$rip\" | tr -c 'A-Za-z0-9._-' '_')\"",
    '# $PORTS is split into words on purpose: digits and spaces only.',
    'exec "$PROBE" --rise "$NEED" --fall "$FALL" --state-dir "$STATE_DIR" --key "$key" "$rip" $PORTS',
    '',
  ].join('\n');
  return { name, path: `${LB_CHECK_DIR}/${name}`, vipLabel: v.label, ports, needSuccesses: need, fall, content };
}

export function halfOpenCheckScripts(r: ResolvedSite): HalfOpenCheckScript[] {
  return r.vips.filter(usesExternalCheck).map((v) => halfOpenCheckScript(r, v));
}

function wantedVip(r: ResolvedSite, v: ResolvedVip): WantedLbcliVip {
  const layer = lbcliLayer(r);
  const ext = usesExternalCheck(v);
  const checkPorts = effectiveCheckPorts(v);
  const persistOn = v.persistenceMinutes > 0;
  const reals: WantedLbcliReal[] = r.site.servers.map((s) => {
    const real: WantedLbcliReal = { label: s.label, ip: s.address, weight: s.weight };
    // DR cannot translate ports (seed 000 §6.1): RIPs never carry --port in Layer 4.
    if (layer === 7 && v.backendPort !== undefined) real.port = String(v.backendPort);
    return real;
  });
  const out: WantedLbcliVip = {
    label: v.label,
    layer,
    ip: r.site.vip,
    ports: lbcliPorts(v.ports),
    protocol: 'tcp',
    persistence:
      layer === 4
        ? {
            on: persistOn,
            time: v.persistenceMinutes * 60,
            unit: 'seconds',
            // IPv6 persistence granularity as a prefix length is unconfirmed on lbcli (lbcli.md has only the IPv4 mask form).
            granularity: r.family === 6 ? '128' : '255.255.255.255',
          }
        : { on: persistOn, time: v.persistenceMinutes, unit: 'minutes' },
    scheduler: layer === 4 ? l4Scheduler(v.scheduler) : l7Scheduler(v.scheduler),
    check: ext ? { type: 'external', script: checkScriptName(v), ports: checkPorts } : { type: 'connect', port: checkPorts[0]!, ports: checkPorts },
    reals,
  };
  if (layer === 4) out.forwarding = 'gate';
  else out.mode = 'tcp';
  return out;
}

/** What the appliance should hold after apply; the engine diffs it against parseDumpconfig(). */
export function wantedLbcliState(r: ResolvedSite): WantedLbcliState {
  return { layer: lbcliLayer(r), vips: r.vips.map((v) => wantedVip(r, v)), checkScripts: halfOpenCheckScripts(r) };
}

function lbcli(action: string, opts: readonly (readonly [string, string])[]): string[] {
  const argv = [LBCLI_PATH, '--action', action];
  for (const [k, v] of opts) argv.push(`--${k}`, v);
  argv.push('--method', 'api');
  return argv;
}

type Opt = readonly [string, string];

/** Here-document terminator for the check scripts lbcli.sh installs (never a line of their text). */
const HEREDOC_EOF = 'PRINTHA_CHECK_EOF';

/** The lbcli command that creates one VIP with the minimal options (lbcli.md §1.3/§1.5). */
export function addVipCommand(w: WantedLbcliVip): LbcliCommand {
  const opts: Opt[] = [
    ['layer', String(w.layer)],
    ['vip', w.label],
    ['ip', w.ip],
    ['ports', w.ports],
  ];
  if (w.layer === 4) opts.push(['forwarding', 'gate'], ['protocol', 'tcp']);
  else opts.push(['mode', 'tcp']);
  return {
    argv: lbcli('add-vip', opts),
    purpose: `add Layer ${w.layer} VIP ${w.label} on ${w.ip} ports ${w.ports}${w.layer === 4 ? ' (direct routing)' : ' (HAProxy TCP mode)'}`,
    vip: w.label,
  };
}

/** The lbcli command that sets persistence, scheduler and health check of one VIP. */
export function editVipCommand(w: WantedLbcliVip): LbcliCommand {
  const opts: Opt[] = [['vip', w.label]];
  if (w.layer === 4) {
    if (w.persistence.on)
      opts.push(['persistent', 'on'], ['persist_time', String(w.persistence.time)], ['granularity', w.persistence.granularity ?? '255.255.255.255']);
    else opts.push(['persistent', 'off']);
    opts.push(['scheduler', w.scheduler]);
    if (w.check.type === 'external') opts.push(['check_type', 'external'], ['check_command', w.check.script!]);
    else opts.push(['check_type', 'connect'], ['check_port', String(w.check.port)]);
  } else {
    if (w.persistence.on) opts.push(['persistence', 'ip'], ['persist_time', String(w.persistence.time)]);
    else opts.push(['persistence', 'none']);
    opts.push(['scheduler', w.scheduler]);
    if (w.check.type === 'external') opts.push(['check_type', 'external'], ['external_check_script', w.check.script!]);
    else opts.push(['check_type', 'connect'], ['check_port', String(w.check.port)]);
  }
  const persist = w.persistence.on ? `source-IP persistence ${w.persistence.time} ${w.persistence.unit}` : 'no persistence';
  const check = w.check.type === 'external' ? `external half-open check ${w.check.script} (ports ${w.check.ports.join(', ')})` : `TCP connect check on port ${w.check.port}`;
  return { argv: lbcli('edit-vip', opts), purpose: `set VIP ${w.label}: ${persist}, scheduler ${w.scheduler}, ${check}`, vip: w.label };
}

/** The lbcli command that adds one real server to one VIP (lbcli.md §1.4). */
export function addRipCommand(w: WantedLbcliVip, real: WantedLbcliReal): LbcliCommand {
  const opts: Opt[] = [
    ['vip', w.label],
    ['rip', real.label],
    ['ip', real.ip],
  ];
  if (real.port !== undefined) opts.push(['port', real.port]);
  opts.push(['weight', String(real.weight)]);
  // The guide's Layer 4 RIP form has minimum/maximum connections 0 = unlimited (seed 000 §10.2).
  if (w.layer === 4) opts.push(['minconns', '0'], ['maxconns', '0']);
  return {
    argv: lbcli('add-rip', opts),
    purpose: `add real server ${real.label} (${real.ip}${real.port !== undefined ? ` port ${real.port}` : ''}, weight ${real.weight}) to VIP ${w.label}`,
    vip: w.label,
    rip: real.label,
  };
}

/**
 * Every lbcli call for the site, in order: per VIP add-vip, edit-vip, add-rip per server; then the
 * service restart/reload. Layer 4 adds VIPs, and ldirectord's reload does not pick up new virtual
 * blocks, so it is restart-ldirectord (lbcli.md §1.6); Layer 7 is a graceful reload-haproxy (seed 000
 * §11.3 "Reload HAProxy"). With an HA pair, reload-heartbeat makes the new floating IP a heartbeat
 * resource (vendor example, lbcli.md §1.6/§5).
 */
export function lbcliCommands(r: ResolvedSite): LbcliCommand[] {
  const state = wantedLbcliState(r);
  const out: LbcliCommand[] = [];
  for (const w of state.vips) {
    out.push(addVipCommand(w), editVipCommand(w));
    for (const real of w.reals) out.push(addRipCommand(w, real));
  }
  out.push(
    state.layer === 4
      ? { argv: lbcli('restart-ldirectord', []), purpose: 'restart ldirectord so the new Layer 4 VIPs take effect' }
      : { argv: lbcli('reload-haproxy', []), purpose: 'reload HAProxy so the new Layer 7 VIPs take effect' },
  );
  if (r.site.balancer.secondary)
    out.push({ argv: lbcli('reload-heartbeat', []), purpose: 'reload heartbeat so the VIP address becomes a floating IP of the HA pair' });
  return out;
}

/** The line lbcli.sh runs for one command: `run <purpose> <argv...>`, every word quoted by shellJoin. */
export function lbcliScriptLine(c: LbcliCommand): string {
  return shellJoin(['run', c.purpose, ...c.argv]);
}

const SCRIPT_HELPERS = `# statuses: every "status" value in an lbcli reply, one per line (the reply may be
# {"lbcli":{...}}, {"lbcli":[{...}]}, [{"lbcli":[{...}]}], and may follow a banner line).
statuses() {
  rest=$1
  while :; do
    case $rest in
      *'"status"'*) ;;
      *) break ;;
    esac
    rest=\${rest#*'"status"'}
    v=$(printf '%s\\n' "$rest" | sed -n '1s/^[[:space:]]*:[[:space:]]*"\\([A-Za-z_-]*\\)".*/\\1/p')
    printf '%s\\n' "\${v:-?}"
  done
}

# run <step> <command...>: runs one lbcli call and checks its reply. "success" and "exists" go on;
# anything else (failed, missing, fatal, no JSON at all) stops the script and names the step.
run() {
  step=$1
  shift
  printf '==> %s\\n' "$step"
  rc=0
  out=$("$@" 2>&1) || rc=$?
  printf '%s\\n' "$out"
  found=$(statuses "$out")
  if [ -z "$found" ]; then
    case $out in
      *'  exists'*) found=exists ;;
    esac
  fi
  if [ -z "$found" ]; then
    printf 'PrintHA: stopped at step "%s": lbcli gave no JSON status (exit code %s). Read the output above; nothing after this step was run.\\n' "$step" "$rc" >&2
    exit 1
  fi
  for s in $found; do
    case $s in
      success | exists) ;;
      *)
        printf 'PrintHA: stopped at step "%s": lbcli replied status "%s". Fix the cause shown above and run the script again; nothing after this step was run.\\n' "$step" "$s" >&2
        exit 1
        ;;
    esac
  done
}
`;

/** balancer/lbcli.sh: the same lbcli calls as lbcliCommands(), safe to run by hand on the appliance. */
export function renderLbcliScript(r: ResolvedSite): string {
  const state = wantedLbcliState(r);
  const cmds = lbcliCommands(r);
  const layer = state.layer;
  const lines: string[] = [
    '#!/bin/sh',
    `# PrintHA: Loadbalancer.org appliance configuration for site "${commentText(r.site.name)}".`,
    '# Generated by PrintHA from the site file: re-render instead of editing.',
    layer === 4
      ? '# Mode: Layer 4 DR (LVS/ldirectord, forwarding "gate" = direct routing; no port translation).'
      : '# Mode: Layer 7 SNAT (HAProxy in TCP mode; the servers see the appliance as the client).',
    `# VIP address ${r.site.vip}, one VIP label per service group on that one address:`,
    ...state.vips.map((w) => `#   ${w.label}: TCP ${w.ports}`),
    `# Real servers (the same RIP labels on every VIP): ${r.site.servers.map((s) => `${s.label} ${s.address}`).join(', ')}.`,
    '# Same label everywhere means "lbcli --action drain --vip <VIP> --rip <server> --services all" drains a',
    '# server from every VIP of the layer at once (failover drill, rolling reboot).',
    '#',
    '# Run it as root on the primary (active) appliance:   sh lbcli.sh',
    '# Changes made with lbcli are stored in lb_config.xml and replicated to the HA peer by the appliance.',
    '# Steps: check this node is active, back up lb_config.xml, install the half-open check scripts (if any),',
    `# add and edit the VIPs, add the real servers, ${layer === 4 ? 'restart ldirectord' : 'reload HAProxy'}${r.site.balancer.secondary ? ', reload heartbeat' : ''}.`,
    '# Every lbcli reply is checked: status "success" or "exists" goes on; anything else stops the script at',
    '# that step and names it. Re-running is safe: "exists" is accepted and edit-vip re-applies every setting.',
    '# Nothing is deleted. To remove a VIP by hand: lbcli --action delete-vip --vip <label>',
    'set -eu',
    '',
    `CONF=${quotePosix(LB_CONFIG_XML)}`,
    `CHECK_DIR=${quotePosix(LB_CHECK_DIR)}`,
    'BACKUP_DIR=${PRINTHA_BACKUP_DIR:-/root/printha-backups}',
    '',
    SCRIPT_HELPERS,
    '# Only the active node: changes there replicate to the passive peer (lbcli.md §5).',
    'if [ -r /var/log/nodestatus_local ]; then',
    '  role=$(cat /var/log/nodestatus_local)',
    '  if [ "$role" != active ] && [ "${PRINTHA_FORCE:-}" != 1 ]; then',
    '    printf \'PrintHA: this appliance reports "%s", not "active". Run the script on the active (primary) appliance; set PRINTHA_FORCE=1 to run it here anyway.\\n\' "$role" >&2',
    '    exit 1',
    '  fi',
    'fi',
    '',
    '# Back up the master configuration first (restore: copy it back and restart, lbcli.md §3.2).',
    'if [ -f "$CONF" ]; then',
    '  mkdir -p "$BACKUP_DIR"',
    '  backup="$BACKUP_DIR/lb_config-$(date +%Y%m%d-%H%M%S).xml"',
    '  cp -p "$CONF" "$backup"',
    "  printf '==> backed up %s to %s\\n' \"$CONF\" \"$backup\"",
    'fi',
    '',
  ];
  if (state.checkScripts.length > 0) {
    lines.push(
      `# External checks: the half-open probe ${HALFOPEN_PROBE_NAME} (the one PrintHA ships) and one wrapper per VIP`,
      '# with its check ports and warm-up. Both are rewritten on every run (same content: no change).',
      'install_check() {',
      '  tmp="$CHECK_DIR/.$1.printha.$$"',
      '  cat > "$tmp"',
      '  chmod 0755 "$tmp"',
      '  mv -f "$tmp" "$CHECK_DIR/$1"',
      "  printf '==> installed health check %s\\n' \"$CHECK_DIR/$1\"",
      '}',
      'mkdir -p "$CHECK_DIR"',
      `install_check ${quotePosix(HALFOPEN_PROBE_NAME)} <<'${HEREDOC_EOF}'`,
      HALFOPEN_CHECK_SCRIPT.replace(/\n$/, ''),
      HEREDOC_EOF,
    );
    for (const s of state.checkScripts) {
      lines.push(`install_check ${quotePosix(s.name)} <<'${HEREDOC_EOF}'`, s.content.replace(/\n$/, ''), HEREDOC_EOF);
    }
    if (r.site.balancer.secondary) {
      lines.push(
        '# Check scripts are files, not lb_config.xml settings, so the appliance does not replicate them (unconfirmed,',
        '# lbcli.md §5): copy them to the peer over the pair\'s own "lbslave" SSH alias.',
        `for f in ${[HALFOPEN_PROBE_NAME, ...state.checkScripts.map((s) => s.name)].map(quotePosix).join(' ')}; do`,
        '  if ! scp -p "$CHECK_DIR/$f" "lbslave:$CHECK_DIR/$f"; then',
        "    printf 'PrintHA: could not copy %s to the secondary appliance (lbslave). Copy it by hand to the same path, then run this script again.\\n' \"$CHECK_DIR/$f\" >&2",
        '    exit 1',
        '  fi',
        "  printf '==> copied %s to the secondary appliance\\n' \"$CHECK_DIR/$f\"",
        'done',
      );
    }
    lines.push('');
  }
  let current: string | undefined;
  for (const c of cmds) {
    if (c.vip !== current) {
      current = c.vip;
      lines.push(current !== undefined ? `# VIP ${current}` : '# Apply');
    }
    lines.push(lbcliScriptLine(c));
  }
  lines.push(
    '',
    `printf '%s\\n' ${quotePosix(
      layer === 4
        ? 'PrintHA: done. Check System Overview in the WebUI, or: ipvsadm -Ln (every real server "Route" with weight > 0).'
        : 'PrintHA: done. Check System Overview in the WebUI: every real server green.',
    )}`,
    '',
  );
  return lines.join('\n');
}
