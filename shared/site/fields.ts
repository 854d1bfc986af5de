/**
 * Every field of the site file in words: what it is and what a valid value is, so a schema finding
 * names the value and what is wrong with it ("'2z2' is not a number: the primary balancer's SSH port
 * is a whole number 1–65535") instead of the validator's own text. Keyed by the field's path with
 * list indexes as [] and the service names under `overrides` as *; `{service}` in a label is that name.
 */
import { MODES, PLATFORMS, PROFILES, SCHEDULERS, TRANSPORTS } from './schema.js';

export interface FieldInfo {
  /** What the field is, lower case, with its article: "the primary balancer's SSH port". */
  label: string;
  /** What a valid value is: "a whole number 1–65535". */
  expect: string;
  /** The verb between label and expect (default "is"): "a site needs at least one print server". */
  verb?: string;
  /** A valid value, as it is written in the site file. */
  example?: string;
}

const PORT = 'a whole number 1–65535';
const IP = 'an IPv4 or IPv6 address';
const DNS_NAME = 'a DNS name such as corp.example.com';
const LABEL = 'letters, digits, "_" and "-" (1–32 characters)';
const oneOf = (xs: readonly string[]) => `one of ${xs.join(', ')}`;

const node = (which: 'primary' | 'secondary'): Record<string, FieldInfo> => ({
  [`balancer.${which}`]: { label: `the ${which} balancer`, expect: 'a mapping with its address (and optionally port, user)', example: '{ address: 192.168.81.20 }' },
  [`balancer.${which}.address`]: { label: `the ${which} balancer's address`, expect: IP, example: which === 'primary' ? '192.168.81.20' : '192.168.81.21' },
  [`balancer.${which}.port`]: { label: `the ${which} balancer's SSH port`, expect: PORT, example: '22' },
  [`balancer.${which}.user`]: { label: `the ${which} balancer's SSH user`, expect: 'a user name of lower-case letters, digits, "_", "." or "-"', example: 'root' },
  [`balancer.${which}.name`]: { label: `the ${which} balancer's node name`, expect: `its host name: ${LABEL}`, example: which === 'primary' ? 'lb1' : 'lb2' },
  [`balancer.${which}.interface`]: { label: `the ${which} balancer's interface for the VIP`, expect: '1–15 letters, digits, "_", "-" or "."', example: 'eth0' },
});

