/**
 * The PowerShell artifacts of a site: per server prepare.ps1 + verify.ps1, and dns/record.ps1.
 */
import type { ResolvedSite } from '../../model/resolve.js';
import type { Artifact } from '../artifact.js';
import { renderDnsRecordScript } from './dns.js';
import { renderPrepareScript } from './prepare.js';
import { renderVerifyScript } from './verify.js';

export { renderPrepareScript, prepareConfig, type PrepareConfig, type PrepareOptions } from './prepare.js';
export { renderVerifyScript, verifyConfig, type VerifyConfig, type VerifyOptions } from './verify.js';
export { renderDnsRecordScript, dnsRecordManualStep, dnsConfig, type DnsConfig, type DnsOptions } from './dns.js';
export {
  parsePrepareResult,
  parseVerifyResult,
  parseVerifyReport,
  parseDnsResult,
  type PrepareResult,
  type VerifyReport,
  type VerifyCheck,
  type DnsResult,
  type StepRecord,
  type StepStatus,
} from './result.js';

export function renderPowerShellArtifacts(r: ResolvedSite): Artifact[] {
  const out: Artifact[] = [];
  for (const s of r.site.servers) {
    out.push({
      path: `servers/${s.label}/prepare.ps1`,
      content: renderPrepareScript(r, s.label),
      language: 'powershell',
      description:
        r.site.mode === 'dr'
          ? `Prepare ${s.label}: loopback adapter with the VIP, weak host, registry, NetBIOS off (idempotent, -DryRun)`
          : `Prepare ${s.label}: registry (loopback check, strict name checking, OptionalNames), NetBIOS off (idempotent, -DryRun)`,
      target: s.label,
    });
    out.push({
      path: `servers/${s.label}/verify.ps1`,
      content: renderVerifyScript(r, s.label),
      language: 'powershell',
      description: `Verify ${s.label} (read-only): prerequisites and everything prepare.ps1 sets`,
      target: s.label,
    });
  }
  out.push({
    path: 'dns/record.ps1',
    content: renderDnsRecordScript(r),
    language: 'powershell',
    description: r.site.dns
      ? `DNS ${r.site.vip.includes(':') ? 'AAAA' : 'A'} record ${r.site.shareName}.${r.site.dns.zone} -> ${r.site.vip} (idempotent, never replaces)`
      : `DNS record for ${r.site.shareName}: manual step (the site has no dns section)`,
    target: 'dns',
  });
  return out;
}
