/**
 * The compliance table: every requirement the seeds put on the balancer, and how the site's
 * platform and mode meet it in the generated configuration, or why not and the workaround.
 * Rows come from the profile's requirement data (halfOpenChecks, minPersistenceMinutes, ...) and the
 * services' data (excludedPorts, passiveFtp), so a new product brings its rows with its profile.
 * Sources: seed 003 (Dispatcher Paragon third-party balancer requirements), seed 000 (the
 * Loadbalancer.org guide for Dispatcher Phoenix); platform facts from shared/reference/platforms.md.
 */
import type { ResolvedSite, ResolvedVip } from '../model/resolve.js';
import { formatRange, portInRanges } from '../site/ports.js';
import type { Platform } from '../site/schema.js';
import { effectiveCheckPorts, isLeastConn, riseCount } from './balancer-common.js';
import { HALFOPEN_PROBE_NAME, checkScriptName, usesExternalCheck } from './lbcli.js';
import { NETSCALER_PERSIST_GROUP, nsPersistMinutes } from './netscaler.js';
import { tmshLbMode, tmshName, tmshPersistName } from './tmsh.js';

export type ComplianceStatus = 'met' | 'emulated' | 'not-met' | 'not-applicable';

export interface ComplianceRow {
  /** Stable id of the requirement (kebab-case), e.g. "halfopen-check:ParagonTerminal". */
  id: string;
  requirement: string;
  source: string;
  how: string;
  status: ComplianceStatus;
  note?: string;
}

const S003 = 'seed 003 (Paragon third-party balancer requirements)';
const S000 = 'seed 000 (Loadbalancer.org Dispatcher Phoenix guide)';

type Kind = 'lborg-l4' | 'lborg-l7' | 'haproxy' | 'keepalived' | 'f5' | 'netscaler';

function kindOf(r: ResolvedSite): Kind {
  const p: Platform = r.site.balancer.platform;
  const dr = r.site.mode === 'dr';
  switch (p) {
    case 'loadbalancer-org':
      return dr ? 'lborg-l4' : 'lborg-l7';
    case 'linux-haproxy':
      return dr ? 'keepalived' : 'haproxy';
    case 'f5-bigip':
      return 'f5';
    case 'netscaler':
      return 'netscaler';
  }
}

function ports(v: ResolvedVip): string {
  return v.ports.map((p) => formatRange(p)).join(',');
}

function row(id: string, requirement: string, source: string, how: string, status: ComplianceStatus, note?: string): ComplianceRow {
  const out: ComplianceRow = { id, requirement, source, how, status };
  if (note !== undefined) out.note = note;
  return out;
}

