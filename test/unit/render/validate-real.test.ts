/**
 * REAL validation of the linux-haproxy generators with the daemons installed on this machine:
 * every haproxy.cfg must pass `haproxy -c` (with -L <primary node> so the peers section is
 * complete, and without any WARNING/ALERT), every keepalived.conf `keepalived -t -e` (exit 0: no
 * error and no warning), every nftables file `nft -c -f` (when nft is installed). For every example
 * and for 200 random valid sites (fast-check: profile, services, mode, IPv4/IPv6, port overrides,
 * 1-20 servers, with or without a secondary; valid = schema + no error finding from runRules).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveSite, type ResolvedSite } from '../../../shared/model/resolve.js';
import { getProfile } from '../../../shared/profiles/index.js';
import { renderHaproxyCfg } from '../../../shared/render/haproxy.js';
import { renderKeepalivedConf } from '../../../shared/render/keepalived.js';
import { renderFwmarkRules } from '../../../shared/render/nft.js';
import { validateSiteData } from '../../../shared/rules/index.js';
import { PROFILES, type Site, type SiteInput } from '../../../shared/site/schema.js';
import { CHECK_SCRIPT_FILE, exampleFiles, loadExample, requireTool, which } from './lb-helpers.js';

const SEED = 20261121;
const WANT_RANDOM = 200;

let dir = '';
let scriptPath = '';
let haproxy = '';
let keepalived = '';
let hostIface = '';
const nft = which('nft');

/**
 * keepalived -t rejects a VRRP interface that does not exist on the machine running the test, so
 * the keepalived configs are validated with the nodes' interface set to one of this machine's NICs
 * (the structural tests check that the site's interface name is used).
 */
function pickHostInterface(): string {
  const nics = readdirSync('/sys/class/net').filter((n) => n !== 'lo' && !n.startsWith('ifb'));
  const pick = nics.includes('eth0') ? 'eth0' : nics.sort()[0];
  if (!pick) throw new Error('no network interface besides lo on this machine: keepalived -t needs one for the VRRP instance');
  return pick;
}

