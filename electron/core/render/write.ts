/** Writes rendered artifacts to a directory with manifest.json (sha256 of every file). */
import { createHash } from 'node:crypto';
import { readFile, rm, writeFile, rename } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { Artifact } from '../../../shared/render/artifact.js';
import { mkdirSafe } from '../safe-fs.js';

export interface ManifestEntry {
  path: string;
  sha256: string;
  bytes: number;
  target: string;
  description: string;
}

export interface Manifest {
  generator: string;
  site: string;
  generatedAt: string;
  files: ManifestEntry[];
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Refuses paths that would leave the output directory (artifact paths come from labels). */
function safeJoin(root: string, rel: string): string {
  const full = resolve(root, rel);
  if (!full.startsWith(resolve(root) + sep)) throw new Error(`refusing to write outside the output directory: ${rel}`);
  return full;
}

async function writeAtomic(path: string, content: string, mode: number): Promise<void> {
  mkdirSafe(dirname(path));
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, content, { mode });
  await rename(tmp, path);
}

export async function writeArtifacts(outDir: string, artifacts: Artifact[], site: string, generatedAt: string): Promise<Manifest> {
  // One level at a time (mkdir { recursive } loops forever under /proc); one line on failure.
  mkdirSafe(outDir);
  // Files a previous render wrote and this one does not (e.g. a removed server) are deleted,
  // so the directory is exactly the manifest.
  try {
    const old = JSON.parse(await readFile(join(outDir, 'manifest.json'), 'utf8')) as Manifest;
    const keep = new Set(artifacts.map((a) => a.path));
    for (const f of old.files ?? []) if (!keep.has(f.path)) await rm(safeJoin(outDir, f.path), { force: true });
  } catch {
    /* no previous manifest */
  }
  const files: ManifestEntry[] = [];
  for (const a of artifacts) {
    const exec = a.language === 'sh' || a.language === 'python';
    await writeAtomic(safeJoin(outDir, a.path), a.content, exec ? 0o755 : 0o644);
    files.push({ path: a.path, sha256: sha256(a.content), bytes: Buffer.byteLength(a.content), target: a.target, description: a.description });
  }
  const manifest: Manifest = { generator: 'PrintHA', site, generatedAt, files };
  await writeAtomic(join(outDir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n', 0o644);
  return manifest;
}
