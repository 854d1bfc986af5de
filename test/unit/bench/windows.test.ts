/**
 * The pure parts of bench/windows.ts: the N-server site, the /proc parsers, the classification of
 * the local shell's commands and the entries computed from a measurement (the lab run itself is
 * `npm run bench -- --only=windows`).
 */
import { describe, expect, it } from 'vitest';
import { entries, parseProcStat, parseStat, runKind, siteFor, type Config, type Inner, type Sample } from '../../../bench/windows.js';
import { validateSiteData } from '../../../shared/rules/index.js';
import { openSessionScript, pollJobsScript, startJobScript, CLOSE_SESSIONS_SCRIPT } from '../../../electron/core/powershell/remoting.js';

describe('siteFor', () => {
  it('examples/lab-snat.yaml with PS1..PSn at 10.99.0.21.. and pha-psK.lab.printha.test; dns kept or dropped', () => {
    const s = siteFor(10);
    expect(s.servers.map((x) => [x.label, x.address, x.hostname])).toEqual(
      Array.from({ length: 10 }, (_, i) => [`PS${i + 1}`, `10.99.0.${21 + i}`, `pha-ps${i + 1}.lab.printha.test`]),
    );
    expect(s.dns?.server).toBe('10.99.0.53');
    expect(siteFor(2, { dns: false }).dns).toBeUndefined();
    expect(validateSiteData(s).ok).toBe(true);
    expect(validateSiteData(siteFor(2, { dns: false })).ok).toBe(true);
  });
});

describe('/proc parsers', () => {
  it('parseStat reads pid, comm (with spaces and parentheses), ppid, utime+stime and start time', () => {
    const line = '4242 (pw sh) (x)) S 17 4242 4242 0 -1 4194560 100 0 0 0 250 31 0 0 20 0 12 0 98765 1000 200 18446744073709551615';
    expect(parseStat(line)).toEqual({ pid: 4242, comm: 'pw sh) (x)', ppid: 17, ticks: 281, start: 98765 });
    expect(parseStat('garbage')).toBeUndefined();
  });
  it('parseProcStat: busy = total - idle - iowait', () => {
    expect(parseProcStat('cpu  100 5 50 1000 20 3 2 0 0 0\ncpu0 1 2 3 4 5 6 7 8\n')).toEqual({ busy: 160, total: 1180 });
  });
});

describe('runKind', () => {
  it('tells the local shell commands apart', () => {
    const t = { transport: 'ssh' as const, label: 'PS1', host: 'pha-ps1', user: 'root', keyFilePath: '/k' };
    expect(runKind("ConvertTo-Json -InputObject ([pscustomobject]@{ kind = 'printha.ping' }) -Compress")).toBe('start');
    expect(runKind(openSessionScript(t as Parameters<typeof openSessionScript>[0], { credential: false }))).toBe('open');
    expect(runKind(startJobScript('PS1', 'j1', "'{}'"))).toBe('job');
    expect(runKind(pollJobsScript(['j1'], 1))).toBe('poll');
    expect(runKind(CLOSE_SESSIONS_SCRIPT)).toBe('close');
    expect(runKind('Get-DnsServerZone')).toBe('local');
  });
});

describe('entries', () => {
  const sample = (s: number, cpu = 1): Sample => ({
    ms: s * 1000,
    cpu: { remotePwsh: cpu, remoteSshd: 0.1, localPwsh: 0.5, localSsh: 0.1, remoteShells: 2, machine: s * 1.5 },
    runs: {
      start: { n: 1, ms: 500 },
      open: { n: 2, ms: 1000 },
      job: { n: 4, ms: 100 },
      poll: { n: 3, ms: 300 },
      close: { n: 1, ms: 50 },
      local: { n: 0, ms: 0 },
    },
    opens: [500, 500],
  });
  const m: Inner = {
    servers: 10,
    reps: 2,
    samples: {
      d2: [sample(4), sample(6)],
      d10: [sample(14, 5), sample(16, 5)],
      d10p: [sample(10), sample(12)],
      p2: [sample(5)],
      p10: [sample(20)],
      p10p: [sample(19)],
    } satisfies Record<Config, Sample[]>,
  };
  it('medians, the 10/2 ratio against the 3x target, parallel=10 against the default, CPU', () => {
    const e = entries(m, 2);
    expect(e['windows-discovery-10-vs-2']).toMatchObject({ value: 15, baseline: 5, ratio: 3, ok: true, unit: 's' });
    expect(e['windows-discovery-10-parallel-10']).toMatchObject({ value: 11, baseline: 15, ratio: 0.73, ok: true });
    expect(e['windows-discovery-10-parallel-10']!.note).toMatch(/parallel=10 is >10% faster/);
    expect(e['windows-prepare-10-vs-2']).toMatchObject({ value: 20, baseline: 5, ratio: 4, ok: false });
    expect(e['windows-prepare-10-parallel-10']!.note).toMatch(/no gain >10%/);
    expect(e['windows-discovery-10-cpu']).toMatchObject({ value: 5.7, baseline: 1.7, unit: 'cpu-s' });
    expect(e['windows-discovery-10-vs-2']!.note).toMatch(/machine busy 1\.5 of 2 cores/);
  });
});
