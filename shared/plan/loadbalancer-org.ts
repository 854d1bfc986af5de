/**
 * The plan of a Loadbalancer.org appliance, pure: the lbcli commands that take the appliance from
 * what `lbcli --action list --function dumpconfig` reports to what the site wants
 * (wantedLbcliState), and nothing more:
 *   - OURS are the VIP labels this site generates. Only those are added, edited or deleted; every
 *     other VIP (and its RIPs) is never touched, whatever its address or ports.
 *   - A missing VIP: add-vip + edit-vip (settings) + add-rip per server.
 *   - An existing VIP of ours: edit-vip only when a reported setting differs (ip/ports in their own
 *     edit), delete-vip + add-vip when its layer is wrong (lbcli cannot change the layer).
 *   - RIPs in our VIPs: add the missing, edit the different, delete the ones the site no longer has.
 *   - Then one reload: reload-haproxy (Layer 7) / restart-ldirectord (Layer 4: a reload does not pick
 *     up added or removed virtual blocks, lbcli.md §1.6), and reload-heartbeat for a new VIP of a pair.
 * Settings the dump does not report are not compared (noted in the plan), so a second apply of the
 * same site runs no command at all.
 */
import type { BalancerNodeFacts, ExistingVip } from '../model/facts.js';
import type { BalancerNodeInfo, ResolvedSite } from '../model/resolve.js';
import { shellJoin } from '../quote/posix.js';
import { HALFOPEN_CHECK_SCRIPT } from '../render/checkscript.js';
import {
  HALFOPEN_PROBE_NAME,
  LB_CHECK_DIR,
  LB_CONFIG_XML,
  LBCLI_PATH,
  addRipCommand,
  addVipCommand,
  editVipCommand,
  lbcliPortsEqual,
  wantedLbcliState,
  type LbcliCommand,
  type WantedLbcliReal,
  type WantedLbcliState,
  type WantedLbcliVip,
} from '../render/lbcli.js';
import { extractJsonDocuments, parseDumpconfig } from '../render/lbcli-status.js';
import type { HostPlan, PlanStep, ValueChange } from './model.js';
import { backupCommandText } from './backup-text.js';

/** Files the appliance generates from lb_config.xml; backed up and restored together with it. */
export const LB_GENERATED_FILES: readonly string[] = ['/etc/haproxy/haproxy.cfg', '/etc/haproxy/haproxy.md5', '/etc/ha.d/conf/ldirectord.cf', '/etc/ha.d/conf/ldirectord.md5'];
export const LB_NODESTATUS = '/var/log/nodestatus_local';
export const LB_VERSION_FILE = '/etc/loadbalancer.org/version.txt';
/** The read-only dump of lb_config.xml as JSON (lbcli.md §3.3). */
export const DUMPCONFIG_ARGV: readonly string[] = [LBCLI_PATH, '--action', 'list', '--function', 'dumpconfig'];

export function lbcliArgv(action: string, opts: readonly (readonly [string, string])[] = []): string[] {
  const argv = [LBCLI_PATH, '--action', action];
  for (const [k, v] of opts) argv.push(`--${k}`, v);
  argv.push('--method', 'api');
  return argv;
}

// ------------------------------------------------------------------ dumpconfig with settings

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function asList(v: unknown): Record<string, unknown>[] {
  if (Array.isArray(v)) return v.filter(isObj);
  if (!isObj(v)) return [];
  if ('label' in v || 'server' in v) return [v];
  const vals = Object.values(v);
  return vals.length > 0 && vals.every(isObj) ? (vals as Record<string, unknown>[]) : [];
}

function findConfig(doc: unknown, depth = 0): Record<string, unknown> | undefined {
  if (depth > 6 || doc === null || typeof doc !== 'object') return undefined;
  if (Array.isArray(doc)) {
    for (const d of doc) {
      const c = findConfig(d, depth + 1);
      if (c) return c;
    }
    return undefined;
  }
  const o = doc as Record<string, unknown>;
  if ('ldirectord' in o || 'haproxy' in o) return o;
  for (const v of Object.values(o)) {
    const c = findConfig(v, depth + 1);
    if (c) return c;
  }
  return undefined;
}