export const FIELDS: Readonly<Record<string, FieldInfo>> = {
  '': { label: 'the site file', expect: 'a YAML mapping (key: value lines)' },
  version: { label: 'the site file version', expect: 'the number 1', example: '1' },
  name: { label: 'the site name', expect: 'text of 1–200 characters', example: 'Head office printing' },
  profile: { label: 'the product profile', expect: oneOf(PROFILES), example: 'dispatcher-phoenix' },
  services: { label: 'the list of services', expect: "a list of the product profile's service ids", example: '[print-server]' },
  'services[]': { label: 'a service id', expect: 'text of 1–64 characters', example: 'print-server' },
  mode: { label: 'the mode', expect: `${oneOf(MODES)} (Layer 4 DR or Layer 7 SNAT)`, example: 'dr' },
  vip: { label: 'the VIP', expect: IP, example: '192.168.81.10' },
  shareName: { label: 'the share name', expect: 'a NetBIOS name: at most 15 letters, digits, "_" or "-"', example: 'Dispatcher' },
  network: { label: 'network', expect: 'a mapping with prefixLength', example: '{ prefixLength: 24 }' },
  'network.prefixLength': { label: 'the subnet prefix length', expect: 'a whole number 0–32 for an IPv4 VIP (0–128 for IPv6)', example: '24' },
  dns: { label: 'dns', expect: 'a mapping with server and zone', example: '{ server: 192.168.81.5, zone: corp.example.com }' },
  'dns.server': { label: "the DNS server's address", expect: IP, example: '192.168.81.5' },
  'dns.zone': { label: 'the DNS zone', expect: DNS_NAME, example: 'corp.example.com' },
  'dns.serverName': { label: "the DNS server's host name", expect: DNS_NAME, example: 'dc1.corp.example.com' },
  balancer: { label: 'balancer', expect: 'a mapping with platform and primary' },
  'balancer.platform': { label: 'the balancer platform', expect: oneOf(PLATFORMS), example: 'loadbalancer-org' },
  ...node('primary'),
  ...node('secondary'),
  'balancer.vrrpRouterId': { label: 'the VRRP router id', expect: 'a whole number 1–255, unique on the subnet', example: '51' },
  servers: { label: 'a site', verb: 'needs', expect: 'at least one print server (label and address)', example: '[{ label: PS1, address: 192.168.81.184 }]' },
  'servers[]': { label: 'a print server', expect: 'a mapping with label and address', example: '{ label: PS1, address: 192.168.81.184 }' },
  'servers[].label': { label: "the server's label", expect: LABEL, example: 'PS1' },
  'servers[].address': { label: "the server's address", expect: IP, example: '192.168.81.184' },
  'servers[].hostname': { label: "the server's host name", expect: DNS_NAME, example: 'ps1.corp.example.com' },
  'servers[].weight': { label: "the server's weight", expect: 'a whole number 0–256 (0 drains it)', example: '100' },
  windows: { label: 'windows', expect: 'a mapping with transport and user' },
  'windows.transport': { label: 'the Windows transport', expect: oneOf(TRANSPORTS), example: 'winrm' },
  'windows.user': { label: 'the Windows account', expect: 'DOMAIN\\user, user@domain or user', example: 'CORP\\deploy' },
  'windows.port': { label: 'the Windows remoting port', expect: `${PORT} (by default 5985 for winrm, 5986 for winrm-https, 22 for ssh)`, example: '5985' },
  'windows.skipCertificateCheck': { label: 'skipCertificateCheck', expect: 'true or false', example: 'false' },
  overrides: { label: 'overrides', expect: 'a mapping from service id to its settings', example: '{ print-server: { checkPort: 445 } }' },
  'overrides.*': { label: 'the override of {service}', expect: 'a mapping (ports, checkPort, persistenceMinutes, ...)' },
  'overrides.*.ports': { label: 'the ports of {service}', expect: 'a list of ports 1–65535 or "first-last" ranges', example: '[25, "5011-5025"]' },
  'overrides.*.ports[]': { label: 'a port of {service}', expect: 'a port 1–65535 or a "first-last" range', example: '"5011-5025"' },
  'overrides.*.checkPort': { label: 'the health-check port of {service}', expect: PORT, example: '445' },
  'overrides.*.checkPorts': { label: 'the health-check ports of {service}', expect: 'a list of ports 1–65535', example: '[5555, 5022]' },
  'overrides.*.checkPorts[]': { label: 'a health-check port of {service}', expect: PORT, example: '5555' },
  'overrides.*.backendPort': { label: 'the backend port of {service}', expect: PORT, example: '445' },
  'overrides.*.persistenceMinutes': { label: 'the persistence of {service}', expect: 'a whole number of minutes 0–10080 (one week)', example: '30' },
  'overrides.*.scheduler': { label: 'the scheduler of {service}', expect: oneOf(SCHEDULERS), example: 'wlc' },
  'overrides.*.passivePorts': { label: 'the passive FTP ports of {service}', expect: 'a "first-last" port range', example: '"50000-50100"' },
  'overrides.*.checkIntervalSeconds': { label: 'the health-check interval of {service}', expect: 'a whole number of seconds 1–3600', example: '10' },
  'overrides.*.fall': { label: 'fall (failed checks before a server of {service} is marked down)', expect: 'a whole number 1–100', example: '3' },
  'overrides.*.riseSeconds': { label: 'riseSeconds (how long a server of {service} passes checks before it is up again)', expect: 'a whole number of seconds 0–3600', example: '10' },
};

/** The table key of a field path: list indexes as [], service names under overrides as *. */
export function fieldKey(path: readonly PropertyKey[]): string {
  let out = '';
  path.forEach((p, i) => {
    if (typeof p === 'number') out += '[]';
    else if (i === 1 && path[0] === 'overrides') out += '.*';
    else out += out ? `.${String(p)}` : String(p);
  });
  return out;
}

/** The field in words; undefined for a path the site file does not have. */
/** A key under `overrides` (a service id), for a finding about the key itself. */
export const OVERRIDE_KEY: FieldInfo = { label: 'a key of overrides', expect: "a service id of the product profile (1–64 characters)", example: 'print-server' };

export function fieldInfo(path: readonly PropertyKey[]): FieldInfo | undefined {
  const f = FIELDS[fieldKey(path)];
  if (!f) return undefined;
  const service = path[0] === 'overrides' && path.length > 1 ? `service "${String(path[1]).slice(0, 64)}"` : '';
  return { ...f, label: f.label.replace('{service}', service) };
}
