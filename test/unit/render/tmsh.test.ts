import { describe, expect, it } from 'vitest';
import { renderTmsh, tmshLbMode } from '../../../shared/render/tmsh.js';
import { codeLines, resolved } from './balancer-sites.js';

/** Top-level objects of a tmsh configuration file: "ltm pool /Common/x" -> its body lines (trimmed). Checks brace balance. */
function objects(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let depth = 0;
  let cur: string[] | undefined;
  for (const raw of codeLines(text)) {
    const line = raw.trim();
    const opens = (line.match(/{/g) ?? []).length;
    const closes = (line.match(/}/g) ?? []).length;
    if (depth === 0) {
      expect(line.endsWith('{'), `top-level line must open an object: ${line}`).toBe(true);
      const head = line.slice(0, -1).trim();
      expect(out.has(head), `duplicate object ${head}`).toBe(false);
      cur = [];
      out.set(head, cur);
    } else if (!(depth === 1 && line === '}')) cur!.push(line);
    depth += opens - closes;
    expect(depth).toBeGreaterThanOrEqual(0);
  }
  expect(depth).toBe(0);
  return out;
}

function obj(m: Map<string, string[]>, head: string): string[] {
  const b = m.get(head);
  expect(b, `missing object ${head}`).toBeDefined();
  return b!;
}

describe('renderTmsh: Dispatcher Paragon (seed 003) on F5', () => {
  const snat = objects(renderTmsh(resolved('paragon.yaml')));
  const dr = objects(
    renderTmsh(
      resolved('paragon.yaml', (s) => {
        s.mode = 'dr';
      }),
    ),
  );

  it('tcp_half_open monitors on 5555, 5022 and 515: interval 5, timeout 16 (3 x 5 + 1), time-until-up = warm-up', () => {
    for (const [label, port] of [
      ['ParagonTerminal', 5555],
      ['ParagonTerminal', 5022],
      ['ParagonFSP', 515],
    ] as const) {
      const b = obj(snat, `ltm monitor tcp-half-open /Common/printha_${label}_mon_${port}`);
      expect(b).toEqual(['defaults-from /Common/tcp_half_open', `destination *:${port}`, 'interval 5', 'time-until-up 60', 'timeout 16']);
    }
  });

  it('pools: least-connections-member, both monitors required, members on any port / on 515, slow ramp', () => {
    const t = obj(snat, 'ltm pool /Common/printha_ParagonTerminal_pool');
    expect(t).toContain('load-balancing-mode least-connections-member');
    expect(t).toContain('monitor /Common/printha_ParagonTerminal_mon_5555 and /Common/printha_ParagonTerminal_mon_5022');
    expect(t).toContain('/Common/10.20.0.21:any {');
    expect(t).toContain('slow-ramp-time 60');
    const f = obj(snat, 'ltm pool /Common/printha_ParagonFSP_pool');
    expect(f).toContain('/Common/10.20.0.22:515 {');
  });

  it('one source-addr persistence of 1800 s with match-across-services (+ virtuals) on every virtual', () => {
    expect(obj(snat, 'ltm persistence source-addr /Common/printha_persist_1800s')).toEqual([
      'defaults-from /Common/source_addr',
      'match-across-services enabled',
      'match-across-virtuals enabled',
      'timeout 1800',
    ]);
    for (const l of ['ParagonTerminal', 'ParagonFSP']) expect(obj(snat, `ltm virtual /Common/printha_${l}_vs`)).toContain('/Common/printha_persist_1800s {');
  });

  it('the multi-port VIP is a port-list + traffic-matching-criteria with exactly its ports, port kept', () => {
    expect(obj(snat, 'net port-list /Common/printha_ParagonTerminal_ports')).toEqual(['ports {', '21 { }', '5011-5025 { }', '5610 { }', '50000-50100 { }', '}']);
    expect(obj(snat, 'ltm traffic-matching-criteria /Common/printha_ParagonTerminal_tmc')).toEqual([
      'destination-address-inline 10.20.0.10',
      'destination-port-list /Common/printha_ParagonTerminal_ports',
      'protocol tcp',
      'source-address-inline 0.0.0.0',
    ]);
    const vs = obj(snat, 'ltm virtual /Common/printha_ParagonTerminal_vs');
    expect(vs).toContain('traffic-matching-criteria /Common/printha_ParagonTerminal_tmc');
    expect(vs).toContain('translate-port disabled');
    expect(vs.some((l) => l.startsWith('destination '))).toBe(false);
  });

  it('SNAT: automap, address translation on; DR (nPath): no SNAT, no translation, loose fastL4', () => {
    const s = obj(snat, 'ltm virtual /Common/printha_ParagonFSP_vs');
    expect(s).toContain('type automap');
    expect(s).toContain('translate-address enabled');
    expect(s).toContain('/Common/fastL4 { }');
    expect(obj(dr, 'ltm profile fastl4 /Common/printha_fastl4_npath')).toEqual([
      'defaults-from /Common/fastL4',
      'loose-close enabled',
      'loose-initialization enabled',
    ]);
    for (const l of ['ParagonTerminal', 'ParagonFSP']) {
      const v = obj(dr, `ltm virtual /Common/printha_${l}_vs`);
      expect(v).toContain('type none');
      expect(v).toContain('translate-address disabled');
      expect(v).toContain('translate-port disabled');
      expect(v).toContain('/Common/printha_fastl4_npath { }');
    }
    expect([...snat.keys()].some((k) => k.includes('fastl4_npath'))).toBe(false);
  });

  it('every object name is printha_-prefixed (nodes are named by address, as tmsh does)', () => {
    for (const head of snat.keys()) {
      const name = head.split(' ').pop()!;
      if (head.startsWith('ltm node ')) expect(name).toMatch(/^\/Common\/10\.20\.0\.2[12]$/);
      else expect(name).toMatch(/^\/Common\/printha_/);
    }
  });
});

