/**
 * Where the half-open probe (resources/checks/printha-halfopen-check) lives on a balancer, and the
 * artifact that carries it. Both HAProxy (external-check, several half-open ports) and keepalived
 * (MISC_CHECK, DR mode) run it. See docs/HALF-OPEN.md for why and for the packet evidence.
 */
import type { Artifact } from './artifact.js';
import { HALFOPEN_CHECK_SCRIPT } from './checkscript.js';

/** Root-owned path (keepalived `enable_script_security` refuses scripts in writable directories). */
export const HALFOPEN_CHECK_PATH = '/usr/local/lib/printha/printha-halfopen-check';
/** tmpfs, root-only: the warm-up counters (keepalived runs the script as root). */
export const HALFOPEN_STATE_DIR = '/run/printha-checks';
/** HAProxy check-only backends are named `halfopen.<VIP label>.<port>[.<port>...]`; the script reads the ports from it. */
export const HALFOPEN_BACKEND_PREFIX = 'halfopen';

export { HALFOPEN_CHECK_SCRIPT };

/** Probe timeout (s) for one check: below the interval so a slow answer never overlaps the next check. */
export function halfOpenProbeTimeout(intervalSeconds: number): number {
  return Math.max(1, Math.min(3, intervalSeconds - 1));
}

/** The script as a balancer artifact (install mode 0755, owner root, at HALFOPEN_CHECK_PATH). */
export function halfOpenCheckArtifact(): Artifact {
  return {
    path: 'balancer/printha-halfopen-check',
    content: HALFOPEN_CHECK_SCRIPT,
    language: 'python',
    description: `Half-open TCP probe (SYN, SYN-ACK, RST) run by HAProxy/keepalived; install as ${HALFOPEN_CHECK_PATH} (root, 0755)`,
    target: 'balancer',
  };
}