function halfOpenRow(r: ResolvedSite, k: Kind, v: ResolvedVip): ComplianceRow {
  const cp = effectiveCheckPorts(v);
  const list = cp.join(' and ');
  const req = `Health check of VIP ${v.label} is half-open (SYN, SYN-ACK, then RST, never FIN) on ${list}`;
  const src = `${S003} §5.3.1 and "The TCP monitor must finish connection after SYN - ACK with RST, not with FIN"`;
  switch (k) {
    case 'lborg-l4':
    case 'lborg-l7':
      return row(
        `halfopen-check:${v.label}`,
        req,
        src,
        `external check ${checkScriptName(v)} (lbcli --check_type external) runs ${HALFOPEN_PROBE_NAME} against ${list}: a socket with delayed ACK and SO_LINGER 0, so the wire shows SYN, SYN-ACK, RST`,
        'emulated',
        `The appliance has no half-open check type (${k === 'lborg-l4' ? 'ldirectord connect checks close with FIN' : 'the Layer 7 connect check takes one port'}); the probe is a script PrintHA installs in /var/lib/loadbalancer.org/check on both appliances. It relies on Linux delayed ACK (platforms.md §1.2, §7).`,
      );
    case 'haproxy':
      return v.check.ports.length > 1
        ? row(
            `halfopen-check:${v.label}`,
            req,
            src,
            `check-only backend halfopen.${v.label}.* runs ${HALFOPEN_PROBE_NAME} as an HAProxy external check against ${list} in parallel; the traffic servers track it`,
            'met',
            'With two native `tcp-check connect` rules only the last is half-open (HAProxy 2.6: TCP_QUICKACK is cleared for the last rule only), so the probe script does every port; verified on the wire (docs/HALF-OPEN.md). Needs `external-check` in global.',
          )
        : row(
            `halfopen-check:${v.label}`,
            req,
            src,
            `HAProxy native check on port ${list}: a connect-only check closes with RST after SYN-ACK without completing the handshake`,
            'met',
            'HAProxy closes checks with RST, never FIN, and holds back the handshake ACK for a connect-only check on Linux (platforms.md §1.2).',
          );
    case 'keepalived':
      return row(
        `halfopen-check:${v.label}`,
        req,
        src,
        `keepalived MISC_CHECK runs the half-open probe against ${list} for each real server`,
        'emulated',
        'keepalived TCP_CHECK completes the handshake and closes with FIN (2.2.x), so a probe script does the half-open check (platforms.md §2.1).',
      );
    case 'f5':
      return row(
        `halfopen-check:${v.label}`,
        req,
        src,
        `ltm monitor tcp-half-open ${cp.map((p) => tmshName(v.label, `mon_${p}`)).join(', ')} (destination *:<port>); the pool requires all of them`,
        'met',
        'tcp_half_open sends SYN, marks up on SYN-ACK and closes with RST (platforms.md §4).',
      );
    case 'netscaler':
      return row(
        `halfopen-check:${v.label}`,
        req,
        src,
        `TCP monitors on ${list} bound to the service groups with -monConnectionClose RESET`,
        'met',
        'With RESET the ADC closes the monitor connection right after SYN-ACK with RST (platforms.md §5). Set per service group so other monitors on the ADC keep their behaviour.',
      );
  }
}

function intervalRow(r: ResolvedSite, k: Kind, v: ResolvedVip, wantInterval: number, wantFall: number): ComplianceRow {
  const i = v.check.intervalSeconds;
  const f = v.check.fall;
  const req = `VIP ${v.label}: check every ${wantInterval} s, server down after ${wantFall} failed checks`;
  const src = `${S003} "monitoring period is 5 seconds with node considered down after 3 unsuccessful attempts"`;
  const ok = i === wantInterval && f === wantFall;
  const differ = ok ? undefined : `The site configures ${i} s / ${f}; set overrides.<service>.checkIntervalSeconds and fall to ${wantInterval} and ${wantFall}.`;
  const st = (s: ComplianceStatus): ComplianceStatus => (ok ? s : 'not-met');
  switch (k) {
    case 'lborg-l4':
    case 'lborg-l7': {
      const adv = k === 'lborg-l4' ? 'Layer 4 Advanced Configuration (check interval, failure count)' : 'Layer 7 Advanced Configuration (check interval)';
      return row(
        `check-timing:${v.label}`,
        req,
        src,
        `the appliance's global check settings; ${usesExternalCheck(v) ? `the check script ${checkScriptName(v)} counts ${f} failures before the warm-up applies again` : 'no per-VIP setting'}`,
        'not-met',
        differ ??
          `lbcli has no per-VIP interval or failure count: set ${adv} to ${i} s and ${f} failures by hand, and read them back with "lbcli --action list --function advanced --layer ${k === 'lborg-l4' ? 4 : 7}".`,
      );
    }
    case 'haproxy':
      return row(`check-timing:${v.label}`, req, src, `server check inter ${i}s fall ${f}`, st('met'), differ);
    case 'keepalived':
      return row(
        `check-timing:${v.label}`,
        req,
        src,
        `delay_loop ${i}, retry ${Math.max(0, f - 1)}, delay_before_retry ${i} (down after retry + 1 failures)`,
        st('met'),
        differ,
      );
    case 'f5':
      return row(`check-timing:${v.label}`, req, src, `monitor interval ${i} timeout ${f * i + 1} (fall x interval + 1)`, st('met'), differ);
    case 'netscaler':
      return row(`check-timing:${v.label}`, req, src, `lb monitor -interval ${i} SEC -retries ${f}`, st('met'), differ);
  }
}

