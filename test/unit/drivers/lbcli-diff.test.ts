/**
 * shared/plan/loadbalancer-org.ts: the lbcli diff between the wanted VIPs/RIPs and what the
 * appliance reports. Add, edit and delete only what differs, and only OUR VIPs (the labels the site
 * generates); foreign VIPs are never named in any command. Idempotency is checked against the lab's
 * lbcli emulator in sandbox mode: every command the diff produces is run through it, and the dump it
 * then prints must give an empty diff.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExistingVip } from '../../../shared/model/facts.js';
import { resolveSite } from '../../../shared/model/resolve.js';
import { diffLbcli, parseDumpconfigDetails, planLoadbalancerOrg } from '../../../shared/plan/loadbalancer-org.js';
import { lbcliCommands, wantedLbcliState, type LbcliCommand } from '../../../shared/render/lbcli.js';
import { loadSiteYaml } from '../../../shared/site/load.js';
import type { Site } from '../../../shared/site/schema.js';

const LBCLI = join(process.cwd(), 'test/lab/lbcli/lbcli.py');
const PY = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const hasPython = spawnSync(PY, ['--version']).status === 0;
if (!hasPython) console.warn('[lbcli-diff] emulator round trips skipped: python3 is not installed');

function site(edit: (s: string) => string = (s) => s): Site {
  const r = loadSiteYaml(edit(readFileSync(join(process.cwd(), 'examples/lab-lborg-snat.yaml'), 'utf8')));
  if (!r.ok) throw new Error(JSON.stringify(r.findings));
  return r.site;
}

/** Every value given to --vip in the commands. */
const vipsNamed = (cmds: readonly LbcliCommand[]): string[] => cmds.flatMap((c) => c.argv.flatMap((a, i) => (a === '--vip' && c.argv[i + 1] !== undefined ? [c.argv[i + 1]!] : [])));
const actions = (cmds: readonly LbcliCommand[]): string[] => cmds.map((c) => `${c.argv[2]}${c.vip ? ` ${c.vip}` : ''}${c.rip ? ` ${c.rip}` : ''}`);

const FOREIGN: ExistingVip[] = [
  // same IP and an overlapping port, Layer 4 and Layer 7: still not ours
  { label: 'Intranet', ip: '10.99.0.10', ports: '8080', layer: 7, reals: [{ label: 'PS1', ip: '10.99.0.21', port: '80' }], settings: { mode: 'http', scheduler: 'roundrobin' } },
  { label: 'printservers', ip: '10.99.0.60', ports: '445', layer: 4, forwarding: 'gate', reals: [{ label: 'X', ip: '10.99.0.99' }] },
];

