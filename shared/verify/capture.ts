/**
 * Health-check capture analysis. The balancer node captures its own checks
 * (`tshark -i eth0 -f '...' -a duration:N -T fields -e ...`, or `tcpdump -n -l -tt` where tshark is
 * missing); this module parses the packets and says, per check port and real server, what the
 * checks looked like on the wire. Seed 003 (Dispatcher Paragon) asks for half-open checks:
 *   balancer > server SYN; server > balancer SYN-ACK; balancer > server RST — never FIN, and no ACK
 *   that would complete the handshake (the server application must not see a connection).
 *
 * Flows are split into checks and traffic: a flow in which the balancer sends payload is client
 * traffic the balancer forwards (Paragon's 5022 and 515 are check ports AND traffic ports), not a
 * check. Flows cut by the capture window are left out.
 */

/** The tshark fields PrintHA asks for, in this order (`-T fields -E separator=/t -e ...`). */
export const TSHARK_FIELDS = [
  'frame.time_relative',
  'ip.src',
  'ipv6.src',
  'tcp.srcport',
  'ip.dst',
  'ipv6.dst',
  'tcp.dstport',
  'tcp.flags.syn',
  'tcp.flags.ack',
  'tcp.flags.reset',
  'tcp.flags.fin',
  'tcp.len',
] as const;

export interface Packet {
  /** seconds since the capture started */
  t: number;
  src: string;
  sport: number;
  dst: string;
  dport: number;
  syn: boolean;
  ack: boolean;
  rst: boolean;
  fin: boolean;
  /** TCP payload length */
  len: number;
}

const flag = (s: string | undefined): boolean => s === '1' || s === 'True' || s === 'true';

/** Parses `tshark -T fields -E separator=/t` output with TSHARK_FIELDS (tshark 3.x prints 1/0, 4.2+ True/False). */
export function parseTsharkFields(text: string): Packet[] {
  const out: Packet[] = [];
  for (const line of text.split('\n')) {
    const f = line.replace(/\r$/, '').split('\t');
    if (f.length < TSHARK_FIELDS.length) continue;
    const [t, src4, src6, sport, dst4, dst6, dport, syn, ack, rst, fin, len] = f;
    const p: Packet = {
      t: Number(t),
      src: src4 || src6 || '',
      sport: Number(sport),
      dst: dst4 || dst6 || '',
      dport: Number(dport),
      syn: flag(syn),
      ack: flag(ack),
      rst: flag(rst),
      fin: flag(fin),
      len: Number(len || 0),
    };
    if (!Number.isFinite(p.t) || !p.src || !p.dst || !Number.isInteger(p.sport) || !Number.isInteger(p.dport)) continue;
    out.push(p);
  }
  return out;
}

/** Parses `tcpdump -n -l -tt` lines: "1700000000.123456 IP 10.0.0.1.41256 > 10.0.0.2.5555: Flags [S], seq 1, ..., length 0". */
export function parseTcpdump(text: string): Packet[] {
  const out: Packet[] = [];
  let t0: number | undefined;
  for (const line of text.split('\n')) {
    const m = /^(\d+(?:\.\d+)?) IP6? (\S+)\.(\d+) > (\S+)\.(\d+): Flags \[([^\]]*)\](?:.*?length (\d+))?/.exec(line.trim());
    if (!m) continue;
    const ts = Number(m[1]);
    t0 ??= ts;
    const fl = m[6]!;
    out.push({
      t: ts - t0,
      src: m[2]!,
      sport: Number(m[3]),
      dst: m[4]!,
      dport: Number(m[5]),
      syn: fl.includes('S'),
      ack: fl.includes('.'),
      rst: fl.includes('R'),
      fin: fl.includes('F'),
      len: Number(m[7] ?? 0),
    });
  }
  return out;
}

export type FlowVerdict =
  /** SYN, SYN-ACK, RST: what seed 003 asks for */
  | 'half-open'
  /** the balancer ACKed the SYN-ACK (handshake completed), then RST */
  | 'handshake-then-rst'
  /** a FIN was seen (graceful close) */
  | 'fin'
  /** the server answered the SYN with RST: nothing listens (a failing check, not a check form) */
  | 'refused'
  /** SYN without answer inside the capture */
  | 'no-answer'
  /** cut by the capture window */
  | 'incomplete';

export interface CheckFlow {
  server: string;
  port: number;
  balancer: string;
  balancerPort: number;
  t: number;
  /** the packets in order, as "S", "SA", "A", "RA", "FA", ... seen from the balancer (>) or the server (<) */
  sequence: string[];
  verdict: FlowVerdict;
  /** the balancer sent payload: forwarded client traffic, not a health check */
  traffic: boolean;
}

function flags(p: Packet): string {
  return `${p.syn ? 'S' : ''}${p.fin ? 'F' : ''}${p.rst ? 'R' : ''}${p.ack ? 'A' : ''}${p.len > 0 ? `+${p.len}` : ''}` || '.';
}

/**
 * Splits packets into TCP flows between a balancer and a server check port, and judges each.
 * `servers` are the real servers' addresses; `ports` the check ports.
 */
