/**
 * `printha import <site.yaml> <results/ | pack.zip | file.json>`: brings the results of the pack's
 * scripts, run by hand, back into the site's journal and facts, so the runbook is complete.
 */
import { validateSiteYaml } from '../../../shared/rules/index.js';
import { ImportError, importResults } from '../../core/pack/import.js';
import { envRedactor } from '../../core/runner/redact.js';
import { parseArgs } from '../args.js';
import { stateDirFor } from '../context.js';
import { formatFindings } from '../format.js';
import { readSiteText } from '../site-file.js';
import { UsageError, type CliCommand } from '../types.js';

const usage = 'printha import <site.yaml> <results-folder | pack.zip | result.json> [--json]';

export const importCommand: CliCommand = {
  name: 'import',
  summary: 'Bring the results of the script pack, run by hand, into the journal (then `runbook` shows them).',
  usage,
  async run(args, io) {
    const p = parseArgs(args, { flags: ['json'] }, usage);
    if (p.positionals.length !== 2) throw new UsageError(`Expected the site file and the results folder.\nUsage: ${usage}`);
    const [file, source] = p.positionals as [string, string];
    const result = validateSiteYaml(await readSiteText(file, usage));
    if (!result.site) {
      io.err(formatFindings(result.findings, file));
      return 1;
    }
    const stateDir = stateDirFor(file, io.env);
    let s;
    try {
      s = importResults(result.site, stateDir, source, { env: io.env });
    } catch (e) {
      if (e instanceof ImportError) throw new UsageError(envRedactor(io.env)(e.message), 1);
      throw e;
    }
    if (p.flags.has('json')) io.out(JSON.stringify(s, null, 2) + '\n');
    else {
      for (const x of s.imported) io.out(`imported ${x.file} (${x.kind}, ${x.host})\n`);
      for (const x of s.skipped) io.out(`skipped  ${x.file}: ${x.why}\n`);
      io.out(
        s.imported.length
          ? `${s.events} step(s) added to the journal as run ${s.runId}${s.factsUpdated ? '; server facts updated from verify.ps1' : ''}. Export the runbook to see them.\n`
          : 'Nothing new to import.\n',
      );
    }
    return 0;
  },
};
