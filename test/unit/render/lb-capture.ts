/** Packet capture on the loopback interface for the half-open tests (tshark, or tcpdump as fallback). */
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { which } from './lb-helpers.js';

export interface Packet {
  src: string;
  sport: number;
  dst: string;
  dport: number;
  syn: boolean;
  ack: boolean;
  rst: boolean;
  fin: boolean;
}

export const captureTool: string | undefined = which('tshark') ?? which('tcpdump');

function parseTshark(line: string): Packet | undefined {
  const f = line.split('\t');
  if (f.length < 8 || f[1] === '' || f[3] === '') return undefined; // not TCP (the canary)
  const b = (s: string | undefined): boolean => s === '1' || s === 'True';
  return { src: f[0]!, sport: Number(f[1]), dst: f[2]!, dport: Number(f[3]), syn: b(f[4]), ack: b(f[5]), rst: b(f[6]), fin: b(f[7]) };
}

// tcpdump -n -l: "12:00:00.000 IP 127.0.0.1.41256 > 127.0.0.2.5555: Flags [S.], ..."
function parseTcpdump(line: string): Packet | undefined {
  const m = /IP6? (\S+)\.(\d+) > (\S+)\.(\d+): Flags \[([^\]]*)\]/.exec(line);
  if (!m) return undefined;
  const fl = m[5]!;
  return { src: m[1]!, sport: Number(m[2]), dst: m[3]!, dport: Number(m[4]), syn: fl.includes('S'), ack: fl.includes('.'), rst: fl.includes('R'), fin: fl.includes('F') };
}

/**
 * Captures TCP packets on lo matching a BPF filter while `action` runs. Resolves with the packets
 * in order. "Capturing on" is printed before the filter is live, so the capture counts as running
 * only once it has seen a UDP canary sent to a port of its own; a second canary after the action
 * marks the end (every packet of the action has been read by then).
 */
export async function captureLo(filter: string, action: () => Promise<void> | void): Promise<Packet[]> {
  const tool = captureTool;
  if (!tool) throw new Error('neither tshark nor tcpdump is installed');
  const isTshark = tool.endsWith('tshark');
  const canary = createSocket('udp4');
  await new Promise<void>((r) => canary.bind(0, '127.0.0.1', () => r()));
  const canaryPort = canary.address().port;
  const full = `(${filter}) or (udp and src host 127.0.0.1 and dst port ${canaryPort})`;
  const args = isTshark
    ? ['-i', 'lo', '-l', '-n', '-f', full, '-T', 'fields', '-E', 'separator=/t', '-e', 'ip.src', '-e', 'tcp.srcport', '-e', 'ip.dst', '-e', 'tcp.dstport', '-e', 'tcp.flags.syn', '-e', 'tcp.flags.ack', '-e', 'tcp.flags.reset', '-e', 'tcp.flags.fin', '-e', 'udp.dstport', '-e', 'data.data']
    : ['-i', 'lo', '-n', '-l', '-A', full];
  const child = spawn(tool, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let exited = false;
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  child.on('exit', () => (exited = true));
  // Sends canary `tag` every 100 ms until the capture printed it (tshark: payload hex; tcpdump -A: text).
  const sync = async (tag: string): Promise<void> => {
    const seen = (): boolean => out.includes(isTshark ? Buffer.from(tag).toString('hex') : tag);
    const deadline = Date.now() + 20_000;
    while (!seen()) {
      if (exited) throw new Error(`${tool} exited before capturing: ${err}`);
      if (Date.now() > deadline) throw new Error(`${tool} did not capture its canary within 20 s: ${err}`);
      canary.send(tag, canaryPort, '127.0.0.1');
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  try {
    await sync('printha-canary-start');
    const from = out.length;
    await action();
    await sync('printha-canary-end');
    out = out.slice(from);
  } finally {
    const done = new Promise((r) => (exited ? r(undefined) : child.on('exit', r)));
    child.kill('SIGINT');
    await Promise.race([done, new Promise((r) => setTimeout(r, 5000))]);
    canary.close();
  }
  return out
    .split('\n')
    .map((l) => (isTshark ? parseTshark(l) : parseTcpdump(l)))
    .filter((p): p is Packet => p !== undefined && p.dport !== canaryPort && p.sport !== canaryPort);
}

export function flagsText(p: Packet): string {
  return `${p.syn ? 'S' : ''}${p.fin ? 'F' : ''}${p.rst ? 'R' : ''}${p.ack ? '.' : ''}` || '-';
}

/** Groups packets into TCP conversations keyed by the client's source port. */
export function conversations(packets: Packet[], serverPorts: readonly number[]): Map<string, { port: number; flags: string[] }> {
  const m = new Map<string, { port: number; flags: string[] }>();
  for (const p of packets) {
    const toServer = serverPorts.includes(p.dport);
    const key = toServer ? `${p.src}:${p.sport}->${p.dport}` : `${p.dst}:${p.dport}->${p.sport}`;
    const port = toServer ? p.dport : p.sport;
    const c = m.get(key) ?? { port, flags: [] };
    c.flags.push(`${toServer ? '>' : '<'}${flagsText(p)}`);
    m.set(key, c);
  }
  return m;
}
