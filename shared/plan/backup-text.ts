/**
 * What the backup step shows as its command (plan, journal, runbook). The driver runs BACKUP_SCRIPT
 * (electron/core/drivers/remote.ts): each managed path that exists is copied with `cp -a` under the
 * backup directory at its own path, the missing ones are listed in ABSENT (a rollback removes them),
 * the services' state goes to SERVICES, and MANIFEST is written last, so a backup without MANIFEST is
 * known to be incomplete. The text says that, instead of a one-liner the node never runs.
 */
import { shellJoin } from '../quote/posix.js';

export function backupCommandText(dir: string, paths: readonly string[]): string {
  return `mkdir -p ${shellJoin([dir])}; for each of ${shellJoin([...paths])}: cp -a <path> ${dir}<path> (absent: listed in ABSENT); MANIFEST last`;
}
