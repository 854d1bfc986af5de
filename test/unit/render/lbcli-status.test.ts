import { describe, expect, it } from 'vitest';
import { DumpconfigError, extractJsonDocuments, lbcliReplyOk, parseDumpconfig, parseLbcliReply } from '../../../shared/render/lbcli-status.js';

describe('parseLbcliReply: every reply shape of lbcli.md §1.2', () => {
  it('{"lbcli":{...}}', () => {
    const r = parseLbcliReply('{"lbcli":{"action":"add-vip","status":"success"}}');
    expect(r.status).toBe('success');
    expect(r.raw).toEqual({ lbcli: { action: 'add-vip', status: 'success' } });
    expect(lbcliReplyOk(r)).toBe(true);
  });

  it('{"lbcli":[{...}]}', () => {
    const r = parseLbcliReply('{"lbcli":[{"status":"exists","message":"VIP PrintServers already exists"}]}\n');
    expect(r.status).toBe('exists');
    expect(r.message).toBe('VIP PrintServers already exists');
    expect(lbcliReplyOk(r)).toBe(true);
  });

  it('[{"lbcli":[{...}]}]', () => {
    const r = parseLbcliReply('[{"lbcli":[{"status":"failed","error":"invalid port list"}]}]');
    expect(r.status).toBe('failed');
    expect(r.message).toBe('invalid port list');
    expect(lbcliReplyOk(r)).toBe(false);
  });

  it('JSON on line 2 after a banner (S2 reads $output[1])', () => {
    const r = parseLbcliReply('Loadbalancer.org lbcli - v8.9.0\n{"lbcli":[{"status":"missing","message":"no such VIP"}]}\n');
    expect(r.status).toBe('missing');
    expect(r.message).toBe('no such VIP');
  });

  it('text before the JSON on the same line, and CRLF line ends', () => {
    expect(parseLbcliReply('result: {"lbcli":{"status":"fatal"}}\r\n').status).toBe('fatal');
  });

  it('pretty-printed JSON over several lines after a banner', () => {
    const r = parseLbcliReply('banner\n{\n  "lbcli": [\n    { "status": "success" }\n  ]\n}\n');
    expect(r.status).toBe('success');
  });

  it('plain text "  exists" of older builds (two leading spaces)', () => {
    const r = parseLbcliReply('Adding VIP PrintServers\nVIP PrintServers  exists\n');
    expect(r.status).toBe('exists');
    expect(r.raw).toBe('Adding VIP PrintServers\nVIP PrintServers  exists');
  });

  it('no JSON at all', () => {
    const r = parseLbcliReply('sh: lbcli: command not found\n');
    expect(r).toEqual({ status: 'no-json', message: 'sh: lbcli: command not found', raw: 'sh: lbcli: command not found' });
    expect(lbcliReplyOk(r)).toBe(false);
    expect(parseLbcliReply('')).toEqual({ status: 'no-json', raw: '' });
  });

  it('a status lbcli.md does not list is "unknown", with the value in the message', () => {
    const r = parseLbcliReply('{"lbcli":{"status":"pending"}}');
    expect(r.status).toBe('unknown');
    expect(r.message).toContain('pending');
    expect(lbcliReplyOk(r)).toBe(false);
  });

  it('JSON without any status field is "unknown", not success', () => {
    const r = parseLbcliReply('{"lbcli":{"action":"add-vip"}}');
    expect(r.status).toBe('unknown');
  });

  it('several results: the worst one counts (a failure is never hidden by a success)', () => {
    const r = parseLbcliReply('{"lbcli":[{"status":"success"},{"status":"failed","message":"second action failed"},{"status":"exists"}]}');
    expect(r.status).toBe('failed');
    expect(r.message).toBe('second action failed');
  });

  it('REST API v2 wrapper {"lbapi":[{"itteration":[{"lbcli":[...]}]}]} (and the extra array level)', () => {
    expect(parseLbcliReply('{"lbapi":[{"itteration":[{"lbcli":[{"status":"success"}]}]}]}').status).toBe('success');
    expect(parseLbcliReply('{"lbapi":[[{"itteration":[{"lbcli":[{"status":"missing"}]}]}]]}').status).toBe('missing');
  });

  it('status case and whitespace are normalised; empty [] messages are ignored', () => {
    const r = parseLbcliReply('{"lbcli":{"status":" Success ","message":[]}}');
    expect(r.status).toBe('success');
    expect(r.message).toBeUndefined();
  });

  it('extractJsonDocuments ignores lines that only look like JSON', () => {
    expect(extractJsonDocuments('[warn] something\n{"a":1}\n')).toEqual([{ a: 1 }]);
    expect(extractJsonDocuments('{broken\n')).toEqual([]);
  });
});

