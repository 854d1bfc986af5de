/** Redundancy and platform: an HA pair, more than one server, weights, platform/mode notes, the Windows transport. */
import type { Finding } from './finding.js';
import { finding, type Rule } from './types.js';

export const singleBalancer: Rule = {
  id: 'single-balancer',
  severity: 'warning',
  guards: 'A single balancer is itself a single point of failure for every print service behind it.',
  source: 'seed 000 §9.6 and §15.2 ("recommend that load balancer appliances are deployed in pairs")',
  check({ site }) {
    if (site.balancer.secondary) return [];
    const p = site.balancer.primary;
    return [
      finding(
        singleBalancer,
        'balancer.secondary',
        `Only one balancer (${p.name ? `${p.name}, ` : ''}${p.address}) is configured; if it fails, every print service on ${site.vip} stops.`,
        'Add balancer.secondary (address, and name for linux-haproxy) to deploy an HA pair, as the guide recommends.',
      ),
    ];
  },
};

export const singleServer: Rule = {
  id: 'single-server',
  severity: 'warning',
  guards: 'With one print server there is no redundancy, and the server\'s reboot during preparation takes printing down.',
  source: 'seed 000 §10.1 Step 5 / §11.1 Step 4 (reboot each print server); §8.1 (load balancing needs several servers)',
  check({ site }) {
    if (site.servers.length !== 1) return [];
    const s = site.servers[0]!;
    return [
      finding(
        singleServer,
        'servers',
        `Only one print server (${s.label}, ${s.address}) is configured: there is no failover, and printing stops while ${s.label} reboots to apply its settings.`,
        'Add the other print servers to servers; with one server, plan the reboot in a maintenance window.',
      ),
    ];
  },
};

export const allWeightsZero: Rule = {
  id: 'all-weights-zero',
  severity: 'error',
  guards: 'Weight 0 drains a server; if every server has weight 0 the VIP has nowhere to send traffic.',
  source: 'seed 000 §10.2 (RIP weight, default 100)',
  check({ site }) {
    if (site.servers.some((s) => s.weight > 0)) return [];
    return [
      finding(
        allWeightsZero,
        'servers[0].weight',
        `Every server (${site.servers.map((s) => s.label).join(', ')}) has weight 0, so no server would receive traffic on ${site.vip}.`,
        'Give the servers that should take traffic a weight above 0 (the default is 100).',
      ),
    ];
  },
};

export const balancerPlatformMode: Rule = {
  id: 'balancer-platform-mode',
  severity: 'info',
  guards: 'Explains how the chosen platform implements the mode (linux-haproxy has no DR in HAProxy: DR is built with keepalived LVS).',
  source: 'seed 000 §6.1 (DR is layer 4 / LVS), §6.2 (SNAT is HAProxy); DESIGN.md "Platforms"',
  check({ site }) {
    const out: Finding[] = [];
    if (site.balancer.platform === 'linux-haproxy' && site.mode === 'dr')
      out.push(
        finding(
          balancerPlatformMode,
          'mode',
          'On linux-haproxy, Layer 4 DR is built with keepalived LVS virtual servers (IPVS), not HAProxy, so the balancer hosts need the ip_vs kernel module.',
          'Nothing to change if the balancer kernel has ip_vs (lsmod | grep ip_vs); otherwise use mode: snat.',
        ),
      );
    return out;
  },
};

const TRANSPORT_PORTS: Record<string, number> = { winrm: 5985, 'winrm-https': 5986, ssh: 22 };

export const windowsTransportPort: Rule = {
  id: 'windows-transport-port',
  severity: 'warning',
  guards: 'windows.port that does not match the transport\'s usual port (5985 WinRM, 5986 WinRM HTTPS, 22 SSH) is often a mix-up.',
  source: 'DESIGN.md "Platforms" (WinRM HTTP 5985 / HTTPS 5986, PowerShell over SSH)',
  check({ site }) {
    const w = site.windows;
    const usual = TRANSPORT_PORTS[w.transport];
    if (w.port === undefined || usual === undefined || w.port === usual) return [];
    const other = Object.entries(TRANSPORT_PORTS).find(([, p]) => p === w.port)?.[0];
    return [
      finding(
        windowsTransportPort,
        'windows.port',
        `windows.port is ${w.port} but transport ${w.transport} usually listens on ${usual}${other ? ` (${w.port} is the ${other} port)` : ''}.`,
        other ? `Set windows.transport to ${other}, or windows.port to ${usual}.` : `Remove windows.port unless the servers really listen for ${w.transport} on ${w.port}.`,
      ),
    ];
  },
};

export const BALANCER_RULES: Rule[] = [singleBalancer, singleServer, allWeightsZero, balancerPlatformMode, windowsTransportPort];
