import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resolveSite } from '../../../shared/model/resolve.js';
import { renderDnsRecordScript } from '../../../shared/render/powershell/dns.js';
import { renderPrepareScript } from '../../../shared/render/powershell/prepare.js';
import {
  DnsResultSchema,
  parseDnsResult,
  parsePrepareResult,
  parseVerifyReport,
  parseVerifyResult,
  PrepareResultSchema,
  VerifyResultSchema,
} from '../../../shared/render/powershell/result.js';
import { renderVerifyScript } from '../../../shared/render/powershell/verify.js';
import { loadSiteYaml } from '../../../shared/site/load.js';

const prepareJson = {
  kind: 'printha.prepare',
  version: 1,
  server: 'PS1',
  computerName: 'PS1',
  mode: 'dr',
  dryRun: false,
  steps: [
    { step: 'loopback:adapter', status: 'changed', before: null, after: 'loopback', message: 'installed: Microsoft KM-TEST Loopback Adapter' },
    { step: 'registry:OptionalNames', status: 'unchanged', before: ['OLDNAME', 'Dispatcher'], after: ['OLDNAME', 'Dispatcher'], message: '' },
    { step: 'netbios:12', status: 'failed', before: 0, after: 2, message: 'SetTcpipNetbios returned 84 for Intel NIC' },
  ],
  changed: true,
  rebootRequired: true,
  errors: ['netbios:12: SetTcpipNetbios returned 84 for Intel NIC'],
};

const verifyJson = {
  kind: 'printha.verify',
  version: 1,
  label: 'PS1',
  reachable: true,
  computerName: 'PS1',
  psVersion: '3.0',
  lastBootTime: '2025-01-02T03:04:05Z',
  domainMember: true,
  domain: 'corp.example.com',
  printServerRole: true,
  printServerRoleSource: 'Get-WindowsFeature Print-Server',
  printerShares: 'KM-C458', // PS 3.0: a one-element array serialised as the element
  productServices: [{ name: 'KMBS_WSM', displayName: 'KMBS Workflow Services Manager', status: 'Running' }],
  nics: [
    { alias: 'net', index: 12, description: 'Intel NIC', addresses: ['192.168.81.184', 'fe80::1'], isLoopback: false, weakHostReceive: true, weakHostSend: false, dadTransmits: 1, ipEnabled: true, netbiosOptions: 2 },
    { alias: 'loopback', index: 20, description: 'Microsoft KM-TEST Loopback Adapter', addresses: { value: ['192.168.81.10'], Count: 1 }, isLoopback: true, weakHostReceive: true, weakHostSend: true, dadTransmits: 0, ipEnabled: true, netbiosOptions: 2 },
  ],
  loopbackAdapter: { alias: 'loopback', addresses: ['192.168.81.10'] },
  registry: { disableLoopbackCheck: 1, disableStrictNameChecking: null, optionalNames: 'Dispatcher' },
  pendingReboot: true,
  pendingRebootReasons: ['PendingFileRenameOperations'],
  checks: [
    { id: 'domain-member', expected: true, actual: true, ok: true, message: 'm' },
    { id: 'registry:DisableStrictNameChecking', expected: 1, actual: null, ok: false, message: 'm' },
  ],
  errors: [],
};