function riseRow(r: ResolvedSite, k: Kind, v: ResolvedVip): ComplianceRow {
  const rise = v.check.riseSeconds;
  const n = riseCount(v.check);
  const req = `VIP ${v.label}: a server that comes back is not used at once, only after a warm-up (${rise} s)`;
  const src = `${S003} "Node shall not be considered up immediately but after defined time"`;
  if (rise <= 0)
    return row(
      `warm-up:${v.label}`,
      req,
      src,
      'no warm-up configured',
      'not-met',
      'Set overrides.<service>.riseSeconds to the time the SPOC/TS or FSP services need to start.',
    );
  switch (k) {
    case 'lborg-l4':
    case 'lborg-l7':
      if (usesExternalCheck(v))
        return row(
          `warm-up:${v.label}`,
          req,
          src,
          `the check script ${checkScriptName(v)} reports a returning server up only after ${n} good probes in a row`,
          'emulated',
          'Neither ldirectord nor lbcli has a rise setting; the probe keeps a per-server counter in /var/run/printha-checks. The first probe after the appliance starts is trusted, so a failover does not take every server out.',
        );
      return row(`warm-up:${v.label}`, req, src, 'none: the appliance marks a server up on its first good check', 'not-met', 'Use a half-open (external) check to get the warm-up counter.');
    case 'haproxy':
      return row(`warm-up:${v.label}`, req, src, `rise ${n} (x ${v.check.intervalSeconds} s) and slowstart ${rise}s`, 'met');
    case 'keepalived':
      return row(
        `warm-up:${v.label}`,
        req,
        src,
        `the MISC_CHECK probe script keeps a success counter and reports up after ${n} good probes`,
        'emulated',
        'keepalived has no rise: one success brings a checker up, and warmup is only a random delay before the first check (platforms.md §2.1).',
      );
    case 'f5':
      return row(`warm-up:${v.label}`, req, src, `monitor time-until-up ${rise} and pool slow-ramp-time ${rise}`, 'met');
    case 'netscaler':
      return n > 32
        ? row(`warm-up:${v.label}`, req, src, `lb monitor -successRetries 32`, 'not-met', `${n} probes are needed but the ADC allows at most 32; raise the interval or shorten the warm-up.`)
        : row(`warm-up:${v.label}`, req, src, `lb monitor -successRetries ${n} (x ${v.check.intervalSeconds} s)`, 'met');
  }
}

function affinityRow(r: ResolvedSite, k: Kind, vips: ResolvedVip[], minMinutes: number): ComplianceRow {
  const short = vips.filter((v) => v.persistenceMinutes < minMinutes);
  const req = `Source affinity of at least ${minMinutes} minutes, every port of one client to the same server`;
  const src = `${S003} §5.3.2 "all the ports should be passed to the same node", "Affinity needs to be set for a minimum of 30 minutes"`;
  const mins = [...new Set(vips.map((v) => v.persistenceMinutes))].join('/');
  const status: ComplianceStatus = short.length > 0 ? 'not-met' : 'met';
  const shortNote = short.length > 0 ? `VIP ${short.map((v) => `${v.label} has ${v.persistenceMinutes} min`).join(', ')}: set overrides.<service>.persistenceMinutes to ${minMinutes} or more.` : undefined;
  const join = (a?: string, b?: string): string | undefined => [a, b].filter((x) => x !== undefined).join(' ') || undefined;
  switch (k) {
    case 'lborg-l4':
      return row(
        'affinity',
        req,
        src,
        `each Layer 4 VIP holds all of its ports (one LVS service) with --persistent on --persist_time ${vips.map((v) => v.persistenceMinutes * 60).join('/')} --granularity 255.255.255.255`,
        status,
        join(shortNote, 'A multi-port Layer 4 VIP is one persistence template on the appliance (inferred, lbcli.md §4.1); separate VIP labels keep separate affinity.'),
      );
    case 'lborg-l7':
      return row(
        'affinity',
        req,
        src,
        `each Layer 7 VIP is one HAProxy listener over all its ports with --persistence ip --persist_time ${mins}`,
        status,
        join(shortNote, 'The Layer 7 persist_time unit is assumed to be minutes (lbcli.md §1.5): PrintHA reads it back with dumpconfig.'),
      );
    case 'haproxy':
      return row('affinity', req, src, `one listen per VIP, stick on src in the shared table ${r.persistenceGroup} (expire ${mins}m)`, status, shortNote);
    case 'keepalived':
      return row('affinity', req, src, `one firewall-mark virtual_server per VIP over all its ports, persistence_timeout ${vips.map((v) => v.persistenceMinutes * 60).join('/')}`, status, shortNote);
    case 'f5':
      return row(
        'affinity',
        req,
        src,
        `source-addr persistence ${[...new Set(vips.map((v) => tmshPersistName(v.persistenceMinutes * 60)))].join(', ')} (timeout ${vips.map((v) => v.persistenceMinutes * 60).join('/')} s) with match-across-services and match-across-virtuals enabled`,
        status,
        shortNote,
      );
    case 'netscaler':
      return row(
        'affinity',
        req,
        src,
        `SOURCEIP persistence -timeout ${nsPersistMinutes(Math.max(...vips.map((v) => v.persistenceMinutes)))} on every vserver, all of them in the persistency group ${NETSCALER_PERSIST_GROUP}`,
        status,
        shortNote,
      );
  }
}

