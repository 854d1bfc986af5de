/**
 * The offline script pack's file list (pure): README.md (the manual runbook), printha-run.ps1, the
 * balancer files, per server prepare.ps1 + verify.ps1, dns/record.ps1, the site file and an empty
 * results/ folder. electron/core/pack adds manifest.json (sha256) and writes the zip.
 */
import type { ResolvedSite } from '../model/resolve.js';
import type { Artifact } from '../render/artifact.js';
import { siteArtifacts } from './files.js';
import { packReadme, RESULTS_DIR } from './readme.js';
import { RUNNER_NAME, RUNNER_SCRIPT } from './wrapper.js';

export interface PackFile {
  /** Forward slashes; ends with "/" for a directory. */
  path: string;
  content: string;
  /** Unix mode (0755 for shell and Python scripts). */
  mode: number;
  description: string;
}

export interface PackInput {
  resolved: ResolvedSite;
  /** The site file's text, shipped in the pack so `printha import` can run anywhere. */
  siteText: string;
  siteFile?: string;
  generatedAt: string;
  /** Defaults to siteArtifacts(resolved). */
  artifacts?: Artifact[];
}

export const RESULTS_README = `PrintHA results folder.
printha-run.ps1 writes one JSON file per script run here (e.g. PS1-prepare.json, PS1-verify.json).
Bring this folder back and run:  printha import <site.yaml> results/
`;

/** Text files the engineer opens on Windows (Notepad on Server 2012 needs CRLF). */
export function crlf(text: string): string {
  return text.replace(/\r?\n/g, '\r\n');
}

export function packFiles(input: PackInput): PackFile[] {
  const r = input.resolved;
  const artifacts = input.artifacts ?? siteArtifacts(r);
  const siteFile = input.siteFile ?? 'site.yaml';
  const out: PackFile[] = [
    { path: 'README.md', content: crlf(packReadme(r, artifacts, { siteFile, generatedAt: input.generatedAt })), mode: 0o644, description: 'The manual runbook: every step in order with its exact command' },
    { path: RUNNER_NAME, content: RUNNER_SCRIPT, mode: 0o644, description: 'Runs one script and saves its JSON result into results/' },
  ];
  for (const a of artifacts)
    out.push({ path: a.path, content: a.content, mode: a.language === 'sh' || a.language === 'python' ? 0o755 : 0o644, description: a.description });
  out.push({ path: siteFile, content: input.siteText, mode: 0o644, description: 'The site file' });
  out.push({ path: `${RESULTS_DIR}/`, content: '', mode: 0o755, description: 'Results written by the scripts' });
  out.push({ path: `${RESULTS_DIR}/README.txt`, content: crlf(RESULTS_README), mode: 0o644, description: 'What goes in results/' });
  return out;
}
