/** Shared by the runbook-*.test.ts lab tests: the real CLI as a child process, with the lab's SSH trust. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { LabEnv } from '../lab/lab.js';
import { trustedKnownHosts } from './appliance-lab.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `printha <args>` (tsx electron/cli/main.ts) in the repository, environment = process + extra. */
export function printha(args: readonly string[], env: Record<string, string>, timeoutMs = 170_000): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(join(process.cwd(), 'node_modules/.bin/tsx'), ['electron/cli/main.ts', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d: Buffer) => (stdout += String(d)));
    child.stderr.on('data', (d: Buffer) => (stderr += String(d)));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** What a CLI run against the lab needs: the lab key, PrintHA's known_hosts pre-trusted, a state dir, no agent. */
export function labCliEnv(env: LabEnv, dir: string): Record<string, string> {
  return { PRINTHA_SSH_KEY: env.PRINTHA_SSH_KEY, PRINTHA_KNOWN_HOSTS: trustedKnownHosts(env, dir), PRINTHA_STATE_DIR: join(dir, 'state'), SSH_AUTH_SOCK: '' };
}
