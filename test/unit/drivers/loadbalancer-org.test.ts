/**
 * LoadbalancerOrgDriver against StrictFakeHost transcripts (a FAKE appliance that rejects any
 * command it does not expect): discovery parsing (dumpconfig single-object quirk, nodestatus),
 * apply = check-active, backup, one lbcli call per change judged by its JSON status (not the exit
 * code), confirm; a "failed" reply -> lb_config.xml restored and HAProxy reloaded.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LoadbalancerOrgDriver, parseLbDiscovery, parseNodeStatus } from '../../../electron/core/drivers/loadbalancer-org.js';
import type { DriverContext, RemoteHost } from '../../../electron/core/drivers/types.js';
import { StepRecorder } from '../../../electron/core/runner/steps.js';
import type { JournalEvent } from '../../../shared/journal/events.js';
import { resolveSite, type ResolvedSite } from '../../../shared/model/resolve.js';
import { loadSiteYaml } from '../../../shared/site/load.js';
import { StrictFakeHost, ok } from './strict-fake-host.js';

const RUN = '20261121T120000Z-abcdef';

function site(): ResolvedSite {
  const r = loadSiteYaml(readFileSync(join(process.cwd(), 'examples/lab-lborg-snat.yaml'), 'utf8'));
  if (!r.ok) throw new Error('lab-lborg-snat.yaml does not load');
  return resolveSite(r.site);
}

/** A dumpconfig as the appliance prints it: line 0 text, line 1 JSON; one VIP is an object. */
function dump(virtual: unknown): string {
  return `LBCLI list dumpconfig: success\n${JSON.stringify({ physical: { network: { role: 'master' } }, ldirectord: [], haproxy: { virtual } })}\n`;
}
const FOREIGN = { label: 'Intranet', server: '10.99.0.50', ports: '8080', mode: 'other_tcp', persistence: 'none', scheduler: 'roundrobin', check: { type: 'connect', port: [] }, real: { label: 'web1', server: '10.99.0.21', port: '80', weight: '50' } };
const vip = (label: string, ports: string, scheduler = 'leastconn') => ({
  label,
  server: '10.99.0.10',
  ports,
  mode: 'other_tcp',
  persistence: 'ip',
  persist_time: '30',
  scheduler,
  check: { type: 'connect', port: '445' },
  real: [
    { label: 'PS1', server: '10.99.0.21', port: [], weight: '100' },
    { label: 'PS2', server: '10.99.0.22', port: [], weight: '100' },
  ],
});
const DISP_PORTS = '25:53:80:443:465:515:587:50808-50809';
const success = (action: string) => ok(`{"lbcli":[{"action":"${action}","status":"success","message":"done"}]}`);

function discovery(virtual: unknown, nodestatus = 'active'): string {
  return ['@@hostname', 'pha-lb1', '@@version', '8.13.1', '@@nodestatus', nodestatus, '@@dumpconfig', dump(virtual).trimEnd(), '@@end', ''].join('\n');
}

function ctxFor(hosts: Record<string, RemoteHost>, events: JournalEvent[] = []): DriverContext {
  return {
    connect: async (n) => hosts[n.name] ?? Promise.reject(new Error(`no fake host for ${n.name}`)),
    recorder: new StepRecorder(undefined, (e) => events.push(e)),
    runId: RUN,
    commandTimeoutMs: 5000,
    vipSettleMs: 1000,
    sleep: async () => undefined,
  };
}

describe('loadbalancer-org discovery parsing', () => {
  it('reads role, version and VIPs (one VIP = one object) with their settings and RIP weights', () => {
    const r = site();
    const f = parseLbDiscovery(r.nodes[0]!, discovery(FOREIGN));
    expect(f).toMatchObject({ reachable: true, role: 'active', version: '8.13.1', platform: 'loadbalancer-org' });
    expect(f.existingVips).toEqual([
      { label: 'Intranet', ip: '10.99.0.50', ports: '8080', layer: 7, reals: [{ label: 'web1', ip: '10.99.0.21', port: '80', weight: '50' }], settings: expect.objectContaining({ scheduler: 'roundrobin', 'check/type': 'connect', 'check/port': '' }) },
    ]);
  });
  it('nodestatus: the file, or lbcli nodestatus JSON', () => {
    expect(parseNodeStatus('active\n')).toBe('active');
    expect(parseNodeStatus('{"lbcli":[{"action":"nodestatus","status":"success","nodestatus":"passive","role":"slave"}]}')).toBe('passive');
    expect(parseNodeStatus('')).toBe('unknown');
  });
});

