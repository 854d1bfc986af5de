import { validateSiteYaml } from '../../../shared/rules/index.js';
import { renderSite } from '../../../shared/render/index.js';
import { writeArtifacts } from '../../core/render/write.js';
import { opt, parseArgs } from '../args.js';
import { formatFindings } from '../format.js';
import { readSiteText } from '../site-file.js';
import { UsageError, type CliCommand } from '../types.js';

const usage = 'printha render <site.yaml> --out <dir>';

export const renderCommand: CliCommand = {
  name: 'render',
  summary: 'Generate the balancer config, per-server scripts, DNS script, runbook and manifest.json (refuses when validate has errors).',
  usage,
  async run(args, io) {
    const p = parseArgs(args, { options: ['out'] }, usage);
    const out = opt(p, 'out');
    if (p.positionals.length !== 1 || !out) throw new UsageError(`Expected one site file and --out <dir>.\nUsage: ${usage}`);
    const file = p.positionals[0]!;
    const result = validateSiteYaml(await readSiteText(file, usage));
    if (!result.ok || !result.site) {
      io.err(formatFindings(result.findings, file));
      io.err('Nothing was rendered: fix the errors above first.\n');
      return 1;
    }
    const generatedAt = new Date().toISOString();
    const artifacts = renderSite(result.site, result.findings, generatedAt);
    const manifest = await writeArtifacts(out, artifacts, result.site.name, generatedAt);
    const warn = result.findings.filter((f) => f.severity !== 'error');
    if (warn.length) io.err(formatFindings(warn, file));
    for (const f of manifest.files) io.out(`${f.path}\n`);
    io.out(`${manifest.files.length} files and manifest.json written to ${out}\n`);
    return 0;
  },
};
