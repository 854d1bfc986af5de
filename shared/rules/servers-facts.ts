/**
 * Rules on discovered Windows server facts (needsFacts). Each finding names the server label; a server
 * that could not be reached is reported once (server-unreachable) and skipped by the others.
 * Facts that were not collected (undefined) are never judged.
 */
import type { ServerFacts } from '../model/facts.js';
import type { Site } from '../site/schema.js';
import type { Finding } from './finding.js';
import { finding, type Rule, type RuleContext } from './types.js';
import { globToRegExp, listText, sameIp, serverIndex } from './util.js';

interface Matched {
  i: number;
  s: Site['servers'][number];
  f: ServerFacts;
}

/** Facts of reachable site servers (matched by label). */
function reachable(ctx: RuleContext): Matched[] {
  const out: Matched[] = [];
  for (const f of ctx.facts?.servers ?? []) {
    const i = serverIndex(ctx.site, f.label);
    const s = ctx.site.servers[i];
    if (s && f.reachable) out.push({ i, s, f });
  }
  return out;
}

export const serverUnreachable: Rule = {
  id: 'server-unreachable',
  severity: 'error',
  guards: 'A print server PrintHA cannot reach cannot be checked or prepared.',
  source: 'DESIGN.md "Discover" (every host is contacted read-only)',
  needsFacts: true,
  check({ site, facts }) {
    const out: Finding[] = [];
    for (const f of facts?.servers ?? []) {
      const i = serverIndex(site, f.label);
      const s = site.servers[i];
      if (!s || f.reachable) continue;
      out.push(
        finding(
          serverUnreachable,
          `servers[${i}]`,
          `Server ${s.label} (${s.hostname ?? s.address}) could not be reached over ${site.windows.transport}${f.error ? `: ${f.error}` : ''}.`,
          `Check that ${s.label} is on, that ${site.windows.transport} remoting is enabled and allowed by its firewall, and the credentials of ${site.windows.user}; then discover again.`,
        ),
      );
    }
    return out;
  },
};

export const serverNotDomainMember: Rule = {
  id: 'server-not-domain-member',
  severity: 'error',
  guards: 'Load-balanced print servers must be members of a Windows domain.',
  source: 'seed 000 §10.1 / §11.1 Step 1.1 ("Be a member of a Microsoft Windows Domain")',
  needsFacts: true,
  check(ctx) {
    return reachable(ctx)
      .filter(({ f }) => f.domainMember === false)
      .map(({ i, s, f }) =>
        finding(
          serverNotDomainMember,
          `servers[${i}]`,
          `Server ${s.label} (${f.computerName ?? s.address}) is not a member of a Windows domain${f.domain ? ` (workgroup ${f.domain})` : ''}.`,
          `Join ${s.label} to the domain before load balancing it.`,
        ),
      );
  },
};

export const printServerRoleMissing: Rule = {
  id: 'print-server-role-missing',
  severity: 'error',
  guards: 'Every balanced server needs the Print and Document Services role / Print Server service.',
  source: 'seed 000 §10.1 / §11.1 Step 1.2',
  needsFacts: true,
  check(ctx) {
    return reachable(ctx)
      .filter(({ f }) => f.printServerRole === false)
      .map(({ i, s }) =>
        finding(
          printServerRoleMissing,
          `servers[${i}]`,
          `Server ${s.label} does not have the Print and Document Services role (Print Server) installed.`,
          `Install the Print Server role on ${s.label} (Install-WindowsFeature Print-Server) and share its printers.`,
        ),
      );
  },
};

export const printerSharesDiffer: Rule = {
  id: 'printer-shares-differ',
  severity: 'error',
  guards: 'Printer share names must be the same on every server, or a client is sent to a server without its printer.',
  source: 'seed 000 §10.1 / §11.1 Step 1.3 ("the share names and permissions must be the same across all servers")',
  needsFacts: true,
  check(ctx) {
    const withShares = reachable(ctx).filter((m) => m.f.printerShares !== undefined);
    if (withShares.length < 2) return [];
    const union = new Map<string, string>();
    for (const m of withShares) for (const n of m.f.printerShares!) if (!union.has(n.toLowerCase())) union.set(n.toLowerCase(), n);
    const out: Finding[] = [];
    for (const { i, s, f } of withShares) {
      const have = new Set(f.printerShares!.map((n) => n.toLowerCase()));
      const missing = [...union.entries()].filter(([k]) => !have.has(k)).map(([, n]) => n);
      if (missing.length === 0) continue;
      const where = (n: string): string =>
        withShares
          .filter((m) => m.f.printerShares!.some((x) => x.toLowerCase() === n.toLowerCase()))
          .map((m) => m.s.label)
          .join(', ');
      out.push(
        finding(
          printerSharesDiffer,
          `servers[${i}]`,
          `Server ${s.label} lacks printer share${missing.length > 1 ? 's' : ''} ${missing.map((n) => `"${n}" (on ${where(n)})`).join(', ')}; every server must share the same printers under the same names.`,
          `Install and share ${listText(missing.map((n) => `"${n}"`))} on ${s.label} with the same share name${missing.length > 1 ? 's' : ''} and permissions (or remove ${missing.length > 1 ? 'them' : 'it'} from the other servers).`,
        ),
      );
    }
    return out;
  },
};

