/** `printha discover <site.yaml> [--json] [--only balancer|servers] [--accept-host-key SHA256:…]`: read-only facts from every host. */
import { parseArgs } from '../args.js';
import { acceptedHostKeys, engineSession, formatFacts, loadSite, parseOnly } from '../engine-cli.js';
import { formatFindings } from '../format.js';
import { UsageError, type CliCommand } from '../types.js';

const usage = 'printha discover <site.yaml> [--json] [--only balancer|servers] [--accept-host-key SHA256:...]';

export const discoverCommand: CliCommand = {
  name: 'discover',
  summary: 'Connect to every host read-only and show what is there (versions, configuration, VIPs); exit 1 when a host cannot be read.',
  usage,
  async run(args, io) {
    const p = parseArgs(args, { flags: ['json'], options: ['only', 'accept-host-key'] }, usage);
    if (p.positionals.length !== 1) throw new UsageError(`Expected one site file.\nUsage: ${usage}`);
    const only = parseOnly(p, usage);
    const json = p.flags.has('json');
    const loaded = await loadSite(p.positionals[0], usage, io);
    if (!loaded) return 1;
    const { engine, ctx } = engineSession(loaded, io, { json, acceptHostKeys: acceptedHostKeys(p) });
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