/** Scalar leaves of a dumpconfig object as "a/b" keys; [] and {} become "" (the dump's empty value). */
function flatten(o: Record<string, unknown>, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  for (const [k, v] of Object.entries(o)) {
    if (k === 'real') continue;
    const key = prefix ? `${prefix}/${k}` : k;
    if (typeof v === 'string') out[key] = v.trim();
    else if (typeof v === 'number' || typeof v === 'boolean') out[key] = String(v);
    else if (Array.isArray(v) && v.length === 0) out[key] = '';
    else if (isObj(v)) {
      if (Object.keys(v).length === 0) out[key] = '';
      else flatten(v, key, out);
    }
  }
  return out;
}

/**
 * parseDumpconfig (labels, addresses, ports, RIPs; the single-object quirk handled there), plus every
 * VIP's settings and every RIP's weight, for the edit decisions. Throws DumpconfigError like
 * parseDumpconfig when the output holds no configuration.
 */
export function parseDumpconfigDetails(stdout: string): ExistingVip[] {
  const base = parseDumpconfig(stdout);
  let config: Record<string, unknown> | undefined;
  for (const d of extractJsonDocuments(stdout)) {
    config = findConfig(d);
    if (config) break;
  }
  if (!config) return base;
  const raw: { layer: 4 | 7; v: Record<string, unknown> }[] = [];
  const l4 = isObj(config.ldirectord) ? config.ldirectord : {};
  for (const v of asList(l4.virtual)) raw.push({ layer: 4, v });
  const l7 = isObj(config.haproxy) ? config.haproxy : {};
  for (const v of asList(l7.virtual)) raw.push({ layer: 7, v });
  return base.map((vip, i) => {
    const r = raw[i];
    if (!r) return vip;
    const reals = asList(r.v.real);
    return {
      ...vip,
      settings: flatten(r.v),
      reals: vip.reals.map((real, j) => {
        const w = reals[j]?.weight;
        return typeof w === 'string' || typeof w === 'number' ? { ...real, weight: String(w).trim() } : real;
      }),
    };
  });
}

// ------------------------------------------------------------------ the diff

export type LbcliChangeKind = 'add-vip' | 'edit-vip' | 'delete-vip' | 'add-rip' | 'edit-rip' | 'delete-rip' | 'reload';

export interface LbcliChange {
  kind: LbcliChangeKind;
  command: LbcliCommand;
  /** Which layer the change touches (decides the reload). */
  layer: 4 | 7;
}

export interface LbcliDiff {
  changes: LbcliChange[];
  /** add/edit/delete commands, then the reloads, in the order apply runs them. */
  commands: LbcliCommand[];
  /** Labels of VIPs on the appliance that are not ours: never touched. */
  foreign: ExistingVip[];
  /** Settings the dump did not report, so they could not be compared (per VIP label). */
  notCompared: Record<string, string[]>;
  /** Value changes for the plan view (VIP/RIP before -> after). */
  values: ValueChange[];
}

/** The dump's value of a setting, or undefined when the dump does not report it. */
function reported(v: ExistingVip, key: string): string | undefined {
  return v.settings?.[key];
}

