/** The share name clients use (\\Dispatcher): it must resolve to the VIP and must not be a real computer's name. */
import { ipFamily } from '../net/ip.js';
import type { Finding } from './finding.js';
import { finding, type Rule } from './types.js';
import { serverIndex } from './util.js';

export const sharenameDns: Rule = {
  id: 'sharename-dns',
  severity: 'warning',
  guards: 'Without a `dns` section PrintHA cannot create the record that makes the share name resolve to the VIP; clients would not find the printers by that name.',
  source: 'seed 000 §10.1 Step 3 note and Step 4 / §11.1 Step 3 ("Whatever name is used, it must resolve to the IP address of the VIP")',
  check({ site }) {
    if (site.dns) return [];
    const type = ipFamily(site.vip) === 6 ? 'AAAA' : 'A';
    return [
      finding(
        sharenameDns,
        'dns',
        `There is no dns section, so the DNS host (${type}) record "${site.shareName}" -> ${site.vip} is a manual step: create it in the clients' DNS zone before testing \\\\${site.shareName}.`,
        `Add dns: { server: <DNS server IP>, zone: <zone> } so PrintHA creates the record, or create the ${type} record ${site.shareName} -> ${site.vip} by hand.`,
      ),
    ];
  },
};

export const sharenameEqualsServer: Rule = {
  id: 'sharename-equals-server',
  severity: 'error',
  guards: 'A share name equal to a print server\'s own name would collide with that real computer name in DNS and NetBIOS, so the share name would reach one server, not the VIP.',
  source: 'seed 000 §10.1 Step 3 (OptionalNames alias for the VIP) and Step 4 (A record to the VIP)',
  check({ site, facts }) {
    const share = site.shareName.toLowerCase();
    const out: Finding[] = [];
    site.servers.forEach((s, i) => {
      const names: { name: string; field: string }[] = [
        { name: s.label, field: 'label' },
        ...(s.hostname ? [{ name: s.hostname.split('.')[0] ?? s.hostname, field: 'host name' }] : []),
      ];
      const fact = facts?.servers?.find((f) => serverIndex(site, f.label) === i);
      if (fact?.computerName) names.push({ name: fact.computerName, field: 'computer name (discovered)' });
      const hit = names.find((n) => n.name.toLowerCase() === share);
      if (!hit) return;
      out.push(
        finding(
          sharenameEqualsServer,
          'shareName',
          `The share name "${site.shareName}" is the ${hit.field} of server ${s.label} (${s.address}); it must be a new name that resolves to the VIP ${site.vip}, not a real computer's name.`,
          'Choose a different shareName (at most 15 characters) that no computer in the domain uses.',
        ),
      );
    });
    return out;
  },
};

export const SHARENAME_RULES: Rule[] = [sharenameDns, sharenameEqualsServer];