function leastConnRow(r: ResolvedSite, k: Kind, vips: ResolvedVip[]): ComplianceRow {
  const bad = vips.filter((v) => !isLeastConn(v.scheduler));
  const req = 'Least connections, requests distributed uniformly';
  const src = `${S003} §5.3.2 "Least connection Method", "distribute requests ... uniformly"`;
  const status: ComplianceStatus = bad.length > 0 ? 'not-met' : 'met';
  const note = bad.length > 0 ? `VIP ${bad.map((v) => `${v.label} uses ${v.scheduler}`).join(', ')}: set overrides.<service>.scheduler to lc or wlc.` : undefined;
  const eq = r.site.servers.every((s) => s.weight === r.site.servers[0]!.weight);
  const how: Record<Kind, string> = {
    'lborg-l4': '--scheduler wlc (weighted least connections; equal weights make it plain least connections)',
    'lborg-l7': '--scheduler leastconn',
    haproxy: 'balance leastconn',
    keepalived: 'lb_algo lc / wlc',
    f5: `load-balancing-mode ${tmshLbMode('lc', eq)}${eq ? '' : ' (ratio-least-connections-member where weights differ)'}`,
    netscaler: '-lbMethod LEASTCONNECTION',
  };
  return row('least-connections', req, src, how[k], status, note);
}

function reportingRow(k: Kind): ComplianceRow {
  const how: Record<Kind, string> = {
    'lborg-l4': 'ldirectord marks failed real servers (weight 0) and logs it; System Overview shows them red; PrintHA verify reads ipvsadm -Ln',
    'lborg-l7': 'HAProxy marks failed real servers DOWN and logs it; System Overview shows them red; PrintHA verify reads the HAProxy stats socket',
    haproxy: 'HAProxy logs every server state change and exposes it on the stats socket (show stat); PrintHA verify reads it',
    keepalived: 'keepalived removes failed real servers and logs each checker change to syslog; PrintHA verify reads the IPVS table',
    f5: 'pool member status (monitor up/down) in the GUI, /var/log/ltm and SNMP traps',
    netscaler: 'service group member state from the monitors, syslog and SNMP traps',
  };
  return row(
    'failure-reporting',
    'The balancer monitors and reports service failures on its own',
    `${S003} "shall handle monitoring and reporting of the service failures on its own"; ${S000} §12.2 System Overview`,
    how[k],
    'met',
  );
}

