/**
 * Contract test: the generated lbcli calls against the lab's strict lbcli test double
 * (test/lab/lbcli/lbcli.py, run in its LBCLI_ROOT sandbox: files only, no services). Every call is
 * accepted, a second run is idempotent ("exists" for adds), and dumpconfig read back with
 * parseDumpconfig matches wantedLbcliState.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDumpconfig, parseLbcliReply } from '../../../shared/render/lbcli-status.js';
import { LBCLI_PATH, lbcliCommands, lbcliPortsEqual, renderLbcliScript, wantedLbcliState } from '../../../shared/render/lbcli.js';
import { GOLDEN, ROOT } from './balancer-sites.js';

const EMULATOR = join(ROOT, 'test', 'lab', 'lbcli', 'lbcli.py');
const hasPython = spawnSync('python3', ['--version']).status === 0;
const canRun = hasPython && existsSync(EMULATOR);
if (!canRun) console.warn(`lbcli emulator contract test skipped: ${hasPython ? `${EMULATOR} is missing` : 'python3 is not installed'}`);

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function sandbox(): string {
  const d = mkdtempSync(join(tmpdir(), 'printha-lbemu-'));
  dirs.push(d);
  return d;
}

function lbcli(root: string, args: string[]): string {
  const r = spawnSync('python3', [EMULATOR, ...args], { encoding: 'utf8', env: { ...process.env, LBCLI_ROOT: root } });
  return r.stdout + r.stderr;
}

describe.skipIf(!canRun)('generated lbcli calls against the lab lbcli emulator', { timeout: 180_000 }, () => {
  // Each emulator call is a python start (and haproxy -c for Layer 7): two sets cover L7 connect
  // checks and L4 external checks; lbcli.sh covers the Phoenix DR set.
  for (const [set, twice] of [
    ['phoenix-snat', false],
    ['paragon-dr', true],
  ] as const) {
    it(`${set}: accepted${twice ? ', idempotent' : ''}, and read back as wanted`, () => {
      const r = GOLDEN[set]!();
      const root = sandbox();
      const cmds = lbcliCommands(r);
      for (const c of cmds) {
        const reply = parseLbcliReply(lbcli(root, c.argv.slice(1)));
        expect(reply.status, `${c.purpose}: ${reply.message}`).toBe('success');
      }
      // Second run: adds answer "exists", edits and reloads succeed.
      for (const c of twice ? cmds : []) {
        const reply = parseLbcliReply(lbcli(root, c.argv.slice(1)));
        const action = c.argv[2]!;
        expect(reply.status, `${c.purpose}: ${reply.message}`).toBe(action.startsWith('add-') ? 'exists' : 'success');
      }
      const existing = parseDumpconfig(lbcli(root, ['--action', 'list', '--function', 'dumpconfig']));
      const wanted = wantedLbcliState(r);
      expect(existing.map((v) => v.label)).toEqual(wanted.vips.map((v) => v.label));
      for (const w of wanted.vips) {
        const e = existing.find((v) => v.label === w.label)!;
        expect(e.layer).toBe(w.layer);
        expect(e.ip).toBe(w.ip);
        expect(lbcliPortsEqual(e.ports, w.ports), `${e.ports} vs ${w.ports}`).toBe(true);
        if (w.layer === 4) expect(e.forwarding).toBe('gate');
        expect(e.reals.map((x) => [x.label, x.ip])).toEqual(w.reals.map((x) => [x.label, x.ip]));
      }
    });
  }

  it('lbcli.sh itself runs to the end against the emulator (phoenix-dr)', () => {
    const root = sandbox();
    const shim = join(root, 'lbcli-shim');
    writeFileSync(shim, `#!/bin/sh\nexec python3 ${EMULATOR} "$@"\n`, { mode: 0o755 });
    const script = join(root, 'lbcli.sh');
    writeFileSync(
      script,
      renderLbcliScript(GOLDEN['phoenix-dr']!())
        .split(LBCLI_PATH)
        .join(shim)
        .split('/var/log/nodestatus_local')
        .join(join(root, 'nodestatus_local'))
        .split('CONF=/etc/loadbalancer.org/lb_config.xml')
        .join(`CONF=${join(root, 'etc/loadbalancer.org/lb_config.xml')}`),
    );
    const env = { ...process.env, LBCLI_ROOT: root, PRINTHA_BACKUP_DIR: join(root, 'backups') };
    const res = spawnSync('sh', [script], { encoding: 'utf8', env });
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(res.stdout).toContain("Layer 4 VIP 'Dispatcher' added");
    expect(parseDumpconfig(lbcli(root, ['--action', 'list', '--function', 'dumpconfig'])).map((v) => v.label)).toEqual(['PrintServers', 'Dispatcher']);
  });
});
