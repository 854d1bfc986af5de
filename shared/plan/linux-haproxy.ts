/**
 * The plan of a linux-haproxy balancer (HAProxy + keepalived on plain Linux), pure: from the site and
 * the files discovery read on each node, what each node needs (file diffs, validations, reloads) and
 * the ordered steps the apply driver runs (electron/core/drivers/linux-haproxy.ts). The same data is
 * what `printha plan` prints and the wizard shows.
 *
 * Per node, in this order (HA pair: the secondary first, then the primary):
 *   backup  -> /var/backups/printha/<run>/<path> of every managed file (kept), plus MANIFEST/ABSENT
 *   upload  -> every changed file to `.<name>.printha-new` next to its target
 *   validate-> `haproxy -c -f <tmp> -L <node>` and `keepalived -t -e -f <tmp>` ON the node
 *   swap    -> marker /var/lib/printha/apply-pending, then `mv -f` of every temp file (atomic renames)
 *   sysctl / nft -> `sysctl -p <file>`, `nft -f <file>` when those files changed
 *   reload  -> `systemctl reload-or-restart keepalived|haproxy` (keepalived first), then confirm the process / new worker
 *   finish  -> remove the marker
 * After the last node: the VIP is held by exactly one node. Any failure: restore the backup, reload.
 */
import type { BalancerNodeFacts, PendingApply } from '../model/facts.js';
import type { BalancerNodeInfo, ResolvedSite } from '../model/resolve.js';
import { shellJoin } from '../quote/posix.js';
import type { Artifact } from '../render/artifact.js';
import { HALFOPEN_CHECK_PATH } from '../render/halfopen.js';
import { FWMARK_RULES_PATH, SYSCTL_PATH, linuxHaproxyArtifacts } from '../render/linux-haproxy.js';
import { backupCommandText } from './backup-text.js';
import { unifiedDiff } from './diff.js';
import { vrrpReelectionSeconds, vrrpReloadDisruption } from './vrrp-change.js';
import type { FileDiff, HostPlan, PlanStep } from './model.js';

export const HAPROXY_CFG_PATH = '/etc/haproxy/haproxy.cfg';
export const KEEPALIVED_CONF_PATH = '/etc/keepalived/keepalived.conf';
export const BACKUP_ROOT = '/var/backups/printha';
export const PENDING_MARKER = '/var/lib/printha/apply-pending';

export type ManagedKind = 'haproxy' | 'keepalived' | 'sysctl' | 'nft' | 'checkscript';

export interface ManagedFile {
  kind: ManagedKind;
  /** Absolute path on the node. */
  path: string;
  content: string;
  /** Octal file mode (0o644, 0o755). */
  mode: number;
  /** The render artifact it comes from (balancer/haproxy.cfg ...). */
  artifact: string;
}

/** Every path this driver manages on a node (discovery reads them all, whatever the mode). */
export const MANAGED_PATHS: readonly string[] = [HAPROXY_CFG_PATH, KEEPALIVED_CONF_PATH, SYSCTL_PATH, FWMARK_RULES_PATH, HALFOPEN_CHECK_PATH];

/** The temporary name a new file is uploaded to: same directory (so the swap is one atomic rename). */
export function tempPathFor(path: string): string {
  const slash = path.lastIndexOf('/');
  return `${path.slice(0, slash + 1)}.${path.slice(slash + 1)}.printha-new`;
}

export function backupDirFor(run: string): string {
  return `${BACKUP_ROOT}/${run}`;
}

function artifactTarget(a: Artifact, node: BalancerNodeInfo): ManagedFile | undefined {
  if (a.path === 'balancer/haproxy.cfg') return { kind: 'haproxy', path: HAPROXY_CFG_PATH, content: a.content, mode: 0o644, artifact: a.path };
  if (a.path === `balancer/keepalived-${node.name}.conf`) return { kind: 'keepalived', path: KEEPALIVED_CONF_PATH, content: a.content, mode: 0o644, artifact: a.path };
  if (a.path === 'balancer/99-printha.conf') return { kind: 'sysctl', path: SYSCTL_PATH, content: a.content, mode: 0o644, artifact: a.path };
  if (a.path === 'balancer/printha-fwmark.nft') return { kind: 'nft', path: FWMARK_RULES_PATH, content: a.content, mode: 0o644, artifact: a.path };
  if (a.path === 'balancer/printha-halfopen-check') return { kind: 'checkscript', path: HALFOPEN_CHECK_PATH, content: a.content, mode: 0o755, artifact: a.path };
  return undefined;
}

