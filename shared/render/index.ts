/**
 * site -> every generated artifact, by platform (the file set DESIGN.md's `render` contract names).
 * The CLI writes them with a manifest; the plan and apply drivers use the same list.
 */
import { resolveSite, type ResolvedSite } from '../model/resolve.js';
import type { Finding } from '../rules/finding.js';
import { buildRunbook } from '../runbook/build.js';
import { toMarkdown } from '../runbook/doc.js';
import type { Site } from '../site/schema.js';
import type { Artifact } from './artifact.js';
import { complianceTable } from './compliance.js';
import { HALFOPEN_CHECK_SCRIPT } from './checkscript.js';
import { HALFOPEN_PROBE_NAME, LB_CHECK_DIR, halfOpenCheckScripts, renderLbcliScript } from './lbcli.js';
import { linuxHaproxyArtifacts } from './linux-haproxy.js';
import { renderNetscaler } from './netscaler.js';
import { renderPowerShellArtifacts } from './powershell/index.js';
import { renderTmsh } from './tmsh.js';

export function balancerArtifacts(r: ResolvedSite): Artifact[] {
  switch (r.site.balancer.platform) {
    case 'loadbalancer-org': {
      const out: Artifact[] = [
        {
          path: 'balancer/lbcli.sh',
          content: renderLbcliScript(r),
          language: 'sh',
          description: `lbcli commands for the ${r.nodes.length > 1 ? 'active ' : ''}Loadbalancer.org appliance (run as root on ${r.nodes[0]!.address})`,
          target: r.nodes[0]!.name,
        },
      ];
      const wrappers = halfOpenCheckScripts(r);
      if (wrappers.length)
        out.push({
          path: `balancer/${HALFOPEN_PROBE_NAME}`,
          content: HALFOPEN_CHECK_SCRIPT,
          language: 'python',
          description: `Half-open TCP probe (SYN, SYN-ACK, RST) the check wrappers call: install as ${LB_CHECK_DIR}/${HALFOPEN_PROBE_NAME} (lbcli.sh does it)`,
          target: r.nodes[0]!.name,
        });
      for (const s of wrappers)
        out.push({ path: `balancer/${s.name}`, content: s.content, language: 'sh', description: `Half-open health check for VIP ${s.vipLabel} (ports ${s.ports.join(", ")}): install as ${s.path} on the appliance`, target: r.nodes[0]!.name });
      return out;
    }
    case 'linux-haproxy':
      return linuxHaproxyArtifacts(r);
    case 'f5-bigip':
      return [{ path: 'balancer/tmsh.txt', content: renderTmsh(r), language: 'tmsh', description: 'BIG-IP configuration in tmsh config-file syntax: `tmsh load sys config merge file tmsh.txt verify`, then without `verify`', target: 'balancer' }];
    case 'netscaler':
      return [{ path: 'balancer/netscaler.conf', content: renderNetscaler(r), language: 'netscaler', description: 'NetScaler CLI batch (`batch -fileName`)', target: 'balancer' }];
  }
}

/** Per server prepare.ps1 + verify.ps1, and dns/record.ps1. */
export function serverArtifacts(r: ResolvedSite): Artifact[] {
  return renderPowerShellArtifacts(r);
}

/** Everything except the runbook (the runbook lists these). */
export function renderArtifacts(r: ResolvedSite): Artifact[] {
  return [...balancerArtifacts(r), ...serverArtifacts(r)];
}

/** All artifacts including runbook.md, for a schema-valid site. */
export function renderSite(site: Site, findings: Finding[] = [], generatedAt = new Date().toISOString()): Artifact[] {
  const r = resolveSite(site);
  const artifacts = renderArtifacts(r);
  const runbook = toMarkdown(buildRunbook({ resolved: r, findings, artifacts, compliance: complianceTable(r), generatedAt }));
  return [...artifacts, { path: 'runbook.md', content: runbook, language: 'markdown', description: 'Runbook: the site, findings, every generated file and the steps in order', target: 'engineer' }];
}