function ftpRow(r: ResolvedSite, k: Kind, v: ResolvedVip): ComplianceRow {
  const req = `Passive FTP (21) with a bounded passive port range on VIP ${v.label}, on the same server as the control connection`;
  const src = `${S003} §5.3.2-5.3.3 (passive FTP "will require port > 1024 to be passed")`;
  if (!v.passivePorts)
    return row(
      `passive-ftp:${v.label}`,
      req,
      src,
      'no passive range configured: only port 21 is balanced',
      'not-met',
      'Set overrides.terminal.passivePorts (e.g. "50000-50100") to the range the FTP server is limited to; never ">1024".',
    );
  const range = formatRange(v.passivePorts);
  const dr = r.site.mode === 'dr';
  const how: Record<Kind, string> = {
    'lborg-l4': `passive range ${range} is part of VIP ${v.label}'s --ports, so it shares the VIP's persistence`,
    'lborg-l7': `passive range ${range} is part of VIP ${v.label}'s --ports, so it shares the VIP's stick table`,
    haproxy: `passive range ${range} is bound in the same listen as 21, so it shares the stick table`,
    keepalived: `passive range ${range} carries the same firewall mark as 21, so it shares the persistence template`,
    f5: `passive range ${range} is in the VIP's port-list, same virtual and persistence`,
    netscaler: `passive range ${range} is accepted by the VIP's vserver(s) in the same persistency group`,
  };
  return row(
    `passive-ftp:${v.label}`,
    req,
    src,
    how[k],
    'met',
    dr
      ? 'In DR the server holds the VIP, so its PASV replies name the VIP.'
      : 'In SNAT there is no FTP helper in TCP mode: the FTP server must advertise the VIP address in its PASV replies.',
  );
}

function excludedPortRows(r: ResolvedSite, k: Kind): ComplianceRow[] {
  const out: ComplianceRow[] = [];
  const seen = new Set<string>();
  for (const s of r.services) {
    for (const ex of s.def.excludedPorts ?? []) {
      const key = `${ex.port}:${s.vipLabel}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const owners = r.vips.filter((v) => portInRanges(ex.port, v.ports)).map((v) => v.label);
      const ok = owners.every((l) => l === ex.ownerLabel);
      const present = owners.includes(ex.ownerLabel);
      const vip = r.vips.find((v) => v.label === s.vipLabel);
      out.push(
        row(
          `port-owner:${ex.port}`,
          `TCP ${ex.port} is balanced only by VIP ${ex.ownerLabel} and excluded from VIP ${s.vipLabel}`,
          `${S000} §10.3 note "exclude port 445 from the list of ports"`,
          present
            ? `VIP ${ex.ownerLabel} carries ${ex.port}; VIP ${s.vipLabel} ports ${vip ? ports(vip) : '-'}`
            : `no VIP carries ${ex.port} (the ${ex.ownerLabel} service is not selected)`,
          ok ? 'met' : 'not-met',
          ok ? undefined : `VIP ${owners.filter((l) => l !== ex.ownerLabel).join(', ')} also balances ${ex.port}: remove it from that service's ports.`,
        ),
      );
      if (vip) {
        const cp = effectiveCheckPorts(vip);
        const how: Record<Kind, string> = {
          'lborg-l4': `edit-vip --vip ${vip.label} ${usesExternalCheck(vip) ? `--check_type external (${cp.join(', ')})` : `--check_type connect --check_port ${cp[0]}`}`,
          'lborg-l7': `edit-vip --vip ${vip.label} ${usesExternalCheck(vip) ? `--check_type external (${cp.join(', ')})` : `--check_type connect --check_port ${cp[0]}`}`,
          haproxy: `server ... check port ${cp.join(', ')}`,
          keepalived: `TCP_CHECK connect_port ${cp.join(', ')}`,
          f5: `monitor ${cp.map((p) => tmshName(vip.label, `mon_${p}`)).join(', ')} with destination *:${cp.join(', *:')}`,
          netscaler: `lb monitor -destPort ${cp.join(', ')}`,
        };
        out.push(
          row(
            `check-port:${vip.label}`,
            `VIP ${vip.label} is health-checked on port ${ex.port}`,
            `${S000} §10.3 step 9 / §11.3 step 8 "set the Check Port to 445"`,
            how[k],
            cp.includes(ex.port) ? 'met' : 'not-met',
            cp.includes(ex.port) ? undefined : `The check probes ${cp.join(', ')}: set overrides.${s.id}.checkPort to ${ex.port}.`,
          ),
        );
      }
    }
  }
  return out;
}

