/**
 * `printha pack <site.yaml> --out pack.zip`: the offline script pack for sites PrintHA cannot reach
 * (README.md = the manual runbook with the exact command per file, the scripts, results/).
 */
import { basename } from 'node:path';
import { validateSiteYaml } from '../../../shared/rules/index.js';
import { buildPack, writePack } from '../../core/pack/pack.js';
import { opt, parseArgs } from '../args.js';
import { formatFindings } from '../format.js';
import { readSiteText } from '../site-file.js';
import { UsageError, type CliCommand } from '../types.js';

const usage = 'printha pack <site.yaml> --out <pack.zip>';

export const packCommand: CliCommand = {
  name: 'pack',
  summary: 'Write the offline script pack (zip): scripts, balancer files, a step-by-step README and a results/ folder for `import`.',
  usage,
  async run(args, io) {
    const p = parseArgs(args, { options: ['out'] }, usage);
    const out = opt(p, 'out');
    if (p.positionals.length !== 1 || !out) throw new UsageError(`Expected one site file and --out <pack.zip>.\nUsage: ${usage}`);
    if (!/\.zip$/i.test(out)) throw new UsageError(`--out must name a .zip file, not "${out}".\nUsage: ${usage}`);
    const file = p.positionals[0]!;
    const text = await readSiteText(file, usage);
    const result = validateSiteYaml(text);
    if (!result.ok || !result.site) {
      io.err(formatFindings(result.findings, file));
      io.err('No pack was written: fix the errors above first.\n');
      return 1;
    }
    const siteFile = basename(file).replace(/[^A-Za-z0-9._-]/g, '_');
    let pack;
    try {
      pack = buildPack(result.site, { siteText: text, siteFile, env: io.env });
    } catch (e) {
      throw new UsageError(e instanceof Error ? e.message : String(e), 1);
    }
    const w = writePack(out, pack);
    for (const f of pack.manifest.files) io.out(`${f.path}\n`);
    io.out(`${pack.manifest.files.length} files + results/ + manifest.json in ${w.path} (${w.bytes} bytes). Start with README.md.\n`);
    return 0;
  },
};