export const productNotInstalled: Rule = {
  id: 'product-not-installed',
  severity: 'error',
  guards: 'The product being balanced must be installed on every server (no Windows service matching the profile\'s service names).',
  source: 'seed 000 §10.1 / §11.1 Step 1.4 ("Have Konica Minolta Dispatcher Phoenix installed")',
  needsFacts: true,
  check(ctx) {
    const pats = ctx.resolved.profile.windowsServicePatterns;
    const res = pats.map(globToRegExp);
    return reachable(ctx)
      .filter(({ f }) => f.productServices !== undefined && !f.productServices.some((svc) => res.some((r) => r.test(svc.name))))
      .map(({ i, s }) =>
        finding(
          productNotInstalled,
          `servers[${i}]`,
          `Server ${s.label} has no Windows service matching ${pats.map((p) => `"${p}"`).join(', ')}: ${ctx.resolved.profile.title} does not look installed.`,
          `Install ${ctx.resolved.profile.title} on ${s.label} (and check it works on its own) before load balancing it.`,
        ),
      );
  },
};

export const productNotRunning: Rule = {
  id: 'product-not-running',
  severity: 'warning',
  guards: 'The product is installed but none of its Windows services is running, so health checks would mark the server down.',
  source: 'seed 000 §8 note ("have a working ... environment first"); seed 003 (failover on the state of Windows services)',
  needsFacts: true,
  check(ctx) {
    const res = ctx.resolved.profile.windowsServicePatterns.map(globToRegExp);
    const out: Finding[] = [];
    for (const { i, s, f } of reachable(ctx)) {
      const mine = (f.productServices ?? []).filter((svc) => res.some((r) => r.test(svc.name)));
      if (mine.length === 0 || mine.some((svc) => svc.status.toLowerCase() === 'running')) continue;
      out.push(
        finding(
          productNotRunning,
          `servers[${i}]`,
          `Server ${s.label}: none of ${mine.map((svc) => `${svc.name} (${svc.status})`).join(', ')} is running.`,
          `Start the services on ${s.label} (Start-Service) and set them to start automatically.`,
        ),
      );
    }
    return out;
  },
};

/** "5.1.17763.1" -> [5, 1]; null when unreadable. */
export function parsePsVersion(v: string): [number, number] | null {
  const m = /^\s*(\d+)(?:\.(\d+))?/.exec(v);
  return m ? [Number(m[1]), Number(m[2] ?? 0)] : null;
}

export const powershellTooOld: Rule = {
  id: 'powershell-too-old',
  severity: 'error',
  guards: 'The generated scripts need Windows PowerShell 3.0 or later.',
  source: 'DESIGN.md "Platforms" (scripts run on Windows PowerShell 3.0 / Server 2012 and later); seed 000 §15.1 (Windows Server 2012 & later)',
  needsFacts: true,
  check(ctx) {
    const out: Finding[] = [];
    for (const { i, s, f } of reachable(ctx)) {
      if (!f.psVersion) continue;
      const v = parsePsVersion(f.psVersion);
      if (!v || v[0] >= 3) continue;
      out.push(
        finding(
          powershellTooOld,
          `servers[${i}]`,
          `Server ${s.label} has PowerShell ${f.psVersion}; PrintHA's scripts need Windows PowerShell 3.0 or later (Windows Server 2012+).`,
          `Install Windows Management Framework 3.0 or later on ${s.label}, or prepare it by hand from the runbook.`,
        ),
      );
    }
    return out;
  },
};

export const pendingReboot: Rule = {
  id: 'pending-reboot',
  severity: 'warning',
  guards: 'A reboot already pending on a server (updates, installs) will happen during the rolling reboot and can take longer or fail.',
  source: 'seed 000 §10.1 Step 5 / §11.1 Step 4 (reboot each print server)',
  needsFacts: true,
  check(ctx) {
    return reachable(ctx)
      .filter(({ f }) => f.pendingReboot === true)
      .map(({ i, s }) =>
        finding(
          pendingReboot,
          `servers[${i}]`,
          `Server ${s.label} already has a reboot pending (updates or an installation).`,
          `Reboot ${s.label} and let it finish before applying, or expect its preparation reboot to take longer.`,
        ),
      );
  },
};