/** Oldest HAProxy version among the reachable nodes (the config must load on every node). */
export function siteHaproxyVersion(facts: readonly BalancerNodeFacts[]): string | undefined {
  const versions = facts.map((f) => f.haproxyVersion).filter((v): v is string => !!v);
  if (versions.length === 0) return undefined;
  const key = (v: string): number[] => (/^(\d+)\.(\d+)(?:\.(\d+))?/.exec(v) ?? []).slice(1).map((x) => Number(x ?? 0));
  return versions.sort((a, b) => {
    const x = key(a);
    const y = key(b);
    for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
    return 0;
  })[0];
}

/** The files a node should have, in apply order (scripts and sysctl before the configs that use them). */
export function wantedFiles(r: ResolvedSite, node: BalancerNodeInfo, haproxyVersion?: string): ManagedFile[] {
  const arts = linuxHaproxyArtifacts(r, haproxyVersion ? { haproxyVersion } : {});
  const files = arts.map((a) => artifactTarget(a, node)).filter((f): f is ManagedFile => f !== undefined);
  const order: ManagedKind[] = ['checkscript', 'sysctl', 'nft', 'keepalived', 'haproxy'];
  return files.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
}

/** What apply does on one node (the plan's steps are derived from it). */
export interface LinuxNodeWork {
  node: BalancerNodeInfo;
  /** Files whose content (or mode) differs from what the node has. */
  files: ManagedFile[];
  validateHaproxy: boolean;
  validateKeepalived: boolean;
  sysctl: boolean;
  nft: boolean;
  reloadHaproxy: boolean;
  reloadKeepalived: boolean;
  /** An interrupted earlier apply: its backup is the one to restore, its reloads are still due. */
  pending?: PendingApply;
  /** Nothing to do on this node. */
  upToDate: boolean;
}

export interface LinuxHaproxyPlan {
  hosts: HostPlan[];
  work: LinuxNodeWork[];
  /** Node names in apply order: secondary first, then primary. */
  order: string[];
  /** Check that exactly one node holds the VIP after the apply. */
  confirmVip: boolean;
  notes: string[];
}

/** Apply order of an HA pair: the secondary first, so a failure never starts on the node serving traffic. */
export function applyOrder(r: ResolvedSite): BalancerNodeInfo[] {
  return [...r.nodes].sort((a, b) => (a.role === b.role ? 0 : a.role === 'secondary' ? -1 : 1));
}

function factsFor(facts: readonly BalancerNodeFacts[], node: BalancerNodeInfo): BalancerNodeFacts | undefined {
  return facts.find((f) => f.address === node.address) ?? facts.find((f) => f.name === node.name);
}

const MODE_TEXT = (m: number): string => m.toString(8);

function nodeWork(r: ResolvedSite, node: BalancerNodeInfo, f: BalancerNodeFacts | undefined, version: string | undefined): LinuxNodeWork {
  const wanted = wantedFiles(r, node, version);
  const reachable = f?.reachable === true;
  const snat = r.site.mode === 'snat';
  const changed = wanted.filter((w) => {
    if (!reachable) return true;
    const before = f?.files?.[w.path];
    if (before !== w.content) return true;
    const m = f?.fileModes?.[w.path];
    return w.kind === 'checkscript' && m !== undefined && m !== `${MODE_TEXT(w.mode)} root`;
  });
  const has = (k: ManagedKind): boolean => changed.some((c) => c.kind === k);
  const pending = reachable ? f?.pendingApply : undefined;
  const svc = f?.services ?? {};
  const haproxyDown = snat && reachable && svc.haproxy !== undefined && svc.haproxy !== 'active';
  const keepalivedDown = reachable && svc.keepalived !== undefined && svc.keepalived !== 'active';
  const work: LinuxNodeWork = {
    node,
    files: changed,
    validateHaproxy: has('haproxy'),
    validateKeepalived: has('keepalived'),
    sysctl: has('sysctl') || (pending?.services.includes('sysctl') ?? false),
    nft: has('nft') || (pending?.services.includes('nft') ?? false),
    reloadHaproxy: snat && (has('haproxy') || has('checkscript') || haproxyDown || (pending?.services.includes('haproxy') ?? false)),
    reloadKeepalived: has('keepalived') || (!snat && has('checkscript')) || has('nft') || keepalivedDown || (pending?.services.includes('keepalived') ?? false),
    upToDate: false,
  };
  if (pending) work.pending = pending;
  work.upToDate = work.files.length === 0 && !work.sysctl && !work.nft && !work.reloadHaproxy && !work.reloadKeepalived && !pending;
  return work;
}

