/**
 * The file set of a site for the offline script pack, the runbook and the Ansible export: the
 * balancer artifacts plus every PowerShell script (prepare.ps1, verify.ps1, dns/record.ps1), and
 * where each balancer file goes on a node (shared by the pack README and the Ansible playbook).
 */
import type { ResolvedSite } from '../model/resolve.js';
import type { Artifact } from '../render/artifact.js';
import { HALFOPEN_CHECK_PATH } from '../render/halfopen.js';
import { renderArtifacts } from '../render/index.js';
import { FWMARK_RULES_PATH, SYSCTL_PATH } from '../render/linux-haproxy.js';
import { renderPowerShellArtifacts } from '../render/powershell/index.js';

/** Balancer artifacts + prepare.ps1, verify.ps1 per server + dns/record.ps1 (no runbook.md). */
export function siteArtifacts(r: ResolvedSite): Artifact[] {
  const out = renderArtifacts(r);
  const have = new Set(out.map((a) => a.path));
  for (const a of renderPowerShellArtifacts(r)) if (!have.has(a.path)) out.push(a);
  return out;
}

/** Where a linux-haproxy balancer file goes, how it is checked before it replaces the old one, and what applies it. */
export interface Placement {
  /** Artifact path (e.g. balancer/haproxy.cfg). */
  artifact: string;
  /** Node names that get it. */
  nodes: string[];
  dest: string;
  mode: string;
  /** argv; the new file's path replaces "%s". */
  validate?: string[];
  /** What makes the change live (argv), run after every file of the node is in place. */
  activate?: string[];
  /** Short label for tasks and steps. */
  what: string;
}

export const HAPROXY_CFG_PATH = '/etc/haproxy/haproxy.cfg';
export const KEEPALIVED_CONF_PATH = '/etc/keepalived/keepalived.conf';

/** linux-haproxy only: the placement of every balancer artifact ([] for other platforms). */
export function linuxHaproxyPlacements(r: ResolvedSite, artifacts: readonly Artifact[]): Placement[] {
  if (r.site.balancer.platform !== 'linux-haproxy') return [];
  const all = r.nodes.map((n) => n.name);
  const out: Placement[] = [];
  for (const a of artifacts) {
    if (!a.path.startsWith('balancer/')) continue;
    if (a.path === 'balancer/haproxy.cfg')
      out.push({ artifact: a.path, nodes: all, dest: HAPROXY_CFG_PATH, mode: '0644', validate: ['haproxy', '-c', '-f', '%s'], activate: ['systemctl', 'reload', 'haproxy'], what: 'HAProxy configuration' });
    else if (a.path === 'balancer/99-printha.conf')
      out.push({ artifact: a.path, nodes: all, dest: SYSCTL_PATH, mode: '0644', activate: ['sysctl', '-p', SYSCTL_PATH], what: 'sysctl settings' });
    else if (a.path === 'balancer/printha-fwmark.nft')
      out.push({ artifact: a.path, nodes: all, dest: FWMARK_RULES_PATH, mode: '0644', validate: ['nft', '-c', '-f', '%s'], activate: ['nft', '-f', FWMARK_RULES_PATH], what: 'nftables firewall marks' });
    else if (a.path === 'balancer/printha-halfopen-check')
      out.push({ artifact: a.path, nodes: all, dest: HALFOPEN_CHECK_PATH, mode: '0755', what: 'half-open health check probe' });
    else {
      const m = /^balancer\/keepalived-(.+)\.conf$/.exec(a.path);
      if (m && all.includes(m[1]!))
        out.push({ artifact: a.path, nodes: [m[1]!], dest: KEEPALIVED_CONF_PATH, mode: '0644', validate: ['keepalived', '-t', '-f', '%s'], activate: ['systemctl', 'reload', 'keepalived'], what: 'keepalived configuration' });
    }
  }
  // The probe must exist before a configuration that runs it is validated and loaded.
  const rank = (p: Placement) => (p.dest === HALFOPEN_CHECK_PATH ? 0 : p.dest === SYSCTL_PATH ? 1 : p.dest === FWMARK_RULES_PATH ? 2 : p.dest === KEEPALIVED_CONF_PATH ? 4 : 3);
  return out.sort((a, b) => rank(a) - rank(b));
}

/** Balancer nodes in the order changes are made: an HA secondary first, the primary (VIP holder) last. */
export function nodeOrder(r: ResolvedSite): ResolvedSite['nodes'] {
  return [...r.nodes].sort((a, b) => (a.role === b.role ? 0 : a.role === 'secondary' ? -1 : 1));
}
