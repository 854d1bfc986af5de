/**
 * `printha verify <site.yaml> [--json] [--drill] [--only balancer|servers] [--accept-host-key SHA256:…] [--watch <seconds>] [--quiet]`
 *
 * Exit 0 when every applicable check passes, 1 otherwise (or when the site file has errors),
 * 2 for bad usage or an unreadable file. `--watch N` refreshes the System Overview every N seconds
 * (clear screen + table) until Ctrl-C, which exits 0. Credentials: PRINTHA_SSH_KEY / SSH agent /
 * PRINTHA_SSH_PASSWORD for the balancers, PRINTHA_WINDOWS_PASSWORD for the print servers' verify.ps1
 * over PowerShell remoting and SMB listings that need a login (or a hidden prompt on a terminal) —
 * never from the site file or argv.
 */
import { validateSiteYaml } from '../../../shared/rules/index.js';
import { formatOverview } from '../../../shared/verify/overview.js';
import type { VerifyCheck, VerifyReport } from '../../../shared/verify/report.js';
import { redactValue } from '../../core/runner/redact.js';
import { saveLatest } from '../../core/runner/state.js';
import { defaultServerEngine } from '../../core/engine/servers.js';
import { verifySite, watchOverview, type OverviewFrame } from '../../core/probes/verify.js';
import { opt, parseArgs } from '../args.js';
import { cliRunContext, stateDirFor } from '../context.js';
import { parseOnly } from '../engine-cli.js';
import { formatFindings } from '../format.js';
import { readSiteText } from '../site-file.js';
import { UsageError, type CliCommand, type CliIO } from '../types.js';

const usage = 'printha verify <site.yaml> [--json] [--drill] [--only balancer|servers] [--accept-host-key SHA256:…] [--watch <seconds>] [--quiet]';

const MARK: Record<VerifyCheck['status'], string> = { pass: 'PASS', fail: 'FAIL', 'not-applicable': 'N/A ' };

export function formatReport(rep: VerifyReport): string {
  const out: string[] = [];
  out.push(`Verification of "${rep.site}" — ${rep.startedAt}, ${(rep.durationMs / 1000).toFixed(1)} s`);
  out.push('');
  out.push('System overview (the balancer\'s own view' + (rep.views?.length ? `: ${rep.views.find((v) => v.holdsVip)?.node ?? rep.views[0]!.node}` : '') + ')');
  out.push(formatOverview(rep.overview));
  for (const v of rep.views ?? []) if (v.error) out.push(`  ${v.node}: ${v.error}`);
  out.push('');
  for (const s of rep.shares) out.push(`Printer shares via ${s.via}: ${s.shares.join(', ') || '(none)'}`);
  if (rep.shares.length) out.push('');
  out.push('Checks');
  for (const c of rep.checks) {
    out.push(`${MARK[c.status]} ${c.id}  ${c.target}`);
    out.push(`       expected: ${c.expectation}`);
    out.push(`       observed: ${c.observation}`);
    if (c.why) out.push(`       why n/a:  ${c.why}`);
  }
  const n = (s: VerifyCheck['status']) => rep.checks.filter((c) => c.status === s).length;
  out.push('');
  out.push(`${n('pass')} passed, ${n('fail')} failed, ${n('not-applicable')} not applicable here. ${rep.ok ? 'Every applicable check passed.' : 'Some checks FAILED (see above; --json has the evidence).'}`);
  return out.join('\n') + '\n';
}

export function formatFrame(site: string, f: OverviewFrame, intervalSeconds: number): string {
  const head = `PrintHA verify --watch ${intervalSeconds}s — ${site} — ${f.at.toLocaleTimeString()} (Ctrl-C to stop)`;
  const body = f.active ? `${f.active.node}${f.active.holdsVip ? ' (holds the VIP)' : ''}, ${f.active.source}\n${formatOverview(f.active.rows)}` : 'no balancer view';
  const others = f.views.filter((v) => v.node !== f.active?.node).map((v) => `\n${v.node}${v.holdsVip ? ' (holds the VIP)' : ''}, ${v.source}${v.error ? `: ${v.error}` : `\n${formatOverview(v.rows)}`}`);
  const errs = f.active?.error ? `\n${f.active.node}: ${f.active.error}` : '';
  return `${head}\n\n${body}${errs}${others.join('\n')}\n`;
}

