import { describe, expect, it } from 'vitest';
import { noTransport, pickTransport, preloadTransport, WsTransport } from '../../renderer/src/platform/transport.js';

/** A WebSocket double: records sent frames; the test answers with deliver(). */
class FakeWs extends EventTarget {
  static last: FakeWs | undefined;
  readyState = 0;
  sent: string[] = [];
  constructor(readonly url: string) {
    super();
    FakeWs.last = this;
    queueMicrotask(() => {
      this.readyState = 1;
      this.dispatchEvent(new Event('open'));
    });
  }
  send(s: string) {
    this.sent.push(s);
  }
  deliver(frame: unknown) {
    this.dispatchEvent(new MessageEvent('message', { data: JSON.stringify(frame) }));
  }
  drop() {
    this.readyState = 3;
    this.dispatchEvent(new Event('close'));
  }
}

describe('transports', () => {
  it('WsTransport matches answers to calls by id and routes events', async () => {
    const t = new WsTransport('ws://127.0.0.1:1/bridge?token=x', FakeWs as unknown as new (u: string) => WebSocket);
    const ws = FakeWs.last!;
    const events: unknown[] = [];
    const off = t.on('journal', (p) => events.push(p));
    const p1 = t.call('site.examples', {});
    const p2 = t.call('engine.status', {});
    await new Promise((r) => setTimeout(r, 0));
    const sent = ws.sent.map((s) => JSON.parse(s));
    expect(sent.map((f) => f.channel)).toEqual(['site.examples', 'engine.status']);
    ws.deliver({ id: sent[1].id, ok: false, error: { code: 'not-available', message: 'no' } });
    ws.deliver({ event: 'journal', payload: { opId: 'a' } });
    ws.deliver({ id: sent[0].id, ok: true, output: { examples: [] } });
    expect(await p1).toEqual({ id: sent[0].id, ok: true, output: { examples: [] } });
    expect(await p2).toMatchObject({ ok: false, error: { code: 'not-available' } });
    expect(events).toEqual([{ opId: 'a' }]);
    off();
    ws.deliver({ event: 'journal', payload: { opId: 'b' } });
    expect(events).toHaveLength(1);
    const p3 = t.call('site.examples', {});
    await new Promise((r) => setTimeout(r, 0));
    ws.drop();
    expect(await p3).toMatchObject({ ok: false, error: { code: 'unreachable', message: expect.stringMatching(/printha ui/) } });
  });

  it('preloadTransport passes through and turns a broken bridge into the error shape', async () => {
    const t = preloadTransport({ invoke: async (c) => ({ ok: true, output: c }), on: () => () => undefined });
    expect(await t.call('vault.status', {})).toEqual({ ok: true, output: 'vault.status' });
    const broken = preloadTransport({
      invoke: async () => {
        throw new Error('boom');
      },
      on: () => () => undefined,
    });
    expect(await broken.call('vault.status', {})).toMatchObject({ ok: false, error: { code: 'internal' } });
  });

  it('pickTransport prefers the preload, then a token in the address, else says how to start', async () => {
    const api = { invoke: async () => ({ ok: true, output: 1 }), on: () => () => undefined };
    expect(pickTransport({ printha: api, location: { search: '' } } as unknown as Window).kind).toBe('electron');
    expect(pickTransport({ location: { search: '?token=short', protocol: 'http:', host: 'x' } } as unknown as Window).kind).toBe('none');
    expect((await noTransport().call('site.examples', {})).ok).toBe(false);
  });
});
