/**
 * The lab for the benchmarks that need it (bench/run.ts `needsLab`): one lab for the whole run.
 *
 * - Takes /run/printha-lab.lock, the lock lab.sh and run-in-lab.sh use, and holds it until the run
 *   ends, so no test run tears the lab down under a benchmark and no benchmark disturbs a test run
 *   (a busy lab is waited for, up to 15 min like run-in-lab.sh does, or PRINTHA_LAB_WAIT_SECONDS).
 *   The lock is held by a small `flock ... cat` child: when this process dies, its stdin closes and the lock goes with it.
 * - Reuses a lab that is already up with enough print servers (and leaves it up afterwards);
 *   otherwise brings one up with the largest `servers` any selected benchmark needs, and down again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { labDown, labIsUp, labUnavailableReason, labUp, labEnv } from '../test/lab/lab.js';

export const LAB_LOCK = '/run/printha-lab.lock';

export interface LabSession {
  /** True when this run brought the lab up (and will take it down). */
  owned: boolean;
  servers: number;
  /** Seconds lab.sh took to bring the lab up (0 when reused). */
  upSeconds: number;
  release(): Promise<void>;
}

function holdLock(log: (s: string) => void, timeoutSeconds = Number(process.env.PRINTHA_LAB_WAIT_SECONDS) || 900): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    // flock -w waits for the lock; once held it prints "locked" and keeps it while cat reads our pipe.
    // -o: flock holds it alone (sh and cat get no copy of the descriptor), so it goes when flock exits.
    const child = spawn('flock', ['-o', '-w', String(timeoutSeconds), LAB_LOCK, 'sh', '-c', 'echo locked; exec cat >/dev/null'], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let said = false;
    const warn = setTimeout(() => {
      if (!said) log(`bench: the lab is busy (another test run holds ${LAB_LOCK}): waiting for it (up to ${timeoutSeconds / 60} min)`);
    }, 1000);
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      if (!said && d.includes('locked')) {
        said = true;
        clearTimeout(warn);
        resolve(child);
      }
    });
    child.on('error', (e) => {
      clearTimeout(warn);
      reject(new Error(`cannot run flock for ${LAB_LOCK}: ${e.message}`));
    });
    child.on('exit', (code) => {
      clearTimeout(warn);
      if (!said)
        reject(
          new Error(
            `could not take ${LAB_LOCK} within ${timeoutSeconds} s (flock exit ${code ?? 'signal'}): another lab user is still running`,
          ),
        );
    });
  });
}

function servesCount(env: Record<string, string>): number {
  const n = Number(env.PRINTHA_LAB_SERVERS);
  return Number.isInteger(n) ? n : 0;
}

/** Lock the lab and make sure it is up with at least `servers` print servers. Throws with the reason when it cannot. */
export async function openLabSession(
  servers: number,
  log: (s: string) => void = (s) => process.stderr.write(s + '\n'),
): Promise<LabSession> {
  const why = labUnavailableReason();
  if (why) throw new Error(why);
  const tw = performance.now();
  const lock = await holdLock(log);
  const waited = (performance.now() - tw) / 1000;
  if (waited > 1) log(`bench: waited ${waited.toFixed(0)} s for the lab lock`);
  // lab.sh skips its own lock when the caller holds it (run-in-lab.sh does the same).
  process.env.PRINTHA_LAB_LOCKED = '1';
  const unlock = (): void => {
    delete process.env.PRINTHA_LAB_LOCKED;
    lock.stdin?.end();
  };
  try {
    let owned = false;
    let upSeconds = 0;
    let have = 0;
    if (await labIsUp()) have = servesCount(await labEnv());
    if (have >= servers) {
      log(`bench: reusing the running lab (${have} print servers); it stays up afterwards`);
    } else {
      if (have > 0) log(`bench: the running lab has ${have} print servers, ${servers} needed: rebuilding it`);
      const r = await labUp({ servers });
      owned = true;
      upSeconds = r.seconds;
      have = servers;
      log(`bench: lab up in ${r.seconds} s (${servers} print servers)`);
    }
    let released = false;
    return {
      owned,
      servers: have,
      upSeconds,
      async release() {
        if (released) return;
        released = true;
        try {
          if (owned) {
            const d = await labDown();
            log(`bench: lab down in ${d.seconds} s`);
          }
        } finally {
          unlock();
        }
      },
    };
  } catch (e) {
    unlock();
    throw e;
  }
}