async function watch(io: CliIO, run: (signal: AbortSignal) => Promise<void>): Promise<number> {
  const ac = new AbortController();
  const stop = (): void => ac.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await run(ac.signal);
  } finally {
    process.removeListener('SIGINT', stop);
    process.removeListener('SIGTERM', stop);
  }
  io.err('\nwatch stopped.\n');
  return 0;
}

export const verifyCommand: CliCommand = {
  name: 'verify',
  summary: 'Prove the print service works through the VIP: TCP, SMB shares, DNS, the balancer view, persistence, health checks (--drill: failover drill, --watch N: live overview).',
  usage,
  credentials: 'hosts',
  details:
    'Options:\n' +
    '  --json                    the report as JSON on stdout; save it for the runbook: printha verify <site.yaml> --json > report.json\n' +
    '  --drill                   also run the failover drill: halt the server this client uses through the balancer, check that new connections move, bring it back.\n' +
    '  ' + '--only balancer|servers  one half of the site: the balancer(s), or the print servers and DNS (no Windows credentials are needed for --only balancer).\n' +
    '  --watch <seconds>         refresh the System Overview every N seconds until Ctrl+C.\n' +
    '  --quiet                   no progress lines on stderr.\n' +
    '  --accept-host-key SHA256:...  trust this host key without asking (compare it with the host\'s console first; repeatable).',
  async run(args, io) {
    const p = parseArgs(args, { flags: ['json', 'drill', 'quiet'], options: ['accept-host-key', 'watch', 'only'] }, usage);
    // --only balancer: the Windows-side checks are skipped with that reason (the servers are done by hand / the script pack).
    const only = parseOnly(p, usage);
    if (p.positionals.length !== 1) throw new UsageError(`Expected one site file.\nUsage: ${usage}`);
    const file = p.positionals[0]!;
    const watchArg = opt(p, 'watch');
    const watchSeconds = watchArg === undefined ? undefined : Number(watchArg);
    if (watchSeconds !== undefined && (!Number.isFinite(watchSeconds) || watchSeconds < 0.5 || watchSeconds > 3600))
      throw new UsageError(`--watch takes a number of seconds between 0.5 and 3600, got "${watchArg}".\nUsage: ${usage}`);
    if (watchSeconds !== undefined && (p.flags.has('json') || p.flags.has('drill'))) throw new UsageError(`--watch cannot be combined with --json or --drill.\nUsage: ${usage}`);
    const keys = (opt(p, 'accept-host-key') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    for (const k of keys) if (!/^SHA256:[A-Za-z0-9+/]{43}=?$/.test(k)) throw new UsageError(`--accept-host-key takes a SHA256 fingerprint as ssh-keygen -lf prints it (SHA256:…), got "${k}".`);

    const result = validateSiteYaml(await readSiteText(file, usage));
    if (!result.ok || !result.site) {
      io.err(formatFindings(result.findings, file));
      io.err('Nothing was verified: fix the errors above first.\n');
      return 1;
    }
    const site = result.site;
    const json = p.flags.has('json');
    const { ctx, secrets } = cliRunContext(io, { acceptHostKeys: keys, quiet: p.flags.has('quiet') || watchSeconds !== undefined, json });
    secrets.addFromEnv(io.env);
    const redact = secrets.redactor();

    if (watchSeconds !== undefined) {
      return watch(io, (signal) =>
        watchOverview(site, ctx, watchSeconds, (f) => io.out(`\x1b[2J\x1b[H${redact(formatFrame(site.name, f, watchSeconds))}`), signal),
      );
    }
    const report = await verifySite(site, ctx, { drill: p.flags.has('drill'), servers: defaultServerEngine(io.env), ...(only ? { only } : {}) });
    const safe = redactValue(report, redact);
    try {
      saveLatest(stateDirFor(file, io.env), 'verify', report, redact);
    } catch (e) {
      io.err(`The report was not saved for \`printha runbook\`: ${redact(e instanceof Error ? e.message : String(e))}\n`);
    }
    io.out(json ? `${JSON.stringify(safe, null, 2)}\n` : redact(formatReport(safe)));
    return report.ok ? 0 : 1;
  },
};
