/** Reading a site file for a CLI verb: unreadable, not a regular file or too large -> UsageError (exit 2). */
import { SITE_LIMITS } from '../../shared/site/load.js';
import { readRegularFileSync, SafeFsError } from '../core/safe-fs.js';
import { UsageError } from './types.js';

export async function readSiteText(path: string | undefined, usage: string): Promise<string> {
  if (!path) throw new UsageError(`Missing the site file.\nUsage: ${usage}`);
  try {
    // A FIFO or a device is refused before any read (it would hang); the size limit is the loader's.
    return readRegularFileSync(path, SITE_LIMITS.maxBytes, 'site file').toString('utf8');
  } catch (e) {
    if (e instanceof SafeFsError)
      throw new UsageError(
        e.message.replace(
          /^Cannot read site file "(.*)": it is a directory, not a regular file\.$/,
          'Cannot read site file "$1": it is a directory.',
        ),
      );
    throw e;
  }
}
