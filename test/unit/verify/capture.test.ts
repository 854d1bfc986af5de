/**
 * Health-check capture analysis: tshark field output captured on pha-lb1 (HAProxy 2.6.12 `check
 * port 445`, plus one client connection forwarded through the VIP), and the packet sequences of
 * docs/HALF-OPEN.md (two tcp-check rules: the first completes the handshake).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFlows, judgeHalfOpen, parseTcpdump, parseTsharkFields, TSHARK_FIELDS, type Packet } from '../../../shared/verify/capture.js';

const fx = (name: string): string => readFileSync(join(__dirname, '../../fixtures/verify', name), 'utf8');
const SERVERS = ['10.99.0.21', '10.99.0.22'];

function pk(t: number, from: 'b' | 's', port: number, bport: number, fl: string, len = 0, server = '10.99.0.21'): Packet {
  const b = '10.99.0.11';
  return {
    t,
    src: from === 'b' ? b : server,
    sport: from === 'b' ? bport : port,
    dst: from === 'b' ? server : b,
    dport: from === 'b' ? port : bport,
    syn: fl.includes('S'),
    ack: fl.includes('A'),
    rst: fl.includes('R'),
    fin: fl.includes('F'),
    len,
  };
}

describe('tshark field output', () => {
  it('parses the lab capture (tshark 4.0 prints 1/0 flags, empty ipv6 columns)', () => {
    const p = parseTsharkFields(fx('tshark-phoenix-445.tsv'));
    expect(p.length).toBe(23);
    expect(p[0]).toEqual({ t: 0, src: '10.99.0.11', sport: 54060, dst: '10.99.0.22', dport: 445, syn: true, ack: false, rst: false, fin: false, len: 0 });
    expect(p[2]).toMatchObject({ syn: false, ack: true, rst: true, fin: false });
    expect(p.find((x) => x.len === 5)).toMatchObject({ src: '10.99.0.11', dport: 445 });
  });

  it('accepts tshark 4.2+ True/False flags and IPv6 columns; ignores junk lines', () => {
    const line = ['0.5', '', 'fd00::11', '40000', '', 'fd00::21', '5555', 'True', 'False', 'False', 'False', '0'].join('\t');
    expect(TSHARK_FIELDS).toHaveLength(12);
    expect(parseTsharkFields(`Capturing on 'eth0'\n${line}\n`)).toEqual([{ t: 0.5, src: 'fd00::11', sport: 40000, dst: 'fd00::21', dport: 5555, syn: true, ack: false, rst: false, fin: false, len: 0 }]);
  });

  it('parses tcpdump -n -tt lines (the fallback when tshark is missing)', () => {
    const text = [
      '1700000000.100000 IP 10.99.0.11.41256 > 10.99.0.21.5555: Flags [S], seq 1, win 64240, length 0',
      '1700000000.100020 IP 10.99.0.21.5555 > 10.99.0.11.41256: Flags [S.], seq 9, ack 2, win 65160, length 0',
      '1700000000.100050 IP 10.99.0.11.41256 > 10.99.0.21.5555: Flags [R.], seq 2, ack 10, win 502, length 0',
    ].join('\n');
    const p = parseTcpdump(text);
    expect(p.map((x) => [x.syn, x.ack, x.rst])).toEqual([
      [true, false, false],
      [true, true, false],
      [false, true, true],
    ]);
    expect(p[2]!.t).toBeCloseTo(0.00005, 6);
    expect(judgeHalfOpen(checkFlows(p, ['10.99.0.21'], [5555]), ['10.99.0.21'], [5555])[0]!.ok).toBe(true);
  });
});

describe('half-open judgement', () => {
  it('the lab capture: every check half-open, the forwarded client connection left out', () => {
    const flows = checkFlows(parseTsharkFields(fx('tshark-phoenix-445.tsv')), SERVERS, [445]);
    const checks = flows.filter((f) => !f.traffic);
    expect(checks.length).toBe(5);
    expect(checks.every((f) => f.verdict === 'half-open')).toBe(true);
    expect(checks[0]!.sequence).toEqual(['>S', '<SA', '>RA']);
    const traffic = flows.filter((f) => f.traffic);
    expect(traffic).toHaveLength(1);
    expect(traffic[0]!.verdict).toBe('fin');
    const [v] = judgeHalfOpen(flows, SERVERS, [445]);
    expect(v).toMatchObject({ port: 445, ok: true, trafficFlows: 1, serversUnanswered: [] });
    expect(v!.counts['half-open']).toBe(5);
    expect(v!.serversHalfOpen).toEqual(SERVERS);
  });

  it('two tcp-check rules (docs/HALF-OPEN.md): the first port completes the handshake and fails the check', () => {
    const p = [
      pk(0, 'b', 5555, 58602, 'S'),
      pk(0.000015, 's', 5555, 58602, 'SA'),
      pk(0.000032, 'b', 5555, 58602, 'A'),
      pk(0.000197, 's', 5555, 58602, 'FA'),
      pk(0.000278, 'b', 5555, 58602, 'RA'),
      pk(0.000314, 'b', 5022, 52094, 'S'),
      pk(0.000322, 's', 5022, 52094, 'SA'),
      pk(0.000356, 'b', 5022, 52094, 'RA'),
    ];
    const v = judgeHalfOpen(checkFlows(p, ['10.99.0.21'], [5555, 5022]), ['10.99.0.21'], [5555, 5022]);
    expect(v[0]).toMatchObject({ port: 5555, ok: false });
    expect(v[0]!.counts.fin).toBe(1);
    expect(v[0]!.summary).toMatch(/closed with FIN/);
    expect(v[1]).toMatchObject({ port: 5022, ok: true });
  });

  it('a handshake ACK then RST (no FIN) is not half-open; a refused check is not a form violation', () => {
    const p = [pk(0, 'b', 5555, 40000, 'S'), pk(0.001, 's', 5555, 40000, 'SA'), pk(0.002, 'b', 5555, 40000, 'A'), pk(0.003, 'b', 5555, 40000, 'RA')];
    const refused = [pk(1, 'b', 5555, 40001, 'S', 0, '10.99.0.22'), pk(1.001, 's', 5555, 40001, 'RA', 0, '10.99.0.22')];
    const flows = checkFlows([...p, ...refused], SERVERS, [5555]);
    expect(flows.map((f) => f.verdict)).toEqual(['handshake-then-rst', 'refused']);
    const [v] = judgeHalfOpen(flows, SERVERS, [5555]);
    expect(v!.ok).toBe(false);
    expect(v!.serversUnanswered).toEqual(['10.99.0.22']);
  });

  it('no check seen is not a pass; flows started before the capture are ignored', () => {
    const tail = [pk(0, 's', 5555, 40000, 'SA'), pk(0.001, 'b', 5555, 40000, 'RA')];
    const flows = checkFlows(tail, SERVERS, [5555]);
    expect(flows).toEqual([]);
    expect(judgeHalfOpen(flows, SERVERS, [5555])[0]!.ok).toBe(false);
  });

  it('an unanswered SYN is no-answer, unless it is in the capture\'s last second (the answer may come after the stop)', () => {
    const ok = (t: number, bport: number) => [pk(t, 'b', 5555, bport, 'S'), pk(t + 0.001, 's', 5555, bport, 'SA'), pk(t + 0.002, 'b', 5555, bport, 'RA')];
    const p = [...ok(0, 40000), pk(1, 'b', 5555, 40001, 'S'), ...ok(5, 40002), pk(9.6, 'b', 5555, 40003, 'S'), ...ok(9.9, 40004)];
    expect(checkFlows(p, SERVERS, [5555]).map((f) => f.verdict)).toEqual(['half-open', 'no-answer', 'half-open', 'incomplete', 'half-open']);
  });

  it('a reused source port starts a new flow', () => {
    const p = [pk(0, 'b', 5555, 40000, 'S'), pk(0.001, 's', 5555, 40000, 'SA'), pk(0.002, 'b', 5555, 40000, 'RA'), pk(5, 'b', 5555, 40000, 'S'), pk(5.001, 's', 5555, 40000, 'SA'), pk(5.002, 'b', 5555, 40000, 'RA')];
    expect(checkFlows(p, SERVERS, [5555]).map((f) => f.verdict)).toEqual(['half-open', 'half-open']);
  });
});
