/** The manual steps in the guide's order (seed 000 §10/§11): prepare servers, reboot, VIPs/RIPs, reload, test. */
import type { ResolvedSite } from '../model/resolve.js';
import type { Artifact } from '../render/artifact.js';

export function manualSteps(r: ResolvedSite, artifacts: readonly Artifact[]): string[] {
  const s = r.site;
  const has = (p: string) => artifacts.some((a) => a.path === p);
  const labels = s.servers.map((x) => x.label).join(', ');
  const steps: string[] = [];
  steps.push(
    `Check the prerequisites on every print server (${labels}): member of the Windows domain, Print and Document Services / Print Server role installed, every printer installed and shared with the SAME share names and permissions on all servers, ${r.profile.title} installed.`,
  );
  if (s.mode === 'dr')
    steps.push(
      'Solve the ARP problem on each print server: Microsoft KM-TEST Loopback Adapter named "loopback" holding the VIP ' +
        `${s.vip}/${r.family === 4 ? '32' : '128'} (SkipAsSource), weak host receive on the LAN adapter, weak host receive and send on the loopback — \`servers/<label>/prepare.ps1\` does it.`,
    );
  steps.push(
    `Registry on each print server: Lsa\\DisableLoopbackCheck = 1, lanmanserver\\parameters\\DisableStrictNameChecking = 1, OptionalNames += ${s.shareName} (merged with existing names) — \`servers/<label>/prepare.ps1\`.`,
  );
  steps.push('Disable NetBIOS over TCP/IP on ALL interfaces of each print server — `servers/<label>/prepare.ps1`.');
  steps.push(
    s.dns
      ? `DNS: A record ${s.shareName}.${s.dns.zone} → ${s.vip} on ${s.dns.server}${has('dns/record.ps1') ? ' — `dns/record.ps1`' : ''}.`
      : `MANUAL: create a DNS host (A) record for "${s.shareName}" pointing at ${s.vip} in the clients' DNS zone (no DNS server was given in the site file).`,
  );
  steps.push(`Reboot each print server, one at a time, waiting until it is back and printing before the next (${labels}).`);
  const pf = s.balancer.platform;
  if (pf === 'loadbalancer-org')
    steps.push(
      `On the ${s.balancer.secondary ? 'active' : ''} Loadbalancer.org appliance ${r.nodes[0]!.address}: create the VIPs ${r.vips.map((v) => v.label).join(' and ')} and their real servers — \`balancer/lbcli.sh\`.`.replace('  ', ' '),
    );
  else if (pf === 'linux-haproxy')
    steps.push(
      `On each balancer node (${r.nodes.map((n) => n.name).join(', ')}${r.nodes.length > 1 ? ', secondary first' : ''}): install ${s.mode === 'snat' ? '`balancer/haproxy.cfg` as /etc/haproxy/haproxy.cfg and ' : ''}\`balancer/keepalived-<node>.conf\` as /etc/keepalived/keepalived.conf after backing up the current files; validate with \`haproxy -c\` / \`keepalived -t\`.`,
    );
  else if (pf === 'f5-bigip') steps.push('On the BIG-IP: load `balancer/tmsh.txt` (tmsh) and save the configuration.');
  else steps.push('On the NetScaler: run the batch `balancer/netscaler.conf` and save the configuration.');
  steps.push(
    pf === 'loadbalancer-org'
      ? `Commit the changes: ${s.mode === 'dr' ? 'restart ldirectord' : 'reload HAProxy'} (the last lines of lbcli.sh).`
      : pf === 'linux-haproxy'
        ? 'Reload HAProxy (master-worker reload) and keepalived on each node; check that exactly one node holds the VIP.'
        : 'Save and synchronise the configuration to the HA peer.',
  );
  steps.push(
    `Test: from a client browse to \\\\${s.vip} and to \\\\${s.shareName}: the shared printers of the print servers must be listed. Check every real server is green in the balancer's System Overview.`,
  );
  if (!s.balancer.secondary) steps.push('Recommended: add a secondary appliance to form an HA clustered pair (seed 000 §15.2).');
  return steps;
}
