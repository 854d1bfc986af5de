/**
 * `printha pack`: the offline script pack as one zip — README.md (the manual runbook),
 * printha-run.ps1, the balancer files, per server prepare.ps1/verify.ps1, dns/record.ps1, the site
 * file, results/ and manifest.json (sha256 of every file). PowerShell scripts with non-ASCII text
 * get a UTF-8 BOM (Windows PowerShell 5.1 reads BOM-less files as the ANSI code page).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { resolveSite } from '../../../shared/model/resolve.js';
import { packFiles, type PackFile } from '../../../shared/pack/pack.js';
import type { Site } from '../../../shared/site/schema.js';
import { SecretSet } from '../runner/redact.js';
import { zipFiles } from './zip.js';

export interface PackManifest {
  generator: 'PrintHA';
  kind: 'script-pack';
  site: string;
  generatedAt: string;
  files: { path: string; sha256: string; bytes: number; description: string }[];
}

export interface BuiltPack {
  zip: Buffer;
  files: PackFile[];
  manifest: PackManifest;
}

function fileBytes(f: PackFile): Buffer {
  const text = Buffer.from(f.content, 'utf8');
  // eslint-disable-next-line no-control-regex
  if (f.path.endsWith('.ps1') && /[^\x00-\x7f]/.test(f.content) && !f.content.startsWith('\uFEFF')) return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), text]);
  return text;
}

export interface PackOptions {
  siteText: string;
  siteFile?: string;
  generatedAt?: string;
  env?: NodeJS.ProcessEnv;
  /** Fixed zip timestamps (reproducible packs in tests). */
  mtime?: Date;
}

export function buildPack(site: Site, opts: PackOptions): BuiltPack {
  const generatedAt = opts.generatedAt ?? new Date().toISOString();
  const files = packFiles({ resolved: resolveSite(site), siteText: opts.siteText, siteFile: opts.siteFile ?? 'site.yaml', generatedAt });
  const secrets = new SecretSet().addFromEnv(opts.env ?? process.env);
  const leaking = files.filter((f) => secrets.foundIn(f.content)).map((f) => f.path);
  if (leaking.length)
    throw new Error(`The pack would contain a password from the environment (in ${leaking.join(', ')}): the site file must not hold credentials; remove it there and pack again.`);
  const entries = files.map((f) => ({ file: f, path: f.path, data: f.path.endsWith('/') ? undefined : fileBytes(f), mode: f.mode }));
  const manifest: PackManifest = {
    generator: 'PrintHA',
    kind: 'script-pack',
    site: site.name,
    generatedAt,
    files: entries.flatMap((e) => (e.data ? [{ path: e.path, sha256: sha256Bytes(e.data), bytes: e.data.length, description: e.file.description }] : [])),
  };
  const manifestText = JSON.stringify(manifest, null, 2) + '\n';
  const zip = zipFiles([...entries.map(({ path, data, mode }) => ({ path, mode, ...(data ? { data } : {}) })), { path: 'manifest.json', data: manifestText, mode: 0o644 }], opts.mtime ? { mtime: opts.mtime } : {});
  return { zip, files, manifest };
}

function sha256Bytes(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

export function writePack(outPath: string, pack: BuiltPack): { path: string; bytes: number } {
  const out = resolve(outPath);
  mkdirSync(dirname(out), { recursive: true });
  const tmp = `${out}.tmp-${process.pid}`;
  writeFileSync(tmp, pack.zip, { mode: 0o644 });
  renameSync(tmp, out);
  return { path: out, bytes: pack.zip.length };
}
