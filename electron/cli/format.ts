import { terminalText } from '../../shared/quote/terminal.js';
import type { Finding } from '../../shared/rules/finding.js';

const ICON: Record<Finding['severity'], string> = { error: 'ERROR', warning: 'WARN ', info: 'INFO ' };

/** Human form of findings: severity, rule id, field path (and line), message, fix. */
export function formatFindings(findings: readonly Finding[], file?: string): string {
  if (findings.length === 0) return 'No findings: the site file passes every preflight rule.\n';
  const lines: string[] = [];
  for (const f of findings) {
    // Everything here can echo the site file (keys, values, paths): terminal-safe and capped.
    const where = terminalText(
      [file && f.line ? `${file}:${f.line}${f.column ? `:${f.column}` : ''}` : file, f.path].filter(Boolean).join(' '),
      200,
    );
    lines.push(`${ICON[f.severity]} [${terminalText(f.rule, 60)}] ${where}`);
    lines.push(`      ${terminalText(f.message, 400)}`);
    lines.push(`      fix: ${terminalText(f.fix, 400)}`);
  }
  const n = (s: Finding['severity']) => findings.filter((f) => f.severity === s).length;
  lines.push(`${n('error')} error(s), ${n('warning')} warning(s), ${n('info')} info.`);
  return lines.join('\n') + '\n';
}
