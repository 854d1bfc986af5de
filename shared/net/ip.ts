/** Pure IPv4/IPv6 helpers (no node:net: shared/ must run in the renderer too). */

export type IpFamily = 4 | 6;

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function isIPv4(s: string): boolean {
  return IPV4.test(s);
}

/** Parses an IPv6 address (with :: and an optional embedded IPv4 tail) into 8 groups, or null. */
export function parseIPv6(s: string): number[] | null {
  if (!/^[0-9a-fA-F:.]+$/.test(s) || s.length < 2) return null;
  let tail: number[] = [];
  let head = s;
  const lastColon = s.lastIndexOf(':');
  const maybeV4 = s.slice(lastColon + 1);
  if (maybeV4.includes('.')) {
    if (!isIPv4(maybeV4)) return null;
    const o = maybeV4.split('.').map(Number);
    tail = [(o[0]! << 8) | o[1]!, (o[2]! << 8) | o[3]!];
    head = s.slice(0, lastColon + 1) + (s[lastColon - 1] === ':' ? '' : '0');
    if (head.endsWith(':0') && !s.slice(0, lastColon).endsWith(':')) head = s.slice(0, lastColon);
    else if (s.slice(0, lastColon + 1).endsWith('::')) head = s.slice(0, lastColon + 1);
  }
  const parts = head.split('::');
  if (parts.length > 2) return null;
  const parse = (p: string): number[] | null => {
    if (p === '') return [];
    const groups = p.split(':');
    const out: number[] = [];
    for (const g of groups) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const left = parse(parts[0]!);
  const right = parts.length === 2 ? parse(parts[1]!) : [];
  if (!left || !right) return null;
  const want = 8 - tail.length;
  if (parts.length === 2) {
    const fill = want - left.length - right.length;
    if (fill < 1) return null;
    return [...left, ...new Array<number>(fill).fill(0), ...right, ...tail];
  }
  if (left.length !== want) return null;
  return [...left, ...tail];
}

export function isIPv6(s: string): boolean {
  return parseIPv6(s) !== null;
}

export function ipFamily(s: string): IpFamily | null {
  if (isIPv4(s)) return 4;
  if (isIPv6(s)) return 6;
  return null;
}

/** The address as a bigint (IPv4 in 32 bits, IPv6 in 128 bits). */
function toBigInt(s: string): { fam: IpFamily; n: bigint } | null {
  if (isIPv4(s)) {
    const n = s.split('.').reduce((acc, o) => (acc << 8n) | BigInt(Number(o)), 0n);
    return { fam: 4, n };
  }
  const g = parseIPv6(s);
  if (!g) return null;
  return { fam: 6, n: g.reduce((acc, x) => (acc << 16n) | BigInt(x), 0n) };
}

/** Canonical text form, so "10.0.0.01"-style or differently-compressed IPv6 duplicates compare equal. */
export function canonicalIp(s: string): string {
  const v = toBigInt(s);
  if (!v) return s;
  if (v.fam === 4) return s;
  const g = parseIPv6(s)!;
  return g.map((x) => x.toString(16)).join(':');
}

/** True when a and b are in the same prefix of length `prefix` (and the same family). */
export function sameSubnet(a: string, b: string, prefix: number): boolean {
  const x = toBigInt(a);
  const y = toBigInt(b);
  if (!x || !y || x.fam !== y.fam) return false;
  const bits = x.fam === 4 ? 32 : 128;
  if (prefix < 0 || prefix > bits) return false;
  const shift = BigInt(bits - prefix);
  return x.n >> shift === y.n >> shift;
}

/** Dotted netmask for an IPv4 prefix length (keepalived/lbcli want it in places). */
export function netmaskV4(prefix: number): string {
  const m = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return [24, 16, 8, 0].map((s) => (m >>> s) & 255).join('.');
}
