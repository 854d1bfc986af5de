/**
 * The CLI's help texts: `printha --help`, `printha <verb> --help` (usage, summary, the verb's own
 * notes and how it takes credentials) and `printha --version`.
 */
import { readFileSync } from 'node:fs';
import type { CliCommand } from './types.js';

/** How every verb that contacts hosts takes credentials: from the environment or a hidden prompt only. */
export const CREDENTIALS_HELP = [
  'Credentials (never on the command line, never in the site file):',
  '  Balancers (SSH):   PRINTHA_SSH_KEY=<private key file>, or a running SSH agent (SSH_AUTH_SOCK),',
  '                     or PRINTHA_SSH_PASSWORD; PRINTHA_SSH_KEY_PASSPHRASE unlocks an encrypted key.',
  '  Windows servers:   PRINTHA_WINDOWS_PASSWORD, the password of windows.user (print servers and the',
  '                     DNS server); with windows.transport ssh, PRINTHA_WINDOWS_SSH_KEY=<key file>.',
  '  On a terminal, PrintHA asks for a missing password or passphrase with a hidden prompt (asked once',
  '  per host and user, never echoed); without a terminal a missing one stops the run and names the',
  '  variable to set.',
  "  Host keys: kept in PrintHA's own known_hosts (PRINTHA_KNOWN_HOSTS overrides the file); a new key is",
  '  confirmed at the prompt, or with --accept-host-key SHA256:... after comparing it on the console.',
].join('\n');

/** The same, for the browser wizard of `printha ui`. */
export const UI_CREDENTIALS_HELP = [
  'Credentials: the wizard asks for each password or passphrase in the browser when it connects and',
  "  keeps it in memory for this run only (never in the site file, the address or the browser's",
  '  storage). PRINTHA_SSH_KEY sets the default SSH key file; a running SSH agent (SSH_AUTH_SOCK) is',
  "  used. Host keys are confirmed in the wizard and kept in PrintHA's own known_hosts.",
].join('\n');

/** For verbs that contact no host. */
export const NO_CREDENTIALS_HELP = 'Credentials: none; this verb contacts no host.';

export function credentialsHelp(cmd: Pick<CliCommand, 'credentials'>): string {
  if (cmd.credentials === 'hosts') return CREDENTIALS_HELP;
  if (cmd.credentials === 'ui') return UI_CREDENTIALS_HELP;
  return NO_CREDENTIALS_HELP;
}

/** `printha <verb> --help`. */
export function verbHelp(cmd: CliCommand): string {
  return [`Usage: ${cmd.usage}`, cmd.summary, ...(cmd.details ? ['', cmd.details.trimEnd()] : []), '', credentialsHelp(cmd), ''].join('\n');
}

/** `printha --help`. */
export function mainHelp(commands: readonly CliCommand[]): string {
  const w = Math.max(...commands.map((c) => c.name.length));
  return [
    'printha — make print services highly available behind a load balancer',
    '',
    'Usage: npm run --silent printha -- <verb> [arguments]',
    '       printha --version',
    '',
    ...commands.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`),
    '',
    "Run `printha <verb> --help` for a verb's arguments and credentials.",
    '',
    CREDENTIALS_HELP,
    '',
    'Every environment variable PrintHA reads is listed in README.md, "Environment variables".',
    '',
  ].join('\n');
}

/** PrintHA's version, from its package.json. */
export function printhaVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** `printha --version`: PrintHA's version and the Node.js running it. */
export function versionText(): string {
  return `printha ${printhaVersion()} (Node.js ${process.version})\n`;
}
