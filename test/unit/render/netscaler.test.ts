import { describe, expect, it } from 'vitest';
import { NETSCALER_PER_PORT_LIMIT, listenPolicy, nsPersistMinutes, renderNetscaler } from '../../../shared/render/netscaler.js';
import { codeLines, resolved } from './balancer-sites.js';

const lines = (t: string): string[] => codeLines(t);
const starting = (t: string, prefix: string): string[] => lines(t).filter((l) => l.startsWith(prefix));

describe('renderNetscaler: Dispatcher Paragon (seed 003)', () => {
  const text = renderNetscaler(resolved('paragon.yaml'));

  it('half-open: every service group closes monitor connections with RESET; the global form only as a comment', () => {
    const sgs = starting(text, 'add serviceGroup ');
    expect(sgs.length).toBe(2);
    for (const l of sgs) expect(l).toContain('-monConnectionClose RESET');
    expect(text).toContain('#   set lb parameter -monitorConnectionClose RESET');
    expect(lines(text).some((l) => l.startsWith('set lb parameter'))).toBe(false);
  });

  it('monitors on 5555, 5022, 515: interval 5, 3 retries, 13 successRetries (60 s / 5 s + 1 warm-up), downTime 5', () => {
    const mons = starting(text, 'add lb monitor ');
    expect(mons).toEqual([
      'add lb monitor printha_ParagonTerminal_mon_5555 TCP -destPort 5555 -interval 5 SEC -resptimeout 3 SEC -retries 3 -successRetries 13 -downTime 5 SEC',
      'add lb monitor printha_ParagonTerminal_mon_5022 TCP -destPort 5022 -interval 5 SEC -resptimeout 3 SEC -retries 3 -successRetries 13 -downTime 5 SEC',
      'add lb monitor printha_ParagonFSP_mon_515 TCP -destPort 515 -interval 5 SEC -resptimeout 3 SEC -retries 3 -successRetries 13 -downTime 5 SEC',
    ]);
    expect(lines(text)).toContain('bind serviceGroup printha_ParagonTerminal_any_sg -monitorName printha_ParagonTerminal_mon_5022');
  });

  it('every vserver: LEASTCONNECTION, SOURCEIP 30 min, bound to the one persistency group', () => {
    const vs = starting(text, 'add lb vserver ');
    expect(vs.length).toBe(2);
    expect(lines(text)).toContain('add lb group printha_persist -persistenceType SOURCEIP -timeout 30');
    for (const l of vs) {
      expect(l).toContain('-lbMethod LEASTCONNECTION');
      expect(l).toContain('-persistenceType SOURCEIP -timeout 30');
      const name = l.split(' ')[3]!;
      expect(lines(text)).toContain(`bind lb group printha_persist ${name}`);
    }
  });

  it(`more than ${NETSCALER_PER_PORT_LIMIT} ports: one wildcard vserver limited by a listen policy, members on *`, () => {
    const vs = starting(text, 'add lb vserver printha_ParagonTerminal')[0]!;
    expect(vs).toContain('TCP 10.20.0.10 * ');
    expect(vs).toContain(
      '-Listenpolicy "CLIENT.TCP.DSTPORT.EQ(21) || CLIENT.TCP.DSTPORT.BETWEEN(5011,5025) || CLIENT.TCP.DSTPORT.EQ(5610) || CLIENT.TCP.DSTPORT.BETWEEN(50000,50100)"',
    );
    expect(lines(text)).toContain('bind serviceGroup printha_ParagonTerminal_any_sg printha_SPOC1 * -weight 100');
  });

  it(`up to ${NETSCALER_PER_PORT_LIMIT} ports: one TCP vserver and one service group per port`, () => {
    const t = renderNetscaler(
      resolved('paragon.yaml', (s) => {
        s.overrides = { terminal: { passivePorts: '50000-50020' } };
      }),
    );
    const vs = starting(t, 'add lb vserver printha_ParagonTerminal_');
    expect(vs).toHaveLength(15 + 1 + 1 + 21);
    expect(vs[0]).toMatch(/^add lb vserver printha_ParagonTerminal_21 TCP 10\.20\.0\.10 21 /);
    expect(lines(t)).toContain('bind serviceGroup printha_ParagonTerminal_5011_sg printha_SPOC2 5011 -weight 100');
    expect(t).not.toContain('Listenpolicy');
  });

  it('SNAT: -usip NO, no -m MAC, no MBF', () => {
    for (const l of starting(text, 'add serviceGroup ')) expect(l).toContain('-usip NO');
    expect(text).not.toContain('-m MAC');
    expect(text).not.toContain('enable ns mode MBF');
  });

  it('DR: MBF mode, -usip YES on service groups, -m MAC on every vserver', () => {
    const t = renderNetscaler(
      resolved('paragon.yaml', (s) => {
        s.mode = 'dr';
      }),
    );
    expect(lines(t)).toContain('enable ns mode MBF');
    for (const l of starting(t, 'add serviceGroup ')) expect(l).toContain('-usip YES');
    for (const l of starting(t, 'add lb vserver ')) expect(l).toMatch(/ -m MAC( |$)/);
  });
});

