/**
 * A minimal DNS client message codec (RFC 1035; AAAA RFC 3596): one question, recursion desired;
 * the answer section's A / AAAA / CNAME records. Pure (Uint8Array), so it is unit-tested without
 * a network; electron/core/probes/dns.ts sends it over UDP with node:dgram.
 */

export type DnsType = 'A' | 'AAAA';
const TYPE_CODE: Record<DnsType | 'CNAME', number> = { A: 1, CNAME: 5, AAAA: 28 };

export const RCODES: Record<number, string> = { 0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED' };

/** Encodes a query for `name` (a trailing dot is allowed). Throws on a label over 63 bytes or a name over 253. */
export function buildDnsQuery(id: number, name: string, type: DnsType): Uint8Array {
  const n = name.replace(/\.$/, '');
  if (n.length === 0 || n.length > 253) throw new Error(`"${name}" is not a DNS name`);
  const labels = n.split('.');
  const bytes: number[] = [(id >> 8) & 0xff, id & 0xff, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
  for (const l of labels) {
    if (l.length === 0 || l.length > 63 || !/^[\x21-\x7e]+$/.test(l)) throw new Error(`"${name}" has an invalid label "${l}"`);
    bytes.push(l.length);
    for (let i = 0; i < l.length; i++) bytes.push(l.charCodeAt(i));
  }
  bytes.push(0, 0, TYPE_CODE[type], 0, 1);
  return Uint8Array.from(bytes);
}

export interface DnsAnswer {
  name: string;
  type: 'A' | 'AAAA' | 'CNAME' | number;
  ttl: number;
  /** address for A/AAAA, target name for CNAME */
  data: string;
}

export interface DnsResponse {
  id: number;
  rcode: number;
  rcodeName: string;
  /** authoritative answer (AA bit) */
  authoritative: boolean;
  truncated: boolean;
  answers: DnsAnswer[];
}

function readName(buf: Uint8Array, start: number): { name: string; next: number } {
  const labels: string[] = [];
  let pos = start;
  let next = -1;
  for (let hops = 0; hops < 64; hops++) {
    if (pos >= buf.length) throw new Error('DNS name runs past the message');
    const len = buf[pos]!;
    if (len === 0) {
      if (next < 0) next = pos + 1;
      return { name: labels.join('.'), next };
    }
    if ((len & 0xc0) === 0xc0) {
      if (pos + 1 >= buf.length) throw new Error('DNS pointer runs past the message');
      if (next < 0) next = pos + 2;
      pos = ((len & 0x3f) << 8) | buf[pos + 1]!;
      continue;
    }
    if (pos + 1 + len > buf.length) throw new Error('DNS label runs past the message');
    labels.push(String.fromCharCode(...buf.subarray(pos + 1, pos + 1 + len)));
    pos += 1 + len;
  }
  throw new Error('DNS name has too many compression pointers');
}

function ipv6Text(b: Uint8Array): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((b[i]! << 8) | b[i + 1]!).toString(16));
  // compress the longest run of zero groups
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/** Decodes a response. Throws on a message too short or malformed to read. */
export function parseDnsResponse(buf: Uint8Array): DnsResponse {
  if (buf.length < 12) throw new Error('DNS response shorter than its header');
  const u16 = (o: number): number => (buf[o]! << 8) | buf[o + 1]!;
  const id = u16(0);
  const flags = u16(2);
  if ((flags & 0x8000) === 0) throw new Error('not a DNS response (QR bit clear)');
  const qd = u16(4);
  const an = u16(6);
  let pos = 12;
  for (let i = 0; i < qd; i++) pos = readName(buf, pos).next + 4;
  const answers: DnsAnswer[] = [];
  for (let i = 0; i < an; i++) {
    const { name, next } = readName(buf, pos);
    pos = next;
    if (pos + 10 > buf.length) throw new Error('DNS record runs past the message');
    const type = u16(pos);
    const ttl = ((buf[pos + 4]! << 24) >>> 0) + ((buf[pos + 5]! << 16) | (buf[pos + 6]! << 8) | buf[pos + 7]!);
    const rdlen = u16(pos + 8);
    const rd = pos + 10;
    if (rd + rdlen > buf.length) throw new Error('DNS record data runs past the message');
    if (type === 1 && rdlen === 4) answers.push({ name, type: 'A', ttl, data: Array.from(buf.subarray(rd, rd + 4)).join('.') });
    else if (type === 28 && rdlen === 16) answers.push({ name, type: 'AAAA', ttl, data: ipv6Text(buf.subarray(rd, rd + 16)) });
    else if (type === 5) answers.push({ name, type: 'CNAME', ttl, data: readName(buf, rd).name });
    else answers.push({ name, type, ttl, data: '' });
    pos = rd + rdlen;
  }
  const rcode = flags & 0x0f;
  return { id, rcode, rcodeName: RCODES[rcode] ?? `RCODE${rcode}`, authoritative: (flags & 0x0400) !== 0, truncated: (flags & 0x0200) !== 0, answers };
}