beforeAll(() => {
  haproxy = requireTool('haproxy', 'haproxy');
  keepalived = requireTool('keepalived', 'keepalived');
  requireTool('killall', 'psmisc'); // the SNAT vrrp_script; keepalived -t fails without it
  hostIface = pickHostInterface();
  dir = mkdtempSync(join(tmpdir(), 'printha-validate-'));
  // keepalived wants scripts in root-owned, non-writable directories (enable_script_security)
  const bin = join(dir, 'bin');
  mkdirSync(bin, { mode: 0o755 });
  chmodSync(dir, 0o755);
  scriptPath = join(bin, 'printha-halfopen-check');
  copyFileSync(CHECK_SCRIPT_FILE, scriptPath);
  chmodSync(scriptPath, 0o755);
  if (!nft) console.warn('nft (nftables) is not installed: the fwmark rules are checked structurally only, not with nft -c');
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Failure {
  what: string;
  out: string;
}

function run(bin: string, args: string[]): { rc: number; out: string } {
  const r = spawnSync(bin, args, { encoding: 'utf8', timeout: 30_000 });
  return { rc: r.status ?? -1, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

let fileNo = 0;
/** Renders every balancer file of a site, validates them, returns the failures. */
function validateSite(name: string, r: ResolvedSite): Failure[] {
  const fails: Failure[] = [];
  const base = join(dir, `s${++fileNo}`);
  const cfg = renderHaproxyCfg(r);
  writeFileSync(`${base}.haproxy.cfg`, cfg);
  const h = run(haproxy, ['-c', '-f', `${base}.haproxy.cfg`, '-L', r.nodes[0]!.name]);
  if (h.rc !== 0 || /\[(WARNING|ALERT)\]/.test(h.out)) fails.push({ what: `${name}: haproxy -c (rc ${h.rc})`, out: `${h.out}\n--- config:\n${cfg}` });
  const rk: ResolvedSite = { ...r, nodes: r.nodes.map((n) => ({ ...n, interface: hostIface })) };
  for (const n of rk.nodes) {
    const conf = renderKeepalivedConf(rk, n, { checkScriptPath: scriptPath });
    const f = `${base}.keepalived-${n.name}.conf`;
    writeFileSync(f, conf);
    const k = run(keepalived, ['-t', '-e', '-f', f]);
    if (k.rc !== 0) fails.push({ what: `${name}: keepalived -t -e for ${n.name} (rc ${k.rc})`, out: `${k.out}\n--- config:\n${conf}` });
  }
  const rules = renderFwmarkRules(r);
  if (rules && nft) {
    writeFileSync(`${base}.nft`, rules);
    const c = run(nft, ['-c', '-f', `${base}.nft`]);
    if (c.rc !== 0) fails.push({ what: `${name}: nft -c (rc ${c.rc})`, out: `${c.out}\n--- rules:\n${rules}` });
  }
  return fails;
}

function report(fails: Failure[]): string {
  return fails
    .slice(0, 3)
    .map((f) => `${f.what}\n${f.out}`)
    .join('\n\n');
}

// ---------- random valid sites ----------

const label = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,9}$/);
const port = fc.integer({ min: 1, max: 65535 });
const smallRange = fc.tuple(fc.integer({ min: 1024, max: 60000 }), fc.integer({ min: 1, max: 40 })).map(([a, n]) => `${a}-${a + n}`);
const portSpec = fc.oneof({ arbitrary: port, weight: 3 }, { arbitrary: smallRange, weight: 1 });

const override = (mode: 'dr' | 'snat') =>
  fc.record(
    {
      ports: fc.array(portSpec, { minLength: 1, maxLength: 4 }),
      checkPort: port,
      checkPorts: fc.uniqueArray(port, { minLength: 1, maxLength: 3 }),
      backendPort: mode === 'snat' ? port : fc.constant(undefined),
      persistenceMinutes: fc.integer({ min: 0, max: 240 }),
      scheduler: fc.constantFrom('lc', 'wlc', 'rr', 'wrr'),
      checkIntervalSeconds: fc.integer({ min: 1, max: 30 }),
      fall: fc.integer({ min: 1, max: 10 }),
      riseSeconds: fc.integer({ min: 0, max: 300 }),
      passivePorts: fc.integer({ min: 30000, max: 60000 }).chain((a) => fc.integer({ min: 0, max: 100 }).map((n) => `${a}-${a + n}`)),
    },
    { requiredKeys: [] },
  );

const siteArb: fc.Arbitrary<SiteInput> = fc
  .record({
    profile: fc.constantFrom(...PROFILES),
    mode: fc.constantFrom('dr' as const, 'snat' as const),
    v6: fc.integer({ min: 0, max: 4 }).map((x) => x === 0),
    net: fc.integer({ min: 0, max: 255 }),
    hosts: fc.uniqueArray(fc.integer({ min: 2, max: 250 }), { minLength: 23, maxLength: 23 }),
    nServers: fc.integer({ min: 1, max: 20 }),
    labels: fc.uniqueArray(label, { minLength: 20, maxLength: 20, selector: (s) => s.toLowerCase() }),
    weights: fc.array(fc.oneof(fc.constant(100), fc.integer({ min: 0, max: 256 })), { minLength: 20, maxLength: 20 }),
    secondary: fc.boolean(),
    lbNames: fc.uniqueArray(label, { minLength: 2, maxLength: 2, selector: (s) => s.toLowerCase() }),
    iface: fc.constantFrom('eth0', 'ens192', 'bond0.10', 'enp1s0'),
    vrid: fc.integer({ min: 1, max: 255 }),
    share: fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,14}$/),
    serviceMask: fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
    overrideSeeds: fc.array(fc.option(fc.constant(true), { freq: 2 }), { minLength: 5, maxLength: 5 }),
    ovDr: fc.array(override('dr'), { minLength: 5, maxLength: 5 }),
    ovSnat: fc.array(override('snat'), { minLength: 5, maxLength: 5 }),
    name: fc.string({ maxLength: 40 }),
  })
  .map((x): SiteInput => {
    const addr = (h: number): string => (x.v6 ? `2001:db8:${x.net.toString(16)}::${h.toString(16)}` : `10.${x.net}.7.${h}`);
    const prof = getProfile(x.profile);
    let ids = prof.services.map((s) => s.id).filter((_, i) => x.serviceMask[i]);
    if (ids.length === 0) ids = [...prof.defaultServices];
    const overrides: Record<string, object> = {};
    ids.forEach((id, i) => {
      if (x.overrideSeeds[i]) overrides[id] = (x.mode === 'dr' ? x.ovDr : x.ovSnat)[i]!;
    });
    const h = x.hosts;
    const site: SiteInput = {
      version: 1,
      name: `random ${x.name}`,
      profile: x.profile,
      services: ids,
      mode: x.mode,
      vip: addr(h[0]!),
      shareName: x.share,
      network: { prefixLength: x.v6 ? 64 : 24 },
      balancer: {
        platform: 'linux-haproxy',
        primary: { address: addr(h[1]!), name: x.lbNames[0]!, interface: x.iface },
        vrrpRouterId: x.vrid,
      },
      servers: Array.from({ length: x.nServers }, (_, i) => ({ label: x.labels[i]!, address: addr(h[3 + i]!), weight: x.weights[i]! })),
      windows: { transport: 'winrm', user: 'CORP\\deploy' },
    };
    if (x.secondary) site.balancer.secondary = { address: addr(h[2]!), name: x.lbNames[1]!, interface: x.iface };
    if (Object.keys(overrides).length > 0) site.overrides = JSON.parse(JSON.stringify(overrides)) as SiteInput['overrides'];
    return site;
  });

