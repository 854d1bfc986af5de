/**
 * Vitest globalSetup of the "integration" project: the PrintHA lab (test/lab/README.md).
 *
 * - Under `npm run test:integration` (run-in-lab.sh, PRINTHA_LAB_MANAGED=1) the lab is already up
 *   and vitest runs inside the client namespace pha-client: only check that the lab is up.
 * - `PRINTHA_LAB_KEEP=1` with a lab that is up: reuse it and leave it up.
 * - Otherwise bring the lab up here and tear it down at the end (also when tests fail). Vitest then
 *   runs in the root namespace, so tests must reach the lab only through inClient()/labExec()
 *   from test/lab/lab.ts (in-process network code needs `npm run test:integration`).
 * - Not Linux or not root: nothing is started; tests read inject('labUnavailable') and skip with
 *   that reason printed.
 */
import type { TestProject } from 'vitest/node';
import { inClientNetns, labDown, labIsUp, labUnavailableReason, labUp } from '../lab/lab.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** '' when the lab is up, otherwise why it is not (tests skip and print it) */
    labUnavailable: string;
    /** true when the test processes run inside the lab's client namespace */
    labInClient: boolean;
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const reason = labUnavailableReason();
  if (reason) {
    console.warn(`[lab] integration tests that need the lab will be skipped: ${reason}`);
    project.provide('labUnavailable', reason);
    project.provide('labInClient', false);
    return undefined;
  }
  project.provide('labInClient', inClientNetns());

  if (process.env.PRINTHA_LAB_MANAGED === '1') {
    if (!(await labIsUp())) throw new Error('[lab] run-in-lab.sh started the tests but the lab is not up: run `npm run lab:status`');
    console.log('[lab] using the lab brought up by run-in-lab.sh');
    project.provide('labUnavailable', '');
    return undefined;
  }
  if (process.env.PRINTHA_LAB_KEEP === '1' && (await labIsUp())) {
    console.log('[lab] reusing the running lab (PRINTHA_LAB_KEEP=1); it stays up');
    project.provide('labUnavailable', '');
    return undefined;
  }

  const t0 = Date.now();
  try {
    const up = await labUp({ servers: Number(process.env.PRINTHA_LAB_SERVERS ?? 2) });
    console.log(`[lab] bring-up took ${((Date.now() - t0) / 1000).toFixed(2)} s (lab.sh: ${up.seconds} s)`);
  } catch (e) {
    await labDown().catch(() => undefined);
    throw e;
  }
  project.provide('labUnavailable', '');
  return async () => {
    if (process.env.PRINTHA_LAB_KEEP === '1') {
      console.log('[lab] PRINTHA_LAB_KEEP=1: leaving the lab up (npm run lab:down)');
      return;
    }
    const t1 = Date.now();
    await labDown();
    console.log(`[lab] tear-down took ${((Date.now() - t1) / 1000).toFixed(2)} s`);
  };
}
