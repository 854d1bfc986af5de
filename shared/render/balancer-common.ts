/**
 * Small helpers the balancer generators (lbcli, tmsh, NetScaler) and the compliance table share,
 * so "which port is checked", "how many good probes make a warm-up" and "is this least
 * connections" are decided once.
 */
import type { CheckDef } from '../profiles/index.js';
import type { ResolvedVip } from '../model/resolve.js';
import { rangeSize, type PortRange } from '../site/ports.js';
import type { Scheduler } from '../site/schema.js';

/**
 * The ports a health check probes on each server. An empty check port list means "the port the
 * traffic uses"; balancers that need one number (a multi-port VIP, a monitor with a destination)
 * get the VIP's first port, so every generator probes the same thing.
 */
export function effectiveCheckPorts(v: ResolvedVip): number[] {
  if (v.check.ports.length > 0) return [...v.check.ports];
  const first = v.ports[0];
  return first ? [first.from] : [];
}

/**
 * Consecutive good probes that make the warm-up (rise); at least 1. The first good probe comes up to
 * one interval after the server starts answering, so N probes only guarantee (N-1) intervals:
 * ceil(riseSeconds / interval) + 1 probes guarantee at least riseSeconds (measured in the lab:
 * rise 3 at 5 s brought a server back after 14.6 s for riseSeconds 15; rise 4 after 15.9-17.8 s).
 */
export function riseCount(check: CheckDef): number {
  if (check.riseSeconds <= 0) return 1;
  return Math.ceil(check.riseSeconds / Math.max(1, check.intervalSeconds)) + 1;
}

/** Number of TCP ports the VIP balances (ranges counted in full). */
export function portCount(ports: readonly PortRange[]): number {
  return ports.reduce((n, r) => n + rangeSize(r), 0);
}

/** True for least-connection schedulers (lc, wlc). */
export function isLeastConn(s: Scheduler): boolean {
  return s === 'lc' || s === 'wlc';
}

/**
 * A site-file string (free text such as the site name) made safe for one comment line of a
 * generated file: control characters (newlines above all) become spaces, so text can never leave
 * the comment and become a command.
 */
export function commentText(s: string, max = 200): string {
  // eslint-disable-next-line no-control-regex
  const one = s.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 3)}...` : one;
}
