/**
 * Balancer drivers: one interface, one implementation per platform PrintHA drives over SSH
 * (linux-haproxy, loadbalancer-org). discover -> facts (read-only), plan(site, facts) -> per-node
 * plan (pure, shared/plan), apply -> step results through the StepRecorder, rollback, status.
 */
import type { BalancerNodeFacts } from '../../../shared/model/facts.js';
import type { BalancerNodeInfo, ResolvedSite } from '../../../shared/model/resolve.js';
import type { HostPlan } from '../../../shared/plan/model.js';
import type { StepRecorder } from '../runner/steps.js';
import type { ExecOptions, ExecResult, SshTarget, UploadOptions, UploadResult } from '../ssh/index.js';

/** What a driver uses of an SSH connection (SshConnection has exactly this; unit tests use a strict fake). */
export interface RemoteHost {
  readonly target: SshTarget;
  exec(argv: readonly string[], opts: ExecOptions): Promise<ExecResult>;
  upload(remotePath: string, content: string | Buffer, opts?: UploadOptions): Promise<UploadResult>;
}

export interface DriverContext {
  /** The (reused) connection to a node; rejects with an SshError (host key, auth, unreachable). */
  connect(node: BalancerNodeInfo): Promise<RemoteHost>;
  recorder: StepRecorder;
  /** This run's id: names the backup directory on the nodes (/var/backups/printha/<run>). */
  runId: string;
  /** Per remote command deadline. */
  commandTimeoutMs: number;
  /** How long the VIP may take to settle on exactly one node after a reload. */
  vipSettleMs: number;
  /** `apply --resume`: the run being resumed (its completed steps are in the recorder). */
  resumeRun?: string;
  sleep(ms: number): Promise<void>;
  signal?: AbortSignal;
}

/** The final state of one node after apply, in words for the engineer. */
export interface NodeOutcome {
  host: string;
  ok: boolean;
  changed: boolean;
  /** "serving the new configuration", "serving its previous configuration (restored from …)", … */
  state: string;
  failedStep?: string;
  reason?: string;
  backupDir?: string;
}

export interface DriverPlan {
  hosts: HostPlan[];
  /** Node names in the order apply visits them. */
  order: string[];
  notes: string[];
  upToDate: boolean;
}

export interface BalancerDriver {
  readonly platform: 'linux-haproxy' | 'loadbalancer-org';
  /** Read-only: one connection per node; an unreachable node is a fact with reachable false. */
  discover(r: ResolvedSite, ctx: DriverContext): Promise<BalancerNodeFacts[]>;
  plan(r: ResolvedSite, facts: readonly BalancerNodeFacts[]): DriverPlan;
  /** Runs the plan of these facts; every step goes through ctx.recorder. Never throws for a node failure. */
  apply(r: ResolvedSite, facts: readonly BalancerNodeFacts[], ctx: DriverContext): Promise<NodeOutcome[]>;
  /** Restores a node from a backup directory on it and reloads (also used by apply on failure). */
  rollback(r: ResolvedSite, node: BalancerNodeInfo, backupDir: string, ctx: DriverContext): Promise<NodeOutcome>;
  /** Current facts (same as discover; named for the status view). */
  status(r: ResolvedSite, ctx: DriverContext): Promise<BalancerNodeFacts[]>;
}
