/**
 * verifySite with every I/O replaced by fakes (no packet leaves this process): the balancer answers
 * with the HAProxy / lbcli / ipvsadm / tshark samples captured in the lab, SMB, DNS and TCP are
 * stand-ins. Checks the verdicts, the report shape (VerifyReportSchema), and that a DR data path
 * that cannot run here is never reported as a pass.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunContext } from '../../../electron/core/engine/api.js';
import type { ServerEngine, ServerVerification } from '../../../electron/core/engine/servers.js';
import { parseVerifyReport } from '../../../shared/render/powershell/result.js';
import { verifyJson } from '../pack/results-fixtures.js';
import type { BalancerConnector, RemoteResult } from '../../../electron/core/probes/balancer.js';
import type { SmbLister, SmbListResult } from '../../../electron/core/probes/smb.js';
import type { TcpResult, TcpTarget } from '../../../electron/core/probes/tcp.js';
import { verifySite, type VerifyOptions } from '../../../electron/core/probes/verify.js';
import type { DnsQueryResult, SystemLookupResult } from '../../../electron/core/probes/dns.js';
import { loadSiteYaml } from '../../../shared/site/load.js';
import type { Site } from '../../../shared/site/schema.js';
import { parseSmbclientGrepable } from '../../../shared/verify/smb.js';
import { VerifyReportSchema, type VerifyReport } from '../../../shared/verify/report.js';

const root = join(__dirname, '../../..');
const fx = (name: string): string => readFileSync(join(root, 'test/fixtures/verify', name), 'utf8');
function site(file: string, patch?: (s: Site) => void): Site {
  const r = loadSiteYaml(readFileSync(join(root, 'examples', file), 'utf8'));
  if (!r.ok) throw new Error(`${file} invalid`);
  patch?.(r.site);
  return r.site;
}

const ctx: RunContext = {
  knownHostsPath: '/nonexistent/known_hosts',
  credential: async () => undefined,
  confirmHostKey: async () => false,
  onEvent: () => undefined,
};

interface BalancerFake {
  stat?: (node: string) => string;
  table?: string;
  ipvs?: string;
  lbcli?: string;
  tshark?: (node: string) => string;
  vipOn?: string;
  unreachable?: string[];
}

function fakeBalancer(f: BalancerFake): { connector: BalancerConnector; log: { node: string; argv: string[]; stdin?: string }[] } {
  const log: { node: string; argv: string[]; stdin?: string }[] = [];
  const ok = (stdout: string): RemoteResult => ({ stdout, stderr: '', code: 0 });
  return {
    log,
    connector: {
      async connect(node) {
        if (f.unreachable?.includes(node.name)) throw new Error(`Authentication failed for root@${node.address}:22 (tried: publickey).`);
        return async (argv, o = {}) => {
          log.push({ node: node.name, argv: [...argv], ...(o.stdin !== undefined ? { stdin: o.stdin } : {}) });
          const [cmd] = argv;
          if (cmd === 'ip') return ok(node.name === (f.vipOn ?? 'pha-lb1') ? '2: eth0    inet 10.99.0.10/32 scope global eth0\n' : '2: eth0    inet 10.99.0.12/24\n');
          if (cmd === 'socat') {
            const q = o.stdin ?? '';
            if (q.startsWith('show stat')) return ok(f.stat?.(node.name) ?? fx('show-stat-up.csv'));
            if (q.startsWith('show table')) return ok(f.table ?? fx('show-table.txt').replace('10.99.0.100', '10.99.0.100'));
            if (q.startsWith('set server')) return ok('\n');
          }
          if (cmd === 'ipvsadm') return { stdout: '', stderr: f.ipvs ?? fx('ipvsadm-no-ipvs.txt'), code: 2 };
          if (cmd?.endsWith('lbcli')) return ok(f.lbcli ?? '');
          if (cmd === 'tshark') return ok(f.tshark?.(node.name) ?? '');
          return { stdout: '', stderr: `${cmd}: not found`, code: 127 };
        };
      },
      async close() {},
    },
  };
}

function fakeSmb(down: string[] = []): SmbLister {
  const good = fx('smbclient-g-vip.txt');
  return {
    tool: 'smbclient',
    unavailable: async () => undefined,
    async list(t): Promise<SmbListResult> {
      const host = t.address ?? t.name;
      const refused = down.includes(host);
      const output = refused ? fx('smbclient-refused.txt') : good;
      const shares = refused ? [] : parseSmbclientGrepable(good);
      return { ok: !refused, shares, command: `smbclient -g -L //${t.name}${t.address ? ` -I ${t.address}` : ''} -N`, output, authenticated: false, ms: 5, ...(refused ? { status: 'NT_STATUS_CONNECTION_REFUSED', error: 'NT_STATUS_CONNECTION_REFUSED' } : {}) };
    },
  };
}

function fakeTcp(closed: string[] = [], servedBy: () => string = () => 'pha-ps1'): NonNullable<VerifyOptions['tcp']> {
  const res = (t: TcpTarget): TcpResult => (closed.includes(`${t.host}:${t.port}`) ? { ...t, open: false, ms: 0.2, error: 'ECONNREFUSED' } : { ...t, open: true, ms: 0.3, localAddress: '10.99.0.100' });
  return {
    sweep: async (targets) => targets.map(res),
    connect: async (host, port, o) => {
      const r = res({ host, port });
      return r.open && o?.bannerMs && port !== 445 ? { ...r, banner: `${servedBy()} ${port}` } : r;
    },
  };
}

const dns: NonNullable<VerifyOptions['dns']> = {
  query: async (server, name, type): Promise<DnsQueryResult> => ({
    server,
    name,
    type,
    ms: 1,
    command: `dig @${server} ${name} ${type}`,
    response: { id: 1, rcode: 0, rcodeName: 'NOERROR', authoritative: true, truncated: false, answers: [{ name, type: 'A', ttl: 0, data: '10.99.0.10' }] },
  }),
  lookup: async (name): Promise<SystemLookupResult> => ({ name, addresses: ['10.99.0.10'], servers: ['10.99.0.53'], ms: 1 }),
};

/**
 * FAKE print servers (no Windows in a unit test): verify.ps1's answer per server, built from the pack
 * fixture and parsed by the product's own parser; `down` servers answer like an unreachable host.
 */