function persistenceRow(r: ResolvedSite, k: Kind): ComplianceRow {
  const off = r.vips.filter((v) => v.persistenceMinutes <= 0);
  const how: Record<Kind, string> = {
    'lborg-l4': '--persistent on with --granularity 255.255.255.255 (per client IP) on every VIP',
    'lborg-l7': '--persistence ip on every VIP',
    haproxy: `stick on src (stick table ${r.persistenceGroup})`,
    keepalived: 'persistence_timeout on every virtual_server',
    f5: 'source-addr persistence profile on every virtual',
    netscaler: 'SOURCEIP persistence and one persistency group',
  };
  return row(
    'source-ip-persistence',
    'Source IP persistence: a client keeps talking to the same server',
    `${S000} §8.2 "Source IP address persistence is used"`,
    how[k],
    off.length === 0 ? 'met' : 'not-met',
    off.length === 0 ? undefined : `VIP ${off.map((v) => v.label).join(', ')} has persistence 0: set overrides.<service>.persistenceMinutes.`,
  );
}

function modeRows(r: ResolvedSite, k: Kind): ComplianceRow[] {
  const dr = r.site.mode === 'dr';
  const xl = r.vips.filter((v) => v.backendPort !== undefined);
  const noXlate: Record<Kind, string> = {
    'lborg-l4': 'Layer 4 VIPs with --forwarding gate; real servers added without --port',
    'lborg-l7': '',
    haproxy: '',
    keepalived: 'lb_kind DR; real servers on the VIP ports',
    f5: 'nPath: fastL4 with loose initiation/close, translate-address and translate-port disabled, no SNAT',
    netscaler: 'vservers -m MAC (MAC rewrite only), service groups -usip YES, ns mode MBF',
  };
  const snat: Record<Kind, string> = {
    'lborg-l4': '',
    'lborg-l7': 'Layer 7 VIPs in TCP mode (HAProxy, --mode tcp)',
    haproxy: 'HAProxy in TCP mode (full proxy)',
    keepalived: '',
    f5: 'source-address-translation automap on every virtual',
    netscaler: 'service groups -usip NO (the ADC connects from its subnet IP)',
  };
  const out: ComplianceRow[] = [];
  out.push(
    dr
      ? row(
          'dr-no-port-translation',
          'DR: no port translation (the server port equals the VIP port)',
          `${S000} §6.1 "Port translation is not possible with DR mode"`,
          noXlate[k] || 'n/a',
          xl.length === 0 ? 'met' : 'not-met',
          xl.length === 0 ? undefined : `VIP ${xl.map((v) => v.label).join(', ')} sets backendPort: remove it or use SNAT mode.`,
        )
      : row('dr-no-port-translation', 'DR: no port translation', `${S000} §6.1`, 'SNAT mode: the balancer may translate ports', 'not-applicable'),
  );
  out.push(
    dr
      ? row(
          'dr-arp-problem',
          'DR: the ARP problem is solved on every server (VIP on a loopback adapter, weak host send/receive)',
          `${S000} §10.1 step 2, §15.1`,
          'servers/<label>/prepare.ps1: Microsoft loopback adapter with the VIP/32, weak host receive on the LAN adapter, weak host receive and send on the loopback',
          'met',
        )
      : row('dr-arp-problem', 'DR: the ARP problem is solved on every server', `${S000} §15.1`, 'SNAT mode: no server change needed', 'not-applicable'),
  );
  out.push(
    dr
      ? row('snat-proxy', 'SNAT: the balancer proxies, servers need no mode-specific change', `${S000} §6.2`, 'DR mode', 'not-applicable')
      : row(
          'snat-proxy',
          'SNAT: the balancer proxies, servers need no mode-specific change',
          `${S000} §6.2 "Requires no mode-specific configuration changes"`,
          snat[k] || 'n/a',
          'met',
        ),
  );
  return out;
}