describe('parsePrepareResult', () => {
  it('parses the prepare.ps1 JSON (object or raw stdout)', () => {
    const r = parsePrepareResult(prepareJson);
    expect(r.steps.map((s) => s.status)).toEqual(['changed', 'unchanged', 'failed']);
    expect(r.rebootRequired).toBe(true);
    const fromText = parsePrepareResult(`\r\n${JSON.stringify(prepareJson)}\r\n`);
    expect(fromText).toEqual(r);
  });

  it('accepts would-change in a dry run and PS 3.0 single-element arrays', () => {
    const r = parsePrepareResult({ ...prepareJson, dryRun: true, steps: { step: 'registry:DisableLoopbackCheck', status: 'would-change', before: null, after: 1, message: null }, errors: null });
    expect(r.steps).toEqual([{ step: 'registry:DisableLoopbackCheck', status: 'would-change', before: null, after: 1, message: '' }]);
    expect(r.errors).toEqual([]);
  });

  it('rejects an unknown status with a message naming the script and field, no stack', () => {
    expect(() => parsePrepareResult({ ...prepareJson, steps: [{ step: 'x', status: 'done' }] })).toThrow(/prepare\.ps1 returned an unexpected result \(steps\.0\.status/);
    expect(() => parsePrepareResult('WARNING: something\n')).toThrow(/prepare\.ps1 printed no JSON object/);
    expect(() => parsePrepareResult('{not json')).toThrow(/not valid JSON/);
  });
});

describe('parseVerifyResult -> ServerFacts', () => {
  it('maps 1:1 onto ServerFacts, normalising PowerShell array quirks', () => {
    const f = parseVerifyResult(verifyJson);
    expect(f).toEqual({
      label: 'PS1',
      reachable: true,
      computerName: 'PS1',
      domainMember: true,
      domain: 'corp.example.com',
      printServerRole: true,
      printerShares: ['KM-C458'],
      productServices: [{ name: 'KMBS_WSM', status: 'Running' }],
      nics: [
        { alias: 'net', index: 12, description: 'Intel NIC', addresses: ['192.168.81.184', 'fe80::1'], netbiosOptions: 2, weakHostReceive: true, weakHostSend: false, isLoopback: false },
        { alias: 'loopback', index: 20, description: 'Microsoft KM-TEST Loopback Adapter', addresses: ['192.168.81.10'], netbiosOptions: 2, weakHostReceive: true, weakHostSend: true, isLoopback: true },
      ],
      registry: { disableLoopbackCheck: 1, disableStrictNameChecking: null, optionalNames: ['Dispatcher'] },
      loopbackAdapter: { alias: 'loopback', addresses: ['192.168.81.10'] },
      pendingReboot: true,
      psVersion: '3.0',
      lastBootTime: '2025-01-02T03:04:05Z',
    });
  });

  it('keeps "no loopback adapter" (null) apart from "not collected" (absent), and reports collection errors', () => {
    const { loopbackAdapter: _l, registry: _r, nics: _n, ...rest } = verifyJson;
    const none = parseVerifyResult({ ...verifyJson, loopbackAdapter: null });
    expect(none.loopbackAdapter).toBeNull();
    const absent = parseVerifyResult({ ...rest, errors: ['nics: Get-NetAdapter : access denied'] });
    expect('loopbackAdapter' in absent).toBe(false);
    expect('registry' in absent).toBe(false);
    expect(absent.error).toMatch(/some facts could not be collected: nics: Get-NetAdapter/);
  });

  it('parseVerifyReport returns the checks with ok flags', () => {
    const rep = parseVerifyReport(verifyJson);
    expect(rep.checks.map((c) => [c.id, c.ok])).toEqual([
      ['domain-member', true],
      ['registry:DisableStrictNameChecking', false],
    ]);
    expect(rep.pendingRebootReasons).toEqual(['PendingFileRenameOperations']);
    expect(rep.printServerRoleSource).toBe('Get-WindowsFeature Print-Server');
  });

  it('rejects output of another script', () => {
    expect(() => parseVerifyResult(prepareJson)).toThrow(/verify\.ps1 returned an unexpected result/);
  });
});

describe('parseDnsResult', () => {
  it('parses the manual (no dns section) and the automatic result', () => {
    const manual = parseDnsResult({ kind: 'printha.dns', version: 1, manual: true, zone: null, name: 'Dispatcher', recordType: 'A', vip: '192.168.81.10', dnsServer: null, dryRun: false, steps: [{ step: 'dns:record', status: 'skipped', before: null, after: null, message: 'Create a DNS host (A) record' }], changed: false, errors: [], message: 'Create a DNS host (A) record' });
    expect(manual.manual).toBe(true);
    expect(manual.steps[0]!.status).toBe('skipped');
    const failed = parseDnsResult({ ...manual, manual: false, zone: 'corp.example.com', steps: [{ step: 'dns:record', status: 'failed', message: 'Dispatcher.corp.example.com already points to 10.0.0.9' }], errors: 'dns:record: already points' });
    expect(failed.errors).toEqual(['dns:record: already points']);
  });
});

describe('script output keys and parser schemas stay in step', () => {
  const lr = loadSiteYaml(readFileSync(new URL('../../../examples/phoenix-dr.yaml', import.meta.url), 'utf8'));
  if (!lr.ok) throw new Error('example does not load');
  const r = resolveSite(lr.site);

  /** Keys of the `$phaOut = [pscustomobject]@{ ... }` literal. */
  function outKeys(script: string): string[] {
    const m = /\$phaOut = \[pscustomobject\]@\{\n([\s\S]*?)\n\}/.exec(script);
    if (!m) throw new Error('no $phaOut');
    return m[1]!.split('\n').map((l) => l.trim().split(' ')[0]!);
  }

  it('prepare.ps1 emits exactly the PrepareResult keys', () => {
    expect(outKeys(renderPrepareScript(r, 'PS1')).sort()).toEqual(Object.keys(PrepareResultSchema.shape).sort());
  });
  it('dns/record.ps1 emits exactly the DnsResult keys', () => {
    expect(outKeys(renderDnsRecordScript(r)).sort()).toEqual(Object.keys(DnsResultSchema.shape).sort());
  });
  it('verify.ps1 emits exactly the VerifyResult keys', () => {
    const s = renderVerifyScript(r, 'PS1');
    const keys = new Set([...s.matchAll(/\$facts\['(\w+)'\] =/g)].map((m) => m[1]!));
    expect([...keys].sort()).toEqual(Object.keys(VerifyResultSchema.shape).sort());
    const nicKeys = /\$nic = \[ordered\]@\{\n([\s\S]*?)\n\s*\}/.exec(s)![1]!.split('\n').map((l) => l.trim().split(' ')[0]!);
    const added = [...s.matchAll(/\$nic\['(\w+)'\] =/g)].map((m) => m[1]!);
    expect([...new Set([...nicKeys, ...added])].sort()).toEqual(['addresses', 'alias', 'dadTransmits', 'description', 'index', 'ipEnabled', 'isLoopback', 'netbiosOptions', 'weakHostReceive', 'weakHostSend']);
  });
});