/** [setting key, wanted value, comparator] of one VIP, by layer. */
function wantedSettings(w: WantedLbcliVip): [string, string, (have: string) => boolean][] {
  const eq = (want: string) => (have: string) => have.toLowerCase() === want.toLowerCase();
  const out: [string, string, (have: string) => boolean][] = [];
  if (w.layer === 7) {
    out.push(['mode', 'tcp', (h) => h === 'tcp' || h === 'other_tcp']);
    out.push(['persistence', w.persistence.on ? 'ip' : 'none', (h) => (w.persistence.on ? h === 'ip' : h === 'none' || h === '')]);
    if (w.persistence.on) out.push(['persist_time', String(w.persistence.time), eq(String(w.persistence.time))]);
    out.push(['scheduler', w.scheduler, eq(w.scheduler)]);
    out.push(['check/type', w.check.type, eq(w.check.type)]);
    if (w.check.type === 'connect') out.push(['check/port', String(w.check.port), eq(String(w.check.port))]);
    else out.push(['external_check_script', w.check.script ?? '', eq(w.check.script ?? '')]);
  } else {
    out.push(['protocol', 'tcp', eq('tcp')]);
    out.push(['persistent', w.persistence.on ? 'on' : 'off', eq(w.persistence.on ? 'on' : 'off')]);
    if (w.persistence.on) {
      out.push(['persist_time', String(w.persistence.time), eq(String(w.persistence.time))]);
      out.push(['granularity', w.persistence.granularity ?? '255.255.255.255', eq(w.persistence.granularity ?? '255.255.255.255')]);
    }
    out.push(['scheduler', w.scheduler, eq(w.scheduler)]);
    out.push(['service/check/type', w.check.type, eq(w.check.type)]);
    if (w.check.type === 'connect') out.push(['service/check/port', String(w.check.port), eq(String(w.check.port))]);
    else out.push(['service/check/command', w.check.script ?? '', eq(w.check.script ?? '')]);
  }
  return out;
}

