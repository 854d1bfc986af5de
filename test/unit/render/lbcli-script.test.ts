/**
 * balancer/lbcli.sh run for real by /bin/sh against a fake lbcli that logs its argv and answers
 * with canned replies, plus the property that every command line parses back to the exact argv.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { resolveSite } from '../../../shared/model/resolve.js';
import { HALFOPEN_CHECK_SCRIPT } from '../../../shared/render/checkscript.js';
import { LBCLI_PATH, LB_CHECK_DIR, halfOpenCheckScript, halfOpenCheckScripts, lbcliCommands, lbcliScriptLine, renderLbcliScript } from '../../../shared/render/lbcli.js';
import { SiteSchema, type SiteInput } from '../../../shared/site/schema.js';
import { ROOT, resolved } from './balancer-sites.js';

const base = mkdtempSync(join(tmpdir(), 'printha-lbcli-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

const FAKE_LBCLI = `#!/bin/sh
# Test double: logs argv (NUL-separated, record separator \\036), answers from replies/<action> or success.
for a in "$@"; do printf '%s\\0' "$a" >> "$LBCLI_LOG"; done
printf '\\036\\0' >> "$LBCLI_LOG"
f="$LBCLI_REPLIES/$2"
if [ -f "$f" ]; then cat "$f"; else printf '%s\\n' '{"lbcli":[{"status":"success"}]}'; fi
`;

interface Sandbox {
  dir: string;
  script: string;
  log: string;
  replies: string;
  checkDir: string;
  peerDir: string;
  backupDir: string;
  nodestatus: string;
}

let n = 0;
function sandbox(text: string): Sandbox {
  const dir = join(base, `run${n++}`);
  const sb: Sandbox = {
    dir,
    script: join(dir, 'lbcli.sh'),
    log: join(dir, 'lbcli.log'),
    replies: join(dir, 'replies'),
    checkDir: join(dir, 'check'),
    peerDir: join(dir, 'peer'),
    backupDir: join(dir, 'backups'),
    nodestatus: join(dir, 'nodestatus_local'),
  };
  mkdirSync(sb.replies, { recursive: true });
  mkdirSync(sb.peerDir);
  writeFileSync(join(dir, 'lbcli'), FAKE_LBCLI, { mode: 0o755 });
  writeFileSync(join(dir, 'lb_config.xml'), '<config/>\n');
  const patched = text
    .split(LBCLI_PATH)
    .join(join(dir, 'lbcli'))
    .split(`CHECK_DIR=${LB_CHECK_DIR}`)
    .join(`CHECK_DIR=${sb.checkDir}`)
    .split('CONF=/etc/loadbalancer.org/lb_config.xml')
    .join(`CONF=${join(dir, 'lb_config.xml')}`)
    .split('/var/log/nodestatus_local')
    .join(sb.nodestatus)
    .split('scp -p "$CHECK_DIR/$f" "lbslave:$CHECK_DIR/$f"')
    .join(`cp -p "$CHECK_DIR/$f" "${sb.peerDir}/$f"`);
  expect(patched).not.toContain(LBCLI_PATH);
  writeFileSync(sb.script, patched);
  return sb;
}

function run(sb: Sandbox, env: Record<string, string> = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync('sh', [sb.script], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LBCLI_LOG: sb.log, LBCLI_REPLIES: sb.replies, PRINTHA_BACKUP_DIR: sb.backupDir, ...env },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The argv of every fake lbcli call, in order. */
function calls(sb: Sandbox): string[][] {
  if (!existsSync(sb.log)) return [];
  const parts = readFileSync(sb.log, 'utf8').split('\0');
  const out: string[][] = [];
  let cur: string[] = [];
  for (const p of parts.slice(0, -1)) {
    if (p === '\x1e') {
      out.push(cur);
      cur = [];
    } else cur.push(p);
  }
  return out;
}

