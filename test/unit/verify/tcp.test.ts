/** TCP probes against listeners on 127.0.0.1 (the only place a unit test may send traffic). */
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapLimit } from '../../../electron/core/probes/limit.js';
import { tcpConnect, tcpSweep } from '../../../electron/core/probes/tcp.js';

let banner: Server;
let silent: Server;
let bannerPort = 0;
let silentPort = 0;
let closedPort = 0;

function listen(s: Server): Promise<number> {
  return new Promise((res) => s.listen(0, '127.0.0.1', () => res((s.address() as { port: number }).port)));
}

beforeAll(async () => {
  banner = createServer((c) => {
    c.on('error', () => undefined);
    c.end('pha-ps1 515\nmore\n');
  });
  silent = createServer((c) => c.on('error', () => undefined));
  bannerPort = await listen(banner);
  silentPort = await listen(silent);
  const tmp = createServer();
  closedPort = await listen(tmp);
  await new Promise((r) => tmp.close(r));
});
afterAll(() => {
  banner.close();
  silent.close();
});

describe('tcpConnect', () => {
  it('open, refused, and the first line of a banner with the local address', async () => {
    const open = await tcpConnect('127.0.0.1', silentPort, { timeoutMs: 1000 });
    expect(open).toMatchObject({ open: true, host: '127.0.0.1', port: silentPort, localAddress: '127.0.0.1' });
    expect(open.ms).toBeGreaterThanOrEqual(0);
    const refused = await tcpConnect('127.0.0.1', closedPort, { timeoutMs: 1000 });
    expect(refused).toMatchObject({ open: false, error: 'ECONNREFUSED' });
    const b = await tcpConnect('127.0.0.1', bannerPort, { timeoutMs: 1000, bannerMs: 500 });
    expect(b).toMatchObject({ open: true, banner: 'pha-ps1 515' });
    const quiet = await tcpConnect('127.0.0.1', silentPort, { timeoutMs: 1000, bannerMs: 100 });
    expect(quiet.open).toBe(true);
    expect(quiet.banner).toBeUndefined();
  });

  it('an aborted probe says so', async () => {
    const ac = new AbortController();
    ac.abort();
    expect(await tcpConnect('127.0.0.1', silentPort, { signal: ac.signal })).toMatchObject({ open: false, error: 'ABORTED' });
  });
});

describe('tcpSweep', () => {
  it('keeps the order of the targets and reports each port', async () => {
    const targets = [
      { host: '127.0.0.1', port: silentPort },
      { host: '127.0.0.1', port: closedPort },
      { host: '127.0.0.2', port: silentPort }, // listener bound to 127.0.0.1 only: refused on .2
      { host: '127.0.0.1', port: bannerPort },
    ];
    const r = await tcpSweep(targets, { concurrency: 2, timeoutMs: 1000 });
    expect(r.map((x) => [x.host, x.port, x.open])).toEqual([
      ['127.0.0.1', silentPort, true],
      ['127.0.0.1', closedPort, false],
      ['127.0.0.2', silentPort, false],
      ['127.0.0.1', bannerPort, true],
    ]);
  });

  it('a sweep of 300 connects finishes and leaves nothing open', async () => {
    const targets = Array.from({ length: 300 }, (_, i) => ({ host: '127.0.0.1', port: i % 2 ? silentPort : closedPort }));
    const r = await tcpSweep(targets, { concurrency: 64, timeoutMs: 2000 });
    expect(r.filter((x) => x.open)).toHaveLength(150);
    // every probe was reset: the server sees all of them close (poll: the RSTs arrive asynchronously)
    let conns = -1;
    for (let i = 0; i < 40 && conns !== 0; i++) {
      await new Promise((res) => setTimeout(res, 25));
      conns = await new Promise<number>((res) => silent.getConnections((_e, n) => res(n)));
    }
    expect(conns).toBe(0);
  });
});

describe('mapLimit', () => {
  it('never runs more than the limit at once and keeps input order', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapLimit([5, 1, 4, 2, 3, 0, 6], 3, async (x) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, x * 3));
      running--;
      return x * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30, 0, 60]);
    expect(peak).toBe(3);
    expect(await mapLimit([], 4, async () => 1)).toEqual([]);
  });
});
