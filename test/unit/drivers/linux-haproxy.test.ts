/**
 * linux-haproxy: the pure plan (idempotency, which steps for which change, order of an HA pair) and
 * the driver's apply against StrictFakeHost transcripts (a FAKE node that rejects any command it
 * does not expect): the happy path, a reload the node refuses (restore + reload), a full disk during
 * the upload (temp files removed, nothing replaced), a lost connection (nothing more is sent).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LinuxHaproxyDriver, parseDiscovery } from '../../../electron/core/drivers/linux-haproxy.js';
import type { DriverContext, RemoteHost } from '../../../electron/core/drivers/types.js';
import { StepRecorder } from '../../../electron/core/runner/steps.js';
import { disconnectedError, diskFullError } from '../../../electron/core/ssh/index.js';
import type { JournalEvent } from '../../../shared/journal/events.js';
import type { BalancerNodeFacts } from '../../../shared/model/facts.js';
import { resolveSite, type BalancerNodeInfo, type ResolvedSite } from '../../../shared/model/resolve.js';
import { HAPROXY_CFG_PATH, KEEPALIVED_CONF_PATH, MANAGED_PATHS, planLinuxHaproxy, tempPathFor, wantedFiles } from '../../../shared/plan/linux-haproxy.js';
import { SYSCTL_PATH } from '../../../shared/render/linux-haproxy.js';
import { loadSiteYaml } from '../../../shared/site/load.js';
import { StrictFakeHost, linuxDiscovery, ok, type Expectation } from './strict-fake-host.js';

const RUN = '20261121T120000Z-abcdef';
const BACKUP = `/var/backups/printha/${RUN}`;
const VIP = '10.99.0.10';

function labSnat(): ResolvedSite {
  const r = loadSiteYaml(readFileSync(join(process.cwd(), 'examples/lab-snat.yaml'), 'utf8'));
  if (!r.ok) throw new Error('lab-snat.yaml does not load');
  return resolveSite(r.site);
}

const OLD_CFG = 'global\n    daemon\n';
const OLD_KA = 'vrrp_instance VI_1 {\n}\n';

function node(r: ResolvedSite, name: string): BalancerNodeInfo {
  return r.nodes.find((n) => n.name === name)!;
}

/** Facts of a node: given files (default: the old lab files, no PrintHA files). */
function facts(r: ResolvedSite, name: string, files?: Record<string, string | null>, extra: Partial<BalancerNodeFacts> = {}): BalancerNodeFacts {
  const n = node(r, name);
  const f = files ?? Object.fromEntries(MANAGED_PATHS.map((p) => [p, p === HAPROXY_CFG_PATH ? OLD_CFG : p === KEEPALIVED_CONF_PATH ? OLD_KA : null]));
  return { ...parseDiscovery(n, VIP, linuxDiscovery({ hostname: name, address: n.address, files: f, ...(name === 'pha-lb1' ? { holdsVip: VIP } : {}) })), ...extra };
}

/** Facts where the node already has exactly what the site wants. */
function upToDateFacts(r: ResolvedSite, name: string): BalancerNodeFacts {
  const wanted = Object.fromEntries(wantedFiles(r, node(r, name), '2.6.12').map((w) => [w.path, w.content]));
  return facts(r, name, Object.fromEntries(MANAGED_PATHS.map((p) => [p, wanted[p] ?? null])));
}

function ctxFor(hosts: Record<string, RemoteHost>, events: JournalEvent[] = []): DriverContext {
  return {
    connect: async (n) => hosts[n.name] ?? Promise.reject(new Error(`no fake host for ${n.name}`)),
    recorder: new StepRecorder(undefined, (e) => events.push(e)),
    runId: RUN,
    commandTimeoutMs: 5000,
    vipSettleMs: 2000,
    sleep: async () => undefined,
  };
}

