/**
 * linux-haproxy driver: HAProxy + keepalived on plain Linux over SSH (shared/plan/linux-haproxy.ts has
 * the plan and the order of steps). Per node: backup (kept under /var/backups/printha/<run>), upload
 * to temporary names, validate ON the node (haproxy -c -L <node>, keepalived -t -e), atomic swap
 * (with a pending marker, so an interrupted apply is completed by the next one), sysctl / nft, reload
 * with confirmation (the new HAProxy worker runs; keepalived runs), then the VIP held by exactly one
 * node. Any failure on a reachable node: restore its backup and reload again; an HA pair is rolled
 * back as a whole (every node changed in this run, in reverse order).
 */
import type { BalancerNodeFacts } from '../../../shared/model/facts.js';
import type { BalancerNodeInfo, ResolvedSite } from '../../../shared/model/resolve.js';
import { isIPv6 } from '../../../shared/net/ip.js';
import {
  HAPROXY_CFG_PATH,
  KEEPALIVED_CONF_PATH,
  MANAGED_PATHS,
  PENDING_MARKER,
  backupDirFor,
  planLinuxHaproxy,
  tempPathFor,
  validateHaproxyArgv,
  validateKeepalivedArgv,
  type LinuxNodeWork,
} from '../../../shared/plan/linux-haproxy.js';
import { backupCommandText } from '../../../shared/plan/backup-text.js';
import { shellJoin } from '../../../shared/quote/posix.js';
import { FWMARK_RULES_PATH, SYSCTL_PATH } from '../../../shared/render/linux-haproxy.js';
import { StepFailed, type StepOutcome } from '../runner/steps.js';
import {
  BACKUP_SCRIPT,
  FILES_SNIPPET,
  RESTORE_SCRIPT,
  RemoteLost,
  decodeFiles,
  isConnectionLoss,
  lastLines,
  outputOf,
  run,
  sections,
  shScript,
  withPath,
} from './remote.js';
import type { BalancerDriver, DriverContext, DriverPlan, NodeOutcome, RemoteHost } from './types.js';

const DISCOVER_SCRIPT = `echo "@@hostname"; hostname 2>/dev/null || cat /etc/hostname
echo "@@haproxy-version"; haproxy -v 2>/dev/null | head -n 1
echo "@@keepalived-version"; keepalived -v 2>&1 | head -n 1
echo "@@services"; for s in haproxy keepalived; do printf '%s %s\\n' "$s" "$(systemctl is-active "$s" 2>/dev/null || true)"; done
echo "@@addr"; ip -o addr show 2>/dev/null
echo "@@pending"; cat ${PENDING_MARKER} 2>/dev/null
${FILES_SNIPPET}
echo "@@end"`;

/** $1 = marker text, then pairs <temp> <target>: write the marker, then rename every temp file over its target. */
const SWAP_SCRIPT = `set -e
m=$1; shift
mkdir -p -- "$(dirname -- ${PENDING_MARKER})"
printf '%s\\n' "$m" > ${PENDING_MARKER}.tmp
mv -f -- ${PENDING_MARKER}.tmp ${PENDING_MARKER}
while [ $# -ge 2 ]; do mv -f -- "$1" "$2"; echo "replaced $2"; shift 2; done`;

/**
 * Reload HAProxy (master-worker) and confirm: the master re-read the configuration (its reload
 * counter went up), no reload failed, and the newest worker runs. Exit 0 with the new `show proc`,
 * 20 the reload command failed, 21 HAProxy refused the new configuration, 22 no confirmation, 23 not running.
 */
