import { validateSiteYaml } from '../../../shared/rules/index.js';
import { parseArgs } from '../args.js';
import { formatFindings } from '../format.js';
import { readSiteText } from '../site-file.js';
import { UsageError, type CliCommand } from '../types.js';

const usage = 'printha validate <site.yaml> [--json]';

export const validateCommand: CliCommand = {
  name: 'validate',
  summary: 'Check a site file against every preflight rule (exit 0 ok, 1 errors, 2 unreadable).',
  usage,
  async run(args, io) {
    const p = parseArgs(args, { flags: ['json'] }, usage);
    if (p.positionals.length !== 1) throw new UsageError(`Expected one site file.\nUsage: ${usage}`);
    const file = p.positionals[0]!;
    const text = await readSiteText(file, usage);
    const result = validateSiteYaml(text);
    if (p.flags.has('json')) {
      const findings = result.findings.map(({ rule, severity, path, message, fix, line, column }) => ({ rule, severity, path, message, fix, ...(line ? { line, column } : {}) }));
      io.out(JSON.stringify({ ok: result.ok, findings }, null, 2) + '\n');
    } else io.out(formatFindings(result.findings, file));
    return result.ok ? 0 : 1;
  },
};