describe('renderTmsh: Dispatcher Phoenix (seed 000)', () => {
  const text = renderTmsh(resolved('phoenix-snat.yaml'));
  const m = objects(text);

  it('445 only on the PrintServers virtual; Dispatcher monitored on 445 with a plain tcp monitor', () => {
    expect(obj(m, 'ltm virtual /Common/printha_PrintServers_vs')).toContain('destination /Common/192.168.81.10:445');
    const ports = obj(m, 'net port-list /Common/printha_Dispatcher_ports');
    expect(ports).not.toContain('445 { }');
    expect(ports).toContain('587 { }');
    expect(obj(m, 'ltm monitor tcp /Common/printha_Dispatcher_mon_445')).toContain('destination *:445');
    expect(text).not.toContain('tcp-half-open');
    expect(obj(m, 'ltm pool /Common/printha_PrintServers_pool')).toContain('/Common/192.168.81.184:445 {');
  });

  it('persistence 30 minutes = 1800 s, shared by both virtuals', () => {
    expect(obj(m, 'ltm persistence source-addr /Common/printha_persist_1800s')).toContain('match-across-services enabled');
    expect(text.match(/^ +\/Common\/printha_persist_1800s \{$/gm)).toHaveLength(2);
  });

  it('a one-port SNAT virtual translates to the member port (backendPort)', () => {
    const b = objects(
      renderTmsh(
        resolved('phoenix-snat.yaml', (s) => {
          s.overrides = { 'print-server': { backendPort: 1445 } };
        }),
      ),
    );
    expect(obj(b, 'ltm pool /Common/printha_PrintServers_pool')).toContain('/Common/192.168.81.184:1445 {');
    expect(obj(b, 'ltm virtual /Common/printha_PrintServers_vs')).toContain('translate-port enabled');
  });

  it('different weights switch to ratio modes with ratio per member; weight 0 is user-disabled', () => {
    const w = objects(
      renderTmsh(
        resolved('phoenix-snat.yaml', (s) => {
          s.servers[0]!.weight = 200;
          s.servers[1]!.weight = 0;
        }),
      ),
    );
    const p = obj(w, 'ltm pool /Common/printha_Dispatcher_pool');
    expect(p).toContain('load-balancing-mode ratio-least-connections-member');
    expect(p).toContain('ratio 200');
    expect(p).toContain('session user-disabled');
  });

  it('IPv6: address.port member and destination forms, :: source', () => {
    const v6 = objects(
      renderTmsh(
        resolved('phoenix-snat.yaml', (s) => {
          s.vip = '2001:db8::10';
          s.servers = [
            { label: 'PS1', address: '2001:db8::21', weight: 100 },
            { label: 'PS2', address: '2001:db8::22', weight: 100 },
          ];
          s.network.prefixLength = 64;
        }),
      ),
    );
    expect(obj(v6, 'ltm virtual /Common/printha_PrintServers_vs')).toContain('destination /Common/2001:db8::10.445');
    expect(obj(v6, 'ltm pool /Common/printha_Dispatcher_pool')).toContain('/Common/2001:db8::21.any {');
    expect(obj(v6, 'ltm traffic-matching-criteria /Common/printha_Dispatcher_tmc')).toContain('source-address-inline ::');
    expect(obj(v6, 'ltm monitor tcp /Common/printha_Dispatcher_mon_445')).toContain('destination *.445');
  });

  it('the site name cannot leave its comment line', () => {
    const t = renderTmsh(
      resolved('phoenix-dr.yaml', (s) => {
        s.name = 'x\nltm virtual /Common/evil { }';
      }),
    );
    expect(codeLines(t).some((l) => l.includes('evil'))).toBe(false);
  });
});

describe('tmshLbMode', () => {
  it('maps schedulers', () => {
    expect(tmshLbMode('lc', true)).toBe('least-connections-member');
    expect(tmshLbMode('lc', false)).toBe('least-connections-member');
    expect(tmshLbMode('wlc', true)).toBe('least-connections-member');
    expect(tmshLbMode('wlc', false)).toBe('ratio-least-connections-member');
    expect(tmshLbMode('rr', false)).toBe('round-robin');
    expect(tmshLbMode('wrr', false)).toBe('ratio-member');
  });
});
