/** Reading a site file for a CLI verb: unreadable file -> UsageError (exit 2). */
import { readFile } from 'node:fs/promises';
import { UsageError } from './types.js';

export async function readSiteText(path: string | undefined, usage: string): Promise<string> {
  if (!path) throw new UsageError(`Missing the site file.\nUsage: ${usage}`);
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : String(code ?? e);
    throw new UsageError(`Cannot read site file "${path}": ${why}.`);
  }
}
