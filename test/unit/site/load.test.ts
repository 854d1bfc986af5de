import { describe, expect, it } from 'vitest';
import { loadSiteYaml } from '../../../shared/site/load.js';

const good = `version: 1
name: t
profile: dispatcher-phoenix
mode: dr
vip: 192.168.81.10
shareName: Dispatcher
network: { prefixLength: 24 }
balancer:
  platform: loadbalancer-org
  primary: { address: 192.168.81.20 }
servers:
  - { label: PS1, address: 192.168.81.184 }
windows: { transport: winrm, user: 'CORP\\deploy' }
`;

describe('loadSiteYaml', () => {
  it('accepts a minimal valid site and applies defaults', () => {
    const r = loadSiteYaml(good);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.site.balancer.primary.port).toBe(22);
      expect(r.site.balancer.primary.user).toBe('root');
      expect(r.site.servers[0]!.weight).toBe(100);
    }
  });
  it('reports YAML syntax errors with line and column', () => {
    const r = loadSiteYaml(good.replace('mode: dr', 'mode: [dr'));
    expect(r.ok).toBe(false);
    expect(r.findings[0]!.rule).toBe('yaml-syntax');
    expect(r.findings[0]!.line).toBeGreaterThan(0);
    expect(r.findings[0]!.message).toMatch(/line \d+, column \d+/);
  });
  it('rejects an unknown key with a did-you-mean hint and its line', () => {
    const r = loadSiteYaml(good.replace('shareName', 'sharename'));
    expect(r.ok).toBe(false);
    const f = r.findings.find((x) => x.rule === 'schema-unknown-key')!;
    expect(f.path).toBe('sharename');
    expect(f.message).toContain('Did you mean "shareName"?');
    expect(f.line).toBe(6);
  });
  it('hints inside nested objects', () => {
    const r = loadSiteYaml(good.replace('{ address: 192.168.81.20 }', '{ adress: 192.168.81.20 }'));
    const f = r.findings.find((x) => x.rule === 'schema-unknown-key')!;
    expect(f.path).toBe('balancer.primary.adress');
    expect(f.fix).toContain('"address"');
  });
  it('names the field of an invalid IP', () => {
    const r = loadSiteYaml(good.replace('192.168.81.184', '192.168.81.300'));
    expect(r.ok).toBe(false);
    const f = r.findings.find((x) => x.rule === 'ip-invalid')!;
    expect(f.path).toBe('servers[0].address');
    expect(f.line).toBe(12);
  });
  it('rejects a label with shell metacharacters', () => {
    const r = loadSiteYaml(good.replace('label: PS1', 'label: "PS1;rm -rf /"'));
    expect(r.findings.map((x) => x.rule)).toContain('label-invalid');
  });
  it('rejects a share name over 15 characters', () => {
    const r = loadSiteYaml(good.replace('shareName: Dispatcher', 'shareName: DispatcherPhoenix01'));
    const f = r.findings.find((x) => x.rule === 'sharename-netbios')!;
    expect(f.path).toBe('shareName');
    expect(f.message).toContain('15');
  });
  it('reports a missing required field by name', () => {
    const r = loadSiteYaml(good.replace('vip: 192.168.81.10\n', ''));
    const f = r.findings.find((x) => x.path === 'vip')!;
    expect(f.message).toContain('missing');
  });
});
