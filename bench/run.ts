/**
 * `npm run bench [-- --json] [-- --only=name,name]`: runs every benchmark under bench/ and prints
 * one table or one JSON object { name: { value, unit, baseline?, ratio?, target?, ok, note? } }.
 *
 * Lab benchmarks (`needsLab`: how many print servers they want) share one lab: before the first of
 * them the runner takes the lab lock (waiting while a test run holds it), reuses a lab that is up
 * with enough print servers or brings one up with the largest number any selected benchmark needs,
 * and after the last one takes it down again (only if it brought it up). The bench process stays in
 * the root namespace; the benchmarks send their traffic from pha-client (`ip netns exec`, labExec).
 * A benchmark that cannot run on this machine (its module's `unavailable()` gives the reason, or the
 * lab cannot run here) is listed with the reason instead of a number, and does not fail the run.
 */
import { machineInfo, machineLine } from './machine.js';
import type { BenchResults } from './lib.js';
import type { LabSession } from './lab-session.js';

type BenchModule = { run: () => Promise<BenchResults>; unavailable?: () => string | undefined; title?: string };
type Bench = {
  name: string;
  load: () => Promise<BenchModule>;
  /** Needs the lab, with at least this many print servers. */
  needsLab?: number;
};

const BENCHES: Bench[] = [{ name: 'render', load: () => import('./render.js') }];
// TCP sweep of verify against nmap on the lab (issue 6).
BENCHES.push({ name: 'verify', load: () => import('./verify.js'), needsLab: 10 });
// Data plane and failover of the generated SNAT configuration (issue 10).
BENCHES.push({ name: 'dataplane', load: () => import('./dataplane.js'), needsLab: 2 });
BENCHES.push({ name: 'failover', load: () => import('./failover.js'), needsLab: 2 });
// The Windows engine against the lab's Windows stand-in: discovery and preparation, 2 vs 10 servers (issue 10).
BENCHES.push({ name: 'windows', load: () => import('./windows.js'), needsLab: 10 });
// The guide's whole job from a clean lab, timed per phase (issue 14).
BENCHES.push({ name: 'job', load: () => import('./job.js'), needsLab: 2 });
// printha apply vs an Ansible playbook on the lab (issue 4).
BENCHES.push({ name: 'apply', load: () => import('./apply.js'), needsLab: 2 });
// The renderer bundle and the first wizard step in headless Chromium (issue 7).
BENCHES.push({ name: 'ui', load: () => import('./ui.js') });

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const onlyArg = args.find((a) => a.startsWith('--only='));
  const only = onlyArg ? new Set(onlyArg.slice(7).split(',')) : undefined;
  const selected = BENCHES.filter((b) => !only || only.has(b.name));
  const log = (s: string): void => void process.stderr.write(s + '\n');
  const all: BenchResults = {};
  const skipped: Record<string, string> = {};
  const notRun: Record<string, string> = {};
  const t0 = performance.now();
  log(`bench: ${machineLine(machineInfo())}`);

  const labServers = Math.max(0, ...selected.map((b) => b.needsLab ?? 0));
  let lab: LabSession | undefined;
  let labWhy: string | undefined;
  const release = async (): Promise<void> => {
    const l = lab;
    lab = undefined;
    await l?.release();
  };
  const onSignal = (sig: NodeJS.Signals): void => {
    log(`bench: ${sig}: cleaning up the lab`);
    void release().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const lastLab = selected.filter((b) => b.needsLab).pop();
  try {
    for (const b of selected) {
      try {
        const mod = await b.load();
        const why = mod.unavailable?.();
        if (why) {
          notRun[mod.title ?? b.name] = why;
          continue;
        }
        if (b.needsLab && !lab && !labWhy) {
          const { openLabSession } = await import('./lab-session.js');
          const { labUnavailableReason } = await import('../test/lab/lab.js');
          labWhy = labUnavailableReason();
          if (!labWhy) lab = await openLabSession(labServers, log);
        }
        if (b.needsLab && labWhy) {
          notRun[b.name] = `needs the lab, which cannot run here: ${labWhy}`;
          continue;
        }
        const t = performance.now();
        Object.assign(all, await mod.run());
        log(`bench: ${b.name} took ${((performance.now() - t) / 1000).toFixed(1)} s`);
      } catch (e) {
        skipped[b.name] = e instanceof Error ? e.message : String(e);
      } finally {
        if (b === lastLab) await release();
      }
    }
  } finally {
    await release();
  }
  log(`bench: done in ${((performance.now() - t0) / 1000).toFixed(1)} s; ${machineLine(machineInfo())}`);

  if (json) {
    process.stdout.write(JSON.stringify(all, null, 2) + '\n');
  } else {
    for (const [k, v] of Object.entries(all))
      console.log(
        `${v.ok ? 'ok  ' : 'MISS'} ${k.padEnd(28)} ${String(v.value).padStart(10)} ${v.unit.padEnd(6)}${v.baseline !== undefined ? ` baseline ${v.baseline}` : ''}${v.ratio !== undefined ? ` ratio ${v.ratio}` : ''}${v.target ? ` target ${v.target}` : ''}${v.note ? `  — ${v.note}` : ''}`,
      );
    for (const [k, why] of Object.entries(notRun)) console.log(`n/a  ${k.padEnd(28)} ${'-'.padStart(10)}        not run: ${why}`);
  }
  if (json) for (const [k, why] of Object.entries(notRun)) log(`bench ${k} not run: ${why}`);
  for (const [k, why] of Object.entries(skipped)) log(`bench ${k} did not run: ${why}`);
  if (Object.keys(skipped).length) process.exitCode = 1;
}

void main();
