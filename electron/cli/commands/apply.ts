/**
 * `printha apply <site.yaml> [--yes] [--only balancer|servers] [--resume] [--accept-host-key SHA256:…] [--json]`:
 * changes the hosts as `plan` shows. Without --yes it shows the plan and asks when interactive, and
 * refuses (exit 1) when not. Exit 0 every host ok, 1 a failure (each host's state is printed).
 */
import { parseArgs } from '../args.js';
import { acceptedHostKeys, engineSession, formatApply, formatPlan, formatStats, loadSite, parseOnly } from '../engine-cli.js';
import { UsageError, type CliCommand } from '../types.js';

const usage = 'printha apply <site.yaml> [--yes] [--only balancer|servers] [--resume] [--accept-host-key SHA256:...] [--json]';

export const applyCommand: CliCommand = {
  name: 'apply',
  summary: 'Apply the plan: backup, push, validate, reload, confirm, roll back on failure (asks first unless --yes).',
  usage,
  credentials: 'hosts',
  details:
    'Options:\n' +
    '  --yes                     apply without showing the plan and asking (needed without a terminal).\n' +
    '  ' + '--only balancer|servers  one half of the site: the balancer(s), or the print servers and DNS (no Windows credentials are needed for --only balancer).\n' +
    '  --resume                  finish a run that stopped in the middle (its journal says where every host is).\n' +
    '  --json                    the result as JSON on stdout.\n' +
    '  --accept-host-key SHA256:...  trust this host key without asking (compare it with the host\'s console first; repeatable).\n' +
    'PRINTHA_REBOOT_TIMEOUT_S: seconds one print server may take to come back after its restart (default 1200, 30-7200).\n' +
    'PRINTHA_COMMAND_TIMEOUT_MS: the time limit of one remote command in milliseconds.',
  async run(args, io) {
    const p = parseArgs(args, { flags: ['yes', 'resume', 'json'], options: ['only', 'accept-host-key'] }, usage);
    if (p.positionals.length !== 1) throw new UsageError(`Expected one site file.\nUsage: ${usage}`);
    const only = parseOnly(p, usage);
    const json = p.flags.has('json');
    const yes = p.flags.has('yes');
    if (!yes && !io.prompt) {
      io.err('printha apply: refusing to change hosts without confirmation. Review `printha plan` first, then pass --yes (this is not an interactive terminal, so PrintHA cannot ask). Nothing was changed.\n');
      return 1;
    }
    const loaded = await loadSite(p.positionals[0], usage, io);
    if (!loaded) return 1;
    const { engine, ctx, journalPath } = engineSession(loaded, io, { json, acceptHostKeys: acceptedHostKeys(p) });
    try {
      if (!yes) {
        const plan = await engine.plan(loaded.site, ctx, only);
        io.out(formatPlan(plan));
        if (plan.upToDate) {
          io.out('Nothing to apply.\n');
          return 0;
        }
        const a = await io.prompt!(`Apply these changes to ${plan.hosts.filter((h) => !h.upToDate).length} host(s)? [y/N] `);
        if (!/^y(es)?$/i.test(a.trim())) {
          io.out('Nothing was changed.\n');
          return 1;
        }
      }
      const res = await engine.apply(loaded.site, ctx, { confirmed: true, ...(only ? { only } : {}), ...(p.flags.has('resume') ? { resume: true } : {}) });
      const stats = engine.sshStats();
      if (json) io.out(JSON.stringify({ ...res, journal: journalPath, ssh: stats }, null, 2) + '\n');
      else {
        io.out(formatApply(res, journalPath));
        io.out(formatStats(stats));
      }
      return res.ok ? 0 : 1;
    } finally {
      await engine.close();
    }
  },
};