describe('diffLbcli (pure)', () => {
  const r = resolveSite(site());
  const wanted = wantedLbcliState(r);

  it('on an empty appliance sends exactly the commands of lbcli.sh, in the same order', () => {
    const d = diffLbcli(wanted, []);
    expect(d.commands.map((c) => c.argv)).toEqual(lbcliCommands(r).map((c) => c.argv));
    expect(actions(d.commands).at(-1)).toBe('reload-haproxy');
  });

  it('never names a VIP that is not ours (foreign VIPs on the same IP, other case, other layer)', () => {
    const d = diffLbcli(wanted, FOREIGN);
    expect(new Set(vipsNamed(d.commands))).toEqual(new Set(['PrintServers', 'Dispatcher']));
    expect(d.foreign.map((v) => v.label)).toEqual(['Intranet', 'printservers']);
    // and an appliance that holds only foreign VIPs needs our full set, nothing more
    expect(d.commands.map((c) => c.argv)).toEqual(lbcliCommands(r).map((c) => c.argv));
  });

  it('edits only the setting that differs, and only on the VIP where it differs', () => {
    const existing: ExistingVip[] = wanted.vips.map((w) => ({
      label: w.label,
      ip: w.ip,
      ports: w.ports,
      layer: 7,
      reals: w.reals.map((x) => ({ label: x.label, ip: x.ip, weight: String(x.weight) })),
      settings: { mode: 'other_tcp', persistence: 'ip', persist_time: '30', scheduler: w.label === 'Dispatcher' ? 'roundrobin' : 'leastconn', 'check/type': 'connect', 'check/port': '445' },
    }));
    const d = diffLbcli(wanted, [...existing, ...FOREIGN]);
    expect(actions(d.commands)).toEqual(['edit-vip Dispatcher', 'reload-haproxy']);
    expect(d.commands[0]!.argv).toEqual(expect.arrayContaining(['--scheduler', 'leastconn']));
    // nothing differs -> nothing at all (no reload either)
    existing[1]!.settings!.scheduler = 'leastconn';
    expect(diffLbcli(wanted, [...existing, ...FOREIGN]).commands).toEqual([]);
  });

  it('adds a missing RIP, edits a changed one, deletes one the site no longer has', () => {
    const base = (w: (typeof wanted.vips)[number]): ExistingVip => ({
      label: w.label,
      ip: w.ip,
      ports: w.ports,
      layer: 7,
      reals: w.reals.map((x) => ({ label: x.label, ip: x.ip, weight: String(x.weight) })),
      settings: { mode: 'tcp', persistence: 'ip', persist_time: '30', scheduler: 'leastconn', 'check/type': 'connect', 'check/port': '445' },
    });
    const ps = base(wanted.vips[0]!);
    ps.reals = [{ label: 'PS1', ip: '10.99.0.21', weight: '50' }, { label: 'OLD', ip: '10.99.0.29', weight: '100' }]; // PS2 missing, PS1 weight, OLD extra
    const disp = base(wanted.vips[1]!);
    disp.reals[1]!.ip = '10.99.0.99';
    const d = diffLbcli(wanted, [ps, disp]);
    expect(actions(d.commands)).toEqual(['delete-rip PrintServers OLD', 'edit-rip PrintServers PS1', 'add-rip PrintServers PS2', 'edit-rip Dispatcher PS2', 'reload-haproxy']);
  });

  it('replaces a VIP of ours on the wrong layer, moves a VIP whose ports changed, and compares ports by value', () => {
    const ps: ExistingVip = { label: 'PrintServers', ip: '10.99.0.10', ports: '445', layer: 4, forwarding: 'gate', reals: [] };
    const disp: ExistingVip = {
      label: 'Dispatcher',
      ip: '10.99.0.10',
      ports: '25,53,80,443,465,515,587,50808,50809', // the same ports, written differently
      layer: 7,
      reals: wanted.vips[1]!.reals.map((x) => ({ label: x.label, ip: x.ip })),
    };
    let d = diffLbcli(wanted, [ps, disp]);
    expect(actions(d.commands)).toEqual(['delete-vip PrintServers', 'add-vip PrintServers', 'edit-vip PrintServers', 'add-rip PrintServers PS1', 'add-rip PrintServers PS2', 'reload-haproxy', 'restart-ldirectord']);
    // the dump reports no settings for Dispatcher: not compared, and said so
    expect(d.notCompared.Dispatcher).toEqual(expect.arrayContaining(['scheduler', 'persistence']));
    disp.ports = '25:53:80:443';
    d = diffLbcli(wanted, [{ ...ps, layer: 7, forwarding: undefined, reals: wanted.vips[0]!.reals.map((x) => ({ label: x.label, ip: x.ip })) }, disp]);
    expect(actions(d.commands)).toEqual(['edit-vip Dispatcher', 'reload-haproxy']);
    expect(d.commands[0]!.argv).toEqual(expect.arrayContaining(['--ports', '25:53:80:443:465:515:587:50808-50809']));
  });

  it('an HA pair reloads heartbeat only when a VIP is added', () => {
    expect(actions(diffLbcli(wanted, [], { haPair: true }).commands).slice(-2)).toEqual(['reload-haproxy', 'reload-heartbeat']);
    const existing: ExistingVip[] = wanted.vips.map((w) => ({ label: w.label, ip: w.ip, ports: w.ports, layer: 7, reals: [] }));
    expect(actions(diffLbcli(wanted, existing, { haPair: true }).commands)).not.toContain('reload-heartbeat');
  });

  it('plans on the active node only; a passive-only pair is blocked', () => {
    const pair = resolveSite(site((s) => s.replace('primary: { address: 10.99.0.11, name: pha-lb1 }', 'primary: { address: 10.99.0.11, name: pha-lb1 }\n  secondary: { address: 10.99.0.12, name: pha-lb2 }')));
    const facts = [
      { name: 'pha-lb1', address: '10.99.0.11', reachable: true, role: 'passive' as const, existingVips: [] },
      { name: 'pha-lb2', address: '10.99.0.12', reachable: true, role: 'active' as const, existingVips: [] },
    ];
    const p = planLoadbalancerOrg(pair, facts);
    expect(p.order).toEqual(['pha-lb2']);
    expect(p.hosts.find((h) => h.host === 'pha-lb1')!.steps).toEqual([]);
    expect(p.hosts.find((h) => h.host === 'pha-lb2')!.steps.map((s) => s.id).slice(0, 2)).toEqual(['check-active', 'backup']);
    const blocked = planLoadbalancerOrg(pair, facts.map((f) => ({ ...f, role: 'passive' as const })));
    expect(blocked.work).toBeUndefined();
    expect(blocked.blocked).toMatch(/no reachable node reports "active"/);
  });
});