function sameIp(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

function editAddressCommand(w: WantedLbcliVip, forwarding: boolean): LbcliCommand {
  const opts: [string, string][] = [
    ['vip', w.label],
    ['ip', w.ip],
    ['ports', w.ports],
  ];
  if (forwarding && w.forwarding) opts.push(['forwarding', w.forwarding]);
  return { argv: lbcliArgv('edit-vip', opts), purpose: `set VIP ${w.label} to ${w.ip} ports ${w.ports}${forwarding ? ' (direct routing)' : ''}`, vip: w.label };
}

function editRipCommand(w: WantedLbcliVip, real: WantedLbcliReal): LbcliCommand {
  const opts: [string, string][] = [
    ['vip', w.label],
    ['rip', real.label],
    ['ip', real.ip],
  ];
  if (real.port !== undefined) opts.push(['port', real.port]);
  opts.push(['weight', String(real.weight)]);
  return {
    argv: lbcliArgv('edit-rip', opts),
    purpose: `set real server ${real.label} of VIP ${w.label} to ${real.ip}${real.port !== undefined ? ` port ${real.port}` : ''}, weight ${real.weight}`,
    vip: w.label,
    rip: real.label,
  };
}

function deleteRipCommand(vip: string, rip: string): LbcliCommand {
  return { argv: lbcliArgv('delete-rip', [['vip', vip], ['rip', rip]]), purpose: `delete real server ${rip} from VIP ${vip} (not in the site any more)`, vip, rip };
}

function deleteVipCommand(vip: ExistingVip, why: string): LbcliCommand {
  return { argv: lbcliArgv('delete-vip', [['vip', vip.label]]), purpose: `delete VIP ${vip.label} (${why})`, vip: vip.label };
}

/**
 * The lbcli commands from `existing` (dumpconfig) to `wanted`. `haPair`: a new VIP address must
 * become a heartbeat floating IP (reload-heartbeat).
 */
export function diffLbcli(wanted: WantedLbcliState, existing: readonly ExistingVip[], opts: { haPair?: boolean } = {}): LbcliDiff {
  const ours = new Set(wanted.vips.map((w) => w.label));
  const foreign = existing.filter((v) => !ours.has(v.label));
  const changes: LbcliChange[] = [];
  const notCompared: Record<string, string[]> = {};
  const values: ValueChange[] = [];
  let addedVip = false;
  const push = (kind: LbcliChangeKind, command: LbcliCommand, layer: 4 | 7): void => {
    changes.push({ kind, command, layer });
  };

  for (const w of wanted.vips) {
    const have = existing.find((v) => v.label === w.label);
    if (have && have.layer !== w.layer) {
      push('delete-vip', deleteVipCommand(have, `it is a Layer ${have.layer} VIP and this site needs Layer ${w.layer}; lbcli cannot change the layer`), have.layer);
    }
    if (!have || have.layer !== w.layer) {
      addedVip = true;
      push('add-vip', addVipCommand(w), w.layer);
      push('edit-vip', editVipCommand(w), w.layer);
      for (const real of w.reals) push('add-rip', addRipCommand(w, real), w.layer);
      values.push({ name: `VIP ${w.label}`, before: have ? summarise(have) : null, after: summariseWanted(w) });
      continue;
    }
    // Our VIP exists on the right layer: edit only what differs.
    const forwardingWrong = w.layer === 4 && reported(have, 'forwardingmethod') !== undefined && reported(have, 'forwardingmethod') !== w.forwarding;
    if (!sameIp(have.ip, w.ip) || !lbcliPortsEqual(have.ports, w.ports) || forwardingWrong) {
      push('edit-vip', editAddressCommand(w, forwardingWrong), w.layer);
    }
    const missing: string[] = [];
    let settingsDiffer = false;
    for (const [key, , same] of wantedSettings(w)) {
      const h = reported(have, key);
      if (h === undefined) missing.push(key);
      else if (!same(h)) settingsDiffer = true;
    }
    if (missing.length > 0) notCompared[w.label] = missing;
    if (settingsDiffer) push('edit-vip', editVipCommand(w), w.layer);
    for (const real of have.reals) {
      if (!w.reals.some((x) => x.label === real.label)) push('delete-rip', deleteRipCommand(w.label, real.label), w.layer);
    }
    for (const real of w.reals) {
      const hr = have.reals.find((x) => x.label === real.label);
      if (!hr) {
        push('add-rip', addRipCommand(w, real), w.layer);
        continue;
      }
      const portWanted = real.port ?? '';
      const portHave = hr.port ?? '';
      if (portWanted === '' && portHave !== '') {
        // edit-rip cannot clear a port: replace the RIP.
        push('delete-rip', deleteRipCommand(w.label, real.label), w.layer);
        push('add-rip', addRipCommand(w, real), w.layer);
        continue;
      }
      const weightDiffers = hr.weight !== undefined && hr.weight !== String(real.weight);
      if (!sameIp(hr.ip, real.ip) || portWanted !== portHave || weightDiffers) push('edit-rip', editRipCommand(w, real), w.layer);
    }
    const before = summarise(have);
    const after = summariseWanted(w);
    if (JSON.stringify(before) !== JSON.stringify(after) || settingsDiffer) values.push({ name: `VIP ${w.label}`, before, after });
  }

  const layers = new Set(changes.map((c) => c.layer));
  if (layers.has(7)) push('reload', { argv: lbcliArgv('reload-haproxy'), purpose: 'reload HAProxy so the Layer 7 changes take effect' }, 7);
  if (layers.has(4)) push('reload', { argv: lbcliArgv('restart-ldirectord'), purpose: 'restart ldirectord so the Layer 4 changes take effect (a reload ignores added or removed VIPs)' }, 4);
  if (addedVip && opts.haPair) push('reload', { argv: lbcliArgv('reload-heartbeat'), purpose: 'reload heartbeat so the VIP address becomes a floating IP of the HA pair' }, wanted.layer);
  return { changes, commands: changes.map((c) => c.command), foreign, notCompared, values };
}

function summarise(v: ExistingVip): unknown {
  return { layer: v.layer, ip: v.ip, ports: v.ports, reals: v.reals.map((r) => `${r.label} ${r.ip}${r.port ? `:${r.port}` : ''}${r.weight ? ` weight ${r.weight}` : ''}`) };
}
function summariseWanted(w: WantedLbcliVip): unknown {
  return { layer: w.layer, ip: w.ip, ports: w.ports, reals: w.reals.map((r) => `${r.label} ${r.ip}${r.port ? `:${r.port}` : ''} weight ${r.weight}`) };
}

// ------------------------------------------------------------------ check scripts and the plan

export interface LbCheckFile {
  path: string;
  content: string;
  mode: number;
}

/** The half-open probe and the per-VIP wrappers the VIPs reference (empty when no VIP uses them). */
export function wantedCheckFiles(state: WantedLbcliState): LbCheckFile[] {
  if (state.checkScripts.length === 0) return [];
  return [
    { path: `${LB_CHECK_DIR}/${HALFOPEN_PROBE_NAME}`, content: HALFOPEN_CHECK_SCRIPT, mode: 0o755 },
    ...state.checkScripts.map((s) => ({ path: s.path, content: s.content, mode: 0o755 })),
  ];
}

export interface LbOrgWork {
  /** The node lbcli runs on (the active one). */
  node: BalancerNodeInfo;
  diff: LbcliDiff;
  checkFiles: LbCheckFile[];
  /** The peer gets the check files over the pair's own `lbslave` SSH alias. */
  copyChecksToPeer: boolean;
  upToDate: boolean;
}

export interface LbOrgPlan {
  hosts: HostPlan[];
  work?: LbOrgWork;
  order: string[];
  notes: string[];
  /** Why nothing can be applied (no active node, dump unreadable), when that is the case. */
  blocked?: string;
}

function factsFor(facts: readonly BalancerNodeFacts[], node: BalancerNodeInfo): BalancerNodeFacts | undefined {
  return facts.find((f) => f.address === node.address) ?? facts.find((f) => f.name === node.name);
}

/** The node lbcli must run on: the one reporting "active" (a single appliance: itself, unless it says passive). */
export function activeNode(r: ResolvedSite, facts: readonly BalancerNodeFacts[]): { node?: BalancerNodeInfo; why?: string } {
  const reachable = r.nodes.map((n) => ({ n, f: factsFor(facts, n) })).filter((x) => x.f?.reachable);
  const active = reachable.filter((x) => x.f?.role === 'active');
  if (active.length === 1) return { node: active[0]!.n };
  if (active.length > 1) return { why: `both ${active.map((a) => a.n.name).join(' and ')} report "active" (split brain?): fix the HA pair first` };
  if (r.nodes.length === 1 && reachable.length === 1 && reachable[0]!.f?.role !== 'passive') return { node: reachable[0]!.n };
  if (reachable.length === 0) return { why: 'no appliance node could be reached' };
  return { why: `no reachable node reports "active" (${reachable.map((x) => `${x.n.name}: ${x.f?.role ?? 'unknown'}`).join(', ')}): lbcli changes must be made on the active appliance` };
}

export function planLoadbalancerOrg(r: ResolvedSite, facts: readonly BalancerNodeFacts[]): LbOrgPlan {
  const wanted = wantedLbcliState(r);
  const { node, why } = activeNode(r, facts);
  const notes: string[] = [];
  const hosts: HostPlan[] = [];
  if (!node) {
    for (const n of r.nodes) {
      const f = factsFor(facts, n);
      const h: HostPlan = { host: n.name, role: 'balancer', address: n.address, steps: [], diffs: [], changes: [], upToDate: false, notes: [why ?? 'not active'] };
      if (!f?.reachable) h.unreachable = f?.error ?? 'not discovered';
      hosts.push(h);
    }
    return { hosts, order: [], notes, blocked: why ?? 'no active appliance node' };
  }
  const f = factsFor(facts, node)!;
  const diff = diffLbcli(wanted, f.existingVips ?? [], { haPair: r.nodes.length > 1 });
  const checkFiles = wantedCheckFiles(wanted).filter((c) => f.files?.[c.path] !== c.content || (f.fileModes?.[c.path] !== undefined && f.fileModes[c.path] !== '755 root'));
  const upToDate = diff.commands.length === 0 && checkFiles.length === 0;
  const steps: PlanStep[] = [];
  if (!upToDate) {
    steps.push({ id: 'check-active', title: `Check that ${node.name} is still the active appliance`, kind: 'verify', command: shellJoin(['cat', LB_NODESTATUS]), changes: false });
    steps.push({
      id: 'backup',
      title: `Back up ${LB_CONFIG_XML} (and the files the appliance generates from it) to /var/backups/printha/<run>/`,
      kind: 'backup',
      command: backupCommandText('/var/backups/printha/<run>', [LB_CONFIG_XML, ...LB_GENERATED_FILES]),
      changes: false,
    });
    for (const c of checkFiles)
      steps.push({ id: `upload:${c.path}`, title: `Install the health-check script ${c.path} (root, 0755)`, kind: 'upload', command: `sftp put ${c.path} (mode 755)`, changes: true });
    if (checkFiles.length > 0 && r.nodes.length > 1)
      steps.push({
        id: 'copy-checks',
        title: 'Copy the health-check scripts to the passive appliance (they are files, not lb_config.xml settings)',
        kind: 'exec',
        command: checkFiles.map((c) => shellJoin(['scp', '-p', c.path, `lbslave:${c.path}`])).join(' && '),
        changes: true,
      });
    diff.changes.forEach((c, i) => {
      steps.push({
        id: `lbcli:${i + 1}:${c.command.argv[2] ?? 'lbcli'}${c.command.vip ? `:${c.command.vip}` : ''}${c.command.rip ? `:${c.command.rip}` : ''}`,
        title: c.command.purpose,
        kind: c.kind === 'reload' ? 'reload' : 'lbcli',
        command: shellJoin(c.command.argv),
        changes: true,
      });
    });
    steps.push({ id: 'confirm', title: 'Read the configuration back (dumpconfig) and confirm it matches the site', kind: 'verify', command: shellJoin(DUMPCONFIG_ARGV), changes: false });
  }
  const hostNotes: string[] = [];
  if (upToDate) hostNotes.push('No changes: the appliance already has these VIPs and real servers.');
  if (diff.foreign.length > 0)
    hostNotes.push(`Not ours, left untouched: ${diff.foreign.map((v) => `${v.label} (Layer ${v.layer}, ${v.ip} ${v.ports})`).join('; ')}.`);
  for (const [label, keys] of Object.entries(diff.notCompared))
    hostNotes.push(`VIP ${label}: the appliance's dump does not report ${keys.join(', ')}; those settings were not compared (apply re-sends them only when something else changes).`);
  if (r.nodes.length > 1) hostNotes.push(`HA pair: changes are made on the active node ${node.name} only; the appliance replicates lb_config.xml to its peer.`);
  hosts.push({
    host: node.name,
    role: 'balancer',
    address: node.address,
    steps,
    diffs: [],
    changes: diff.values,
    upToDate,
    notes: hostNotes,
  });
  for (const n of r.nodes) {
    if (n.name === node.name) continue;
    const pf = factsFor(facts, n);
    const h: HostPlan = {
      host: n.name,
      role: 'balancer',
      address: n.address,
      steps: [],
      diffs: [],
      changes: [],
      upToDate: true,
      notes: [`Passive appliance: nothing is pushed here; the active node ${node.name} replicates its configuration to it.`],
    };
    if (!pf?.reachable) h.unreachable = pf?.error ?? 'not discovered';
    hosts.push(h);
  }
  return {
    hosts,
    work: { node, diff, checkFiles, copyChecksToPeer: checkFiles.length > 0 && r.nodes.length > 1, upToDate },
    order: [node.name],
    notes,
  };
}