const RELOAD_HAPROXY_SCRIPT = `sock=/run/haproxy-master.sock
command -v socat >/dev/null 2>&1 || sock=
proc() { [ -n "$sock" ] && [ -S "$sock" ] && echo "show proc" | socat -t 2 - "UNIX-CONNECT:$sock" 2>/dev/null; }
master() { proc | awk '$2 == "master" { f = 0; if (match($0, /failed: [0-9]+/)) f = substr($0, RSTART + 8, RLENGTH - 8); print $3, f; exit }'; }
was=$(systemctl is-active haproxy 2>/dev/null || true)
before=$(master)
out=$(systemctl reload-or-restart haproxy 2>&1); rc=$?
i=0
while [ $i -lt 100 ]; do
  if [ "$(systemctl is-active haproxy 2>/dev/null)" = active ]; then
    after=$(master)
    if [ -n "$after" ] && [ -n "$before" ] && [ "$was" = active ]; then
      # The master re-read the configuration: "failed" counts the failed reloads since the last good one.
      if [ "\${after% *}" != "\${before% *}" ]; then
        if [ "\${after#* }" = 0 ]; then proc; exit 0; fi
        proc; printf '%s\\n' "$out" | grep -E 'ALERT|rejected|failed' >&2
        echo "HAProxy refused the new configuration at reload; it keeps running the previous one" >&2; exit 21
      fi
    elif [ -n "$after" ]; then
      proc | awk '$2 == "worker" { w = 1 } END { exit !w }' && { proc; exit 0; }
    elif [ $rc -eq 0 ]; then
      echo "HAProxy is active (no master socket to confirm the new worker)"; exit 0
    fi
  fi
  if [ $rc -ne 0 ] && [ $i -ge 20 ]; then break; fi
  sleep 0.05; i=$((i + 1))
done
proc
if [ $rc -ne 0 ]; then printf '%s\\n' "$out" >&2; exit 20; fi
if [ "$(systemctl is-active haproxy 2>/dev/null)" != active ]; then echo "HAProxy is not running after the reload" >&2; exit 23; fi
echo "HAProxy did not confirm the reload within 5 s" >&2; exit 22`;

const RELOAD_KEEPALIVED_SCRIPT = `if ! out=$(systemctl reload-or-restart keepalived 2>&1); then printf '%s\\n' "$out" >&2; exit 20; fi
sleep 0.1
i=0
while [ $i -lt 30 ]; do
  [ "$(systemctl is-active keepalived 2>/dev/null)" = active ] && { echo "keepalived is active"; exit 0; }
  sleep 0.1; i=$((i + 1))
done
echo "keepalived is not running after the reload (see its log)" >&2; exit 21`;

function nodeFacts(facts: readonly BalancerNodeFacts[], node: BalancerNodeInfo): BalancerNodeFacts | undefined {
  return facts.find((f) => f.address === node.address) ?? facts.find((f) => f.name === node.name);
}

/** The lines of `ip -o addr show` that carry the VIP. */
export function holdsVip(ipAddrOutput: string, vip: string): boolean {
  const fam = isIPv6(vip) ? 'inet6' : 'inet';
  const v = vip.toLowerCase();
  return ipAddrOutput.split('\n').some((l) => {
    const m = new RegExp(`\\s${fam}\\s+([0-9a-fA-F:.]+)/`).exec(l);
    return m?.[1]?.toLowerCase() === v;
  });
}

function parseMarker(text: string): BalancerNodeFacts['pendingApply'] | undefined {
  const kv = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([a-z]+)=(.*)$/.exec(line.trim());
    if (m) kv.set(m[1]!, m[2]!);
  }
  const run = kv.get('run');
  const backupDir = kv.get('backup');
  if (!run || !backupDir) return undefined;
  return { run, backupDir, services: (kv.get('services') ?? '').split(/\s+/).filter(Boolean) };
}

