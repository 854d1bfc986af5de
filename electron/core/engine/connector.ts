/**
 * Opening SSH connections for the engine: one pool per engine (one connection per host:port:user,
 * reused by every step), host keys checked against PrintHA's known_hosts only (./host-keys.ts, the
 * same trust path for every verb: unknown key or a key of a new type for a known host -> the
 * engineer decides through ctx.confirmHostKey; changed key -> hard stop in the SSH layer), and
 * credentials from the RunContext: the key file (PRINTHA_SSH_KEY), an agent, else a password asked
 * once. A login that failed is not tried again in the same run (no retry storm, no account lockout).
 */
import type { BalancerNodeInfo } from '../../../shared/model/resolve.js';
import type { SecretSet } from '../runner/redact.js';
import { SshPool, authFailedError, isSshError, type HostKeyPolicy, type SshAuth, type SshConnection, type SshTarget } from '../ssh/index.js';
import type { RunContext } from './api.js';
import { hostKeyPolicy, printhaKnownHosts } from './host-keys.js';

export interface ConnectorOptions {
  connectTimeoutMs?: number;
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  /** ssh-agent socket (default: SSH_AUTH_SOCK of this process). */
  agentSocket?: string;
}

export class SshConnector {
  private readonly failed = new Map<string, unknown>();
  private pool: SshPool | undefined;
  private poolKnownHosts: string | undefined;

  constructor(
    private readonly opts: ConnectorOptions = {},
    private readonly secrets?: SecretSet,
  ) {}

  /** The pool (created for the first context's known_hosts file; a new file means a new pool). */
  private poolFor(ctx: RunContext): SshPool {
    if (!this.pool || this.poolKnownHosts !== ctx.knownHostsPath) {
      if (this.pool) void this.pool.closeAll();
      this.pool = new SshPool({
        knownHosts: printhaKnownHosts(ctx),
        hostKeyPolicy: 'strict',
        ...(this.opts.connectTimeoutMs !== undefined ? { connectTimeoutMs: this.opts.connectTimeoutMs } : {}),
        ...(this.opts.keepaliveIntervalMs !== undefined ? { keepaliveIntervalMs: this.opts.keepaliveIntervalMs } : {}),
        ...(this.opts.keepaliveCountMax !== undefined ? { keepaliveCountMax: this.opts.keepaliveCountMax } : {}),
      });
      this.poolKnownHosts = ctx.knownHostsPath;
    }
    return this.pool;
  }

  stats(): ReturnType<SshPool['stats']> {
    return this.pool?.stats() ?? {};
  }

  /** Forget failed logins (a new run may bring new credentials). */
  resetFailures(): void {
    this.failed.clear();
  }

  async close(): Promise<void> {
    await this.pool?.closeAll();
  }

  private policy(ctx: RunContext): HostKeyPolicy {
    return hostKeyPolicy(ctx);
  }

  async connect(node: Pick<BalancerNodeInfo, 'address' | 'port' | 'user'>, ctx: RunContext): Promise<SshConnection> {
    const target: SshTarget = { host: node.address, port: node.port, user: node.user };
    const key = `${target.host}:${target.port}:${target.user}`;
    const pool = this.poolFor(ctx);
    const live = pool.get(target);
    if (live) return live;
    const earlier = this.failed.get(key);
    if (earlier) throw earlier;

    const auth: SshAuth = {};
    if (ctx.sshKeyPath) auth.privateKeyPath = ctx.sshKeyPath;
    const agent = this.opts.agentSocket ?? process.env.SSH_AUTH_SOCK;
    if (agent) auth.agent = agent;
    const askPassword = async (): Promise<string | undefined> => {
      const pw = await ctx.credential({ kind: 'ssh-password', host: target.host, user: target.user });
      if (pw !== undefined && pw !== '') this.secrets?.add(pw);
      return pw === '' ? undefined : pw;
    };
    if (!auth.privateKeyPath && !auth.agent) {
      const pw = await askPassword();
      if (pw === undefined) {
        const e = authFailedError({
          host: target.host,
          port: target.port,
          user: target.user,
          methods: [],
          reason: 'no SSH key, agent or password was given. Set PRINTHA_SSH_KEY to a key file, PRINTHA_SSH_PASSWORD, or run interactively to be asked.',
        });
        this.failed.set(key, e);
        throw e;
      }
      auth.password = pw;
    }
    try {
      return await pool.connect(target, auth, { hostKeyPolicy: this.policy(ctx) });
    } catch (e) {
      // One more attempt only where a different credential exists: the key's passphrase, or a
      // password after the key/agent was refused. Never the same credential twice.
      if (isSshError(e, 'AUTH_FAILED') && auth.privateKeyPath && /encrypted|passphrase/i.test(e.message)) {
        const pp = await ctx.credential({ kind: 'ssh-key-passphrase', host: target.host, user: target.user });
        if (pp) {
          this.secrets?.add(pp);
          try {
            return await pool.connect(target, { ...auth, passphrase: pp }, { hostKeyPolicy: this.policy(ctx) });
          } catch (e2) {
            this.failed.set(key, e2);
            throw e2;
          }
        }
      } else if (isSshError(e, 'AUTH_FAILED') && auth.password === undefined && !e.details.reason) {
        const pw = await askPassword();
        if (pw !== undefined) {
          try {
            return await pool.connect(target, { password: pw }, { hostKeyPolicy: this.policy(ctx) });
          } catch (e2) {
            this.failed.set(key, e2);
            throw e2;
          }
        }
      }
      if (isSshError(e) && ['AUTH_FAILED', 'HOST_KEY_CHANGED', 'HOST_KEY_REVOKED', 'HOST_KEY_UNKNOWN'].includes(e.code)) this.failed.set(key, e);
      throw e;
    }
  }
}