const DUMP_FULL = JSON.stringify({
  ldirectord: {
    virtual: [
      {
        label: 'PrintServers',
        server: '192.168.81.10',
        ports: '445',
        protocol: 'tcp',
        forwardingmethod: 'gate',
        persistent: 'on',
        persist_time: '1800',
        service: { check: { type: 'connect', port: '445' } },
        real: [
          { label: 'PS1', server: '192.168.81.184', port: [], weight: '100' },
          { label: 'PS2', server: '192.168.81.185', port: '', weight: '100' },
        ],
      },
      {
        label: 'Dispatcher',
        server: '192.168.81.10',
        ports: '25,53,80,443,465,587',
        forwardingmethod: 'gate',
        real: { label: 'PS1', server: '192.168.81.184', port: '0', weight: '100' },
      },
    ],
  },
  haproxy: {
    virtual: {
      label: 'Web',
      server: '192.168.81.11',
      ports: 443,
      mode: 'tcp',
      real: [],
    },
  },
});

describe('parseDumpconfig (lbcli.md §3.3)', () => {
  it('reads Layer 4 and Layer 7 VIPs, a single-object virtual/real, and [] as empty', () => {
    const vips = parseDumpconfig(`Loadbalancer.org\n${DUMP_FULL}\n`);
    expect(vips).toEqual([
      {
        label: 'PrintServers',
        ip: '192.168.81.10',
        ports: '445',
        layer: 4,
        forwarding: 'gate',
        reals: [
          { label: 'PS1', ip: '192.168.81.184' },
          { label: 'PS2', ip: '192.168.81.185' },
        ],
      },
      { label: 'Dispatcher', ip: '192.168.81.10', ports: '25,53,80,443,465,587', layer: 4, forwarding: 'gate', reals: [{ label: 'PS1', ip: '192.168.81.184', port: '0' }] },
      { label: 'Web', ip: '192.168.81.11', ports: '443', layer: 7, reals: [] },
    ]);
  });

  it('an appliance without VIPs: virtual is [] or missing', () => {
    expect(parseDumpconfig('{"ldirectord":{"virtual":[]},"haproxy":[]}')).toEqual([]);
    expect(parseDumpconfig('{"ldirectord":[],"haproxy":{"global":{}}}')).toEqual([]);
  });

  it('the configuration nested under another key or inside an lbcli reply', () => {
    const vips = parseDumpconfig(JSON.stringify({ lbcli: [{ status: 'success', config: JSON.parse(DUMP_FULL) }] }));
    expect(vips.map((v) => v.label)).toEqual(['PrintServers', 'Dispatcher', 'Web']);
  });

  it('a label-keyed map of virtuals', () => {
    const vips = parseDumpconfig(JSON.stringify({ haproxy: { virtual: { A: { label: 'A', server: '10.0.0.1', ports: '80' }, B: { label: 'B', server: '10.0.0.1', ports: '81' } } } }));
    expect(vips.map((v) => [v.label, v.layer, v.ports])).toEqual([
      ['A', 7, '80'],
      ['B', 7, '81'],
    ]);
  });

  it('throws a DumpconfigError that says what to do when there is no configuration', () => {
    expect(() => parseDumpconfig('command not found')).toThrow(DumpconfigError);
    expect(() => parseDumpconfig('command not found')).toThrow(/no configuration/);
    expect(() => parseDumpconfig('{"lbcli":{"status":"failed","message":"permission denied"}}')).toThrow(/replied "failed": permission denied/);
  });
});