describe('linux-haproxy plan (pure)', () => {
  const r = labSnat();

  it('from the lab state: every file on both nodes, secondary first, VIP confirmed at the end', () => {
    const p = planLinuxHaproxy(r, [facts(r, 'pha-lb1'), facts(r, 'pha-lb2')]);
    expect(p.order).toEqual(['pha-lb2', 'pha-lb1']);
    const lb2 = p.hosts[0]!;
    expect(lb2.steps.map((s) => s.id)).toEqual([
      'backup',
      `upload:${SYSCTL_PATH}`,
      `upload:${KEEPALIVED_CONF_PATH}`,
      `upload:${HAPROXY_CFG_PATH}`,
      'validate-haproxy',
      'validate-keepalived',
      'swap',
      'sysctl',
      'reload-keepalived',
      'reload-haproxy',
      'finish',
    ]);
    expect(lb2.steps.find((s) => s.id === 'validate-haproxy')!.command).toBe(`haproxy -c -f ${tempPathFor(HAPROXY_CFG_PATH)} -L pha-lb2`);
    expect(p.hosts[1]!.steps.at(-1)!.id).toBe('confirm-vip');
    const d = lb2.diffs.find((x) => x.path === HAPROXY_CFG_PATH)!;
    expect(d.unified).toMatch(/^--- a\/etc\/haproxy\/haproxy\.cfg\n\+\+\+ b\/etc\/haproxy\/haproxy\.cfg\n@@ /);
    expect(lb2.diffs.find((x) => x.path === SYSCTL_PATH)!.unified).toMatch(/^--- \/dev\/null/);
    expect(lb2.upToDate).toBe(false);
  });

  it('is idempotent: nodes that have the wanted files get no step, no diff, upToDate', () => {
    const p = planLinuxHaproxy(r, [upToDateFacts(r, 'pha-lb1'), upToDateFacts(r, 'pha-lb2')]);
    expect(p.hosts.map((h) => [h.host, h.steps.length, h.upToDate])).toEqual([
      ['pha-lb2', 0, true],
      ['pha-lb1', 0, true],
    ]);
    expect(p.hosts.flatMap((h) => h.diffs).every((d) => d.unified === '')).toBe(true);
    expect(p.confirmVip).toBe(false);
  });

  it('a changed haproxy.cfg alone: validate and reload HAProxy only, keepalived untouched', () => {
    const lb2 = upToDateFacts(r, 'pha-lb2');
    lb2.files![HAPROXY_CFG_PATH] = lb2.files![HAPROXY_CFG_PATH]!.replace('retries 3', 'retries 2');
    const p = planLinuxHaproxy(r, [upToDateFacts(r, 'pha-lb1'), lb2]);
    expect(p.hosts[0]!.steps.map((s) => s.id)).toEqual(['backup', `upload:${HAPROXY_CFG_PATH}`, 'validate-haproxy', 'swap', 'reload-haproxy', 'finish']);
    expect(p.hosts[1]!.steps.map((s) => s.id)).toEqual(['confirm-vip']);
    expect(p.hosts[0]!.diffs.find((d) => d.path === HAPROXY_CFG_PATH)!.unified).toContain('-    retries 2\n+    retries 3');
  });

  it('an interrupted apply (marker on the node) is completed: its reloads, its backup kept, no upload', () => {
    const lb2 = upToDateFacts(r, 'pha-lb2');
    lb2.pendingApply = { run: 'R0', backupDir: '/var/backups/printha/R0', services: ['haproxy', 'keepalived'] };
    const p = planLinuxHaproxy(r, [upToDateFacts(r, 'pha-lb1'), lb2]);
    expect(p.hosts[0]!.steps.map((s) => s.id)).toEqual(['backup', 'reload-keepalived', 'reload-haproxy', 'finish']);
    expect(p.hosts[0]!.steps[0]!.title).toContain('/var/backups/printha/R0');
  });

  it('a stopped HAProxy is started even when the files are right; an unreachable node is planned without a diff', () => {
    const lb2 = upToDateFacts(r, 'pha-lb2');
    lb2.services = { haproxy: 'inactive', keepalived: 'active' };
    const p = planLinuxHaproxy(r, [{ name: 'pha-lb1', address: '10.99.0.11', reachable: false, error: 'UNREACHABLE' }, lb2]);
    expect(p.hosts[0]!.steps.map((s) => s.id)).toEqual(['backup', 'reload-haproxy', 'finish']);
    expect(p.hosts[0]!.notes.join(' ')).toContain('HAProxy is inactive');
    expect(p.hosts[1]!.unreachable).toBe('UNREACHABLE');
    expect(p.hosts[1]!.diffs).toEqual([]);
    expect(p.hosts[1]!.upToDate).toBe(false);
  });

  it('renders for the oldest HAProxy on the nodes (3.2 writes "ipv4" stick tables)', () => {
    const newer = planLinuxHaproxy(r, [
      { ...upToDateFacts(r, 'pha-lb1'), haproxyVersion: '3.2.1' },
      { ...upToDateFacts(r, 'pha-lb2'), haproxyVersion: '3.2.4' },
    ]);
    expect(newer.notes[0]).toContain('HAProxy 3.2.1');
    expect(newer.hosts[0]!.diffs.find((d) => d.path === HAPROXY_CFG_PATH)!.unified).toContain('+    stick-table type ipv4');
  });
});

