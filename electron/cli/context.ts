/**
 * The CLI's RunContext: secrets from the environment or a hidden prompt (never from the site file,
 * never echoed), host-key decisions from --accept-host-key or a prompt, the journal location, and
 * live progress on stderr.
 */
import { createHash } from 'node:crypto';
import { basename, join, resolve } from 'node:path';
import type { JournalEvent } from '../../shared/journal/events.js';
import { terminalText } from '../../shared/quote/terminal.js';
import type { CredentialRequest, HostKeyQuestion, RunContext } from '../core/engine/api.js';
import { NEW_KEY_TYPE_RISK, compareOnConsole, consoleFingerprintCommand, hostPort } from '../core/ssh/errors.js';
import { defaultKnownHostsPath, stateRoot } from '../core/paths.js';
import { SecretSet } from '../core/runner/redact.js';
import type { CliIO } from './types.js';

export interface CliRunOptions {
  acceptHostKeys: string[];
  quiet: boolean;
  json: boolean;
}

export function stateDirFor(sitePath: string, env: NodeJS.ProcessEnv): string {
  const root = stateRoot(env);
  const abs = resolve(sitePath);
  const slug = basename(abs).replace(/\.ya?ml$/i, '').replace(/[^A-Za-z0-9_-]/g, '_');
  return join(root, `${slug}-${createHash('sha256').update(abs).digest('hex').slice(0, 8)}`);
}

/** PrintHA's known_hosts file (the same for the app and the CLI). */
export const knownHostsPath = defaultKnownHostsPath;

const ENV_BY_KIND: Record<CredentialRequest['kind'], string> = {
  'ssh-password': 'PRINTHA_SSH_PASSWORD',
  'ssh-key-passphrase': 'PRINTHA_SSH_KEY_PASSPHRASE',
  'windows-password': 'PRINTHA_WINDOWS_PASSWORD',
};

/** One progress line; host and command texts (remote error output included) go through the terminal encoder. */
function formatEvent(e: JournalEvent): string | undefined {
  const line = formatEventRaw(e);
  return line === undefined ? undefined : terminalText(line, 2000);
}

function formatEventRaw(e: JournalEvent): string | undefined {
  const host = e.host ? `${e.host}: ` : '';
  if (e.kind === 'step-start') return `  … ${host}${e.title ?? e.step}`;
  if (e.kind === 'step-end') {
    const secs = e.durationMs !== undefined ? ` (${(e.durationMs / 1000).toFixed(1)} s)` : '';
    return `  ${e.result === 'failed' ? '✗' : '✓'} ${host}${e.title ?? e.step}: ${e.result}${secs}${e.message ? ` — ${e.message}` : ''}`;
  }
  if (e.kind === 'note') return `  ${host}${e.message}`;
  // progress of a running step (e.g. the reboot wait): one line each
  if (e.kind === 'output' && e.output) return `    ${host}${e.output.trimEnd()}`;
  return undefined;
}

export function cliRunContext(io: CliIO, opts: CliRunOptions): { ctx: RunContext; secrets: SecretSet } {
  const secrets = new SecretSet();
  const cache = new Map<string, string | undefined>();
  const ctx: RunContext = {
    knownHostsPath: knownHostsPath(io.env),
    ...(io.env.PRINTHA_SSH_KEY ? { sshKeyPath: io.env.PRINTHA_SSH_KEY } : {}),
    async credential(req) {
      const key = `${req.kind}\u0000${req.host}\u0000${req.user}`;
      if (cache.has(key)) return cache.get(key);
      let v = io.env[ENV_BY_KIND[req.kind]];
      if (v === undefined && io.prompt) {
        const what = req.kind === 'ssh-key-passphrase' ? 'SSH key passphrase' : req.kind === 'ssh-password' ? 'SSH password' : 'Windows password';
        v = await io.prompt(`${what} for ${req.user}@${req.host}: `, { secret: true });
      }
      secrets.add(v);
      cache.set(key, v);
      return v;
    },
    async confirmHostKey(host, port, fingerprint, key?: HostKeyQuestion) {
      if (opts.acceptHostKeys.includes(fingerprint)) return true;
      const where = terminalText(hostPort(host, port));
      const fp = terminalText(fingerprint);
      const saveTo = terminalText(ctx.knownHostsPath);
      if (key && key.knownKeys.length > 0) {
        // (b) a KNOWN host presents a key of a type PrintHA has never seen for it: its own, louder question.
        const keyType = terminalText(key.keyType);
        const text =
          `WARNING: NEW SSH HOST KEY TYPE for ${where}. This host is already known to PrintHA, by another key type:\n` +
          key.knownKeys.map((k) => `    known:     ${terminalText(k.keyType)} ${terminalText(k.fingerprint)}\n`).join('') +
          `    presented: ${keyType} ${fp}\n` +
          `  ${NEW_KEY_TYPE_RISK}\n` +
          `  ${terminalText(compareOnConsole(key.keyType, fingerprint))}\n`;
        if (!io.prompt) {
          io.err(`${text}  Only if the console shows ${fp}, re-run with --accept-host-key ${fp}\n`);
          return false;
        }
        const a = (
          await io.prompt(`${text}  Trust the new ${keyType} key and save it to ${saveTo}? Type yes (or the fingerprint) to trust it [no] `)
        ).trim();
        return /^yes$/i.test(a) || a === fingerprint;
      }
      const typed = key ? `${terminalText(key.keyType)} ` : '';
      if (!io.prompt) {
        io.err(
          `Unknown SSH host key for ${where}: ${typed}${fp}\n` +
            `  Compare it with the key shown on the host's console (${consoleFingerprintCommand(key?.keyType ?? '')}), then re-run with --accept-host-key ${fp}\n`,
        );
        return false;
      }
      const a = await io.prompt(`The SSH host key of ${where} is not known yet.\n  Fingerprint: ${typed}${fp}\n  Trust it and save it to ${saveTo}? [y/N] `);
      return /^y(es)?$/i.test(a.trim());
    },
    onEvent(e) {
      if (opts.quiet || opts.json) return;
      const line = formatEvent(e);
      if (line) io.err(line + '\n');
    },
  };
  return { ctx, secrets };
}