describe('renderNetscaler: Dispatcher Phoenix (seed 000)', () => {
  const text = renderNetscaler(resolved('phoenix-dr.yaml'));

  it('445 only on the PrintServers vserver; Dispatcher ports each a vserver, monitored on 445', () => {
    const vs = starting(text, 'add lb vserver ');
    const on445 = vs.filter((l) => / 192\.168\.81\.10 445 /.test(l));
    expect(on445).toHaveLength(1);
    expect(on445[0]).toContain('printha_PrintServers_445');
    expect(vs.filter((l) => l.includes('printha_Dispatcher_')).map((l) => l.split(' ')[6])).toEqual(['25', '53', '80', '443', '465', '587']);
    expect(lines(text)).toContain(
      'add lb monitor printha_Dispatcher_mon_445 TCP -destPort 445 -interval 5 SEC -resptimeout 3 SEC -retries 3 -successRetries 3 -downTime 5 SEC',
    );
    for (const l of starting(text, 'bind serviceGroup printha_Dispatcher_')) if (l.includes('-monitorName')) expect(l).toContain('printha_Dispatcher_mon_445');
  });

  it('connect checks keep the default close (no RESET) and every vserver is in the persistency group', () => {
    expect(text).not.toContain('RESET');
    const vs = starting(text, 'add lb vserver ').map((l) => l.split(' ')[3]);
    const grouped = starting(text, 'bind lb group printha_persist ').map((l) => l.split(' ')[4]);
    expect(grouped).toEqual(vs);
  });

  it('servers are added once each with their address', () => {
    expect(starting(text, 'add server ')).toEqual(['add server printha_PS1 192.168.81.184', 'add server printha_PS2 192.168.81.185']);
  });

  it('weights: clamped to 1-100, 0 binds the member disabled; rr becomes ROUNDROBIN', () => {
    const t = renderNetscaler(
      resolved('phoenix-snat.yaml', (s) => {
        s.servers[0]!.weight = 200;
        s.servers[1]!.weight = 0;
        s.overrides = { 'print-server': { scheduler: 'rr' } };
      }),
    );
    expect(lines(t)).toContain('bind serviceGroup printha_PrintServers_445_sg printha_PS1 445 -weight 100');
    expect(lines(t)).toContain('bind serviceGroup printha_PrintServers_445_sg printha_PS2 445 -state DISABLED');
    expect(starting(t, 'add lb vserver printha_PrintServers_445')[0]).toContain('-lbMethod ROUNDROBIN');
  });

  it('the site name cannot leave its comment line', () => {
    const t = renderNetscaler(
      resolved('phoenix-dr.yaml', (s) => {
        s.name = 'x\nrm lb vserver important';
      }),
    );
    expect(codeLines(t).some((l) => l.includes('important'))).toBe(false);
  });
});

describe('NetScaler helpers', () => {
  it('persistence minutes are clamped to 2-1440', () => {
    expect(nsPersistMinutes(1)).toBe(2);
    expect(nsPersistMinutes(30)).toBe(30);
    expect(nsPersistMinutes(5000)).toBe(1440);
  });
  it('listen policy for single ports and ranges', () => {
    expect(
      listenPolicy([
        { from: 21, to: 21 },
        { from: 100, to: 200 },
      ]),
    ).toBe('CLIENT.TCP.DSTPORT.EQ(21) || CLIENT.TCP.DSTPORT.BETWEEN(100,200)');
  });
});
