/** `printha plan <site.yaml> [--json] [--only balancer|servers]`: the dry run — per host the steps and the diff, nothing changed. */
import { formatPlan, openEngineVerb } from '../engine-cli.js';
import type { CliCommand } from '../types.js';

const usage = 'printha plan <site.yaml> [--json] [--only balancer|servers] [--accept-host-key SHA256:...]';

export const planCommand: CliCommand = {
  name: 'plan',
  summary: 'Dry run: discover, then show per host the ordered steps and the diff of every file or lbcli command (changes nothing).',
  usage,
  credentials: 'hosts',
  details:
    'Options:\n' +
    '  --json                    the plan as JSON on stdout; save it for the runbook: printha plan <site.yaml> --json > plan.json\n' +
    '  ' + '--only balancer|servers  one half of the site: the balancer(s), or the print servers and DNS (no Windows credentials are needed for --only balancer).\n' +
    '  --accept-host-key SHA256:...  trust this host key without asking (compare it with the host\'s console first; repeatable).',
  async run(args, io) {
    const v = await openEngineVerb(args, io, usage);
    if (!v) return 1;
    const { engine, ctx, loaded, only, json } = v;
    try {
      const plan = await engine.plan(loaded.site, ctx, only);
      if (json) io.out(JSON.stringify(plan, null, 2) + '\n');
      else io.out(formatPlan(plan));
      const blocked = plan.hosts.some((h) => h.unreachable && h.role === 'balancer') || plan.notes.some((n) => n.startsWith('ERROR'));
      return blocked ? 1 : 0;
    } finally {
      await engine.close();
    }
  },
};
