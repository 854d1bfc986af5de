/**
 * Parsers for what HAProxy's runtime API (the admin / stats socket) prints, used to build the
 * balancer's own view of every real server (the guide's System Overview, seed 000 §12.2):
 *   - `show stat`            CSV, HAProxy management guide §9.1 (header line "# pxname,svname,...")
 *   - `show servers state`   version line "1", header "# be_id be_name ...", one line per server
 *   - `show table <name>`    "# table: NAME, type: ip, size:N, used:N" + "0x..: key=IP use=0 exp=N server_id=1 server_key=PS1"
 * The same parsers serve linux-haproxy (/run/haproxy/admin.sock) and a Loadbalancer.org appliance's
 * Layer 7 (/var/run/haproxy.stat). Samples captured from HAProxy 2.6.12 in the lab are in
 * test/fixtures/verify/.
 */
import type { RealServerState } from './report.js';

/** One CSV line, HAProxy style: fields separated by ",", a field with a comma or quote is quoted ("" = "). */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"') {
        if (line[i + 1] === '"') {
          cur += '"';
          i++;
        } else quoted = false;
      } else cur += c;
    } else if (c === '"' && cur === '') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

export interface StatRow {
  /** pxname: the listen/backend/frontend name (the VIP label). */
  proxy: string;
  /** svname: the server label, or FRONTEND / BACKEND. */
  server: string;
  /** Current sessions (scur). */
  scur: number;
  /** Total sessions (stot). */
  stot: number;
  /** status: UP, DOWN, MAINT, DRAIN, NOLB, "UP 1/3", "no check", "OPEN" (frontend). */
  status: string;
  weight: number;
  /** check_status: L4OK, L4CON, L4TOUT, SOCKERR, EXTOK... ("* " prefix while a check runs). */
  checkStatus: string;
  /** last_chk: the check's own words ("Connection refused", "External check error, code: 1"). */
  lastChk: string;
  /** tracked: "backend/server" this server follows, when it tracks another. */
  tracked: string;
  /** addr: "ip:port" of the server (HAProxy 2.0+). */
  addr: string;
  /** All columns by name, as printed. */
  fields: Record<string, string>;
}

/**
 * Parses `show stat` CSV. Lines before the header and blank lines are skipped; columns are taken
 * by name from the "# pxname,..." header, so HAProxy versions with more columns parse the same.
 */
export function parseShowStat(text: string): StatRow[] {
  let header: string[] | undefined;
  const rows: StatRow[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line.startsWith('# pxname')) {
      header = splitCsvLine(line.slice(2));
      continue;
    }
    if (!header || line.trim() === '' || line.startsWith('#')) continue;
    const f = splitCsvLine(line);
    const fields: Record<string, string> = {};
    header.forEach((h, i) => {
      if (h !== '') fields[h] = f[i] ?? '';
    });
    const num = (k: string): number => {
      const n = Number(fields[k]);
      return Number.isFinite(n) && fields[k] !== '' ? n : 0;
    };
    rows.push({
      proxy: fields.pxname ?? '',
      server: fields.svname ?? '',
      scur: num('scur'),
      stot: num('stot'),
      status: fields.status ?? '',
      weight: num('weight'),
      checkStatus: fields.check_status ?? '',
      lastChk: fields.last_chk ?? '',
      tracked: fields.tracked ?? '',
      addr: fields.addr ?? '',
      fields,
    });
  }
  return rows;
}

/** HAProxy `status` -> the report's state. "UP 1/3" (going down) is still up; "DOWN 1/2" (going up) still down. */
export function haproxyStatusToState(status: string): RealServerState {
  const s = status.trim().toUpperCase();
  if (s.startsWith('MAINT')) return 'maint';
  if (s.startsWith('DRAIN') || s.startsWith('NOLB')) return 'drain';
  if (s.startsWith('UP')) return 'up';
  if (s.startsWith('DOWN')) return 'down';
  return 'unknown';
}