describe('lbcli.sh against a fake lbcli', () => {
  let sb: Sandbox;
  const r = resolved('phoenix-dr.yaml');
  const cmds = lbcliCommands(r);
  beforeEach(() => {
    sb = sandbox(renderLbcliScript(r));
  });

  it('runs every command with exactly its argv and backs up lb_config.xml first', () => {
    const res = run(sb);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(calls(sb)).toEqual(cmds.map((c) => c.argv.slice(1)));
    expect(res.stdout).toContain('==> add Layer 4 VIP PrintServers');
    const backups = readdirSync(sb.backupDir);
    expect(backups).toHaveLength(1);
    expect(readFileSync(join(sb.backupDir, backups[0]!), 'utf8')).toBe('<config/>\n');
  });

  it('goes on when lbcli says "exists" (JSON or the old plain text) and after a banner line', () => {
    writeFileSync(join(sb.replies, 'add-vip'), 'Loadbalancer.org lbcli v8\n{"lbcli":{"status":"exists"}}\n');
    writeFileSync(join(sb.replies, 'add-rip'), 'Real server PS1  exists\n');
    writeFileSync(join(sb.replies, 'edit-vip'), '{\n  "lbcli": [\n    {\n      "status": "success"\n    }\n  ]\n}\n');
    const res = run(sb);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(calls(sb)).toHaveLength(cmds.length);
  });

  it('stops at the first failed step, names it, and runs nothing after it', () => {
    writeFileSync(join(sb.replies, 'edit-vip'), 'banner\n[{"lbcli":[{"status":"failed","message":"bad option"}]}]\n');
    const res = run(sb);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('stopped at step "set VIP PrintServers');
    expect(res.stderr).toContain('status "failed"');
    expect(res.stdout).toContain('bad option');
    expect(calls(sb).map((a) => a[1])).toEqual(['add-vip', 'edit-vip']);
  });

  it('stops on a reply without JSON, and on any non-success status among several', () => {
    writeFileSync(join(sb.replies, 'add-rip'), 'Segmentation fault\n');
    let res = run(sb);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('no JSON status');
    expect(calls(sb).map((a) => a[1])).toEqual(['add-vip', 'edit-vip', 'add-rip']);

    sb = sandbox(renderLbcliScript(r));
    writeFileSync(join(sb.replies, 'restart-ldirectord'), '{"lbcli":[{"status":"success"},{"status":"missing"}]}\n');
    res = run(sb);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('status "missing"');
    expect(res.stderr).toContain('restart ldirectord');
  });

  it('refuses to run on a passive appliance unless PRINTHA_FORCE=1', () => {
    writeFileSync(sb.nodestatus, 'passive\n');
    let res = run(sb);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('reports "passive", not "active"');
    expect(calls(sb)).toEqual([]);
    res = run(sb, { PRINTHA_FORCE: '1' });
    expect(res.code).toBe(0);
    writeFileSync(sb.nodestatus, 'active\n');
    expect(run(sb).code).toBe(0);
  });
});

describe('lbcli.sh with external checks (Paragon)', () => {
  it('installs the shipped probe and one wrapper per VIP (0755), copies them to the peer, then configures', () => {
    const r = resolved('paragon.yaml');
    const sb = sandbox(renderLbcliScript(r));
    const res = run(sb);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const names = ['printha-halfopen-check', ...halfOpenCheckScripts(r).map((s) => s.name)];
    for (const name of names) {
      const p = join(sb.checkDir, name);
      expect(statSync(p).mode & 0o777).toBe(0o755);
      expect(readFileSync(join(sb.peerDir, name), 'utf8')).toBe(readFileSync(p, 'utf8'));
    }
    expect(readFileSync(join(sb.checkDir, 'printha-halfopen-check'), 'utf8')).toBe(HALFOPEN_CHECK_SCRIPT.replace(/\n?$/, '\n'));
    for (const s of halfOpenCheckScripts(r)) expect(readFileSync(join(sb.checkDir, s.name), 'utf8')).toBe(s.content);
    expect(readdirSync(sb.checkDir).filter((f) => f.startsWith('.'))).toEqual([]);
    expect(calls(sb)).toEqual(lbcliCommands(r).map((c) => c.argv.slice(1)));
  });
});

const hasPython = spawnSync('python3', ['-c', 'import socket'], { encoding: 'utf8' }).status === 0;
if (!hasPython) console.warn('lbcli wrapper end-to-end test skipped: python3 (needed by the shipped probe) is not installed');

describe('per-VIP check wrapper with the real probe (127.0.0.1)', () => {
  it.skipIf(!hasPython)('trusts the first probe, reports failures, warms up for NEED probes after a fall', async () => {
    const listen = (port = 0): Promise<Server> =>
      new Promise((res, rej) => {
        const s = createServer((c) => c.destroy());
        s.once('error', rej);
        s.listen(port, '127.0.0.1', () => res(s));
      });
    let srv = await listen();
    const port = (srv.address() as { port: number }).port;
    const r = resolved('paragon.yaml', (s) => {
      s.overrides = { terminal: { passivePorts: '50000-50010', checkPorts: [port], checkIntervalSeconds: 5, riseSeconds: 10, fall: 2 } };
    });
    const w = halfOpenCheckScript(r, r.vips[0]!);
    expect(w.needSuccesses).toBe(3);
    const dir = join(base, 'wrapper');
    mkdirSync(dir);
    const file = join(dir, w.name);
    const probe = join(ROOT, 'resources', 'checks', 'printha-halfopen-check');
    expect(existsSync(probe)).toBe(true);
    writeFileSync(
      file,
      w.content.replace(`PROBE=${LB_CHECK_DIR}/printha-halfopen-check`, `PROBE=${probe}`).replace('STATE_DIR=/var/run/printha-checks', `STATE_DIR=${join(dir, 'state')}`),
    );
    chmodSync(file, 0o755);
    const check = (): number => spawnSync('sh', [file, '10.20.0.10', '21', '127.0.0.1', '0'], { encoding: 'utf8' }).status ?? -1;
    expect(spawnSync('sh', [file], { encoding: 'utf8' }).status).toBe(2);
    expect(check()).toBe(0); // first probe, listener up: up
    await new Promise<void>((res) => srv.close(() => res()));
    expect(check()).toBe(1); // refused: reported down at once (the balancer counts its own failures)
    expect(check()).toBe(1); // second failure = fall: the probe now counts the server as down
    srv = await listen(port);
    expect(check()).toBe(1); // warming up 1/3
    expect(check()).toBe(1); // 2/3
    expect(check()).toBe(0); // 3/3: up
    expect(check()).toBe(0);
    await new Promise<void>((res) => srv.close(() => res()));
    expect(readdirSync(join(dir, 'state'))).toEqual([`ParagonTerminal_127.0.0.1.state`]);
  });
});

