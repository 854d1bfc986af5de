/**
 * Every balancer artifact of a linux-haproxy site (HAProxy + keepalived on plain Linux), so the
 * render command, the plan and the apply driver agree on the file set:
 *   SNAT: balancer/haproxy.cfg, balancer/keepalived-<node>.conf, balancer/99-printha.conf (sysctl),
 *         balancer/printha-halfopen-check when a VIP has several half-open check ports.
 *   DR:   balancer/keepalived-<node>.conf, balancer/printha-fwmark.nft when a VIP has several ports,
 *         balancer/printha-halfopen-check when a check is half-open.
 * Where each file goes on the node is in its description.
 */
import type { ResolvedSite } from '../model/resolve.js';
import { isIPv6 } from '../net/ip.js';
import type { Artifact } from './artifact.js';
import { commentText } from './balancer-common.js';
import { haproxyCheckForm, renderHaproxyCfg, type HaproxyRenderOptions } from './haproxy.js';
import { HALFOPEN_CHECK_PATH, halfOpenCheckArtifact } from './halfopen.js';
import { renderKeepalivedConf } from './keepalived.js';
import { renderFwmarkRules } from './nft.js';

export const SYSCTL_PATH = '/etc/sysctl.d/99-printha.conf';
export const FWMARK_RULES_PATH = '/etc/nftables.d/printha-fwmark.nft';

/** sysctl settings the balancer nodes need ('' when none). SNAT: HAProxy binds the VIP on the node that does not hold it. */
export function renderBalancerSysctl(r: ResolvedSite): string {
  if (r.site.mode !== 'snat') return '';
  const key = isIPv6(r.site.vip) ? 'net.ipv6.ip_nonlocal_bind' : 'net.ipv4.ip_nonlocal_bind';
  return [
    `# sysctl for the PrintHA balancer nodes of site "${commentText(r.site.name)}". DO NOT EDIT BY HAND (PrintHA replaces it).`,
    '# HAProxy on the node without the VIP must still bind it (keepalived moves the VIP there on failover).',
    `${key} = 1`,
    '',
  ].join('\n');
}

/** True when some generated config runs printha-halfopen-check. */
export function usesHalfOpenScript(r: ResolvedSite, opts: HaproxyRenderOptions = {}): boolean {
  if (r.site.mode === 'dr') return r.vips.some((v) => v.check.kind === 'half-open');
  return r.vips.some((v) => haproxyCheckForm(v, opts).form === 'external');
}

export function linuxHaproxyArtifacts(r: ResolvedSite, opts: HaproxyRenderOptions = {}): Artifact[] {
  const out: Artifact[] = [];
  if (r.site.mode === 'snat') {
    out.push({
      path: 'balancer/haproxy.cfg',
      content: renderHaproxyCfg(r, opts),
      language: 'haproxy',
      description: 'HAProxy configuration (TCP mode), the same on every node: /etc/haproxy/haproxy.cfg',
      target: 'balancer',
    });
  }
  for (const n of r.nodes) {
    out.push({
      path: `balancer/keepalived-${n.name}.conf`,
      content: renderKeepalivedConf(r, n, opts.checkScriptPath ? { checkScriptPath: opts.checkScriptPath } : {}),
      language: 'keepalived',
      description: `keepalived configuration of ${n.name} (${n.role}, VRRP priority ${n.priority}): /etc/keepalived/keepalived.conf`,
      target: n.name,
    });
  }
  const sysctl = renderBalancerSysctl(r);
  if (sysctl) out.push({ path: 'balancer/99-printha.conf', content: sysctl, language: 'sh', description: `sysctl settings: ${SYSCTL_PATH}, then sysctl --system`, target: 'balancer' });
  const nft = renderFwmarkRules(r);
  if (nft) out.push({ path: 'balancer/printha-fwmark.nft', content: nft, language: 'sh', description: `nftables firewall marks for the DR multi-port VIPs: ${FWMARK_RULES_PATH}, load with nft -f`, target: 'balancer' });
  if (usesHalfOpenScript(r, opts)) {
    const a = halfOpenCheckArtifact();
    out.push({ ...a, description: a.description.replace(HALFOPEN_CHECK_PATH, opts.checkScriptPath ?? HALFOPEN_CHECK_PATH) });
  }
  return out;
}
