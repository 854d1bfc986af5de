/** Shared test data for the runbook, pack, import and export tests. */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { JournalEvent } from '../../../shared/journal/events.js';
import type { Plan } from '../../../shared/plan/model.js';
import { loadSiteYaml } from '../../../shared/site/load.js';
import type { Site } from '../../../shared/site/schema.js';
import type { VerifyReport } from '../../../shared/verify/report.js';

export const ROOT = join(import.meta.dirname, '../../..');
export const EXAMPLES = ['phoenix-dr', 'phoenix-snat', 'paragon', 'lab-snat', 'lab-lborg-snat', 'lab-lborg-dr', 'lab-paragon'] as const;

export function exampleText(name: string): string {
  return readFileSync(join(ROOT, 'examples', `${name}.yaml`), 'utf8');
}

export function example(name: string): Site {
  const r = loadSiteYaml(exampleText(name));
  if (!r.ok) throw new Error(`example ${name} does not load: ${r.findings.map((f) => f.message).join('; ')}`);
  return r.site;
}

/** An interrupted apply (no run-end) and its resume. */
export function twoRuns(): JournalEvent[] {
  return [
    { t: '2026-05-01T10:00:00.000Z', run: 'run-A', kind: 'run-start', verb: 'apply' },
    { t: '2026-05-01T10:00:01.000Z', run: 'run-A', kind: 'step-end', host: 'pha-lb2', step: 'backup', title: 'Back up haproxy.cfg', result: 'ok', durationMs: 812, command: 'cp -p /etc/haproxy/haproxy.cfg /etc/haproxy/haproxy.cfg.printha-backup', output: '' },
    { t: '2026-05-01T10:00:02.000Z', run: 'run-A', kind: 'step-end', host: 'pha-lb2', step: 'upload', title: 'Upload haproxy.cfg', result: 'changed', durationMs: 1534, output: 'wrote 3331 bytes' },
    { t: '2026-05-01T10:05:00.000Z', run: 'run-B', kind: 'run-start', verb: 'apply', message: 'resume' },
    { t: '2026-05-01T10:05:03.000Z', run: 'run-B', kind: 'step-end', host: 'pha-lb2', step: 'reload', title: 'Reload HAProxy', result: 'changed', durationMs: 2210, command: 'systemctl reload haproxy', output: 'reloaded' },
    { t: '2026-05-01T10:05:04.000Z', run: 'run-B', kind: 'note', host: 'pha-lb1', message: 'VIP stays on pha-lb1' },
    { t: '2026-05-01T10:05:09.000Z', run: 'run-B', kind: 'run-end', verb: 'apply', result: 'ok', message: 'every host serves the new configuration' },
  ];
}

export function samplePlan(site: string): Plan {
  return {
    site,
    createdAt: '2026-05-01T09:59:00.000Z',
    order: ['pha-lb2', 'pha-lb1'],
    upToDate: false,
    notes: [],
    hosts: [
      {
        host: 'pha-lb2',
        role: 'balancer',
        address: '10.99.0.12',
        steps: [{ id: 'upload', title: 'Upload haproxy.cfg', kind: 'upload', changes: true, command: 'sftp put haproxy.cfg' }],
        diffs: [{ path: '/etc/haproxy/haproxy.cfg', before: 'old\n', after: 'new\n', unified: '--- a\n+++ b\n-old\n+new\n' }],
        changes: [{ name: 'OptionalNames', before: ['OLD'], after: ['OLD', 'Dispatcher'] }],
        upToDate: false,
        notes: ['secondary first'],
      },
    ],
  };
}

export function sampleVerify(site: string): VerifyReport {
  return {
    site,
    startedAt: '2026-05-01T10:06:00.000Z',
    durationMs: 4200,
    ok: true,
    checks: [{ id: 'tcp:10.99.0.10:445', category: 'tcp', target: '10.99.0.10:445', expectation: 'open', observation: 'open', status: 'pass', evidence: [] }],
    overview: [
      {
        label: 'PrintServers',
        ip: '10.99.0.10',
        ports: '445',
        conns: 0,
        protocol: 'TCP',
        method: 'Layer 7',
        mode: 'SNAT',
        reals: [{ label: 'PS1', ip: '10.99.0.21', ports: '445', weight: 100, conns: 0, state: 'up' }],
      },
    ],
    shares: [{ via: '\\\\10.99.0.10', shares: ['KM-C458-Finance'] }],
  };
}

/**
 * References in an HTML page that would load something from outside it: src/href/... attributes of
 * any tag and url()/@import in <style> blocks and style attributes, unless they are "#fragment" or
 * "data:". Text content (escaped, e.g. code in <pre>) cannot load anything and is not looked at.
 */
export function externalRefs(html: string): string[] {
  const out: string[] = [];
  const local = (v: string) => v.startsWith('#') || v.startsWith('data:');
  const css: string[] = [...html.matchAll(/<style\b[^>]*>([\s\S]*?)<\/style>/gi)].map((m) => m[1]!);
  for (const tag of html.matchAll(/<[A-Za-z][^>]*>/g)) {
    const t = tag[0];
    if (/^<(script|link|iframe|object|embed|img|base|meta\s+http-equiv="refresh")\b/i.test(t)) out.push(t);
    for (const m of t.matchAll(/\s(src|href|xlink:href|action|formaction|srcset|poster|data|background|ping)\s*=\s*("([^"]*)"|'([^']*)'|([^\s>]+))/gi)) {
      const v = m[3] ?? m[4] ?? m[5] ?? '';
      if (!local(v)) out.push(m[0].trim());
    }
    for (const m of t.matchAll(/\sstyle\s*=\s*"([^"]*)"/gi)) css.push(m[1]!);
  }
  for (const c of css) {
    for (const m of c.matchAll(/url\(\s*["']?([^"')]*)/gi)) if (!local(m[1]!.trim())) out.push(m[0]);
    for (const m of c.matchAll(/@import\b[^;]*/gi)) out.push(m[0]);
  }
  // Belt and braces: no absolute or protocol-relative URL in any attribute value at all.
  for (const tag of html.matchAll(/<[A-Za-z][^>]*>/g))
    for (const m of tag[0].matchAll(/\s([\w:-]+)\s*=\s*["']?((?:https?:)?\/\/[^"'\s>]*)/gi)) if (m[1]!.toLowerCase() !== 'xmlns') out.push(m[0].trim());
  return out;
}

/** Distinctive secrets for the no-secret-in-any-export checks. */
export const SSH_SECRET = 'Sshpw-Marmalade-4417';
export const WIN_SECRET = 'Winpw-Gondola+Kestrel/92';

/** Every file under dir, recursively (text as latin1 so binary files are searched too). */
export function filesUnder(dir: string): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out.push({ path: p, text: readFileSync(p).toString('latin1') });
    }
  };
  walk(dir);
  return out;
}

/** The places a secret was found (in any encoding a document might use). */
export function leaks(texts: { path: string; text: string }[], secrets: string[]): string[] {
  const forms = secrets.flatMap((s) => [s, encodeURIComponent(s), s.replace(/[&<>"'+/]/g, (c) => `&#${c.charCodeAt(0)};`), Buffer.from(s).toString('base64').slice(0, 16)]);
  const found: string[] = [];
  for (const t of texts) for (const f of forms) if (t.text.includes(f)) found.push(`${t.path} contains ${JSON.stringify(f)}`);
  return found;
}