/** Discovery output -> facts (exported for the unit tests). */
export function parseDiscovery(node: BalancerNodeInfo, vip: string, stdout: string): BalancerNodeFacts {
  const secs = sections(stdout);
  const get = (n: string): string => secs.find((s) => s.name === n)?.body.trim() ?? '';
  const services: Record<string, string> = {};
  for (const l of get('services').split('\n')) {
    const [s, st] = l.trim().split(/\s+/);
    if (s) services[s] = st || 'unknown';
  }
  const { files, modes } = decodeFiles(secs);
  const holds = holdsVip(get('addr'), vip);
  const f: BalancerNodeFacts = {
    name: node.name,
    address: node.address,
    reachable: true,
    platform: 'linux-haproxy',
    role: holds ? 'active' : 'passive',
    holdsVip: holds,
    services,
    files,
    fileModes: modes,
  };
  const hostname = get('hostname');
  if (hostname) f.hostname = hostname;
  const hv = /version\s+(\d+\.\d+(?:\.\d+)?)/i.exec(get('haproxy-version'));
  if (hv) f.haproxyVersion = hv[1]!;
  const kv = /v(\d+\.\d+(?:\.\d+)?)/.exec(get('keepalived-version'));
  if (kv) f.keepalivedVersion = kv[1]!;
  const parts = [f.haproxyVersion ? `HAProxy ${f.haproxyVersion}` : undefined, f.keepalivedVersion ? `keepalived ${f.keepalivedVersion}` : undefined].filter(Boolean);
  if (parts.length) f.version = parts.join(', ');
  const pending = parseMarker(get('pending'));
  if (pending) f.pendingApply = pending;
  return f;
}