/** What a step runs, as shown to the engineer (the driver runs the same argv). */
export function validateHaproxyArgv(node: BalancerNodeInfo): string[] {
  return ['haproxy', '-c', '-f', tempPathFor(HAPROXY_CFG_PATH), '-L', node.name];
}
export function validateKeepalivedArgv(): string[] {
  return ['keepalived', '-t', '-e', '-f', tempPathFor(KEEPALIVED_CONF_PATH)];
}

function stepsFor(w: LinuxNodeWork): PlanStep[] {
  if (w.upToDate) return [];
  const steps: PlanStep[] = [];
  const backupNote = w.pending
    ? `An earlier apply (run ${w.pending.run}) replaced files here and did not finish: its backup ${w.pending.backupDir} (the configuration before that apply) is the one a rollback restores.`
    : undefined;
  steps.push({
    id: 'backup',
    title: w.pending ? `Keep the backup of the interrupted apply (${w.pending.backupDir})` : `Back up the current files to ${BACKUP_ROOT}/<run>/`,
    kind: 'backup',
    command: w.pending ? shellJoin(['test', '-f', `${w.pending.backupDir}/MANIFEST`]) : backupCommandText(`${BACKUP_ROOT}/<run>`, MANAGED_PATHS),
    changes: false,
    ...(backupNote ? { note: backupNote } : {}),
  });
  for (const f of w.files) {
    steps.push({
      id: `upload:${f.path}`,
      title: `Upload the new ${f.path} (${f.artifact}) to ${tempPathFor(f.path)}`,
      kind: 'upload',
      command: `sftp put ${f.artifact} ${tempPathFor(f.path)} (mode ${MODE_TEXT(f.mode)})`,
      changes: false,
    });
  }
  if (w.validateHaproxy)
    steps.push({ id: 'validate-haproxy', title: 'Validate the new haproxy.cfg on the node', kind: 'validate', command: shellJoin(validateHaproxyArgv(w.node)), changes: false });
  if (w.validateKeepalived)
    steps.push({ id: 'validate-keepalived', title: 'Validate the new keepalived.conf on the node', kind: 'validate', command: shellJoin(validateKeepalivedArgv()), changes: false });
  if (w.files.length > 0)
    steps.push({
      id: 'swap',
      title: `Replace ${w.files.map((f) => f.path).join(', ')} atomically`,
      kind: 'swap',
      command: w.files.map((f) => shellJoin(['mv', '-f', tempPathFor(f.path), f.path])).join(' && '),
      changes: true,
    });
  if (w.sysctl) steps.push({ id: 'sysctl', title: `Load the sysctl settings (${SYSCTL_PATH})`, kind: 'exec', command: shellJoin(['sysctl', '-p', SYSCTL_PATH]), changes: true });
  if (w.nft) steps.push({ id: 'nft', title: `Load the firewall marks (${FWMARK_RULES_PATH})`, kind: 'exec', command: shellJoin(['nft', '-f', FWMARK_RULES_PATH]), changes: true });
  if (w.reloadKeepalived)
    steps.push({
      id: 'reload-keepalived',
      title: 'Reload keepalived (SIGHUP) and confirm it runs',
      kind: 'reload',
      command: 'systemctl reload-or-restart keepalived && systemctl is-active keepalived',
      changes: true,
    });
  if (w.reloadHaproxy)
    steps.push({
      id: 'reload-haproxy',
      title: 'Reload HAProxy (master-worker) and confirm the new worker runs',
      kind: 'reload',
      command: 'systemctl reload-or-restart haproxy; echo "show proc" | socat - UNIX-CONNECT:/run/haproxy-master.sock',
      changes: true,
    });
  steps.push({ id: 'finish', title: 'Mark the apply as complete on the node', kind: 'exec', command: shellJoin(['rm', '-f', PENDING_MARKER]), changes: false });
  return steps;
}

