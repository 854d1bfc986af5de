/** `printha discover <site.yaml> [--json] [--only balancer|servers] [--accept-host-key SHA256:…]`: read-only facts from every host. */
import { formatFacts, openEngineVerb } from '../engine-cli.js';
import { formatFindings } from '../format.js';
import type { CliCommand } from '../types.js';

const usage = 'printha discover <site.yaml> [--json] [--only balancer|servers] [--accept-host-key SHA256:...]';

export const discoverCommand: CliCommand = {
  name: 'discover',
  summary: 'Connect to every host read-only and show what is there (versions, configuration, VIPs); exit 1 when a host cannot be read.',
  usage,
  credentials: 'hosts',
  details:
    'Options:\n' +
    '  --json                    the facts as JSON on stdout.\n' +
    '  ' + '--only balancer|servers  one half of the site: the balancer(s), or the print servers and DNS (no Windows credentials are needed for --only balancer).\n' +
    '  --accept-host-key SHA256:...  trust this host key without asking (compare it with the host\'s console first; repeatable).',
  async run(args, io) {
    const v = await openEngineVerb(args, io, usage);
    if (!v) return 1;
    const { engine, ctx, loaded, only, json } = v;
    try {
      const { facts, findings } = await engine.discoverWithFindings(loaded.site, ctx, only);
      const errors = findings.filter((f) => f.severity === 'error');
      if (json) io.out(JSON.stringify({ ok: errors.length === 0, facts, findings }, null, 2) + '\n');
      else {
        io.out(formatFacts(facts));
        const relevant = findings.filter((f) => f.severity !== 'info');
        if (relevant.length) io.out(formatFindings(relevant, loaded.file));
      }
      return errors.length === 0 ? 0 : 1;
    } finally {
      await engine.close();
    }
  },
};