/** A node failure with where it happened (for the report) and how far the node got. */
class NodeFailure extends Error {
  constructor(
    readonly step: string,
    readonly reason: string,
    /** files were replaced on the node (a rollback is needed) */
    readonly swapped: boolean,
    readonly lost: boolean,
  ) {
    super(reason);
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function ensureOk(r: { code: number | null; stdout: string; stderr: string }, what: string, result: StepOutcome['result'] = 'changed'): StepOutcome {
  const out = outputOf(r);
  if (r.code !== 0) return { result: 'failed', output: out, message: `${what} (exit ${r.code ?? 'none'}): ${lastLines(r.stderr || r.stdout) || 'no output'}` };
  return { result, output: out };
}

export class LinuxHaproxyDriver implements BalancerDriver {
  readonly platform = 'linux-haproxy' as const;

  async discover(r: ResolvedSite, ctx: DriverContext): Promise<BalancerNodeFacts[]> {
    return Promise.all(
      r.nodes.map(async (node): Promise<BalancerNodeFacts> => {
        try {
          let facts: BalancerNodeFacts | undefined;
          await ctx.recorder.run({ host: node.name, step: 'discover', title: `Read the HAProxy/keepalived configuration of ${node.name}`, command: 'haproxy -v; keepalived -v; systemctl is-active …; ip -o addr show; cat <managed files>' }, async () => {
            const host = await ctx.connect(node);
            const res = await run(host, shScript(DISCOVER_SCRIPT, [...MANAGED_PATHS]), ctx.commandTimeoutMs, 'discovery', ctx.signal);
            if (!res.stdout.includes('@@end')) return { result: 'failed', output: outputOf(res), message: `the discovery script did not complete (exit ${res.code}): ${lastLines(res.stderr)}` };
            facts = parseDiscovery(node, r.site.vip, res.stdout);
            return { result: 'ok', message: `${facts.version ?? 'versions unknown'}; ${facts.holdsVip ? 'holds' : 'does not hold'} the VIP ${r.site.vip}` };
          });
          return facts!;
        } catch (e) {
          const err = e instanceof StepFailed ? e.message : errorText(e);
          return { name: node.name, address: node.address, reachable: false, error: err, platform: 'linux-haproxy' };
        }
      }),
    );
  }

  status(r: ResolvedSite, ctx: DriverContext): Promise<BalancerNodeFacts[]> {
    return this.discover(r, ctx);
  }

  plan(r: ResolvedSite, facts: readonly BalancerNodeFacts[]): DriverPlan {
    const p = planLinuxHaproxy(r, facts);
    return { hosts: p.hosts, order: p.order, notes: p.notes, upToDate: p.hosts.every((h) => h.upToDate) };
  }

  async apply(r: ResolvedSite, facts: readonly BalancerNodeFacts[], ctx: DriverContext): Promise<NodeOutcome[]> {
    const plan = planLinuxHaproxy(r, facts);
    const outcome = new Map<string, NodeOutcome>();
    const todo = plan.work.filter((w) => !w.upToDate);
    for (const w of plan.work) if (w.upToDate) outcome.set(w.node.name, { host: w.node.name, ok: true, changed: false, state: 'serving the wanted configuration (no changes needed)' });
    const ordered = (): NodeOutcome[] => plan.work.map((w) => outcome.get(w.node.name)!);

    // Every node must be reachable before anything starts.
    const unreachable = todo.filter((w) => !nodeFacts(facts, w.node)?.reachable);
    if (unreachable.length > 0) {
      for (const w of todo) {
        const nf = nodeFacts(facts, w.node);
        outcome.set(
          w.node.name,
          nf?.reachable
            ? { host: w.node.name, ok: false, changed: false, state: `not changed: apply stopped before this node (${unreachable.map((u) => u.node.name).join(', ')} could not be reached); it serves its previous configuration` }
            : { host: w.node.name, ok: false, changed: false, failedStep: 'connect', reason: nf?.error ?? 'not discovered', state: `unknown: ${w.node.name} could not be reached (${nf?.error ?? 'not discovered'}); nothing was changed on it` },
        );
      }
      return ordered();
    }

    // Phase 1, all nodes at once: backup, upload to temporary names, validate on the node. Nothing a
    // node serves changes in this phase, so it does not need the HA order.
    const prepared = await Promise.all(
      todo.map(async (w) => {
        try {
          const host = await ctx.connect(w.node);
          return { w, host, backupDir: await this.prepareNode(w, host, ctx) };
        } catch (e) {
          return { w, failure: e instanceof NodeFailure ? e : new NodeFailure('connect', errorText(e), false, isConnectionLoss(e)) };
        }
      }),
    );
    const prepFailed = prepared.filter((p) => 'failure' in p);
    if (prepFailed.length > 0) {
      const why = prepFailed.map((p) => `${p.w.node.name}: step "${p.failure!.step}" failed`).join('; ');
      for (const p of prepared) {
        if ('failure' in p && p.failure) outcome.set(p.w.node.name, await this.failNode(r, p.w, p.failure, p.w.pending?.backupDir ?? backupDirFor(ctx.runId), ctx));
        else {
          await this.cleanup(p.w, ctx);
          outcome.set(p.w.node.name, { host: p.w.node.name, ok: false, changed: false, state: `not changed: apply stopped before this node (${why}); it serves its previous configuration` });
        }
      }
      return ordered();
    }

    // Phase 2, one node after the other (HA pair: the secondary first): swap, load, reload, confirm.
    const changedNodes: { work: LinuxNodeWork; backupDir: string }[] = [];
    let stopped: string | undefined;
    for (const p of prepared) {
      const { w, backupDir } = p as { w: LinuxNodeWork; host: RemoteHost; backupDir: string };
      const name = w.node.name;
      if (stopped) {
        await this.cleanup(w, ctx);
        outcome.set(name, { host: name, ok: false, changed: false, state: `not changed: apply stopped before this node (${stopped}); it serves its previous configuration` });
        continue;
      }
      try {
        await this.commitNode(w, (p as { host: RemoteHost }).host, backupDir, ctx);
        changedNodes.push({ work: w, backupDir });
        outcome.set(name, { host: name, ok: true, changed: true, backupDir, state: `serving the new configuration (previous files kept in ${backupDir})` });
      } catch (e) {
        const f = e instanceof NodeFailure ? e : new NodeFailure('apply', errorText(e), false, isConnectionLoss(e));
        stopped = `${name}: step "${f.step}" failed`;
        outcome.set(name, await this.failNode(r, w, f, backupDir, ctx));
        // The pair must not be left half-changed: roll back the nodes this run already changed.
        for (const done of [...changedNodes].reverse()) outcome.set(done.work.node.name, await this.rollbackAfterPeer(r, done.work.node, done.backupDir, ctx, stopped));
      }
    }

    if (!stopped && plan.confirmVip) {
      const last = plan.work[plan.work.length - 1]!.node.name;
      try {
        await ctx.recorder.run(
          { host: last, step: 'confirm-vip', title: `Confirm the VIP ${r.site.vip} is held by exactly one node`, command: shellJoin(['ip', '-o', 'addr', 'show']) },
          () => this.confirmVip(r, ctx),
        );
      } catch (e) {
        const reason = errorText(e);
        for (const done of [...changedNodes].reverse()) outcome.set(done.work.node.name, await this.rollbackAfterPeer(r, done.work.node, done.backupDir, ctx, `the VIP check failed: ${reason}`));
        for (const o of outcome.values()) {
          if (o.ok) {
            o.ok = false;
            o.failedStep = 'confirm-vip';
            o.reason = reason;
          }
        }
      }
    }
    return ordered();
  }

  /** A recorded step of one node; any failure becomes a NodeFailure naming the step. */
  private step(name: string, ctx: DriverContext, swapped: () => boolean) {
    return async (id: string, title: string, command: string | undefined, fn: () => Promise<StepOutcome>): Promise<void> => {
      let thrown: unknown;
      try {
        await ctx.recorder.run({ host: name, step: id, title, ...(command ? { command } : {}) }, async () => {
          try {
            return await fn();
          } catch (e) {
            thrown = e;
            throw e;
          }
        });
      } catch (e) {
        const reason = e instanceof StepFailed ? e.message : errorText(e);
        throw new NodeFailure(id, reason, swapped(), isConnectionLoss(thrown ?? e));
      }
    };
  }

  /** Phase 1 of a node: backup, upload, validate. Returns the backup directory. Throws NodeFailure. */
  private async prepareNode(w: LinuxNodeWork, host: RemoteHost, ctx: DriverContext): Promise<string> {
    const name = w.node.name;
    const rec = ctx.recorder;
    const step = this.step(name, ctx, () => false);
    const exec = (argv: string[], what: string) => run(host, argv, ctx.commandTimeoutMs, what, ctx.signal);

    // backup (or keep the backup of an interrupted apply / of the run being resumed)
    let backupDir = backupDirFor(ctx.runId);
    const reuse = w.pending?.backupDir ?? (ctx.resumeRun && rec.wasCompleted(name, 'backup') ? backupDirFor(ctx.resumeRun) : undefined);
    if (reuse) {
      await step('backup', `Keep the backup ${reuse} (configuration before the interrupted apply)`, shellJoin(['test', '-f', `${reuse}/MANIFEST`]), async () => {
        const res = await exec(['test', '-f', `${reuse}/MANIFEST`], 'checking the backup');
        if (res.code !== 0) return { result: 'failed', message: `the backup ${reuse} of the interrupted apply is missing on ${name}; restore the configuration by hand or remove ${PENDING_MARKER} and apply again` };
        return { result: 'skipped', message: `kept the backup ${reuse}` };
      });
      backupDir = reuse;
    } else {
      const dirs = [...new Set(w.files.map((f) => f.path.slice(0, f.path.lastIndexOf('/')) || '/'))];
      await step('backup', `Back up the current files to ${backupDir}`, backupCommandText(backupDir, MANAGED_PATHS), async () =>
        ensureOk(await exec(shScript(BACKUP_SCRIPT, [backupDir, ...MANAGED_PATHS, '--', ...dirs]), 'backup'), `the backup to ${backupDir} failed`, 'ok'),
      );
    }

    // upload to temporary names
    for (const f of w.files) {
      await step(`upload:${f.path}`, `Upload the new ${f.path} to ${tempPathFor(f.path)}`, `sftp put ${f.artifact} ${tempPathFor(f.path)}`, async () => {
        const u = await host.upload(tempPathFor(f.path), f.content, { mode: f.mode, timeoutMs: ctx.commandTimeoutMs });
        return { result: 'ok', message: `${u.bytes} bytes (${u.method})` };
      });
    }

    // validate on the node
    if (w.validateHaproxy) {
      const argv = validateHaproxyArgv(w.node);
      await step('validate-haproxy', 'Validate the new haproxy.cfg on the node', shellJoin(argv), async () => {
        const res = await exec(withPath(argv), 'haproxy -c');
        if (res.code !== 0) return { result: 'failed', output: outputOf(res), message: `HAProxy rejects the new configuration: ${lastLines(res.stderr || res.stdout, 4)}` };
        return { result: 'ok', output: outputOf(res) };
      });
    }
    if (w.validateKeepalived) {
      const argv = validateKeepalivedArgv();
      await step('validate-keepalived', 'Validate the new keepalived.conf on the node', shellJoin(argv), async () => {
        const res = await exec(withPath(argv), 'keepalived -t');
        if (res.code !== 0) return { result: 'failed', output: outputOf(res), message: `keepalived rejects the new configuration (exit ${res.code}): ${lastLines(res.stderr || res.stdout, 4)}` };
        return { result: 'ok', output: outputOf(res) };
      });
    }
    return backupDir;
  }

  /** Phase 2 of a node: swap, sysctl/nft, reloads with confirmation, finish. Throws NodeFailure. */
  private async commitNode(w: LinuxNodeWork, host: RemoteHost, backupDir: string, ctx: DriverContext): Promise<void> {
    let swapped = !!w.pending;
    const step = this.step(w.node.name, ctx, () => swapped);
    const exec = (argv: string[], what: string) => run(host, argv, ctx.commandTimeoutMs, what, ctx.signal);

    // swap (marker first, so an interruption from here on is completed by the next apply)
    const services = [w.reloadHaproxy ? 'haproxy' : '', w.reloadKeepalived ? 'keepalived' : '', w.sysctl ? 'sysctl' : '', w.nft ? 'nft' : ''].filter(Boolean);
    const marker = [`run=${ctx.runId}`, `backup=${backupDir}`, `services=${services.join(' ')}`, `at=${new Date().toISOString()}`].join('\n');
    if (w.files.length > 0) {
      const pairs = w.files.flatMap((f) => [tempPathFor(f.path), f.path]);
      await step('swap', `Replace ${w.files.map((f) => f.path).join(', ')} atomically`, w.files.map((f) => shellJoin(['mv', '-f', tempPathFor(f.path), f.path])).join(' && '), async () => {
        swapped = true; // from here on the node may have new files: roll back on failure
        return ensureOk(await exec(shScript(SWAP_SCRIPT, [marker, ...pairs]), 'swap'), 'replacing the files failed');
      });
    }

    // load sysctl / nft
    if (w.sysctl)
      await step('sysctl', `Load ${SYSCTL_PATH}`, shellJoin(['sysctl', '-p', SYSCTL_PATH]), async () => ensureOk(await exec(withPath(['sysctl', '-p', SYSCTL_PATH]), 'sysctl'), 'sysctl -p failed'));
    if (w.nft) await step('nft', `Load ${FWMARK_RULES_PATH}`, shellJoin(['nft', '-f', FWMARK_RULES_PATH]), async () => ensureOk(await exec(withPath(['nft', '-f', FWMARK_RULES_PATH]), 'nft'), 'nft -f failed'));

    // reload and confirm: keepalived first. When the VRRP instance changes (see shared/plan/vrrp-change.ts)
    // the pair re-elects from this reload on; starting it before the HAProxy reload overlaps the two
    // instead of adding them. keepalived's chk_haproxy only needs a running HAProxy, old or new.
    if (w.reloadKeepalived)
      await step('reload-keepalived', 'Reload keepalived and confirm it runs', 'systemctl reload-or-restart keepalived', async () => {
        const res = await exec(shScript(RELOAD_KEEPALIVED_SCRIPT), 'the keepalived reload');
        if (res.code !== 0) return { result: 'failed', output: outputOf(res), message: `keepalived did not come back after the reload: ${lastLines(res.stderr || res.stdout)}` };
        return { result: 'changed', output: outputOf(res) };
      });
    if (w.reloadHaproxy)
      await step('reload-haproxy', 'Reload HAProxy and confirm the new worker runs', 'systemctl reload-or-restart haproxy', async () => {
        const res = await exec(shScript(RELOAD_HAPROXY_SCRIPT), 'the HAProxy reload');
        if (res.code !== 0) return { result: 'failed', output: outputOf(res), message: reloadFailure(res.code, res.stderr) };
        return { result: 'changed', output: outputOf(res) };
      });

    // done on this node
    await step('finish', 'Mark the apply as complete on the node', shellJoin(['rm', '-f', PENDING_MARKER]), async () =>
      ensureOk(await exec(['rm', '-f', PENDING_MARKER], 'finish'), 'removing the marker failed', 'ok'),
    );
  }

  /** Removes the temporary files of a prepared node that will not be committed (best effort). */
  private async cleanup(w: LinuxNodeWork, ctx: DriverContext): Promise<void> {
    if (w.files.length === 0) return;
    const temps = w.files.map((x) => tempPathFor(x.path));
    try {
      const host = await ctx.connect(w.node);
      await ctx.recorder.run({ host: w.node.name, step: 'cleanup', title: 'Remove the temporary files', command: shellJoin(['rm', '-f', ...temps]) }, async () => {
        const res = await run(host, ['rm', '-f', '--', ...temps], ctx.commandTimeoutMs, 'cleanup', ctx.signal);
        return { result: res.code === 0 ? 'ok' : 'failed', output: outputOf(res) };
      });
    } catch {
      /* the node keeps harmless temp files; the next apply overwrites them */
    }
  }

  /** The outcome of a failed node: cleaned up or rolled back when reachable, described when not. */
  private async failNode(r: ResolvedSite, w: LinuxNodeWork, f: NodeFailure, backupDir: string, ctx: DriverContext): Promise<NodeOutcome> {
    const name = w.node.name;
    const base = { host: name, ok: false, changed: false, failedStep: f.step, reason: f.reason, backupDir };
    if (f.lost) {
      return {
        ...base,
        state: f.swapped
          ? `UNKNOWN: the connection to ${name} was lost during step "${f.step}", after its files were replaced (the previous files are in ${backupDir}); HAProxy/keepalived may still run the previous configuration. Run apply again to complete the change (it finds the marker ${PENDING_MARKER}), or restore ${backupDir} by hand`
          : `not changed: the connection to ${name} was lost during step "${f.step}", before any file was replaced; it serves its previous configuration (leftover temporary files *.printha-new are replaced by the next apply). Run apply again when ${name} is reachable`,
      };
    }
    if (!f.swapped) {
      // Nothing replaced: remove the temporary files and say so.
      await this.cleanup(w, ctx);
      return { ...base, state: `serving its previous configuration (nothing was changed on it; backup of its files in ${backupDir})` };
    }
    const rb = await this.rollback(r, w.node, backupDir, ctx, w.files.map((x) => tempPathFor(x.path)));
    return { ...base, state: rb.state, ok: false };
  }

  private async rollbackAfterPeer(r: ResolvedSite, node: BalancerNodeInfo, backupDir: string, ctx: DriverContext, why: string): Promise<NodeOutcome> {
    const rb = await this.rollback(r, node, backupDir, ctx);
    return { ...rb, ok: false, reason: why, state: `${rb.state} — rolled back because ${why}` };
  }

  async rollback(r: ResolvedSite, node: BalancerNodeInfo, backupDir: string, ctx: DriverContext, temps: string[] = []): Promise<NodeOutcome> {
    const name = node.name;
    const rec = ctx.recorder;
    try {
      const host = await ctx.connect(node);
      const exec = (argv: string[], what: string) => run(host, argv, ctx.commandTimeoutMs, what, ctx.signal);
      await rec.run({ host: name, step: 'rollback:restore', title: `Restore the files from ${backupDir}`, command: `restore ${backupDir}` }, async () => {
        const res = await exec(shScript(RESTORE_SCRIPT, [backupDir, ...temps]), 'restore');
        if (res.code !== 0) return { result: 'failed', output: outputOf(res), message: `restoring ${backupDir} failed: ${lastLines(res.stderr)}` };
        return { result: 'rolled-back', output: outputOf(res) };
      });
      if (r.site.mode === 'snat')
        await rec.run({ host: name, step: 'rollback:reload-haproxy', title: 'Reload HAProxy with the restored configuration', command: 'systemctl reload-or-restart haproxy' }, async () => {
          const res = await exec(shScript(RELOAD_HAPROXY_SCRIPT), 'the HAProxy reload');
          if (res.code !== 0) return { result: 'failed', output: outputOf(res), message: reloadFailure(res.code, res.stderr) };
          return { result: 'rolled-back', output: outputOf(res) };
        });
      await rec.run({ host: name, step: 'rollback:reload-keepalived', title: 'Reload keepalived with the restored configuration', command: 'systemctl reload-or-restart keepalived' }, async () => {
        const res = await exec(shScript(RELOAD_KEEPALIVED_SCRIPT), 'the keepalived reload');
        if (res.code !== 0) return { result: 'failed', output: outputOf(res), message: `keepalived did not come back: ${lastLines(res.stderr)}` };
        return { result: 'rolled-back', output: outputOf(res) };
      });
      await rec.run({ host: name, step: 'rollback:finish', title: 'Clear the apply marker', command: shellJoin(['rm', '-f', PENDING_MARKER]) }, async () => {
        const res = await exec(['rm', '-f', PENDING_MARKER], 'finish');
        return { result: res.code === 0 ? 'ok' : 'failed', output: outputOf(res) };
      });
      return { host: name, ok: true, changed: false, backupDir, state: `serving its previous configuration (restored from ${backupDir})` };
    } catch (e) {
      const reason = e instanceof StepFailed ? `step "${e.spec.step}": ${e.message}` : errorText(e);
      return {
        host: name,
        ok: false,
        changed: true,
        backupDir,
        reason,
        state: `ROLLBACK FAILED on ${name} (${reason}): its state is unknown. The previous files are in ${backupDir}; restore them by hand (cp -a ${backupDir}${HAPROXY_CFG_PATH} ${HAPROXY_CFG_PATH}; cp -a ${backupDir}${KEEPALIVED_CONF_PATH} ${KEEPALIVED_CONF_PATH}) and reload haproxy and keepalived`,
      };
    }
  }

  /** Polls every node until exactly one holds the VIP in two polls in a row. */
  private async confirmVip(r: ResolvedSite, ctx: DriverContext): Promise<StepOutcome> {
    const deadline = Date.now() + ctx.vipSettleMs;
    let stable = 0;
    let last = '';
    for (;;) {
      const holders: string[] = [];
      const unreachable: string[] = [];
      await Promise.all(
        r.nodes.map(async (n) => {
          try {
            const host = await ctx.connect(n);
            const res = await run(host, withPath(['ip', '-o', 'addr', 'show']), ctx.commandTimeoutMs, 'ip addr', ctx.signal);
            if (holdsVip(res.stdout, r.site.vip)) holders.push(n.name);
          } catch (e) {
            unreachable.push(`${n.name} (${errorText(e)})`);
          }
        }),
      );
      if (unreachable.length > 0) throw new RemoteLost(`cannot read the addresses of ${unreachable.join(', ')}`);
      last = holders.length === 0 ? 'no node holds it' : holders.length === 1 ? `held by ${holders[0]}` : `held by ${holders.sort().join(' and ')} at once`;
      if (holders.length === 1) {
        stable++;
        if (stable >= 2 || r.nodes.length === 1) return { result: 'ok', message: `the VIP ${r.site.vip} is ${last}` };
      } else stable = 0;
      if (Date.now() > deadline) return { result: 'failed', message: `the VIP ${r.site.vip} did not settle on exactly one node within ${Math.round(ctx.vipSettleMs / 1000)} s: ${last}` };
      await ctx.sleep(200);
    }
  }
}

function reloadFailure(code: number | null, stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const alerts = lines.filter((l) => /ALERT/.test(l)).slice(0, 2);
  const head = lines.filter((l) => !/ALERT|NOTICE|WARNING/.test(l));
  const detail = [...head.slice(0, 1), ...alerts, ...head.slice(1).slice(-1)].join(' | ') || lines.slice(-3).join(' | ');
  if (code === 21) return `HAProxy refused the new configuration at reload (a port may be in use by another process): ${detail}`;
  if (code === 23) return `HAProxy is not running after the reload: ${detail}`;
  if (code === 22) return `HAProxy did not confirm the reload: ${detail}`;
  return `the reload failed (exit ${code ?? 'none'}): ${detail || 'no output'}`;
}

