/**
 * Which keepalived reloads drop the VIP (the VRRP instance is re-created) and the plan's warning on
 * the node that holds it. The lab's textbook keepalived.conf (multicast, auth PASS) against the one
 * PrintHA renders (unicast peers, no auth) is the case measured on the lab (shared/plan/vrrp-change.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDiscovery } from '../../../electron/core/drivers/linux-haproxy.js';
import { resolveSite } from '../../../shared/model/resolve.js';
import { HAPROXY_CFG_PATH, KEEPALIVED_CONF_PATH, MANAGED_PATHS, planLinuxHaproxy, wantedFiles } from '../../../shared/plan/linux-haproxy.js';
import { vrrpInstances, vrrpReelectionSeconds, vrrpReloadDisruption } from '../../../shared/plan/vrrp-change.js';
import { loadSiteYaml } from '../../../shared/site/load.js';
import { linuxDiscovery } from '../drivers/strict-fake-host.js';

const TEXTBOOK = `# lab keepalived
global_defs {
    router_id pha-lb1
}
vrrp_instance VI_PRINTHA {
    state MASTER
    interface eth0   # the lab bridge
    virtual_router_id 51
    priority 150
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass labpass
    }
    virtual_ipaddress {
        10.99.0.10/24 dev eth0
    }
}
`;

function site() {
  const r = loadSiteYaml(readFileSync(join(process.cwd(), 'examples/lab-snat.yaml'), 'utf8'));
  if (!r.ok) throw new Error('lab-snat.yaml does not load');
  return resolveSite(r.site);
}

describe('VRRP reload disruption (pure)', () => {
  const r = site();
  const ours = wantedFiles(r, r.nodes.find((n) => n.name === 'pha-lb1')!, '2.6.12').find((f) => f.path === KEEPALIVED_CONF_PATH)!.content;

  it('parses the instance: transport, auth, router id, interface, advert_int', () => {
    expect(vrrpInstances(TEXTBOOK)).toEqual([{ name: 'VI_PRINTHA', interface: 'eth0', routerId: '51', advertInt: 1, unicastPeers: [], auth: 'PASS:labpass' }]);
    expect(vrrpInstances(ours)[0]).toMatchObject({ name: 'VI_PRINTHA', unicastPeers: ['10.99.0.12'], auth: '', routerId: '51' });
  });

  it('textbook -> PrintHA: multicast to unicast and auth removed; ~4 s without a holder', () => {
    const why = vrrpReloadDisruption(TEXTBOOK, ours);
    expect(why).toEqual(['VRRP adverts change from multicast to unicast to 10.99.0.12', 'VRRP authentication is removed']);
    expect(vrrpReelectionSeconds(ours)).toBe(4);
  });

  it('priority, state, nopreempt or the VIP prefix alone do not re-create the instance; no old file, no warning', () => {
    const tweaked = ours.replace('priority 150', 'priority 120').replace('nopreempt', '').replace('/32', '/24').replace('state BACKUP', 'state MASTER');
    expect(vrrpReloadDisruption(ours, tweaked)).toEqual([]);
    expect(vrrpReloadDisruption(null, ours)).toEqual([]);
    expect(vrrpReloadDisruption('global_defs {\n}\n', ours)).toEqual([]);
    expect(vrrpReloadDisruption(ours, ours.replace('virtual_router_id 51', 'virtual_router_id 52'))).toEqual(['virtual_router_id changes from 51 to 52']);
  });

  it('the plan warns on the VIP holder only, and only when its instance changes', () => {
    const facts = (name: string, ka: string, holds: boolean) => {
      const n = r.nodes.find((x) => x.name === name)!;
      const files = Object.fromEntries(MANAGED_PATHS.map((p) => [p, p === HAPROXY_CFG_PATH ? 'global\n' : p === KEEPALIVED_CONF_PATH ? ka : null]));
      return parseDiscovery(n, '10.99.0.10', linuxDiscovery({ hostname: name, address: n.address, files, ...(holds ? { holdsVip: '10.99.0.10' } : {}) }));
    };
    const p = planLinuxHaproxy(r, [facts('pha-lb1', TEXTBOOK, true), facts('pha-lb2', TEXTBOOK.replace('MASTER', 'BACKUP'), false)]);
    const lb1 = p.hosts.find((h) => h.host === 'pha-lb1')!;
    const lb2 = p.hosts.find((h) => h.host === 'pha-lb2')!;
    expect(lb1.notes.join('\n')).toMatch(/holds the VIP 10\.99\.0\.10 and its VRRP instance changes \(VRRP adverts change from multicast to unicast.*does not answer for about 4 s/);
    expect(lb2.notes.join('\n')).not.toMatch(/VRRP instance changes/);
    expect(p.notes.some((n) => n.startsWith('VIP interruption expected on pha-lb1'))).toBe(true);
    const same = planLinuxHaproxy(r, [facts('pha-lb1', ours.replace('priority 150', 'priority 140'), true), facts('pha-lb2', TEXTBOOK, false)]);
    expect(same.notes.join('\n')).not.toMatch(/VIP interruption/);
  });
});