function fakeServers(o: { down?: string[]; failing?: Record<string, string> } = {}): Pick<ServerEngine, 'verify'> & { calls: number } {
  const f = {
    calls: 0,
    verify: async (r: Parameters<ServerEngine['verify']>[0]): Promise<ServerVerification[]> => {
      f.calls++;
      return r.site.servers.map((s) => {
        const command = `servers/${s.label}/verify.ps1 over PowerShell remoting (ssh) to ${s.address}`;
        if (o.down?.includes(s.label)) return { label: s.label, command, error: `${s.label}: ssh: connect to host ${s.address} port 22: Connection refused`, unreachable: true, ms: 3 };
        const json = verifyJson(s.label, s.address, ['Follow-Me', 'Colour']) as { checks: { id: string; ok: boolean; actual: unknown }[] };
        const bad = o.failing?.[s.label];
        if (bad) json.checks.push({ id: bad, ok: false, actual: null });
        return { label: s.label, command, report: parseVerifyReport(json), output: JSON.stringify(json), ms: 5 };
      });
    },
  };
  return f;
}
const noServers = fakeServers();

function check(r: VerifyReport, id: string) {
  const c = r.checks.find((x) => x.id === id);
  if (!c) throw new Error(`no check ${id}; have ${r.checks.map((x) => x.id).join(', ')}`);
  return c;
}