describe('LoadbalancerOrgDriver.apply on StrictFakeHost transcripts', () => {
  const r = site();
  const drv = new LoadbalancerOrgDriver();
  const n = r.nodes[0]!;

  it('sends only the difference (one edit-vip, one new VIP), never the foreign VIP, then reloads and confirms', async () => {
    const before = [FOREIGN, vip('PrintServers', '445', 'roundrobin')];
    const facts = [parseLbDiscovery(n, discovery(before))];
    const after = [FOREIGN, vip('PrintServers', '445'), vip('Dispatcher', DISP_PORTS)];
    const host = new StrictFakeHost('pha-lb1', '10.99.0.11', [
      { exec: /nodestatus_local/, what: 'nodestatus', reply: ok('active\n') },
      { exec: new RegExp(`^env PRINTHA_DUMP=/usr/local/sbin/lbcli sh -c .*MANIFEST.* /var/backups/printha/${RUN} /etc/loadbalancer\\.org/lb_config\\.xml /etc/haproxy/haproxy\\.cfg`, 's'), what: 'backup' },
      { exec: /^\/usr\/local\/sbin\/lbcli --action edit-vip --vip PrintServers --persistence ip --persist_time 30 --scheduler leastconn .* --method api$/, reply: success('edit-vip') },
      { exec: /^\/usr\/local\/sbin\/lbcli --action add-vip --layer 7 --vip Dispatcher --ip 10\.99\.0\.10 --ports 25:53:80:443:465:515:587:50808-50809 --mode tcp --method api$/, reply: success('add-vip') },
      { exec: /--action edit-vip --vip Dispatcher /, reply: success('edit-vip') },
      { exec: /--action add-rip --vip Dispatcher --rip PS1 /, reply: success('add-rip') },
      // an older build answers "exists" in plain text with exit code 1: still fine for an add
      { exec: /--action add-rip --vip Dispatcher --rip PS2 /, reply: { stdout: "RIP 'PS2'  exists\n", code: 1 } },
      { exec: /^\/usr\/local\/sbin\/lbcli --action reload-haproxy --method api$/, reply: success('reload-haproxy') },
      { exec: /^\/usr\/local\/sbin\/lbcli --action list --function dumpconfig$/, reply: ok(dump(after)) },
    ]);
    const events: JournalEvent[] = [];
    const out = await drv.apply(r, facts, ctxFor({ 'pha-lb1': host }, events));
    host.assertDone();
    expect(out).toEqual([{ host: 'pha-lb1', ok: true, changed: true, backupDir: `/var/backups/printha/${RUN}`, state: `serving the new configuration (previous lb_config.xml kept in /var/backups/printha/${RUN})` }]);
    expect(host.calls.some((c) => c.includes('Intranet'))).toBe(false);
    expect(events.find((e) => e.kind === 'step-end' && e.step === 'confirm')?.message).toBe('3 VIP(s); ours match the site; 1 other VIP(s) untouched');
  });

  it('judges lbcli by its JSON status, not its exit code: "failed" with exit 0 -> restore lb_config.xml and reload', async () => {
    const facts = [parseLbDiscovery(n, discovery([]))];
    const host = new StrictFakeHost('pha-lb1', '10.99.0.11', [
      { exec: /nodestatus_local/, reply: ok('active\n') },
      { exec: /MANIFEST/, what: 'backup' },
      { exec: /--action add-vip --layer 7 --vip PrintServers /, reply: success('add-vip') },
      { exec: /--action edit-vip --vip PrintServers /, reply: { code: 0, stdout: '{"lbcli":[{"action":"edit-vip","status":"failed","error":"--check_port \'0\' is not a valid port"}]}' } },
      { exec: new RegExp(`nothing was restored.* /var/backups/printha/${RUN}$`, 's'), what: 'restore', reply: ok('restored /etc/loadbalancer.org/lb_config.xml') },
      { exec: /^\/usr\/local\/sbin\/lbcli --action reload-haproxy --method api$/, reply: { code: 0, stdout: '{"lbcli":[{"action":"reload-haproxy","status":"failed","error":"HAProxy reload failed"}]}' } },
      { exec: /^\/usr\/local\/sbin\/lbcli --action restart-haproxy --method api$/, reply: success('restart-haproxy') },
    ]);
    const events: JournalEvent[] = [];
    const out = await drv.apply(r, facts, ctxFor({ 'pha-lb1': host }, events));
    host.assertDone();
    expect(out[0]).toMatchObject({
      ok: false,
      failedStep: 'lbcli:2:edit-vip:PrintServers',
      reason: 'lbcli replied "failed": --check_port \'0\' is not a valid port',
      state: `serving its previous configuration (restored from /var/backups/printha/${RUN})`,
    });
    expect(events.find((e) => e.kind === 'step-end' && e.step === 'rollback:reload-haproxy')?.message).toContain('restart-haproxy succeeded');
  });

  it('refuses on a passive node and sends nothing but the role check', async () => {
    const facts = [parseLbDiscovery(n, discovery([]))];
    const host = new StrictFakeHost('pha-lb1', '10.99.0.11', [{ exec: /nodestatus_local/, reply: ok('passive\n') }]);
    const out = await drv.apply(r, facts, ctxFor({ 'pha-lb1': host }));
    host.assertDone();
    expect(out[0]).toMatchObject({ ok: false, failedStep: 'check-active', state: 'serving its previous configuration (nothing was changed on it)' });
    expect(out[0]!.reason).toContain('reports "passive"');
  });

  it('an up-to-date appliance gets no command at all', async () => {
    const facts = [parseLbDiscovery(n, discovery([FOREIGN, vip('PrintServers', '445'), vip('Dispatcher', DISP_PORTS)]))];
    const host = new StrictFakeHost('pha-lb1', '10.99.0.11', []);
    const out = await drv.apply(r, facts, ctxFor({ 'pha-lb1': host }));
    host.assertDone();
    expect(out[0]).toMatchObject({ ok: true, changed: false });
    expect(drv.plan(r, facts).upToDate).toBe(true);
  });
});
