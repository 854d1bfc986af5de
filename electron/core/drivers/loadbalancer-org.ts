/**
 * loadbalancer-org driver: a Loadbalancer.org appliance over SSH + lbcli (shared/reference/lbcli.md
 * §3, §5, §6). Discover reads version, HA role (/var/log/nodestatus_local, else lbcli nodestatus),
 * the check scripts and `lbcli --action list --function dumpconfig`. Apply runs on the ACTIVE node
 * only (the appliance replicates lb_config.xml to its peer): check it is still active, back up
 * lb_config.xml with the files the appliance generates from it, install changed check scripts, run
 * the lbcli commands of shared/plan/loadbalancer-org.ts one by one judging each by its JSON status
 * (never the exit code), then read the dump back and confirm. On any failure: restore the backup and
 * reload (reload-haproxy / restart-ldirectord), then report. VIPs that are not ours are never touched.
 */
import type { BalancerNodeFacts } from '../../../shared/model/facts.js';
import type { BalancerNodeInfo, ResolvedSite } from '../../../shared/model/resolve.js';
import { DUMPCONFIG_ARGV, LB_GENERATED_FILES, LB_NODESTATUS, LB_VERSION_FILE, diffLbcli, lbcliArgv, parseDumpconfigDetails, planLoadbalancerOrg, wantedCheckFiles } from '../../../shared/plan/loadbalancer-org.js';
import { backupCommandText } from '../../../shared/plan/backup-text.js';
import { shellJoin } from '../../../shared/quote/posix.js';
import { LB_CONFIG_XML, LBCLI_PATH, wantedLbcliState } from '../../../shared/render/lbcli.js';
import { DumpconfigError, extractJsonDocuments, parseLbcliReply } from '../../../shared/render/lbcli-status.js';
import { StepFailed, type StepOutcome } from '../runner/steps.js';
import { BACKUP_SCRIPT, FILES_SNIPPET, RESTORE_SCRIPT, decodeFiles, isConnectionLoss, lastLines, outputOf, run, sections, shScript } from './remote.js';
import type { BalancerDriver, DriverContext, DriverPlan, NodeOutcome, RemoteHost } from './types.js';

const DISCOVER_SCRIPT = `echo "@@hostname"; hostname 2>/dev/null
echo "@@version"; cat ${LB_VERSION_FILE} 2>/dev/null
echo "@@nodestatus"; if [ -s ${LB_NODESTATUS} ]; then cat ${LB_NODESTATUS}; else ${LBCLI_PATH} --action nodestatus --method api 2>&1; fi
${FILES_SNIPPET}
echo "@@dumpconfig"; ${shellJoin(DUMPCONFIG_ARGV)} 2>&1
echo "@@end"`;

const NODESTATUS_SCRIPT = `if [ -s ${LB_NODESTATUS} ]; then cat ${LB_NODESTATUS}; else ${LBCLI_PATH} --action nodestatus --method api 2>&1; fi`;