function vipRows(r: ResolvedSite, k: Kind): ComplianceRow[] {
  const out: ComplianceRow[] = [];
  if (r.vips.length > 1) {
    const how: Record<Kind, string> = {
      'lborg-l4': `${r.vips.length} Layer 4 VIPs (${r.vips.map((v) => v.label).join(', ')}) with --ip ${r.site.vip}`,
      'lborg-l7': `${r.vips.length} Layer 7 VIPs (${r.vips.map((v) => v.label).join(', ')}) with --ip ${r.site.vip}`,
      haproxy: `one listen per VIP label, all bound to ${r.site.vip}`,
      keepalived: `one virtual_server per VIP label on ${r.site.vip}`,
      f5: `one virtual per VIP label (${r.vips.map((v) => tmshName(v.label, 'vs')).join(', ')}) on ${r.site.vip}`,
      netscaler: `vservers per VIP label on ${r.site.vip}`,
    };
    out.push(row('vips-one-address', 'One VIP label per service group, all on the one VIP address', `${S000} §8.3 "2 VIPs are used"`, how[k], 'met'));
  }
  out.push(
    r.site.balancer.secondary
      ? row(
          'ha-pair',
          'Balancers deployed as an HA pair',
          `${S000} §9.6 / §15.2`,
          k === 'lborg-l4' || k === 'lborg-l7'
            ? `configured on the primary; the appliance replicates lb_config.xml to the secondary${r.vips.some(usesExternalCheck) ? ' (the check scripts, which are files, are copied by PrintHA)' : ''}`
            : k === 'haproxy' || k === 'keepalived'
              ? 'keepalived VRRP moves the VIP between the two nodes'
              : 'load the configuration on the active unit; the platform syncs it to its peer',
          'met',
        )
      : row('ha-pair', 'Balancers deployed as an HA pair', `${S000} §9.6 / §15.2`, 'a single balancer', 'not-met', 'A single balancer is a single point of failure: add balancer.secondary.'),
  );
  return out;
}

/** Every requirement for the site's profile, platform and mode, with how the generated config meets it. */
export function complianceTable(r: ResolvedSite): ComplianceRow[] {
  const k = kindOf(r);
  const req = r.profile.requirements;
  const rows: ComplianceRow[] = [];
  if (req.halfOpenChecks) for (const v of r.vips) rows.push(halfOpenRow(r, k, v));
  if (req.checkIntervalSeconds !== undefined || req.fall !== undefined)
    for (const v of r.vips) rows.push(intervalRow(r, k, v, req.checkIntervalSeconds ?? v.check.intervalSeconds, req.fall ?? v.check.fall));
  if (req.warmUpRequired) for (const v of r.vips) rows.push(riseRow(r, k, v));
  if (req.minPersistenceMinutes !== undefined) rows.push(affinityRow(r, k, r.vips, req.minPersistenceMinutes));
  if (req.scheduler) rows.push(leastConnRow(r, k, r.vips));
  for (const v of r.vips) if (r.services.some((s) => s.vipLabel === v.label && s.def.passiveFtp)) rows.push(ftpRow(r, k, v));
  rows.push(...excludedPortRows(r, k));
  rows.push(persistenceRow(r, k));
  rows.push(reportingRow(k));
  rows.push(...modeRows(r, k));
  rows.push(...vipRows(r, k));
  return rows;
}

function cell(s: string | undefined): string {
  return (s ?? '')
    .replace(/\r?\n/g, ' ')
    .replace(/\|/g, '\\|')
    .trim();
}

const STATUS_TEXT: Record<ComplianceStatus, string> = { met: 'met', emulated: 'emulated', 'not-met': '**not met**', 'not-applicable': 'n/a' };

export function renderComplianceMarkdown(rows: readonly ComplianceRow[]): string {
  const out = ['| Requirement | Source | How | Status | Note |', '|---|---|---|---|---|'];
  for (const r of rows) out.push(`| ${cell(r.requirement)} | ${cell(r.source)} | ${cell(r.how)} | ${STATUS_TEXT[r.status]} | ${cell(r.note)} |`);
  const count = (s: ComplianceStatus): number => rows.filter((r) => r.status === s).length;
  out.push('', `${count('met')} met, ${count('emulated')} emulated, ${count('not-met')} not met, ${count('not-applicable')} not applicable.`, '');
  return out.join('\n');
}