/** The reason HAProxy gives for a server's state, in words (check result, last check text, transition). */
export function haproxyReason(row: StatRow): string | undefined {
  const parts: string[] = [];
  const st = row.status.trim();
  if (/^(UP|DOWN) \d+\/\d+$/.test(st)) parts.push(`checks in transition (${st})`);
  if (/^no check$/i.test(st)) parts.push('no health check');
  if (row.tracked) parts.push(`tracks ${row.tracked}`);
  const chk = row.checkStatus.replace(/^\*\s*/, '');
  if (chk) parts.push(chk + (row.lastChk ? `: ${row.lastChk}` : ''));
  else if (row.lastChk) parts.push(row.lastChk);
  if (/^MAINT/i.test(st) && !/via/i.test(st)) parts.push('set to maintenance (admin)');
  if (/^MAINT \(via/i.test(st)) parts.push(st);
  if (/^DRAIN/i.test(st)) parts.push('draining (admin): only persistent clients');
  return parts.length ? parts.join('; ') : undefined;
}

export interface ServerStateRow {
  backendId: number;
  backend: string;
  serverId: number;
  server: string;
  addr: string;
  /** srv_op_state: 0 stopped, 1 starting, 2 running, 3 stopping. */
  opState: number;
  /** srv_admin_state bits: 0x01 forced maint, 0x02 inherited maint, 0x04 config maint, 0x08 forced drain, 0x10 inherited drain, 0x20 resolution maint, 0x40 hostname maint. */
  adminState: number;
  weight: number;
  /** seconds since the last state change */
  sinceChange: number;
  fields: Record<string, string>;
}

/** Parses `show servers state` (format version 1). */
export function parseServersState(text: string): ServerStateRow[] {
  let header: string[] | undefined;
  const rows: ServerStateRow[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('# be_id')) {
      header = line.slice(2).split(/\s+/);
      continue;
    }
    if (!header || line === '' || line.startsWith('#') || /^\d+$/.test(line)) continue;
    const f = line.split(/\s+/);
    const fields: Record<string, string> = {};
    header.forEach((h, i) => (fields[h] = f[i] ?? ''));
    const n = (k: string): number => Number(fields[k] ?? 'NaN');
    rows.push({
      backendId: n('be_id'),
      backend: fields.be_name ?? '',
      serverId: n('srv_id'),
      server: fields.srv_name ?? '',
      addr: fields.srv_addr ?? '',
      opState: n('srv_op_state'),
      adminState: n('srv_admin_state'),
      weight: n('srv_uweight'),
      sinceChange: n('srv_time_since_last_change'),
      fields,
    });
  }
  return rows;
}

/** State of a `show servers state` row: admin maintenance and drain win over the operational state. */
export function serverStateToState(r: ServerStateRow): RealServerState {
  if (r.adminState & (0x01 | 0x02 | 0x04 | 0x20 | 0x40)) return 'maint';
  if (r.adminState & (0x08 | 0x10)) return 'drain';
  if (r.opState === 2 || r.opState === 1) return 'up';
  if (r.opState === 0 || r.opState === 3) return 'down';
  return 'unknown';
}

export interface StickEntry {
  key: string;
  serverId?: number;
  /** The server's name (HAProxy 2.4+ stores it; sharing a table across proxies relies on it). */
  serverKey?: string;
  /** ms until the entry expires */
  expMs?: number;
  fields: Record<string, string>;
}

export interface StickTable {
  name: string;
  type: string;
  size: number;
  used: number;
  entries: StickEntry[];
}

/** Parses `show table` (all tables, headers only) or `show table NAME` (with entries). */
export function parseShowTable(text: string): StickTable[] {
  const tables: StickTable[] = [];
  let cur: StickTable | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const h = /^# table: ([^,]+), type: ([^,]+), size:\s*(\d+), used:\s*(\d+)/.exec(line);
    if (h) {
      cur = { name: h[1]!, type: h[2]!, size: Number(h[3]), used: Number(h[4]), entries: [] };
      tables.push(cur);
      continue;
    }
    if (!cur || !/^0x[0-9a-f]+:/i.test(line)) continue;
    const fields: Record<string, string> = {};
    for (const m of line.matchAll(/(\w+)=(\S*)/g)) fields[m[1]!] = m[2]!;
    const e: StickEntry = { key: fields.key ?? '', fields };
    if (fields.server_id !== undefined) e.serverId = Number(fields.server_id);
    if (fields.server_key !== undefined) e.serverKey = fields.server_key;
    if (fields.exp !== undefined) e.expMs = Number(fields.exp);
    cur.entries.push(e);
  }
  return tables;
}
