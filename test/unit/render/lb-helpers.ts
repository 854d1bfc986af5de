/** Shared by the linux-haproxy generator tests: examples, config section parsing, tool lookup. */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { resolveSite, type ResolvedSite } from '../../../shared/model/resolve.js';
import { loadSiteYaml } from '../../../shared/site/load.js';
import type { Site } from '../../../shared/site/schema.js';

export const ROOT = join(import.meta.dirname, '..', '..', '..');
export const EXAMPLES_DIR = join(ROOT, 'examples');
export const CHECK_SCRIPT_FILE = join(ROOT, 'resources', 'checks', 'printha-halfopen-check');

export function exampleFiles(): string[] {
  return readdirSync(EXAMPLES_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort();
}

export function loadExample(file: string): Site {
  const r = loadSiteYaml(readFileSync(join(EXAMPLES_DIR, file), 'utf8'));
  if (!r.ok) throw new Error(`${file} does not load: ${JSON.stringify(r.findings)}`);
  return r.site;
}

export function resolveExample(file: string, patch?: (s: Site) => void): ResolvedSite {
  const s = structuredClone(loadExample(file));
  patch?.(s);
  return resolveSite(s);
}

/**
 * Top-level sections of an HAProxy or keepalived-like file: a section starts at a non-indented,
 * non-comment line; its body is the indented lines (trimmed) up to the next section.
 */
export function haproxySections(cfg: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let cur: string[] | undefined;
  for (const line of cfg.split('\n')) {
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    if (!/^\s/.test(line)) {
      cur = [];
      out.set(line.trim(), cur);
    } else cur?.push(line.trim());
  }
  return out;
}

export function section(cfg: string, head: string): string[] {
  const s = haproxySections(cfg).get(head);
  if (!s) throw new Error(`no section "${head}" in:\n${cfg}`);
  return s;
}

/** Absolute path of a binary, or undefined. */
export function which(bin: string): string | undefined {
  for (const dir of ['/usr/sbin', '/usr/bin', '/sbin', '/bin', '/usr/local/sbin', '/usr/local/bin']) {
    try {
      execFileSync('test', ['-x', join(dir, bin)]);
      return join(dir, bin);
    } catch {
      /* not here */
    }
  }
  return undefined;
}

/** A required tool: throws a clear message when missing (.ci/run installs it). */
export function requireTool(bin: string, pkg: string): string {
  const p = which(bin);
  if (!p) throw new Error(`${bin} is not installed: the real-validation tests need it (apt-get install ${pkg}; .ci/run installs it)`);
  return p;
}

export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