/** "active" / "passive" from nodestatus_local text or an lbcli nodestatus reply. */
export function parseNodeStatus(text: string): 'active' | 'passive' | 'unknown' {
  const t = text.trim().toLowerCase();
  if (t === 'active' || t === 'passive') return t;
  for (const d of extractJsonDocuments(text)) {
    const s = JSON.stringify(d).toLowerCase();
    const m = /"(?:nodestatus|status_local|state)":"(active|passive)"/.exec(s);
    if (m) return m[1] as 'active' | 'passive';
  }
  if (/\bactive\b/.test(t) && !/\bpassive\b/.test(t)) return 'active';
  if (/\bpassive\b/.test(t)) return 'passive';
  return 'unknown';
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function nodeFacts(facts: readonly BalancerNodeFacts[], node: BalancerNodeInfo): BalancerNodeFacts | undefined {
  return facts.find((f) => f.address === node.address) ?? facts.find((f) => f.name === node.name);
}

/** Discovery output -> facts (exported for the unit tests). Throws DumpconfigError when the dump is unreadable. */
export function parseLbDiscovery(node: BalancerNodeInfo, stdout: string): BalancerNodeFacts {
  const secs = sections(stdout);
  const get = (n: string): string => secs.find((s) => s.name === n)?.body ?? '';
  const { files, modes } = decodeFiles(secs);
  const f: BalancerNodeFacts = {
    name: node.name,
    address: node.address,
    reachable: true,
    platform: 'loadbalancer-org',
    role: parseNodeStatus(get('nodestatus')),
    existingVips: parseDumpconfigDetails(get('dumpconfig')),
    files,
    fileModes: modes,
  };
  const version = get('version').trim();
  if (version) f.version = version;
  const hostname = get('hostname').trim();
  if (hostname) f.hostname = hostname;
  return f;
}

class NodeFailure extends Error {
  constructor(
    readonly step: string,
    readonly reason: string,
    readonly changedSomething: boolean,
    readonly lost: boolean,
  ) {
    super(reason);
  }
}

export class LoadbalancerOrgDriver implements BalancerDriver {
  readonly platform = 'loadbalancer-org' as const;

  private checkPaths(r: ResolvedSite): string[] {
    return wantedCheckFiles(wantedLbcliState(r)).map((c) => c.path);
  }

  async discover(r: ResolvedSite, ctx: DriverContext): Promise<BalancerNodeFacts[]> {
    const paths = this.checkPaths(r);
    return Promise.all(
      r.nodes.map(async (node): Promise<BalancerNodeFacts> => {
        try {
          let facts: BalancerNodeFacts | undefined;
          await ctx.recorder.run({ host: node.name, step: 'discover', title: `Read the appliance configuration of ${node.name} (lbcli dumpconfig)`, command: shellJoin(DUMPCONFIG_ARGV) }, async () => {
            const host = await ctx.connect(node);
            const res = await run(host, shScript(DISCOVER_SCRIPT, paths), ctx.commandTimeoutMs, 'discovery', ctx.signal);
            if (!res.stdout.includes('@@end')) return { result: 'failed', output: outputOf(res), message: `the discovery script did not complete (exit ${res.code}): ${lastLines(res.stderr)}` };
            try {
              facts = parseLbDiscovery(node, res.stdout);
            } catch (e) {
              if (e instanceof DumpconfigError) return { result: 'failed', output: outputOf(res), message: e.message };
              throw e;
            }
            return { result: 'ok', message: `${facts.version ?? 'version unknown'}; ${facts.role}; ${facts.existingVips?.length ?? 0} VIP(s)` };
          });
          return facts!;
        } catch (e) {
          return { name: node.name, address: node.address, reachable: false, error: e instanceof StepFailed ? e.message : errorText(e), platform: 'loadbalancer-org' };
        }
      }),
    );
  }

  status(r: ResolvedSite, ctx: DriverContext): Promise<BalancerNodeFacts[]> {
    return this.discover(r, ctx);
  }

  plan(r: ResolvedSite, facts: readonly BalancerNodeFacts[]): DriverPlan {
    const p = planLoadbalancerOrg(r, facts);
    const notes = [...p.notes];
    if (p.blocked) notes.push(`Nothing can be applied: ${p.blocked}.`);
    return { hosts: p.hosts, order: p.order, notes, upToDate: !p.blocked && p.hosts.every((h) => h.upToDate) };
  }

  async apply(r: ResolvedSite, facts: readonly BalancerNodeFacts[], ctx: DriverContext): Promise<NodeOutcome[]> {
    const p = planLoadbalancerOrg(r, facts);
    const passive = (active: string): NodeOutcome[] =>
      r.nodes
        .filter((n) => n.name !== active)
        .map((n) => ({ host: n.name, ok: true, changed: false, state: `passive appliance: not changed directly; the active node ${active} replicates its configuration to it` }));
    if (!p.work) {
      return r.nodes.map((n) => {
        const f = nodeFacts(facts, n);
        const why = p.blocked ?? 'no active node';
        return { host: n.name, ok: false, changed: false, failedStep: 'check-active', reason: why, state: `not changed: ${f?.reachable ? why : `unreachable (${f?.error ?? 'not discovered'})`}` };
      });
    }
    const w = p.work;
    const name = w.node.name;
    if (w.upToDate) return [{ host: name, ok: true, changed: false, state: 'serving the wanted configuration (no changes needed)' }, ...passive(name)];

    const backupDir = `/var/backups/printha/${ctx.runId}`;
    let changedSomething = false;
    let current = 'check-active';
    const rec = ctx.recorder;
    let host: RemoteHost | undefined;
    const step = async (id: string, title: string, command: string | undefined, fn: () => Promise<StepOutcome>): Promise<void> => {
      current = id;
      let thrown: unknown;
      try {
        await rec.run({ host: name, step: id, title, ...(command ? { command } : {}) }, async () => {
          try {
            return await fn();
          } catch (e) {
            thrown = e;
            throw e;
          }
        });
      } catch (e) {
        throw new NodeFailure(id, e instanceof StepFailed ? e.message : errorText(e), changedSomething, isConnectionLoss(thrown ?? e));
      }
    };
    try {
      host = await ctx.connect(w.node);
      const h = host;
      const exec = (argv: readonly string[], what: string) => run(h, argv, ctx.commandTimeoutMs, what, ctx.signal);

      await step('check-active', `Check that ${name} is the active appliance`, shellJoin(['cat', LB_NODESTATUS]), async () => {
        const res = await exec(shScript(NODESTATUS_SCRIPT), 'nodestatus');
        const role = parseNodeStatus(res.stdout);
        if (role === 'passive') return { result: 'failed', output: outputOf(res), message: `${name} reports "passive": lbcli changes must be made on the active appliance` };
        if (role !== 'active' && r.nodes.length > 1) return { result: 'failed', output: outputOf(res), message: `${name} does not report its HA role (${lastLines(res.stdout) || 'no output'})` };
        return { result: 'ok', message: role };
      });

      const paths = [LB_CONFIG_XML, ...LB_GENERATED_FILES, ...w.checkFiles.map((c) => c.path)];
      const dirs = [...new Set(w.checkFiles.map((c) => c.path.slice(0, c.path.lastIndexOf('/'))))];
      await step('backup', `Back up ${LB_CONFIG_XML} and the generated files to ${backupDir}`, backupCommandText(backupDir, paths), async () => {
        const res = await h.exec(['env', `PRINTHA_DUMP=${LBCLI_PATH}`, ...shScript(BACKUP_SCRIPT, [backupDir, ...paths, '--', ...dirs])], { timeoutMs: ctx.commandTimeoutMs, ...(ctx.signal ? { signal: ctx.signal } : {}) });
        if (res.timedOut) throw new NodeFailure('backup', 'the backup did not finish in time', false, true);
        if (res.code !== 0) return { result: 'failed', output: outputOf(res), message: `the backup to ${backupDir} failed: ${lastLines(res.stderr)}` };
        return { result: 'ok', output: outputOf(res) };
      });

      for (const c of w.checkFiles) {
        await step(`upload:${c.path}`, `Install the health-check script ${c.path}`, `sftp put ${c.path} (mode 755)`, async () => {
          changedSomething = true;
          const u = await h.upload(c.path, c.content, { mode: c.mode, timeoutMs: ctx.commandTimeoutMs });
          return { result: 'changed', message: `${u.bytes} bytes` };
        });
      }
      if (w.copyChecksToPeer) {
        const script = 'for f in "$@"; do scp -p -q -- "$f" "lbslave:$f" || exit 1; done';
        await step('copy-checks', 'Copy the health-check scripts to the passive appliance (lbslave)', w.checkFiles.map((c) => shellJoin(['scp', '-p', c.path, `lbslave:${c.path}`])).join(' && '), async () => {
          const res = await exec(shScript(script, w.checkFiles.map((c) => c.path)), 'scp to lbslave');
          if (res.code !== 0) return { result: 'failed', output: outputOf(res), message: `copying the check scripts to the passive appliance (lbslave) failed: ${lastLines(res.stderr)}` };
          return { result: 'changed', output: outputOf(res) };
        });
      }

      let i = 0;
      for (const c of w.diff.changes) {
        i++;
        const cmd = c.command;
        const id = `lbcli:${i}:${cmd.argv[2] ?? 'lbcli'}${cmd.vip ? `:${cmd.vip}` : ''}${cmd.rip ? `:${cmd.rip}` : ''}`;
        await step(id, cmd.purpose, shellJoin(cmd.argv), async () => {
          changedSomething = true;
          const res = await exec(cmd.argv, `lbcli ${cmd.argv[2] ?? ''}`);
          const reply = parseLbcliReply(res.stdout);
          const out = outputOf(res);
          if (reply.status === 'success') return { result: 'changed', output: out, ...(reply.message ? { message: reply.message } : {}) };
          if (reply.status === 'exists' && (c.kind === 'add-vip' || c.kind === 'add-rip')) return { result: 'ok', output: out, message: `already there: ${reply.message ?? 'exists'}` };
          return {
            result: 'failed',
            output: out,
            message: `lbcli replied "${reply.status}"${reply.message ? `: ${reply.message}` : ''}${reply.status === 'no-json' ? ` (exit ${res.code ?? 'none'})` : ''}`,
          };
        });
      }

      await step('confirm', 'Read the configuration back and confirm it matches the site', shellJoin(DUMPCONFIG_ARGV), async () => {
        const res = await exec(DUMPCONFIG_ARGV, 'dumpconfig');
        let after;
        try {
          after = parseDumpconfigDetails(res.stdout);
        } catch (e) {
          return { result: 'failed', output: outputOf(res), message: errorText(e) };
        }
        const left = diffLbcli(wantedLbcliState(r), after).changes.filter((x) => x.kind !== 'reload');
        if (left.length > 0) return { result: 'failed', message: `the appliance does not hold what was sent; still different: ${left.map((x) => x.command.purpose).join('; ')}` };
        const foreignBefore = (nodeFacts(facts, w.node)?.existingVips ?? []).filter((v) => !wantedLbcliState(r).vips.some((x) => x.label === v.label));
        const missing = foreignBefore.filter((v) => !after.some((a) => a.label === v.label));
        if (missing.length > 0) return { result: 'failed', message: `VIPs that are not ours disappeared: ${missing.map((v) => v.label).join(', ')}` };
        return { result: 'ok', message: `${after.length} VIP(s); ours match the site; ${foreignBefore.length} other VIP(s) untouched` };
      });
      return [{ host: name, ok: true, changed: true, backupDir, state: `serving the new configuration (previous lb_config.xml kept in ${backupDir})${r.nodes.length > 1 ? '; the appliance replicates it to the passive node' : ''}` }, ...passive(name)];
    } catch (e) {
      const f = e instanceof NodeFailure ? e : new NodeFailure(current, errorText(e), changedSomething, isConnectionLoss(e));
      const base = { host: name, ok: false, changed: false, failedStep: f.step, reason: f.reason, backupDir };
      let out: NodeOutcome;
      if (f.lost) {
        out = {
          ...base,
          state: f.changedSomething
            ? `UNKNOWN: the connection to ${name} was lost during step "${f.step}" after lbcli changes had started; the previous lb_config.xml is in ${backupDir}. Run apply again (it only sends what still differs), or restore ${backupDir}${LB_CONFIG_XML} by hand`
            : `not changed: the connection to ${name} was lost during step "${f.step}", before any change; it serves its previous configuration`,
        };
      } else if (!f.changedSomething) {
        out = { ...base, state: `serving its previous configuration (nothing was changed on it)` };
      } else {
        const rb = await this.rollback(r, w.node, backupDir, ctx);
        out = { ...base, state: rb.state };
      }
      return [out, ...passive(name)];
    }
  }

  async rollback(r: ResolvedSite, node: BalancerNodeInfo, backupDir: string, ctx: DriverContext): Promise<NodeOutcome> {
    const name = node.name;
    const rec = ctx.recorder;
    try {
      const host = await ctx.connect(node);
      const exec = (argv: readonly string[], what: string) => run(host, argv, ctx.commandTimeoutMs, what, ctx.signal);
      await rec.run({ host: name, step: 'rollback:restore', title: `Restore lb_config.xml and the generated files from ${backupDir}`, command: `restore ${backupDir}` }, async () => {
        const res = await exec(shScript(RESTORE_SCRIPT, [backupDir]), 'restore');
        if (res.code !== 0) return { result: 'failed', output: outputOf(res), message: `restoring ${backupDir} failed: ${lastLines(res.stderr)}` };
        return { result: 'rolled-back', output: outputOf(res) };
      });
      // Layer 7: a graceful reload first; if the appliance refuses it (HAProxy may still be in the
      // state the failed change left it in), a restart. Layer 4: ldirectord is restarted.
      const actions = r.site.mode === 'snat' ? ['reload-haproxy', 'restart-haproxy'] : ['restart-ldirectord'];
      await rec.run({ host: name, step: `rollback:${actions[0]}`, title: `Apply the restored configuration (${actions.join(', else ')})`, command: shellJoin(lbcliArgv(actions[0]!)) }, async () => {
        const replies: string[] = [];
        let out = '';
        for (const action of actions) {
          const res = await exec(lbcliArgv(action), action);
          const reply = parseLbcliReply(res.stdout);
          out += `${out ? '\n' : ''}$ ${shellJoin(lbcliArgv(action))}\n${outputOf(res)}`;
          if (reply.status === 'success') return { result: 'rolled-back', output: out, ...(replies.length ? { message: `${replies.join('; ')}; ${action} succeeded` } : {}) };
          replies.push(`lbcli ${action} replied "${reply.status}"${reply.message ? `: ${reply.message}` : ''}`);
        }
        return { result: 'failed', output: out, message: replies.join('; ') };
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
        state: `ROLLBACK FAILED on ${name} (${reason}): its state is unknown. The previous configuration is in ${backupDir}${LB_CONFIG_XML}; restore it with the WebUI (Maintenance > Backup & Restore) or copy it back and restart the services`,
      };
    }
  }
}
