import type { Finding } from '../../shared/rules/finding.js';

const ICON: Record<Finding['severity'], string> = { error: 'ERROR', warning: 'WARN ', info: 'INFO ' };

/** Human form of findings: severity, rule id, field path (and line), message, fix. */
export function formatFindings(findings: readonly Finding[], file?: string): string {
  if (findings.length === 0) return 'No findings: the site file passes every preflight rule.\n';
  const lines: string[] = [];
  for (const f of findings) {
    const where = [file && f.line ? `${file}:${f.line}${f.column ? `:${f.column}` : ''}` : file, f.path].filter(Boolean).join(' ');
    lines.push(`${ICON[f.severity]} [${f.rule}] ${where}`);
    lines.push(`      ${f.message}`);
    lines.push(`      fix: ${f.fix}`);
  }
  const n = (s: Finding['severity']) => findings.filter((f) => f.severity === s).length;
  lines.push(`${n('error')} error(s), ${n('warning')} warning(s), ${n('info')} info.`);
  return lines.join('\n') + '\n';
}