function randomValidSites(): { sites: Site[]; tried: number } {
  const out: Site[] = [];
  let tried = 0;
  for (let round = 0; round < 10 && out.length < WANT_RANDOM; round++) {
    for (const cand of fc.sample(siteArb, { numRuns: 1000, seed: SEED + round })) {
      tried++;
      const v = validateSiteData(cand);
      if (v.ok && v.site) out.push(v.site);
      if (out.length >= WANT_RANDOM) break;
    }
  }
  return { sites: out, tried };
}

describe('real validation: haproxy -c, keepalived -t -e, nft -c', () => {
  it('every example renders configs the real daemons accept', () => {
    const files = exampleFiles();
    expect(files.length).toBeGreaterThanOrEqual(4);
    const fails = files.flatMap((f) => validateSite(f, resolveSite(loadExample(f))));
    expect(fails, report(fails)).toEqual([]);
  });

  it('the Paragon example also validates in DR mode and with the tcp-check fallback', () => {
    const s = structuredClone(loadExample('paragon.yaml'));
    s.mode = 'dr';
    const fails = validateSite('paragon.yaml as DR', resolveSite(s));
    const snat = resolveSite(loadExample('paragon.yaml'));
    writeFileSync(join(dir, 'tcpcheck.cfg'), renderHaproxyCfg(snat, { multiPortHalfOpen: 'tcp-check' }));
    const h = run(haproxy, ['-c', '-f', join(dir, 'tcpcheck.cfg'), '-L', 'lb1']);
    if (h.rc !== 0) fails.push({ what: 'paragon tcp-check fallback: haproxy -c', out: h.out });
    expect(fails, report(fails)).toEqual([]);
  });

  it(`${WANT_RANDOM} random valid sites (fast-check, seed ${SEED}) render configs the real daemons accept`, { timeout: 600_000 }, () => {
    const { sites, tried } = randomValidSites();
    console.log(`random sites: ${sites.length} valid of ${tried} generated`);
    expect(sites.length, `only ${sites.length} of ${tried} random sites passed the rules`).toBe(WANT_RANDOM);
    // the sample must exercise the interesting shapes, or the property proves little
    const rs = sites.map((s) => resolveSite(s));
    expect(rs.some((r) => r.site.mode === 'dr' && renderFwmarkRules(r) !== '')).toBe(true);
    expect(rs.some((r) => r.site.mode === 'snat' && r.vips.some((v) => v.check.kind === 'half-open' && v.check.ports.length > 1))).toBe(true);
    expect(rs.some((r) => r.family === 6)).toBe(true);
    expect(rs.some((r) => r.nodes.length === 1)).toBe(true);
    expect(rs.some((r) => r.site.servers.length >= 10)).toBe(true);
    const fails: Failure[] = [];
    rs.forEach((r, i) => fails.push(...validateSite(`random site #${i} (${JSON.stringify(sites[i])})`, r)));
    expect(fails, report(fails)).toEqual([]);
  });
});