// --- property: every command line of lbcli.sh parses back to its exact argv -----------------------

const label = fc.stringMatching(/^[A-Za-z0-9_-]{1,32}$/);
const portSpec = fc.oneof(
  fc.integer({ min: 1, max: 65535 }),
  fc.tuple(fc.integer({ min: 1, max: 65000 }), fc.integer({ min: 0, max: 200 })).map(([a, d]) => `${a}-${a + d}`),
);
const ip = fc.oneof(fc.ipV4(), fc.ipV6());

const siteArb = fc
  .record({
    profile: fc.constantFrom('dispatcher-phoenix', 'dispatcher-paragon', 'print-server'),
    mode: fc.constantFrom('dr', 'snat'),
    name: fc.string({ unit: 'binary', maxLength: 60 }).filter((s) => s.length > 0),
    vip: ip,
    servers: fc.uniqueArray(fc.record({ label, address: ip, weight: fc.integer({ min: 0, max: 256 }) }), { minLength: 1, maxLength: 4, selector: (s) => s.label }),
    ports: fc.array(portSpec, { minLength: 1, maxLength: 5 }),
    checkPorts: fc.option(fc.uniqueArray(fc.integer({ min: 1, max: 65535 }), { minLength: 1, maxLength: 3 }), { nil: undefined }),
    persistence: fc.integer({ min: 0, max: 600 }),
    scheduler: fc.constantFrom('lc', 'wlc', 'rr', 'wrr'),
    secondary: fc.boolean(),
  })
  .map((x) => {
    const svc = x.profile === 'dispatcher-phoenix' ? 'sec-workflow' : x.profile === 'dispatcher-paragon' ? 'terminal' : 'print-server';
    const input: SiteInput = {
      version: 1,
      name: x.name,
      profile: x.profile,
      mode: x.mode,
      vip: x.vip,
      shareName: 'Print',
      network: { prefixLength: 24 },
      balancer: {
        platform: 'loadbalancer-org',
        primary: { address: '10.0.0.2' },
        ...(x.secondary ? { secondary: { address: '10.0.0.3' } } : {}),
      },
      servers: x.servers,
      windows: { transport: 'winrm', user: 'CORP\\deploy' },
      overrides: {
        [svc]: {
          ports: x.ports,
          persistenceMinutes: x.persistence,
          scheduler: x.scheduler,
          ...(x.checkPorts ? { checkPorts: x.checkPorts } : {}),
          ...(svc === 'terminal' ? { passivePorts: '50000-50100' } : {}),
        },
      },
    };
    return input;
  })
  .filter((s) => SiteSchema.safeParse(s).success)
  .map((s) => resolveSite(SiteSchema.parse(s)));

describe('property: lbcli.sh lines round-trip through a real POSIX shell', () => {
  it('every run line is parsed by sh into exactly ["run", purpose, ...argv]; the whole script parses (sh -n)', () => {
    fc.assert(
      fc.property(siteArb, (r) => {
        const cmds = lbcliCommands(r);
        const text = renderLbcliScript(r);
        const lines = cmds.map(lbcliScriptLine);
        // The script holds exactly these lines, in this order.
        expect(text.split('\n').filter((l) => l.startsWith('run '))).toEqual(lines);
        const prog = lines.map((l) => `set -- ${l}; for a in "$@"; do printf '%s\\0' "$a"; done; printf '\\036\\0'`).join('\n');
        const out = execFileSync('sh', ['-c', prog], { encoding: 'utf8' });
        const groups: string[][] = [];
        let cur: string[] = [];
        for (const p of out.split('\0').slice(0, -1)) {
          if (p === '\x1e') {
            groups.push(cur);
            cur = [];
          } else cur.push(p);
        }
        expect(groups).toEqual(cmds.map((c) => ['run', c.purpose, ...c.argv]));
        const syntax = spawnSync('sh', ['-n'], { input: text, encoding: 'utf8' });
        expect(syntax.stderr).toBe('');
        expect(syntax.status).toBe(0);
        // Free text (the site name) never leaves a comment line: the code lines do not depend on it.
        const code = (t: string): string[] => t.split('\n').filter((l) => !l.startsWith('#'));
        expect(code(text)).toEqual(code(renderLbcliScript({ ...r, site: { ...r.site, name: 'x' } })));
      }),
      { numRuns: 60 },
    );
  });
});