export const vipOnRealNic: Rule = {
  id: 'vip-on-real-nic',
  severity: 'error',
  guards: 'The VIP configured on a server\'s real network adapter makes the server answer ARP for the VIP and steal it from the balancer.',
  source: 'seed 000 §6.1 ("The Real Servers should not respond to ARP requests for the VIP"), §15.1 (VIP only on the loopback adapter)',
  needsFacts: true,
  check(ctx) {
    const out: Finding[] = [];
    const vip = ctx.site.vip;
    for (const { i, s, f } of reachable(ctx)) {
      const lbAlias = f.loopbackAdapter?.alias;
      const nics = (f.nics ?? []).filter((n) => n.isLoopback !== true && n.alias !== lbAlias && n.addresses.some((a) => sameIp(a, vip)));
      if (nics.length === 0) continue;
      const names = nics.map((n) => `"${n.alias}"`);
      out.push(
        finding(
          vipOnRealNic,
          `servers[${i}]`,
          `Server ${s.label} has the VIP ${vip} on its network adapter ${listText(names)}, so it answers ARP for the VIP and takes traffic away from the balancer.`,
          `Remove ${vip} from ${listText(names)} on ${s.label}${ctx.site.mode === 'dr' ? ' (in DR it belongs only on the loopback adapter)' : ''}.`,
        ),
      );
    }
    return out;
  },
};

const NETBIOS_TEXT: Record<number, string> = { 0: 'default, from DHCP', 1: 'enabled' };

export const netbiosEnabled: Rule = {
  id: 'netbios-enabled',
  severity: 'warning',
  guards: 'NetBIOS over TCP/IP left on an interface lets the server register and answer for names itself, bypassing the VIP (prepare.ps1 disables it).',
  source: 'seed 000 §10.1 Step 4 / §11.1 Step 3 ("NetBIOS over TCP/IP should be disabled on all interfaces")',
  needsFacts: true,
  check(ctx) {
    const out: Finding[] = [];
    for (const { i, s, f } of reachable(ctx)) {
      const on = (f.nics ?? []).filter((n) => n.netbiosOptions !== undefined && n.netbiosOptions !== 2);
      if (on.length === 0) continue;
      out.push(
        finding(
          netbiosEnabled,
          `servers[${i}]`,
          `Server ${s.label} has NetBIOS over TCP/IP not disabled on ${listText(on.map((n) => `"${n.alias}" (${NETBIOS_TEXT[n.netbiosOptions!] ?? `option ${n.netbiosOptions}`})`))}.`,
          `servers/${s.label}/prepare.ps1 disables it on every interface (apply runs it); by hand: adapter properties > IPv4 > Advanced > WINS > Disable NetBIOS over TCP/IP.`,
        ),
      );
    }
    return out;
  },
};

export const registryNotSet: Rule = {
  id: 'registry-not-set',
  severity: 'info',
  guards: 'Shows which of the registry values that let a server answer to the share name are still missing (prepare.ps1 sets them).',
  source: 'seed 000 §10.1 Step 3 / §11.1 Step 2 (DisableLoopbackCheck, DisableStrictNameChecking, OptionalNames)',
  needsFacts: true,
  check(ctx) {
    const out: Finding[] = [];
    const share = ctx.site.shareName;
    for (const { i, s, f } of reachable(ctx)) {
      const r = f.registry;
      if (!r) continue;
      const missing: string[] = [];
      if (r.disableLoopbackCheck !== undefined && r.disableLoopbackCheck !== 1) missing.push('Lsa\\DisableLoopbackCheck = 1');
      if (r.disableStrictNameChecking !== undefined && r.disableStrictNameChecking !== 1) missing.push('lanmanserver\\parameters\\DisableStrictNameChecking = 1');
      if (r.optionalNames !== undefined && !(r.optionalNames ?? []).some((n) => n.toLowerCase() === share.toLowerCase()))
        missing.push(`lanmanserver\\parameters\\OptionalNames containing ${share}`);
      if (missing.length === 0) continue;
      out.push(
        finding(
          registryNotSet,
          `servers[${i}]`,
          `Server ${s.label} does not yet have ${listText(missing)}.`,
          `servers/${s.label}/prepare.ps1 sets these values (apply runs it); a reboot makes them effective.`,
        ),
      );
    }
    return out;
  },
};

export const SERVER_FACT_RULES: Rule[] = [
  serverUnreachable,
  serverNotDomainMember,
  printServerRoleMissing,
  printerSharesDiffer,
  productNotInstalled,
  productNotRunning,
  powershellTooOld,
  pendingReboot,
  vipOnRealNic,
  netbiosEnabled,
  registryNotSet,
];
