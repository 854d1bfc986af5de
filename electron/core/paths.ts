/** Where PrintHA keeps its own files on the engineer's machine (one definition for the app and the CLI). */
import { homedir } from 'node:os';
import { join } from 'node:path';

/** PrintHA's own known_hosts (OpenSSH format), never ~/.ssh/known_hosts: PRINTHA_KNOWN_HOSTS or $XDG_CONFIG_HOME/printha/known_hosts. */
export function defaultKnownHostsPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PRINTHA_KNOWN_HOSTS) return env.PRINTHA_KNOWN_HOSTS;
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'printha', 'known_hosts');
}

/** The folder holding one state directory per site (journal, saved plan/verify): PRINTHA_STATE_DIR or $XDG_STATE_HOME/printha/sites. */
export function stateRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.PRINTHA_STATE_DIR ?? join(env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'printha', 'sites');
}
