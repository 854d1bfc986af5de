import { describe, expect, it } from 'vitest';
import {
  LBCLI_PATH,
  checkScriptName,
  halfOpenCheckScripts,
  lbcliCommands,
  lbcliPorts,
  lbcliPortsEqual,
  parseLbcliPorts,
  renderLbcliScript,
  wantedLbcliState,
  type LbcliCommand,
} from '../../../shared/render/lbcli.js';
import { resolved } from './balancer-sites.js';

/** The value after --<key> in an argv, or undefined. */
function opt(argv: readonly string[], key: string): string | undefined {
  const i = argv.indexOf(`--${key}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

function byAction(cmds: LbcliCommand[], action: string): LbcliCommand[] {
  return cmds.filter((c) => opt(c.argv, 'action') === action);
}

function portsOf(c: LbcliCommand): number[] {
  const r = parseLbcliPorts(opt(c.argv, 'ports') ?? '');
  expect(r).not.toBeNull();
  const out: number[] = [];
  for (const x of r!) for (let p = x.from; p <= x.to; p++) out.push(p);
  return out;
}

describe('lbcliCommands: every call', () => {
  for (const file of ['phoenix-dr.yaml', 'phoenix-snat.yaml', 'paragon.yaml']) {
    it(`${file}: absolute lbcli path, --action second, --method api last (forces JSON)`, () => {
      const cmds = lbcliCommands(resolved(file));
      expect(cmds.length).toBeGreaterThan(4);
      for (const c of cmds) {
        expect(c.argv[0]).toBe(LBCLI_PATH);
        expect(c.argv[1]).toBe('--action');
        expect(c.argv.slice(-2)).toEqual(['--method', 'api']);
        expect(c.purpose.length).toBeGreaterThan(5);
      }
    });
  }
});

describe('lbcliCommands: Dispatcher Phoenix, Layer 4 DR (seed 000 §10)', () => {
  const r = resolved('phoenix-dr.yaml');
  const cmds = lbcliCommands(r);

  it('adds both VIP labels on the one VIP address with forwarding gate, protocol tcp, layer 4', () => {
    const adds = byAction(cmds, 'add-vip');
    expect(adds.map((c) => opt(c.argv, 'vip'))).toEqual(['PrintServers', 'Dispatcher']);
    for (const c of adds) {
      expect(opt(c.argv, 'layer')).toBe('4');
      expect(opt(c.argv, 'ip')).toBe('192.168.81.10');
      expect(opt(c.argv, 'forwarding')).toBe('gate');
      expect(opt(c.argv, 'protocol')).toBe('tcp');
    }
  });

  it('445 is only on the PrintServers VIP; Dispatcher carries the guide ports, colon-separated', () => {
    for (const c of byAction(cmds, 'add-vip')) {
      expect(portsOf(c).includes(445)).toBe(opt(c.argv, 'vip') === 'PrintServers');
    }
    const disp = byAction(cmds, 'add-vip').find((c) => opt(c.argv, 'vip') === 'Dispatcher')!;
    expect(opt(disp.argv, 'ports')).toBe('25:53:80:443:465:587');
  });

  it('edit-vip: persistence 1800 s per client IP, wlc, connect check; Dispatcher checked on 445', () => {
    const edits = byAction(cmds, 'edit-vip');
    expect(edits).toHaveLength(2);
    for (const c of edits) {
      expect(opt(c.argv, 'persistent')).toBe('on');
      expect(opt(c.argv, 'persist_time')).toBe('1800');
      expect(opt(c.argv, 'granularity')).toBe('255.255.255.255');
      expect(opt(c.argv, 'scheduler')).toBe('wlc');
      expect(opt(c.argv, 'check_type')).toBe('connect');
      expect(opt(c.argv, 'check_port')).toBe('445');
    }
    expect(edits.find((c) => opt(c.argv, 'vip') === 'Dispatcher')).toBeDefined();
  });

  it('RIPs: the server labels on every VIP, weight, minconns/maxconns 0, never --port in DR', () => {
    const rips = byAction(cmds, 'add-rip');
    expect(rips).toHaveLength(4);
    for (const vip of ['PrintServers', 'Dispatcher']) {
      const mine = rips.filter((c) => opt(c.argv, 'vip') === vip);
      expect(mine.map((c) => opt(c.argv, 'rip'))).toEqual(['PS1', 'PS2']);
      expect(mine.map((c) => opt(c.argv, 'ip'))).toEqual(['192.168.81.184', '192.168.81.185']);
    }
    for (const c of rips) {
      expect(c.argv).not.toContain('--port');
      expect(opt(c.argv, 'weight')).toBe('100');
      expect(opt(c.argv, 'minconns')).toBe('0');
      expect(opt(c.argv, 'maxconns')).toBe('0');
      expect(c.rip).toBe(opt(c.argv, 'rip'));
    }
  });

  it('orders add-vip, edit-vip, add-rip per VIP, then restart-ldirectord (new VIPs), then reload-heartbeat (HA pair)', () => {
    const actions = cmds.map((c) => opt(c.argv, 'action'));
    expect(actions).toEqual([
      'add-vip',
      'edit-vip',
      'add-rip',
      'add-rip',
      'add-vip',
      'edit-vip',
      'add-rip',
      'add-rip',
      'restart-ldirectord',
      'reload-heartbeat',
    ]);
  });

  it('no reload-heartbeat without a secondary appliance', () => {
    const single = lbcliCommands(
      resolved('phoenix-dr.yaml', (s) => {
        delete s.balancer.secondary;
      }),
    );
    expect(single.map((c) => opt(c.argv, 'action'))).not.toContain('reload-heartbeat');
  });

  it('IPv6 VIP: granularity as a /128 prefix', () => {
    const v6 = lbcliCommands(
      resolved('phoenix-dr.yaml', (s) => {
        s.vip = '2001:db8::10';
        s.servers = [
          { label: 'PS1', address: '2001:db8::21', weight: 100 },
          { label: 'PS2', address: '2001:db8::22', weight: 100 },
        ];
        s.network.prefixLength = 64;
      }),
    );
    const e = byAction(v6, 'edit-vip')[0]!;
    expect(opt(e.argv, 'granularity')).toBe('128');
    expect(opt(byAction(v6, 'add-vip')[0]!.argv, 'ip')).toBe('2001:db8::10');
  });
});

describe('lbcliCommands: Dispatcher Phoenix, Layer 7 SNAT (seed 000 §11)', () => {
  const cmds = lbcliCommands(resolved('phoenix-snat.yaml'));

  it('Layer 7 TCP-mode VIPs, persistence ip 30 (minutes), leastconn, check 445, reload-haproxy', () => {
    for (const c of byAction(cmds, 'add-vip')) {
      expect(opt(c.argv, 'layer')).toBe('7');
      expect(opt(c.argv, 'mode')).toBe('tcp');
      expect(c.argv).not.toContain('--forwarding');
    }
    for (const c of byAction(cmds, 'edit-vip')) {
      expect(opt(c.argv, 'persistence')).toBe('ip');
      expect(opt(c.argv, 'persist_time')).toBe('30');
      expect(opt(c.argv, 'scheduler')).toBe('leastconn');
      expect(opt(c.argv, 'check_type')).toBe('connect');
      expect(opt(c.argv, 'check_port')).toBe('445');
    }
    const actions = cmds.map((c) => opt(c.argv, 'action'));
    expect(actions).toContain('reload-haproxy');
    expect(actions).not.toContain('restart-ldirectord');
  });

  it('Layer 7 RIPs: weight, no --port (guide: "leave the Real Server Port blank"), no min/maxconns', () => {
    for (const c of byAction(cmds, 'add-rip')) {
      expect(c.argv).not.toContain('--port');
      expect(c.argv).not.toContain('--minconns');
      expect(opt(c.argv, 'weight')).toBe('100');
    }
  });

  it('SNAT backendPort becomes the RIP --port', () => {
    const c = lbcliCommands(
      resolved('phoenix-snat.yaml', (s) => {
        s.overrides = { 'print-server': { backendPort: 1445 } };
      }),
    );
    const ps = byAction(c, 'add-rip').filter((x) => opt(x.argv, 'vip') === 'PrintServers');
    expect(ps.map((x) => opt(x.argv, 'port'))).toEqual(['1445', '1445']);
    const d = byAction(c, 'add-rip').filter((x) => opt(x.argv, 'vip') === 'Dispatcher');
    expect(d.every((x) => !x.argv.includes('--port'))).toBe(true);
  });
});

describe('lbcliCommands: Dispatcher Paragon (seed 003)', () => {
  it('SNAT: external half-open check scripts, leastconn, persistence 30, passive range in the ports', () => {
    const cmds = lbcliCommands(resolved('paragon.yaml'));
    const add = byAction(cmds, 'add-vip').find((c) => opt(c.argv, 'vip') === 'ParagonTerminal')!;
    expect(opt(add.argv, 'ports')).toBe('21:5011-5025:5610:50000-50100');
    for (const c of byAction(cmds, 'edit-vip')) {
      expect(opt(c.argv, 'check_type')).toBe('external');
      expect(opt(c.argv, 'external_check_script')).toBe(`printha-halfopen-check-${opt(c.argv, 'vip')}`);
      expect(c.argv).not.toContain('--check_port');
      expect(opt(c.argv, 'scheduler')).toBe('leastconn');
      expect(opt(c.argv, 'persist_time')).toBe('30');
    }
  });

  it('DR: --check_command names the wrapper, persistence 1800 s, scheduler wlc', () => {
    const cmds = lbcliCommands(
      resolved('paragon.yaml', (s) => {
        s.mode = 'dr';
      }),
    );
    for (const c of byAction(cmds, 'edit-vip')) {
      expect(opt(c.argv, 'check_type')).toBe('external');
      expect(opt(c.argv, 'check_command')).toBe(`printha-halfopen-check-${opt(c.argv, 'vip')}`);
      expect(opt(c.argv, 'persist_time')).toBe('1800');
      expect(opt(c.argv, 'scheduler')).toBe('wlc');
    }
  });

  it('the wrappers call the shipped probe with the VIP check ports and warm-up (60 s / 5 s + 1 = 13)', () => {
    const scripts = halfOpenCheckScripts(resolved('paragon.yaml'));
    expect(scripts.map((s) => [s.name, s.ports, s.needSuccesses, s.fall])).toEqual([
      ['printha-halfopen-check-ParagonTerminal', [5555, 5022], 13, 3],
      ['printha-halfopen-check-ParagonFSP', [515], 13, 3],
    ]);
    const t = scripts[0]!.content;
    expect(t.startsWith('#!/bin/sh\n')).toBe(true);
    expect(t).toContain("PORTS='5555 5022'");
    expect(t).toContain('NEED=13');
    expect(t).toContain('exec "$PROBE" --rise "$NEED" --fall "$FALL" --state-dir "$STATE_DIR" --key "$key" "$rip" $PORTS');
    expect(scripts[0]!.path).toBe('/var/lib/loadbalancer.org/check/printha-halfopen-check-ParagonTerminal');
  });

  it('a connect check on more than one port also uses the external script (ldirectord checkport takes one)', () => {
    const r = resolved('phoenix-dr.yaml', (s) => {
      s.overrides = { 'sec-workflow': { checkPorts: [445, 80] } };
    });
    const disp = r.vips.find((v) => v.label === 'Dispatcher')!;
    expect(checkScriptName(disp)).toBe('printha-halfopen-check-Dispatcher');
    const edit = byAction(lbcliCommands(r), 'edit-vip').find((c) => opt(c.argv, 'vip') === 'Dispatcher')!;
    expect(opt(edit.argv, 'check_type')).toBe('external');
    expect(halfOpenCheckScripts(r).map((s) => s.vipLabel)).toEqual(['Dispatcher']);
  });
});

describe('wantedLbcliState', () => {
  it('describes what the commands create, for the engine to diff against dumpconfig', () => {
    const st = wantedLbcliState(resolved('phoenix-dr.yaml'));
    expect(st.layer).toBe(4);
    expect(st.vips.map((v) => [v.label, v.layer, v.ip, v.ports, v.forwarding])).toEqual([
      ['PrintServers', 4, '192.168.81.10', '445', 'gate'],
      ['Dispatcher', 4, '192.168.81.10', '25:53:80:443:465:587', 'gate'],
    ]);
    expect(st.vips[1]!.reals).toEqual([
      { label: 'PS1', ip: '192.168.81.184', weight: 100 },
      { label: 'PS2', ip: '192.168.81.185', weight: 100 },
    ]);
    expect(st.vips[1]!.persistence).toEqual({ on: true, time: 1800, unit: 'seconds', granularity: '255.255.255.255' });
    expect(st.checkScripts).toEqual([]);
    const l7 = wantedLbcliState(resolved('phoenix-snat.yaml'));
    expect(l7.vips[0]!.mode).toBe('tcp');
    expect(l7.vips[0]!.persistence).toEqual({ on: true, time: 30, unit: 'minutes' });
  });

  it('persistence 0 turns persistence off', () => {
    const r = resolved('phoenix-dr.yaml', (s) => {
      s.overrides = { 'print-server': { persistenceMinutes: 0 } };
    });
    const edit = byAction(lbcliCommands(r), 'edit-vip')[0]!;
    expect(opt(edit.argv, 'persistent')).toBe('off');
    expect(edit.argv).not.toContain('--persist_time');
  });
});

describe('lbcli port syntax', () => {
  it('formats colon-separated with first-last ranges', () => {
    expect(
      lbcliPorts([
        { from: 80, to: 80 },
        { from: 90, to: 100 },
        { from: 3443, to: 3443 },
      ]),
    ).toBe('80:90-100:3443');
  });
  it('parses colons, commas and spaces; compares ignoring order and separators', () => {
    expect(parseLbcliPorts('80:90-100, 3443')).toEqual([
      { from: 80, to: 80 },
      { from: 90, to: 100 },
      { from: 3443, to: 3443 },
    ]);
    expect(parseLbcliPorts(445)).toEqual([{ from: 445, to: 445 }]);
    expect(lbcliPortsEqual('25,53,80', '80:53:25')).toBe(true);
    expect(lbcliPortsEqual('5011-5025', '5011:5012-5025')).toBe(true);
    expect(lbcliPortsEqual('25,53', '25')).toBe(false);
    expect(parseLbcliPorts('80:abc')).toBeNull();
    expect(parseLbcliPorts('')).toBeNull();
    expect(lbcliPortsEqual('x', 'x')).toBe(false);
  });
});

describe('renderLbcliScript', () => {
  it('is a POSIX sh script with set -eu and one run line per command', () => {
    const r = resolved('phoenix-dr.yaml');
    const text = renderLbcliScript(r);
    expect(text.startsWith('#!/bin/sh\n')).toBe(true);
    expect(text.split('\n')).toContain('set -eu');
    const runLines = text.split('\n').filter((l) => l.startsWith('run '));
    expect(runLines).toHaveLength(lbcliCommands(r).length);
    expect(text).not.toContain('install_check');
  });

  it('installs the probe and the wrappers only when a VIP uses an external check; copies them to the peer', () => {
    const text = renderLbcliScript(resolved('paragon.yaml'));
    expect(text).toContain("install_check printha-halfopen-check <<'PRINTHA_CHECK_EOF'");
    expect(text).toContain("install_check printha-halfopen-check-ParagonTerminal <<'PRINTHA_CHECK_EOF'");
    expect(text).toContain('lbslave:$CHECK_DIR/$f');
    const single = renderLbcliScript(
      resolved('paragon.yaml', (s) => {
        delete s.balancer.secondary;
      }),
    );
    expect(single).not.toContain('lbslave');
  });

  it('a site name with newlines and shell syntax stays inside one comment line', () => {
    const text = renderLbcliScript(
      resolved('paragon.yaml', (s) => {
        s.name = 'evil\nrm -rf / #\r\n$(reboot) `halt`\u2028touch /tmp/x';
      }),
    );
    for (const l of text.split('\n')) {
      if (l.includes('rm -rf') || l.includes('reboot') || l.includes('touch /tmp/x')) expect(l.trimStart().startsWith('#')).toBe(true);
    }
  });
});