describe.skipIf(!hasPython)('diffLbcli against the lbcli emulator (sandbox): idempotent', () => {
  let root: string;
  const lbcli = (argv: readonly string[]): string => {
    const r = spawnSync(PY, [LBCLI, ...argv.slice(1)], { env: { ...process.env, LBCLI_ROOT: root }, encoding: 'utf8' });
    return r.stdout;
  };
  const run = (cmds: readonly LbcliCommand[]): void => {
    for (const c of cmds) expect(lbcli(c.argv), c.argv.join(' ')).toContain('"status":"success"');
  };
  const dump = (): ExistingVip[] => parseDumpconfigDetails(lbcli(['lbcli', '--action', 'list', '--function', 'dumpconfig']));

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'printha-lbcli-diff-'));
    mkdirSync(join(root, 'etc/loadbalancer.org'), { recursive: true });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('apply the diff, dump, diff again: nothing left; the foreign VIP (a single object in the dump) is untouched', () => {
    run([{ argv: ['lbcli', '--action', 'add-vip', '--layer', '7', '--vip', 'Intranet', '--ip', '10.99.0.50', '--ports', '8080', '--mode', 'tcp', '--method', 'api'], purpose: '' }]);
    const before = dump();
    expect(before).toHaveLength(1); // dumpconfig gives the one VIP as an object, not a list
    const wanted = wantedLbcliState(resolveSite(site()));
    const first = diffLbcli(wanted, before);
    run(first.commands);
    const after = dump();
    expect(after.find((v) => v.label === 'Intranet')).toEqual(before[0]);
    expect(diffLbcli(wanted, after).commands).toEqual([]);
    expect(after.find((v) => v.label === 'Dispatcher')!.settings).toMatchObject({ scheduler: 'leastconn', persistence: 'ip', persist_time: '30', 'check/port': '445' });
  });

  it('a changed site sends only the difference, and is then idempotent again', () => {
    const wanted = wantedLbcliState(resolveSite(site()));
    run(diffLbcli(wanted, dump()).commands);
    const changed = wantedLbcliState(
      resolveSite(
        site((s) =>
          s
            .replace('- { label: PS2, address: 10.99.0.22, hostname: pha-ps2.lab.printha.test }', '- { label: PS2, address: 10.99.0.22, hostname: pha-ps2.lab.printha.test, weight: 50 }')
            .replace('windows:', 'overrides:\n  sec-workflow: { scheduler: rr }\nwindows:'),
        ),
      ),
    );
    const d = diffLbcli(changed, dump());
    expect(actions(d.commands)).toEqual(['edit-rip PrintServers PS2', 'edit-vip Dispatcher', 'edit-rip Dispatcher PS2', 'reload-haproxy']);
    run(d.commands);
    expect(diffLbcli(changed, dump()).commands).toEqual([]);
  });
});