export function checkFlows(packets: readonly Packet[], servers: readonly string[], ports: readonly number[]): CheckFlow[] {
  const serverSet = new Set(servers);
  const portSet = new Set(ports);
  const flows = new Map<string, { f: CheckFlow; pk: { p: Packet; fromBalancer: boolean }[] }>();
  for (const p of packets) {
    let server: string;
    let port: number;
    let balancer: string;
    let bport: number;
    let fromBalancer: boolean;
    if (serverSet.has(p.dst) && portSet.has(p.dport)) {
      [server, port, balancer, bport, fromBalancer] = [p.dst, p.dport, p.src, p.sport, true];
    } else if (serverSet.has(p.src) && portSet.has(p.sport)) {
      [server, port, balancer, bport, fromBalancer] = [p.src, p.sport, p.dst, p.dport, false];
    } else continue;
    const key = `${balancer}:${bport}>${server}:${port}`;
    let e = flows.get(key);
    // A new SYN on a key whose flow already ended starts a new flow (port reuse).
    if (e && fromBalancer && p.syn && !p.ack && e.pk.some((x) => x.p.rst || x.p.fin)) {
      flows.set(`${key}#${p.t}`, e);
      e = undefined;
    }
    if (!e) {
      e = { f: { server, port, balancer, balancerPort: bport, t: p.t, sequence: [], verdict: 'incomplete', traffic: false }, pk: [] };
      flows.set(key, e);
    }
    e.pk.push({ p, fromBalancer });
    e.f.sequence.push(`${fromBalancer ? '>' : '<'}${flags(p)}`);
  }
  // A SYN in the capture's last second may have its answer just after the capture stopped.
  const lastT = packets.reduce((m, p) => Math.max(m, p.t), 0);
  const out: CheckFlow[] = [];
  for (const { f, pk } of flows.values()) {
    const synSeen = pk.some((x) => x.fromBalancer && x.p.syn && !x.p.ack);
    if (!synSeen) continue; // started before the capture
    const synAck = pk.findIndex((x) => !x.fromBalancer && x.p.syn && x.p.ack);
    const srvRst = pk.some((x) => !x.fromBalancer && x.p.rst);
    const fin = pk.some((x) => x.p.fin);
    const balRst = pk.findIndex((x) => x.fromBalancer && x.p.rst);
    f.traffic = pk.some((x) => x.fromBalancer && x.p.len > 0);
    const handshakeAck = synAck >= 0 && pk.some((x, i) => i > synAck && x.fromBalancer && x.p.ack && !x.p.syn && !x.p.rst && !x.p.fin && (balRst < 0 || i < balRst));
    if (fin) f.verdict = 'fin';
    else if (synAck < 0 && srvRst) f.verdict = 'refused';
    else if (synAck < 0) f.verdict = pk[pk.length - 1]!.p.t >= lastT - 1 ? 'incomplete' : 'no-answer';
    else if (balRst >= 0) f.verdict = handshakeAck ? 'handshake-then-rst' : 'half-open';
    else f.verdict = 'incomplete';
    out.push(f);
  }
  return out.sort((a, b) => a.t - b.t);
}

export interface PortVerdict {
  port: number;
  /** check flows (traffic left out) per verdict */
  counts: Record<FlowVerdict, number>;
  /** servers with at least one half-open check answered */
  serversHalfOpen: string[];
  /** servers with no answered check in the window */
  serversUnanswered: string[];
  trafficFlows: number;
  ok: boolean;
  /** one line: what the wire showed */
  summary: string;
}

export function judgeHalfOpen(flows: readonly CheckFlow[], servers: readonly string[], ports: readonly number[]): PortVerdict[] {
  return ports.map((port) => {
    const mine = flows.filter((f) => f.port === port);
    const checks = mine.filter((f) => !f.traffic);
    const counts: Record<FlowVerdict, number> = { 'half-open': 0, 'handshake-then-rst': 0, fin: 0, refused: 0, 'no-answer': 0, incomplete: 0 };
    for (const f of checks) counts[f.verdict]++;
    const serversHalfOpen = servers.filter((s) => checks.some((f) => f.server === s && f.verdict === 'half-open'));
    const serversUnanswered = servers.filter((s) => !checks.some((f) => f.server === s && (f.verdict === 'half-open' || f.verdict === 'handshake-then-rst' || f.verdict === 'fin')));
    const bad = counts.fin + counts['handshake-then-rst'];
    const ok = bad === 0 && counts['half-open'] > 0;
    const parts = [`${counts['half-open']} half-open (SYN, SYN-ACK, RST)`];
    if (counts['handshake-then-rst']) parts.push(`${counts['handshake-then-rst']} completed the handshake before RST`);
    if (counts.fin) parts.push(`${counts.fin} closed with FIN`);
    if (counts.refused) parts.push(`${counts.refused} refused by the server`);
    if (counts['no-answer']) parts.push(`${counts['no-answer']} unanswered`);
    if (mine.length - checks.length) parts.push(`${mine.length - checks.length} client-traffic flows left out`);
    return { port, counts, serversHalfOpen, serversUnanswered, trafficFlows: mine.length - checks.length, ok, summary: `port ${port}: ${parts.join(', ')}` };
  });
}
