/**
 * What PrintHA does on a site (the wizard's scope choice, the CLI's `--only balancer|servers`) and
 * the words for it. Pure: the renderer, the core and the CLI show the same sentences.
 */

/** absent = balancer and print servers. */
export type ScopeOnly = 'balancer' | 'servers';
export type Scope = 'all' | ScopeOnly;

export const SCOPES: readonly { id: Scope; title: string; explain: string }[] = [
  {
    id: 'all',
    title: 'Balancer and print servers',
    explain: 'PrintHA discovers, plans, applies and verifies the balancer and the Windows print servers.',
  },
  {
    id: 'balancer',
    title: 'Balancer only',
    explain:
      'PrintHA does the balancer; the Windows print servers are prepared by hand or with the offline script pack, and PrintHA neither reads nor changes them.',
  },
  {
    id: 'servers',
    title: 'Print servers only',
    explain: 'PrintHA prepares the Windows print servers; the balancer is configured by someone else and is not changed.',
  },
];

/** The `only` of a contract call for a scope (undefined: everything). */
export function onlyOf(scope: Scope): ScopeOnly | undefined {
  return scope === 'all' ? undefined : scope;
}

/** The site fields the scope sentence names (a parsed Site has them; so may a wizard draft). */
export interface ScopeSite {
  shareName?: string | undefined;
  vip?: string | undefined;
  servers: readonly { label: string; address: string }[];
  balancer: { platform: string; primary: { address: string }; secondary?: { address: string } | undefined };
}

/** Which hosts a partial run leaves out and why, in one sentence (plan notes, the runbook, the wizard). */
export function scopeNote(site: ScopeSite, only: ScopeOnly): string {
  if (only === 'balancer') {
    const servers = site.servers.map((s) => `${s.label} (${s.address})`).join(', ') || 'none';
    const dns = site.shareName && site.vip ? `, and the DNS record ${site.shareName} -> ${site.vip} (dns/record.ps1)` : '';
    return `Scope: balancer only. Left out: the print servers ${servers} — PrintHA neither reads nor changes them in this run; prepare them by hand or with the offline script pack (servers/<label>/prepare.ps1${dns}).`;
  }
  const nodes = [site.balancer.primary, ...(site.balancer.secondary ? [site.balancer.secondary] : [])].map((n) => n.address).join(', ');
  return `Scope: print servers only. Left out: the balancer (${site.balancer.platform} ${nodes}) — PrintHA neither reads nor changes it in this run.`;
}