describe('verifySite (fakes)', () => {
  it('a healthy SNAT pair: every applicable check passes; the report has the guide overview, shares, ports and views', async () => {
    const b = fakeBalancer({});
    const r = await verifySite(site('lab-snat.yaml'), ctx, { connector: b.connector, smb: fakeSmb(), dns, tcp: fakeTcp(), servers: noServers });
    expect(() => VerifyReportSchema.parse(r)).not.toThrow();
    expect(r.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.overview.map((o) => [o.label, o.ip, o.ports, o.method, o.mode])).toEqual([
      ['PrintServers', '10.99.0.10', '445', 'Layer 7', 'SNAT'],
      ['Dispatcher', '10.99.0.10', '25,53,80,443,465,515,587,50808-50809', 'Layer 7', 'SNAT'],
    ]);
    expect(r.overview[0]!.reals.map((x) => [x.label, x.ip, x.weight, x.state])).toEqual([
      ['PS1', '10.99.0.21', 100, 'up'],
      ['PS2', '10.99.0.22', 100, 'up'],
    ]);
    expect(r.shares.map((s) => s.via)).toEqual(['\\\\10.99.0.21', '\\\\10.99.0.22', '\\\\10.99.0.10', '\\\\Dispatcher']);
    expect(r.ports!.filter((p) => p.via === 'vip').map((p) => p.port)).toEqual([445, 25, 53, 80, 443, 465, 515, 587, 50808, 50809]);
    expect(r.views!.map((v) => [v.node, v.holdsVip])).toEqual([
      ['pha-lb1', true],
      ['pha-lb2', false],
    ]);
    expect(check(r, 'persistence').status).toBe('pass');
    expect(check(r, 'healthcheck-form').status).toBe('not-applicable');
    // verify.ps1 ran on each server: one check for the run, one per verify.ps1 check
    expect(check(r, 'windows-verify-PS1')).toMatchObject({ status: 'pass', observation: expect.stringMatching(/^3\/3 checks passed; booted 2026-05-01T10:20:00Z$/) });
    expect(check(r, 'windows-PS2-registry:DisableLoopbackCheck')).toMatchObject({ status: 'pass', observation: '1' });
    // the runtime API is read over the admin socket the generator writes
    expect(b.log.some((l) => l.argv.join(' ') === 'socat -t 5 stdio UNIX-CONNECT:/run/haproxy/admin.sock' && l.stdin === 'show stat\n')).toBe(true);
    expect(check(r, 'balancer-pha-lb1-PS1').evidence[0]!.command).toBe("ssh root@10.99.0.11 socat -t 5 stdio UNIX-CONNECT:/run/haproxy/admin.sock <<< 'show stat'");
  });

  it('smbd stopped on PS1: PS1 down in the balancer view, 445 on PS1 failing, the listing through the VIP still passes', async () => {
    const r = await verifySite(site('lab-snat.yaml'), ctx, {
      connector: fakeBalancer({ stat: () => fx('show-stat-ps1-down.csv') }).connector,
      smb: fakeSmb(['10.99.0.21']),
      dns,
      tcp: fakeTcp(['10.99.0.21:445'], () => 'pha-ps2'),
      servers: noServers,
    });
    expect(r.ok).toBe(false);
    expect(check(r, 'balancer-pha-lb1-PS1')).toMatchObject({ status: 'fail', observation: expect.stringContaining('DOWN (L4CON: Connection refused)') });
    expect(check(r, 'balancer-pha-lb1-PS2').status).toBe('pass');
    expect(check(r, 'tcp-direct-PS1-PrintServers')).toMatchObject({ status: 'fail', observation: '0/1 open; failing: 445 (ECONNREFUSED)' });
    expect(check(r, 'smb-direct-PS1')).toMatchObject({ status: 'fail', observation: expect.stringMatching(/NT_STATUS_CONNECTION_REFUSED — nothing accepts SMB/) });
    expect(check(r, 'smb-vip').status).toBe('pass');
    expect(check(r, 'smb-sharename').status).toBe('pass');
    expect(r.overview[0]!.reals[0]).toMatchObject({ label: 'PS1', state: 'down', reason: 'L4CON: Connection refused' });
    expect(r.ports!.find((p) => p.via === 'direct' && p.host === '10.99.0.21' && p.port === 445)).toMatchObject({ open: false, error: 'ECONNREFUSED' });
  });

  it('an unreachable balancer node fails with the SSH message; the other node still gives the view', async () => {
    const r = await verifySite(site('lab-snat.yaml'), ctx, { connector: fakeBalancer({ unreachable: ['pha-lb2'] }).connector, smb: fakeSmb(), dns, tcp: fakeTcp(), servers: noServers });
    expect(check(r, 'balancer-pha-lb2')).toMatchObject({ status: 'fail', observation: expect.stringMatching(/Authentication failed for root@10\.99\.0\.12/) });
    expect(r.views!.find((v) => v.node === 'pha-lb2')!.error).toMatch(/Authentication failed/);
    expect(r.overview[0]!.reals.every((x) => x.state === 'up')).toBe(true);
  });

  it('DR without IPVS (linux-haproxy): the data path is "not verifiable here", never a pass', async () => {
    const s = site('phoenix-dr.yaml', (x) => {
      x.balancer.platform = 'linux-haproxy';
    });
    const r = await verifySite(s, ctx, { connector: fakeBalancer({}).connector, smb: fakeSmb(), dns, tcp: fakeTcp(), servers: noServers, drill: true });
    for (const id of ['tcp-vip-PrintServers', 'persistence', 'drill-move']) expect(check(r, id)).toMatchObject({ status: 'not-applicable', why: expect.stringMatching(/not verifiable here.*IPVS/) });
    expect(r.checks.filter((c) => c.id.startsWith('balancer-')).every((c) => c.status === 'not-applicable')).toBe(true);
    expect(r.overview.every((o) => o.mode === 'DR' && o.method === 'Layer 4' && o.reals.every((x) => x.state === 'unknown'))).toBe(true);
    expect(r.ports!.some((p) => p.via === 'vip')).toBe(false);
  });

  it('a Loadbalancer.org appliance, Layer 4 without IPVS: lbcli gives the RIPs, health is not verifiable here', async () => {
    const r = await verifySite(site('lab-lborg-dr.yaml'), ctx, { connector: fakeBalancer({ lbcli: fx('lbcli-list-l4-sandbox.txt') }).connector, smb: fakeSmb(), dns, tcp: fakeTcp(), servers: noServers });
    expect(r.views).toHaveLength(1);
    expect(r.views![0]!.source).toBe('lbcli list --layer 4');
    const ps1 = check(r, 'balancer-pha-lb1-PS1');
    expect(ps1).toMatchObject({ status: 'not-applicable', why: expect.stringMatching(/Layer 4 health lives in IPVS/) });
    expect(r.overview[0]!.reals[0]!.reason).toMatch(/no IPVS/);
    // no IPVS: nothing forwards the VIP, so listings through it are not verifiable here (never a pass or a fail)
    for (const id of ['smb-vip', 'smb-sharename', 'tcp-vip-PrintServers', 'persistence']) expect(check(r, id)).toMatchObject({ status: 'not-applicable', why: expect.stringMatching(/DR data path needs IPVS/) });
    expect(check(r, 'smb-direct-PS1').status).toBe('pass');
  });

  it('a Loadbalancer.org RIP in drain fails the view check (Layer 7)', async () => {
    const up = fx('lbcli-list-l7-sandbox.txt').replaceAll('unknown (HAProxy not running this VIP: reload-haproxy?)', 'UP');
    const r = await verifySite(site('lab-lborg-snat.yaml'), ctx, { connector: fakeBalancer({ lbcli: up }).connector, smb: fakeSmb(), dns, tcp: fakeTcp(), servers: noServers });
    expect(check(r, 'balancer-pha-lb1-PS1').status).toBe('pass');
    expect(check(r, 'balancer-pha-lb1-PS2')).toMatchObject({ status: 'fail', observation: expect.stringContaining('DRAIN') });
  });

  it('the drill halts the server this client uses on every node, sees the move, restores it', async () => {
    let halted = false;
    const stat = (): string => {
      const t = fx('show-stat-up.csv');
      return halted ? t.replace(/^(PrintServers|Dispatcher),PS1,(.*?),UP,/gm, '$1,PS1,$2,MAINT,') : t;
    };
    const b = fakeBalancer({ stat });
    const tcp = fakeTcp([], () => (halted ? 'pha-ps2' : 'pha-ps1'));
    const origConnect = b.connector.connect.bind(b.connector);
    b.connector.connect = async (node) => {
      const exec = await origConnect(node);
      return async (argv, o) => {
        if (o?.stdin?.includes('state maint')) halted = true;
        if (o?.stdin?.includes('state ready')) halted = false;
        return exec(argv, o);
      };
    };
    const r = await verifySite(site('lab-snat.yaml'), ctx, { connector: b.connector, smb: fakeSmb(), dns, tcp, servers: noServers, drill: true });
    expect(check(r, 'drill-move')).toMatchObject({ status: 'pass', observation: expect.stringMatching(/^moved to PS2 [\d.]+ s after the halt$/) });
    expect(check(r, 'drill-restore')).toMatchObject({ status: 'pass' });
    const sets = b.log.filter((l) => l.stdin?.startsWith('set server'));
    expect(sets.map((l) => [l.node, l.stdin])).toEqual([
      ['pha-lb1', 'set server PrintServers/PS1 state maint;set server Dispatcher/PS1 state maint\n'],
      ['pha-lb2', 'set server PrintServers/PS1 state maint;set server Dispatcher/PS1 state maint\n'],
      ['pha-lb1', 'set server PrintServers/PS1 state ready;set server Dispatcher/PS1 state ready\n'],
      ['pha-lb2', 'set server PrintServers/PS1 state ready;set server Dispatcher/PS1 state ready\n'],
    ]);
    expect(check(r, 'drill-move').evidence.map((e) => e.output).join('\n')).toMatch(/PS1 MAINT/);
  });

  it('no drill unless asked', async () => {
    const b = fakeBalancer({});
    const r = await verifySite(site('lab-snat.yaml'), ctx, { connector: b.connector, smb: fakeSmb(), dns, tcp: fakeTcp(), servers: noServers });
    expect(r.checks.some((c) => c.category === 'drill')).toBe(false);
    expect(b.log.some((l) => l.stdin?.startsWith('set server'))).toBe(false);
  });

  it('Paragon: the capture verdict per check port (half-open passes, a FIN fails), the passive range is not probed', async () => {
    const row = (t: number, a: string, ap: number, b: string, bp: number, f: string): string =>
      [t, a, '', ap, b, '', bp, f.includes('S') ? 1 : 0, f.includes('A') ? 1 : 0, f.includes('R') ? 1 : 0, f.includes('F') ? 1 : 0, 0].join('\t');
    const flows = (lb: string, fin: boolean): string =>
      [5555, 5022, 515]
        .flatMap((port, i) =>
          ['10.99.0.21', '10.99.0.22'].flatMap((srv, j) => {
            const sp = 40000 + i * 10 + j;
            const t = i + j * 0.1;
            return fin && port === 5555
              ? [row(t, lb, sp, srv, port, 'S'), row(t + 0.001, srv, port, lb, sp, 'SA'), row(t + 0.002, lb, sp, srv, port, 'A'), row(t + 0.003, lb, sp, srv, port, 'FA')]
              : [row(t, lb, sp, srv, port, 'S'), row(t + 0.001, srv, port, lb, sp, 'SA'), row(t + 0.002, lb, sp, srv, port, 'RA')];
          }),
        )
        .join('\n');
    const b = fakeBalancer({ tshark: (n) => flows(n === 'pha-lb1' ? '10.99.0.11' : '10.99.0.12', n === 'pha-lb2') });
    const r = await verifySite(site('lab-paragon.yaml'), ctx, { connector: b.connector, smb: fakeSmb(), dns, tcp: fakeTcp(), servers: noServers, captureSeconds: 4 });
    expect(check(r, 'healthcheck-halfopen-pha-lb1-5555')).toMatchObject({ status: 'pass', observation: expect.stringMatching(/port 5555: 2 half-open/) });
    expect(check(r, 'healthcheck-halfopen-pha-lb1-5022').status).toBe('pass');
    expect(check(r, 'healthcheck-halfopen-pha-lb1-515').status).toBe('pass');
    expect(check(r, 'healthcheck-halfopen-pha-lb2-5555')).toMatchObject({ status: 'fail', observation: expect.stringMatching(/closed with FIN/) });
    const cap = b.log.find((l) => l.argv[0] === 'tshark')!;
    expect(cap.argv).toEqual(expect.arrayContaining(['-i', 'eth0', '-f', 'tcp and (port 515 or port 5022 or port 5555) and (host 10.99.0.21 or host 10.99.0.22)', '-a', 'duration:4']));
    expect(check(r, 'tcp-passive-ParagonTerminal')).toMatchObject({ status: 'not-applicable' });
    expect(r.ports!.some((p) => p.port >= 50000 && p.port <= 50020)).toBe(false);
    expect(r.ports!.filter((p) => p.via === 'direct' && p.host === '10.99.0.21').map((p) => p.port)).toEqual(expect.arrayContaining([21, 5011, 5025, 5610, 5555, 515]));
    expect(check(r, 'smb-vip')).toMatchObject({ status: 'not-applicable', why: 'no VIP of this site balances SMB (TCP 445)' });
  });

  it('DNS not known to this machine and no dns section: not-applicable, with why', async () => {
    const s = site('lab-snat.yaml', (x) => {
      delete x.dns;
    });
    const r = await verifySite(s, ctx, {
      connector: fakeBalancer({}).connector,
      smb: fakeSmb(),
      dns: { lookup: async (name) => ({ name, addresses: [], error: 'ENOTFOUND', servers: ['192.0.2.53'], ms: 1 }) },
      tcp: fakeTcp(),
      servers: noServers,
    });
    expect(check(r, 'dns-site')).toMatchObject({ status: 'not-applicable', why: expect.stringMatching(/no DNS server/) });
    expect(check(r, 'dns-system')).toMatchObject({ status: 'not-applicable', why: expect.stringMatching(/does not know Dispatcher/) });
    expect(check(r, 'smb-sharename').status).toBe('not-applicable');
  });

  it('the site DNS server does not have the record: dns-site fails and \\\\ShareName cannot be listed', async () => {
    const r = await verifySite(site('lab-snat.yaml'), ctx, {
      connector: fakeBalancer({}).connector,
      smb: fakeSmb(),
      dns: {
        query: async (server, name, type) => ({ server, name, type, ms: 1, command: 'dig', response: { id: 1, rcode: 3, rcodeName: 'NXDOMAIN', authoritative: false, truncated: false, answers: [] } }),
        lookup: async (name) => ({ name, addresses: [], error: 'ENOTFOUND', servers: ['10.99.0.53'], ms: 1 }),
      },
      tcp: fakeTcp(),
      servers: noServers,
    });
    expect(check(r, 'dns-site')).toMatchObject({ status: 'fail', observation: 'NXDOMAIN: no records' });
    expect(check(r, 'dns-system').status).toBe('fail');
    expect(check(r, 'smb-sharename')).toMatchObject({ status: 'fail', observation: expect.stringMatching(/does not resolve/) });
  });

  it('Windows side: an unreachable server and a failing verify.ps1 check fail the report, naming the server; balancer-only scope does not reach the servers', async () => {
    const servers = fakeServers({ down: ['PS1'], failing: { PS2: 'registry:OptionalNames:Dispatcher' } });
    const r = await verifySite(site('lab-snat.yaml'), ctx, { connector: fakeBalancer({}).connector, smb: fakeSmb(), dns, tcp: fakeTcp(), servers });
    expect(r.ok).toBe(false);
    expect(check(r, 'windows-verify-PS1')).toMatchObject({ status: 'fail', observation: expect.stringMatching(/^PS1 could not be reached: .*Connection refused/) });
    expect(check(r, 'windows-verify-PS1').evidence[0]!.command).toMatch(/servers\/PS1\/verify\.ps1 over PowerShell remoting/);
    expect(check(r, 'windows-verify-PS2')).toMatchObject({ status: 'fail', observation: expect.stringMatching(/3\/4 checks passed; failing: registry:OptionalNames:Dispatcher/) });
    expect(check(r, 'windows-PS2-registry:OptionalNames:Dispatcher').status).toBe('fail');
    expect(r.checks.filter((c) => c.status === 'fail').map((c) => c.id)).toEqual(['windows-verify-PS1', 'windows-verify-PS2', 'windows-PS2-registry:OptionalNames:Dispatcher']);

    const other = fakeServers();
    const b = await verifySite(site('lab-snat.yaml'), ctx, { connector: fakeBalancer({}).connector, smb: fakeSmb(), dns, tcp: fakeTcp(), servers: other, only: 'balancer' });
    expect(other.calls).toBe(0);
    expect(check(b, 'windows-verify-PS1')).toMatchObject({ status: 'not-applicable', why: expect.stringMatching(/balancer-only scope/) });
  });

  it('Windows side without PowerShell on this machine: not applicable, saying how to run verify.ps1 by hand', async () => {
    const { UnavailableServerEngine } = await import('../../../electron/core/engine/servers.js');
    const r = await verifySite(site('lab-snat.yaml'), ctx, { connector: fakeBalancer({}).connector, smb: fakeSmb(), dns, tcp: fakeTcp(), servers: new UnavailableServerEngine({ PATH: '' }) });
    expect(check(r, 'windows-verify-PS2')).toMatchObject({ status: 'not-applicable', why: expect.stringMatching(/no pwsh\/powershell executable found.*servers\/PS2\/verify\.ps1.*printha import/) });
    expect(r.ok).toBe(true);
  });
});
