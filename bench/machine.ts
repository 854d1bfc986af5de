/** The machine a benchmark ran on, for the output and docs/PERFORMANCE.md. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg, release } from 'node:os';

export interface MachineInfo {
  nproc: number;
  cpu: string;
  kernel: string;
  haproxy: string;
  /** 1, 5 and 15 minute load averages */
  load: [number, number, number];
}

export function machineInfo(): MachineInfo {
  let cpu = 'unknown';
  try {
    cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpu;
  } catch {
    /* not Linux */
  }
  const hv = spawnSync('haproxy', ['-v'], { encoding: 'utf8' });
  const haproxy = /version (\S+)/.exec(hv.stdout ?? '')?.[1] ?? 'not installed';
  const [a = 0, b = 0, c = 0] = loadavg();
  return {
    nproc: availableParallelism(),
    cpu,
    kernel: release(),
    haproxy,
    load: [a, b, c].map((x) => Math.round(x * 100) / 100) as [number, number, number],
  };
}

export function machineLine(m: MachineInfo): string {
  return `${m.nproc} CPUs (${m.cpu}), kernel ${m.kernel}, HAProxy ${m.haproxy}, load average ${m.load.join(' ')}`;
}
