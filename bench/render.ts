/**
 * bench/render: validate + render a Dispatcher Phoenix site with every service and 500 servers,
 * against the same for 2 servers, alternating, medians. Target: the 500-server site under 250 ms.
 */
import { stringify } from 'yaml';
import { validateSiteYaml } from '../shared/rules/index.js';
import { renderSite } from '../shared/render/index.js';
import { alternate, round, type BenchResults } from './lib.js';

export function phoenixSite(servers: number, platform = 'linux-haproxy'): string {
  // 200 servers per /24 block inside 10.40.0.0/16, hosts .10-.209.
  const list = Array.from({ length: servers }, (_, i) => ({ label: `PS${i + 1}`, address: `10.40.${Math.floor(i / 200)}.${(i % 200) + 10}` }));
  return stringify({
    version: 1,
    name: `bench ${servers} servers`,
    profile: 'dispatcher-phoenix',
    services: ['print-server', 'sec-workflow', 'best', 'lpr'],
    mode: 'snat',
    vip: '10.40.255.10',
    shareName: 'Dispatcher',
    network: { prefixLength: 16 },
    dns: { server: '10.40.255.5', zone: 'corp.example.com' },
    balancer: { platform, primary: { address: '10.40.255.2', name: 'lb1' }, secondary: { address: '10.40.255.3', name: 'lb2' } },
    servers: list,
    windows: { transport: 'winrm', user: 'CORP\\deploy' },
  });
}

function validateAndRender(text: string): number {
  const v = validateSiteYaml(text);
  if (!v.ok || !v.site) throw new Error(`bench site invalid: ${v.findings.filter((f) => f.severity === 'error').map((f) => f.message).join('; ')}`);
  return renderSite(v.site, v.findings).length;
}

export async function run(): Promise<BenchResults> {
  const big = phoenixSite(500);
  const small = phoenixSite(2);
  const files = validateAndRender(big);
  const { a, b } = await alternate(() => validateAndRender(big), () => validateAndRender(small), 15);
  return {
    'render-500-servers': {
      value: round(a),
      unit: 'ms',
      baseline: round(b),
      ratio: round(a / b),
      target: '<250 ms',
      ok: a < 250,
      note: `validate + render (${files} files) for 500 servers; baseline the same for 2 servers`,
    },
  };
}
