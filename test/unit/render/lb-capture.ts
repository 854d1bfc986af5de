/** Packet capture on the loopback interface for the half-open tests (tshark, or tcpdump as fallback). */
import { spawn } from 'node:child_process';
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
  if (f.length < 8) return undefined;
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
 * in order. Waits until the capture is running before calling `action`.
 */
export async function captureLo(filter: string, action: () => Promise<void> | void, settleMs = 400): Promise<Packet[]> {
  const tool = captureTool;
  if (!tool) throw new Error('neither tshark nor tcpdump is installed');
  const isTshark = tool.endsWith('tshark');
  const args = isTshark
    ? ['-i', 'lo', '-l', '-n', '-f', filter, '-T', 'fields', '-E', 'separator=/t', '-e', 'ip.src', '-e', 'tcp.srcport', '-e', 'ip.dst', '-e', 'tcp.dstport', '-e', 'tcp.flags.syn', '-e', 'tcp.flags.ack', '-e', 'tcp.flags.reset', '-e', 'tcp.flags.fin']
    : ['-i', 'lo', '-n', '-l', filter];
  const child = spawn(tool, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${tool} did not start capturing within 20 s: ${err}`)), 20_000);
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (/Capturing on|listening on/i.test(err)) {
        clearTimeout(t);
        resolve();
      }
    });
    child.on('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`${tool} exited (${code}) before capturing: ${err}`));
    });
  });
  try {
    await action();
    await new Promise((r) => setTimeout(r, settleMs));
  } finally {
    const done = new Promise((r) => child.on('exit', r));
    child.kill('SIGINT');
    await Promise.race([done, new Promise((r) => setTimeout(r, 5000))]);
  }
  return out
    .split('\n')
    .map((l) => (isTshark ? parseTshark(l) : parseTcpdump(l)))
    .filter((p): p is Packet => p !== undefined);
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
