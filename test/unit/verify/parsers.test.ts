/**
 * Parsers of the balancer's own view, on samples captured in the PrintHA lab (test/fixtures/verify/):
 * HAProxy 2.6.12 `show stat`, `show servers state`, `show table` (PS1 up / smbd stopped on PS1 /
 * drain + maint set through the runtime API), the lab's lbcli test double (`list --function virtual`),
 * `ipvsadm -Ln` (this kernel has no IPVS: its real error, plus a table written after ipvsadm's print
 * format), smbclient -g and tshark field output.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lbcliRipState, parseIpvsadm, parseLbcliList } from '../../../shared/verify/appliance.js';
import { haproxyReason, haproxyStatusToState, parseServersState, parseShowStat, parseShowTable, serverStateToState, splitCsvLine } from '../../../shared/verify/haproxy.js';
import { parseNetView, parseSmbclientGrepable, printerShares, smbNeedsCredentials, smbStatusOf } from '../../../shared/verify/smb.js';

const fx = (name: string): string => readFileSync(join(__dirname, '../../fixtures/verify', name), 'utf8');

describe('HAProxy show stat', () => {
  it('reads every server row of a healthy pair by column name', () => {
    const rows = parseShowStat(fx('show-stat-up.csv'));
    const servers = rows.filter((r) => r.server !== 'FRONTEND' && r.server !== 'BACKEND');
    expect(servers.map((r) => `${r.proxy}/${r.server}`)).toEqual(['PrintServers/PS1', 'PrintServers/PS2', 'Dispatcher/PS1', 'Dispatcher/PS2']);
    for (const r of servers) {
      expect(r.status).toBe('UP');
      expect(r.checkStatus).toBe('L4OK');
      expect(r.weight).toBe(100);
      expect(haproxyStatusToState(r.status)).toBe('up');
    }
    expect(rows.find((r) => r.proxy === 'PrintServers' && r.server === 'FRONTEND')?.status).toBe('OPEN');
    expect(rows.find((r) => r.proxy === 'PrintServers' && r.server === 'PS1')?.addr).toBe('10.99.0.21:0');
  });

  it('reports a server whose smbd stopped as DOWN with the check result and reason', () => {
    const rows = parseShowStat(fx('show-stat-ps1-down.csv'));
    const ps1 = rows.find((r) => r.proxy === 'PrintServers' && r.server === 'PS1')!;
    expect(ps1.status).toBe('DOWN');
    expect(haproxyStatusToState(ps1.status)).toBe('down');
    expect(ps1.checkStatus).toBe('L4CON');
    expect(ps1.lastChk).toBe('Connection refused');
    expect(haproxyReason(ps1)).toBe('L4CON: Connection refused');
    expect(haproxyStatusToState(rows.find((r) => r.proxy === 'PrintServers' && r.server === 'PS2')!.status)).toBe('up');
  });

  it('tells drain from maintenance', () => {
    const rows = parseShowStat(fx('show-stat-drain-maint.csv'));
    const drain = rows.find((r) => r.proxy === 'Dispatcher' && r.server === 'PS2')!;
    const maint = rows.find((r) => r.proxy === 'PrintServers' && r.server === 'PS2')!;
    expect([drain.status, haproxyStatusToState(drain.status)]).toEqual(['DRAIN', 'drain']);
    expect([maint.status, haproxyStatusToState(maint.status)]).toEqual(['MAINT', 'maint']);
    expect(haproxyReason(maint)).toMatch(/maintenance/);
    expect(haproxyReason(drain)).toMatch(/draining/);
  });

  it('maps the transitional and special statuses', () => {
    expect(haproxyStatusToState('UP 1/3')).toBe('up');
    expect(haproxyStatusToState('DOWN 1/2')).toBe('down');
    expect(haproxyStatusToState('MAINT (via halfopen.X.5555.5022/PS1)')).toBe('maint');
    expect(haproxyStatusToState('NOLB')).toBe('drain');
    expect(haproxyStatusToState('no check')).toBe('unknown');
  });

  it('splits quoted CSV fields like HAProxy writes them', () => {
    expect(splitCsvLine('a,"b,c",d,"e ""q"""')).toEqual(['a', 'b,c', 'd', 'e "q"']);
  });
});

describe('HAProxy show servers state', () => {
  it('decodes operational and admin states', () => {
    const up = parseServersState(fx('servers-state-up.txt'));
    expect(up).toHaveLength(4);
    expect(up.every((r) => serverStateToState(r) === 'up')).toBe(true);
    expect(up[0]).toMatchObject({ backend: 'PrintServers', server: 'PS1', addr: '10.99.0.21', opState: 2, adminState: 0, weight: 100 });
    const down = parseServersState(fx('servers-state-ps1-down.txt'));
    expect(down.filter((r) => r.server === 'PS1').map(serverStateToState)).toEqual(['down', 'down']);
    const dm = parseServersState(fx('servers-state-drain-maint.txt'));
    expect(dm.find((r) => r.backend === 'PrintServers' && r.server === 'PS2')!.adminState).toBe(1);
    expect(serverStateToState(dm.find((r) => r.backend === 'PrintServers' && r.server === 'PS2')!)).toBe('maint');
    expect(serverStateToState(dm.find((r) => r.backend === 'Dispatcher' && r.server === 'PS2')!)).toBe('drain');
  });
});

describe('HAProxy show table', () => {
  it('reads the shared stick table and the entry of the lab client', () => {
    const tables = parseShowTable(fx('show-table.txt'));
    expect(tables[0]).toMatchObject({ name: 'st_printha', type: 'ip', size: 204800, used: 1 });
    expect(tables[0]!.entries).toEqual([expect.objectContaining({ key: '10.99.0.100', serverId: 1, serverKey: 'PS1', expMs: 1799923 })]);
    // the second block is `show table` (headers only)
    expect(tables[1]!.entries).toEqual([]);
  });
});

describe('lbcli list --function virtual (lab test double)', () => {
  it('Layer 7: VIPs, RIPs, admin state (drain) and health', () => {
    const l = parseLbcliList(fx('lbcli-list-l7-sandbox.txt'));
    expect(l.status).toBe('success');
    expect(l.virtuals.map((v) => [v.label, v.layer, v.ports])).toEqual([
      ['PrintServers', 7, '445'],
      ['Dispatcher', 7, '25:53:80:443:465:515:587:50808-50809'],
    ]);
    const ps2 = l.virtuals[0]!.rips.find((r) => r.label === 'PS2')!;
    expect(ps2).toMatchObject({ ip: '10.99.0.22', weight: 100, adminState: 'drain' });
    expect(lbcliRipState(ps2)).toBe('drain');
    expect(lbcliRipState(l.virtuals[0]!.rips[0]!)).toBe('unknown');
  });

  it('Layer 4: forwarding gate and health unknown without IPVS', () => {
    const l = parseLbcliList(fx('lbcli-list-l4-sandbox.txt'));
    expect(l.virtuals).toHaveLength(2);
    expect(l.virtuals[0]).toMatchObject({ label: 'PrintServers', layer: 4, forwarding: 'gate' });
    expect(l.virtuals[0]!.rips[0]!.health).toMatch(/no IPVS/);
  });

  it('accepts the appliance XML-to-JSON quirks: one object instead of an array, real/server keys, other wrappers', () => {
    const doc = [{ lbcli: [{ action: 'list', status: 'success', virtual: { label: 'V', server: '10.0.0.10', ports: '445', layer: '7', real: { label: 'R1', server: '10.0.0.21', weight: '50', status: 'UP' } } }] }];
    const l = parseLbcliList(`LBCLI list: success\n${JSON.stringify(doc)}\n`);
    expect(l.virtuals).toEqual([expect.objectContaining({ label: 'V', ip: '10.0.0.10', rips: [expect.objectContaining({ label: 'R1', ip: '10.0.0.21', weight: 50, adminState: 'online' })] })]);
    expect(lbcliRipState(l.virtuals[0]!.rips[0]!)).toBe('up');
    expect(lbcliRipState({ label: 'x', ip: '', port: '', weight: 0, adminState: 'halt', health: 'UP' })).toBe('maint');
  });

  it('says so when lbcli printed no JSON', () => {
    expect(parseLbcliList('lbcli: command not found').status).toBe('no-json');
  });
});

describe('ipvsadm -Ln', () => {
  it('reports the real error of a kernel without IPVS as unavailable, with its words', () => {
    const t = parseIpvsadm(fx('ipvsadm-no-ipvs.txt'));
    expect(t.available).toBe(false);
    if (!t.available) expect(t.reason).toMatch(/Can't initialize ipvs: Protocol not available/);
  });

  it('reads services, persistence, fwmarks and real servers', () => {
    // Not captured (no IPVS here): written after ipvsadm's print format (print_service_entry:
    // "%s  %s %s" + " persistent %u"; destinations "  -> %-27s %-7s %-6d %-10u %-10u").
    const text = [
      'IP Virtual Server version 1.2.1 (size=4096)',
      'Prot LocalAddress:Port Scheduler Flags',
      '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
      'TCP  192.168.81.10:445 wlc persistent 1800',
      '  -> 192.168.81.184:445           Route   100    3          12',
      '  -> 192.168.81.185:445           Route   0      0          4',
      'FWM  1 wlc persistent 1800',
      '  -> 192.168.81.184:0             Route   100    1          0',
      '',
    ].join('\n');
    const t = parseIpvsadm(text);
    expect(t.available).toBe(true);
    if (!t.available) return;
    expect(t.services[0]).toMatchObject({ protocol: 'TCP', vip: '192.168.81.10', port: 445, scheduler: 'wlc', persistentSeconds: 1800 });
    expect(t.services[0]!.reals).toEqual([
      { ip: '192.168.81.184', port: 445, forward: 'Route', weight: 100, activeConn: 3, inactConn: 12 },
      { ip: '192.168.81.185', port: 445, forward: 'Route', weight: 0, activeConn: 0, inactConn: 4 },
    ]);
    expect(t.services[1]).toMatchObject({ protocol: 'FWM', fwmark: 1, reals: [expect.objectContaining({ ip: '192.168.81.184', port: 0 })] });
  });
});

describe('SMB listings', () => {
  it('smbclient -g through the VIP and through the share name (lab samples)', () => {
    for (const f of ['smbclient-g-vip.txt', 'smbclient-g-sharename.txt']) {
      const shares = parseSmbclientGrepable(fx(f));
      expect(printerShares(shares)).toEqual(['Canon-iRADV-C5535-Plotroom', 'FollowMe-Secure', 'HP-LaserJet-4th-Floor', 'KM-bizhub-C308-Reception', 'KM-C458-Finance']);
      expect(shares.find((s) => s.name === 'print$')?.type).toBe('disk');
      expect(shares.find((s) => s.name === 'IPC$')?.type).toBe('ipc');
    }
    expect(parseSmbclientGrepable(fx('smbclient-g-sharename.txt')).find((s) => s.name === 'FollowMe-Secure')?.comment).toBe('FollowMe-Secure on pha-ps2');
  });

  it('the error of a server whose smbd is stopped', () => {
    const t = fx('smbclient-refused.txt');
    expect(parseSmbclientGrepable(t)).toEqual([]);
    expect(smbStatusOf(t)).toBe('NT_STATUS_CONNECTION_REFUSED');
    expect(smbNeedsCredentials(smbStatusOf(t))).toBe(false);
    expect(smbNeedsCredentials('NT_STATUS_ACCESS_DENIED')).toBe(true);
  });

  it('net view \\\\host /all (Windows; written after its English output, not captured here)', () => {
    const text = [
      'Shared resources at \\\\192.168.81.10',
      '',
      'PS1 print server',
      '',
      'Share name                 Type   Used as  Comment',
      '',
      '-------------------------------------------------------------------------------',
      'ADMIN$                     Disk            Remote Admin',
      'HP-LaserJet-4th-Floor      Print           HP LaserJet 4th floor',
      'KM C458 Finance            Print           Finance',
      'print$                     Disk            Printer Drivers',
      'Scans                      Disk   Z:       Scanned documents',
      'The command completed successfully.',
      '',
    ].join('\r\n');
    const shares = parseNetView(text);
    expect(printerShares(shares)).toEqual(['HP-LaserJet-4th-Floor', 'KM C458 Finance']);
    expect(shares.find((s) => s.name === 'Scans')).toEqual({ name: 'Scans', type: 'disk', comment: 'Scanned documents' });
  });
});