/** The plan of every node from discovery facts (pure). */
export function planLinuxHaproxy(r: ResolvedSite, facts: readonly BalancerNodeFacts[]): LinuxHaproxyPlan {
  const version = siteHaproxyVersion(facts.filter((f) => f.reachable));
  const order = applyOrder(r);
  const work = order.map((n) => nodeWork(r, n, factsFor(facts, n), version));
  const confirmVip = work.some((w) => !w.upToDate);
  const notes: string[] = [];
  if (version) notes.push(`Configuration rendered for HAProxy ${version} (the oldest version on the nodes).`);
  const hosts: HostPlan[] = work.map((w, i) => {
    const f = factsFor(facts, w.node);
    const reachable = f?.reachable === true;
    const diffs: FileDiff[] = reachable
      ? wantedFiles(r, w.node, version).map((m) => {
          const before = f?.files?.[m.path] ?? null;
          return { path: m.path, before, after: m.content, unified: unifiedDiff(m.path, before, m.content) };
        })
      : [];
    const steps = stepsFor(w);
    const last = i === work.length - 1;
    if (last && confirmVip)
      steps.push({
        id: 'confirm-vip',
        title: `Confirm the VIP ${r.site.vip} is held by exactly one node (${r.nodes.map((n) => n.name).join(', ')})`,
        kind: 'verify',
        command: shellJoin(['ip', '-o', 'addr', 'show']),
        changes: false,
      });
    const hostNotes: string[] = [];
    if (reachable && f?.hostname && f.hostname !== w.node.name && r.site.mode === 'snat')
      hostNotes.push(
        `The node's hostname is "${f.hostname}", not "${w.node.name}": HAProxy finds its peers entry by hostname, so it must run with -L ${w.node.name} (Debian: EXTRAOPTS="-S /run/haproxy-master.sock -L ${w.node.name}" in /etc/default/haproxy), or rename the node in the site file.`,
      );
    if (w.pending) hostNotes.push(`An earlier apply (run ${w.pending.run}) did not finish on this node; this apply completes it.`);
    if (reachable && w.upToDate) hostNotes.push('No changes: the node already has this configuration.');
    if (reachable && f?.services?.haproxy && f.services.haproxy !== 'active' && r.site.mode === 'snat') hostNotes.push(`HAProxy is ${f.services.haproxy} on this node: apply starts it.`);
    if (reachable && f?.services?.keepalived && f.services.keepalived !== 'active') hostNotes.push(`keepalived is ${f.services.keepalived} on this node: apply starts it.`);
    const newKeepalived = w.files.find((m) => m.kind === 'keepalived');
    if (reachable && f?.holdsVip && w.reloadKeepalived && newKeepalived) {
      const why = vrrpReloadDisruption(f.files?.[KEEPALIVED_CONF_PATH], newKeepalived.content);
      if (why.length > 0) {
        const seconds = vrrpReelectionSeconds(newKeepalived.content);
        hostNotes.push(
          `This node holds the VIP ${r.site.vip} and its VRRP instance changes (${why.join('; ')}): keepalived releases the VIP when it reloads and the pair elects again, so the VIP does not answer for about ${seconds} s. Apply waits for the new holder; schedule this first apply outside printing hours.`,
        );
        // The plan-wide line points at the node's note instead of repeating it (`printha plan` prints both).
        notes.push(`VIP interruption expected on ${w.node.name}: about ${seconds} s while the pair re-elects (see its notes).`);
      }
    }
    const plan: HostPlan = {
      host: w.node.name,
      role: 'balancer',
      address: w.node.address,
      steps,
      diffs,
      changes: [],
      upToDate: reachable && w.upToDate,
      notes: hostNotes,
    };
    if (!reachable) plan.unreachable = f?.error ?? 'not discovered';
    return plan;
  });
  return { hosts, work, order: order.map((n) => n.name), confirmVip, notes };
}