const BACKUP_CMD = new RegExp(`MANIFEST\\.tmp.* ${BACKUP} `, 's');
const VALIDATE_H = /exec "\$@"' sh haproxy -c -f \/etc\/haproxy\/\.haproxy\.cfg\.printha-new -L pha-lb[12]$/;
const VALIDATE_K = /exec "\$@"' sh keepalived -t -e -f \/etc\/keepalived\/\.keepalived\.conf\.printha-new$/;
const SWAP = /apply-pending\.tmp.*run=20261121T120000Z-abcdef/s;
const SYSCTL = /exec "\$@"' sh sysctl -p \/etc\/sysctl\.d\/99-printha\.conf$/;
const RELOAD_H = /systemctl reload-or-restart haproxy/;
const RELOAD_K = /systemctl reload-or-restart keepalived/;
const FINISH = /^rm -f \/var\/lib\/printha\/apply-pending$/;
const IPADDR = /sh ip -o addr show$/;
const RESTORE = new RegExp(`MANIFEST.*nothing was restored.* ${BACKUP}`, 's');

function nodeScript(r: ResolvedSite, name: string, confirm: { holds: boolean; polls: number }): Expectation[] {
  const n = node(r, name);
  const addr = (holds: boolean): string => `2: eth0    inet ${n.address}/24 scope global eth0\n${holds ? `2: eth0    inet ${VIP}/32 scope global eth0\n` : ''}`;
  return [
    { exec: BACKUP_CMD, what: 'backup', reply: ok('backed up 5 path(s)') },
    { upload: tempPathFor(SYSCTL_PATH) },
    { upload: tempPathFor(KEEPALIVED_CONF_PATH), check: (c) => expect(c).toContain(`priority ${n.priority}`) },
    { upload: tempPathFor(HAPROXY_CFG_PATH), check: (c, o) => expect([c.includes('listen PrintServers'), o?.mode]).toEqual([true, 0o644]) },
    { exec: VALIDATE_H, what: 'haproxy -c' },
    { exec: VALIDATE_K, what: 'keepalived -t' },
    { exec: SWAP, what: 'swap' },
    { exec: SYSCTL, what: 'sysctl -p' },
    { exec: RELOAD_K, what: 'reload keepalived', reply: ok('keepalived is active') },
    { exec: RELOAD_H, what: 'reload haproxy', reply: ok('1 master 1 [failed: 0]') },
    { exec: FINISH, what: 'finish' },
    ...Array.from({ length: confirm.polls }, () => ({ exec: IPADDR, what: 'ip addr', reply: ok(addr(confirm.holds)) })),
  ];
}

const CLEANUP: Expectation = {
  exec: /^rm -f -- \/etc\/sysctl\.d\/\.99-printha\.conf\.printha-new \/etc\/keepalived\/\.keepalived\.conf\.printha-new \/etc\/haproxy\/\.haproxy\.cfg\.printha-new$/,
  what: 'remove temp files',
};

/** A node that is prepared (backup, upload, validate) but never committed: its temp files are removed. */
function preparedOnly(r: ResolvedSite, name: string): Expectation[] {
  return [...nodeScript(r, name, { holds: false, polls: 0 }).slice(0, 6), CLEANUP];
}

