/**
 * A deliberately small syntax highlighter for the generated files (shell, HAProxy, keepalived,
 * PowerShell, tmsh, NetScaler, YAML, JSON, Markdown, diffs): comments, strings, numbers, variables,
 * keywords. Line-based; good enough to read, no dependency.
 */
export type TokenKind = 'comment' | 'string' | 'number' | 'keyword' | 'variable' | 'add' | 'del' | 'meta' | 'text';
export interface Token {
  kind: TokenKind;
  text: string;
}

const KEYWORDS: Record<string, string[]> = {
  sh: [
    'if',
    'then',
    'else',
    'elif',
    'fi',
    'for',
    'do',
    'done',
    'while',
    'case',
    'esac',
    'function',
    'set',
    'exit',
    'return',
    'local',
    'export',
    'echo',
  ],
  haproxy: [
    'global',
    'defaults',
    'frontend',
    'backend',
    'listen',
    'peers',
    'peer',
    'bind',
    'mode',
    'balance',
    'server',
    'option',
    'timeout',
    'stick-table',
    'stick',
    'default_backend',
    'use_backend',
    'acl',
    'check',
    'maxconn',
    'log',
  ],
  keepalived: [
    'global_defs',
    'vrrp_instance',
    'vrrp_script',
    'virtual_server',
    'real_server',
    'state',
    'interface',
    'virtual_router_id',
    'priority',
    'virtual_ipaddress',
    'track_script',
    'authentication',
    'lb_algo',
    'lb_kind',
    'persistence_timeout',
    'protocol',
    'TCP_CHECK',
    'weight',
  ],
  powershell: [
    'param',
    'function',
    'if',
    'else',
    'elseif',
    'foreach',
    'for',
    'while',
    'return',
    'try',
    'catch',
    'finally',
    'throw',
    'switch',
    'begin',
    'process',
    'end',
    'trap',
  ],
  python: [
    'def',
    'return',
    'if',
    'else',
    'elif',
    'for',
    'while',
    'import',
    'from',
    'as',
    'try',
    'except',
    'with',
    'class',
    'None',
    'True',
    'False',
  ],
  tmsh: [
    'create',
    'modify',
    'delete',
    'ltm',
    'pool',
    'virtual',
    'node',
    'monitor',
    'profile',
    'persistence',
    'members',
    'save',
    'sys',
    'config',
  ],
  netscaler: [
    'add',
    'bind',
    'set',
    'enable',
    'disable',
    'lb',
    'vserver',
    'service',
    'serviceGroup',
    'monitor',
    'server',
    'save',
    'ns',
    'config',
  ],
};

function languageOf(lang: string): string {
  if (lang === 'ps1' || lang === 'pwsh') return 'powershell';
  if (lang === 'bash' || lang === 'shell') return 'sh';
  return lang;
}

function commentStart(lang: string): string | undefined {
  if (lang === 'json' || lang === 'markdown') return undefined;
  return '#';
}

export function highlightLine(line: string, language: string): Token[] {
  const lang = languageOf(language);
  if (lang === 'diff') {
    if (line.startsWith('+++') || line.startsWith('---') || line.startsWith('@@')) return [{ kind: 'meta', text: line }];
    if (line.startsWith('+')) return [{ kind: 'add', text: line }];
    if (line.startsWith('-')) return [{ kind: 'del', text: line }];
    return [{ kind: 'text', text: line }];
  }
  if (lang === 'markdown') return [{ kind: /^\s*#/.test(line) ? 'keyword' : 'text', text: line }];
  const words = new Set(KEYWORDS[lang] ?? []);
  const cstart = commentStart(lang);
  const out: Token[] = [];
  let text = '';
  const flush = () => {
    if (text) out.push({ kind: 'text', text });
    text = '';
  };
  let i = 0;
  while (i < line.length) {
    const ch = line[i]!;
    if (cstart && ch === cstart && (i === 0 || /\s/.test(line[i - 1]!))) {
      flush();
      out.push({ kind: 'comment', text: line.slice(i) });
      return out;
    }
    if (ch === '"' || ch === "'") {
      let j = i + 1;
      while (j < line.length && line[j] !== ch) j += line[j] === '\\' && ch === '"' ? 2 : 1;
      flush();
      out.push({ kind: 'string', text: line.slice(i, Math.min(j + 1, line.length)) });
      i = j + 1;
      continue;
    }
    if (ch === '$' && /[A-Za-z_{(]/.test(line[i + 1] ?? '')) {
      const m = /^\$(\{[^}]*\}|[A-Za-z_][A-Za-z0-9_:]*|\()/.exec(line.slice(i));
      if (m) {
        flush();
        out.push({ kind: 'variable', text: m[0] });
        i += m[0].length;
        continue;
      }
    }
    const w = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(line.slice(i));
    if (w && (i === 0 || !/[A-Za-z0-9_-]/.test(line[i - 1]!))) {
      if (words.has(w[0]) || (lang === 'powershell' && /^[A-Z][a-z]+-[A-Z][A-Za-z]+$/.test(w[0]))) {
        flush();
        out.push({ kind: 'keyword', text: w[0] });
      } else text += w[0];
      i += w[0].length;
      continue;
    }
    const n = /^\d+(\.\d+)*/.exec(line.slice(i));
    if (n && (i === 0 || !/[A-Za-z_]/.test(line[i - 1]!))) {
      flush();
      out.push({ kind: 'number', text: n[0] });
      i += n[0].length;
      continue;
    }
    text += ch;
    i += 1;
  }
  flush();
  return out;
}