describe('LinuxHaproxyDriver.apply on StrictFakeHost transcripts', () => {
  const r = labSnat();
  const drv = new LinuxHaproxyDriver();
  const start = () => [facts(r, 'pha-lb1'), facts(r, 'pha-lb2')];

  it('prepares both nodes, then commits secondary then primary, confirms the VIP on exactly one node', async () => {
    const lb2 = new StrictFakeHost('pha-lb2', '10.99.0.12', nodeScript(r, 'pha-lb2', { holds: false, polls: 2 }));
    const lb1 = new StrictFakeHost('pha-lb1', '10.99.0.11', nodeScript(r, 'pha-lb1', { holds: true, polls: 2 }));
    const events: JournalEvent[] = [];
    const out = await drv.apply(r, start(), ctxFor({ 'pha-lb1': lb1, 'pha-lb2': lb2 }, events));
    lb1.assertDone();
    lb2.assertDone();
    expect(out.map((o) => [o.host, o.ok, o.changed])).toEqual([
      ['pha-lb2', true, true],
      ['pha-lb1', true, true],
    ]);
    expect(out[0]!.state).toBe(`serving the new configuration (previous files kept in ${BACKUP})`);
    const swaps = events.filter((e) => e.kind === 'step-end' && e.step === 'swap').map((e) => e.host);
    expect(swaps).toEqual(['pha-lb2', 'pha-lb1']);
    // every validation (both nodes) ends before the first swap: nothing served changes before both validate
    const idx = (pred: (e: JournalEvent) => boolean) => events.findIndex(pred);
    const lastValidate = Math.max(...events.map((e, i) => (e.kind === 'step-end' && e.step?.startsWith('validate-') ? i : -1)));
    expect(lastValidate).toBeLessThan(idx((e) => e.kind === 'step-start' && e.step === 'swap'));
    // the primary's reload starts only after the secondary finished
    expect(idx((e) => e.kind === 'step-end' && e.host === 'pha-lb2' && e.step === 'finish')).toBeLessThan(idx((e) => e.kind === 'step-start' && e.host === 'pha-lb1' && e.step === 'swap'));
    expect(events.find((e) => e.step === 'confirm-vip' && e.kind === 'step-end')?.message).toBe(`the VIP ${VIP} is held by pha-lb1`);
  });

  it('sends nothing at all when both nodes are up to date', async () => {
    const lb1 = new StrictFakeHost('pha-lb1', '10.99.0.11', []);
    const lb2 = new StrictFakeHost('pha-lb2', '10.99.0.12', []);
    const out = await drv.apply(r, [upToDateFacts(r, 'pha-lb1'), upToDateFacts(r, 'pha-lb2')], ctxFor({ 'pha-lb1': lb1, 'pha-lb2': lb2 }));
    lb1.assertDone();
    lb2.assertDone();
    expect(out.map((o) => o.changed)).toEqual([false, false]);
    expect(lb1.calls).toEqual([]);
  });

  it('HAProxy refuses the new configuration at reload: the backup is restored and reloaded; the primary is prepared but never changed', async () => {
    const script = nodeScript(r, 'pha-lb2', { holds: false, polls: 0 }).slice(0, 10);
    script[9] = { exec: RELOAD_H, what: 'reload haproxy', reply: { code: 21, stdout: '', stderr: '[ALERT] cannot bind socket (Address already in use) for [10.99.0.10:515]\nHAProxy refused the new configuration at reload; it keeps running the previous one' } };
    const lb2 = new StrictFakeHost('pha-lb2', '10.99.0.12', script).expect(
      { exec: RESTORE, what: 'restore', reply: ok('restored /etc/haproxy/haproxy.cfg') },
      { exec: RELOAD_H, what: 'reload haproxy (restored)' },
      { exec: RELOAD_K, what: 'reload keepalived (restored)' },
      { exec: FINISH, what: 'clear marker' },
    );
    const lb1 = new StrictFakeHost('pha-lb1', '10.99.0.11', preparedOnly(r, 'pha-lb1'));
    const out = await drv.apply(r, start(), ctxFor({ 'pha-lb1': lb1, 'pha-lb2': lb2 }));
    lb1.assertDone();
    lb2.assertDone();
    expect(lb1.calls.some((c) => /apply-pending|reload-or-restart/.test(c))).toBe(false);
    expect(out[0]).toMatchObject({ host: 'pha-lb2', ok: false, failedStep: 'reload-haproxy', state: `serving its previous configuration (restored from ${BACKUP})` });
    expect(out[0]!.reason).toMatch(/refused the new configuration at reload.*Address already in use/);
    expect(out[1]!.state).toMatch(/^not changed: apply stopped before this node \(pha-lb2: step "reload-haproxy" failed\)/);
  });

  it('a reload failure on the primary rolls back the secondary too (the pair is never left half-changed)', async () => {
    const lb2 = new StrictFakeHost('pha-lb2', '10.99.0.12', nodeScript(r, 'pha-lb2', { holds: false, polls: 0 }));
    const s1 = nodeScript(r, 'pha-lb1', { holds: true, polls: 0 }).slice(0, 10);
    s1[9] = { exec: RELOAD_H, what: 'reload haproxy', reply: { code: 23, stderr: 'HAProxy is not running after the reload' } };
    const lb1 = new StrictFakeHost('pha-lb1', '10.99.0.11', s1).expect({ exec: RESTORE, what: 'restore' }, { exec: RELOAD_H }, { exec: RELOAD_K }, { exec: FINISH });
    lb2.expect({ exec: RESTORE, what: 'restore' }, { exec: RELOAD_H }, { exec: RELOAD_K }, { exec: FINISH });
    const out = await drv.apply(r, start(), ctxFor({ 'pha-lb1': lb1, 'pha-lb2': lb2 }));
    lb1.assertDone();
    lb2.assertDone();
    expect(out.find((o) => o.host === 'pha-lb1')).toMatchObject({ ok: false, failedStep: 'reload-haproxy', state: `serving its previous configuration (restored from ${BACKUP})` });
    expect(out.find((o) => o.host === 'pha-lb2')!.state).toBe(`serving its previous configuration (restored from ${BACKUP}) — rolled back because pha-lb1: step "reload-haproxy" failed`);
  });

  it('a configuration the primary rejects stops the apply before any node changes', async () => {
    const lb2 = new StrictFakeHost('pha-lb2', '10.99.0.12', preparedOnly(r, 'pha-lb2'));
    const s1 = nodeScript(r, 'pha-lb1', { holds: true, polls: 0 }).slice(0, 5);
    s1[4] = { exec: VALIDATE_H, what: 'haproxy -c', reply: { code: 1, stderr: "[ALERT] parsing [haproxy.cfg:12] : unknown keyword 'bogus'" } };
    const lb1 = new StrictFakeHost('pha-lb1', '10.99.0.11', s1).expect(CLEANUP);
    const out = await drv.apply(r, start(), ctxFor({ 'pha-lb1': lb1, 'pha-lb2': lb2 }));
    lb1.assertDone();
    lb2.assertDone();
    expect(out.find((o) => o.host === 'pha-lb1')).toMatchObject({ ok: false, failedStep: 'validate-haproxy', state: expect.stringContaining('nothing was changed on it') });
    expect(out.find((o) => o.host === 'pha-lb1')!.reason).toContain("unknown keyword 'bogus'");
    expect(out.find((o) => o.host === 'pha-lb2')!.state).toBe('not changed: apply stopped before this node (pha-lb1: step "validate-haproxy" failed); it serves its previous configuration');
  });

  it('the disk is full during the upload: the temporary files are removed, nothing is replaced', async () => {
    const s = nodeScript(r, 'pha-lb2', { holds: false, polls: 0 }).slice(0, 4);
    s[3] = { upload: tempPathFor(HAPROXY_CFG_PATH), throws: diskFullError({ host: '10.99.0.12', port: 22, remotePath: tempPathFor(HAPROXY_CFG_PATH), detail: 'the server answered "Failure" while writing', sftpStatus: 4 }) };
    const lb2 = new StrictFakeHost('pha-lb2', '10.99.0.12', s).expect(CLEANUP);
    const lb1 = new StrictFakeHost('pha-lb1', '10.99.0.11', preparedOnly(r, 'pha-lb1'));
    const out = await drv.apply(r, start(), ctxFor({ 'pha-lb1': lb1, 'pha-lb2': lb2 }));
    lb2.assertDone();
    lb1.assertDone();
    expect(out[0]).toMatchObject({ failedStep: `upload:${HAPROXY_CFG_PATH}`, state: `serving its previous configuration (nothing was changed on it; backup of its files in ${BACKUP})` });
    expect(out[0]!.reason).toMatch(/disk is full/);
  });

  it('a lost connection after the swap: reported as unknown, and nothing more is sent to that node', async () => {
    const s = nodeScript(r, 'pha-lb2', { holds: false, polls: 0 }).slice(0, 10);
    s[9] = { exec: RELOAD_H, throws: disconnectedError({ host: '10.99.0.12', port: 22, user: 'root', reason: 'keepalive timeout: the host stopped answering' }) };
    const lb2 = new StrictFakeHost('pha-lb2', '10.99.0.12', s);
    const lb1 = new StrictFakeHost('pha-lb1', '10.99.0.11', preparedOnly(r, 'pha-lb1'));
    const out = await drv.apply(r, start(), ctxFor({ 'pha-lb1': lb1, 'pha-lb2': lb2 }));
    lb2.assertDone();
    lb1.assertDone();
    expect(out[0]!.state).toMatch(/^UNKNOWN: the connection to pha-lb2 was lost during step "reload-haproxy", after its files were replaced/);
    expect(out[0]!.reason).toContain('keepalive timeout');
  });

  it('an unexpected command is caught by the strict fake (the fake itself is strict)', async () => {
    const lb2 = new StrictFakeHost('pha-lb2', '10.99.0.12', [{ exec: /^never$/ }]);
    await expect(lb2.exec(['rm', '-rf', '/'], { timeoutMs: 1000 })).rejects.toThrow(/unexpected exec rm -rf \//);
    expect(() => lb2.assertDone()).toThrow(/unexpected exec/);
  });
});
