/**
 * bench/apply (lab): wall time of `printha apply examples/lab-snat.yaml --yes --only balancer` from a
 * clean lab (the CLI as a user runs it, from inside pha-client, process start-up included), the SSH
 * connections, commands and uploads it used (SshPool counters, printed), against the same push done
 * by the Ansible playbook bench/ansible/apply-lab-snat.yml (copy the same rendered files with a
 * backup, validate each on the node, reload) against the same nodes. Alternating, medians; the lab's
 * balancers are reset to their clean state (not timed) before every run, and every run's result is
 * checked (the nodes hold the rendered haproxy.cfg and keepalived.conf afterwards).
 *
 * Ansible runs with its defaults (one SSH ControlMaster per host, kept for the run) except that its
 * control sockets go to a fresh directory per run, so no run reuses the previous run's connections,
 * and `serial: 1` (one node after the other, secondary first: the order PrintHA uses on an HA pair).
 * The same playbook with both nodes at once (`serial_n=2`) is reported too, as information, and so
 * is a routine change (the applied site with a longer persistence: haproxy.cfg only) pushed by each.
 * PrintHA does more than the playbook: it confirms the new HAProxy worker on every node and waits
 * until exactly one node holds the VIP. From the lab's initial keepalived.conf that wait includes a
 * VRRP election (keepalived 2.2 re-enters BACKUP on a reload that changes the instance).
 * Target: PrintHA at least 3x faster than the playbook, with one SSH connection per node.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderSite } from '../shared/render/index.js';
import { validateSiteYaml } from '../shared/rules/index.js';
import { CLIENT_NETNS, labEnv, labIsUp, labUnavailableReason, nodeIp, type LabEnv, type LabNode } from '../test/lab/lab.js';
import { nodeFile, resetBalancers } from '../test/integration/appliance-lab.js';
import { median, round, type BenchResults } from './lib.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SITE = join(ROOT, 'examples', 'lab-snat.yaml');
const PLAYBOOK = join(ROOT, 'bench', 'ansible', 'apply-lab-snat.yml');
const ORDER: readonly LabNode[] = ['pha-lb2', 'pha-lb1'];

export const title = 'apply';

/** Also time `npm run printha` under tsx (a checkout, not what ships): PRINTHA_BENCH_APPLY_TSX=1 (keeps `npm run bench` under 10 min). */
const WITH_TSX = process.env.PRINTHA_BENCH_APPLY_TSX === '1';

export function unavailable(): string | undefined {
  const why = labUnavailableReason();
  if (why) return `needs the lab: ${why}`;
  if (spawnSync('sh', ['-c', 'command -v ansible-playbook']).status !== 0) return 'ansible-playbook is not installed (apt: ansible), so the baseline cannot run';
  return undefined;
}

interface Timed {
  ms: number;
  code: number;
  stdout: string;
  stderr: string;
}

function timed(argv: readonly string[], env: NodeJS.ProcessEnv, cwd = ROOT): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(argv[0]!, argv.slice(1), { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += String(d)));
    child.stderr.on('data', (d: Buffer) => (stderr += String(d)));
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: performance.now() - t0, code: code ?? -1, stdout, stderr }));
  });
}

/** sshd logins on a node so far ("Accepted publickey" lines of its log). */
function logins(env: LabEnv, node: LabNode): number {
  try {
    return readFileSync(join(env.PRINTHA_LAB_DIR, 'nodes', node, 'var-log', 'sshd.log'), 'utf8')
      .split('\n')
      .filter((l) => l.includes('Accepted publickey')).length;
  } catch {
    return 0;
  }
}

/** The nodes hold the rendered files (a run that did not push them does not count). */
async function checkPushed(files: Record<string, string>, who: string): Promise<void> {
  // (files: the render of the site that was pushed)
  for (const n of ORDER) {
    const cfg = await nodeFile(n, '/etc/haproxy/haproxy.cfg');
    const ka = await nodeFile(n, '/etc/keepalived/keepalived.conf');
    const bad = [cfg !== files['balancer/haproxy.cfg'] ? `haproxy.cfg (${cfg?.length ?? 'absent'} bytes, want ${files['balancer/haproxy.cfg']?.length})` : '', ka !== files[`balancer/keepalived-${n}.conf`] ? `keepalived.conf (${ka?.slice(0, 60) ?? 'absent'})` : ''].filter(Boolean);
    if (bad.length) throw new Error(`${who} did not leave the rendered configuration on ${n}: ${bad.join(', ')}`);
  }
}

interface SshCount {
  connections: number;
  commands: number;
  uploads: number;
}

export async function run(): Promise<BenchResults> {
  const why = unavailable();
  if (why) throw new Error(why);
  if (!(await labIsUp())) throw new Error('the lab is not up: start it with `npm run lab:up` (Linux, root), or run the bench through `npm run bench` which brings it up');
  const env = await labEnv();
  const dir = mkdtempSync(join(tmpdir(), 'printha-bench-apply-'));
  const log = (s: string): void => void process.stderr.write(`bench apply: ${s}\n`);
  try {
    // The files both tools push: PrintHA's own render of the site.
    const render = (text: string, out: string): Record<string, string> => {
      const v = validateSiteYaml(text);
      if (!v.ok || !v.site) throw new Error(`the bench site does not validate: ${v.findings.map((f) => f.message).join('; ')}`);
      const files: Record<string, string> = {};
      for (const a of renderSite(v.site, v.findings)) {
        files[a.path] = a.content;
        mkdirSync(join(dir, out, dirname(a.path)), { recursive: true });
        writeFileSync(join(dir, out, a.path), a.content);
      }
      return files;
    };
    const siteText = readFileSync(SITE, 'utf8');
    const files = render(siteText, 'render');
    // A routine change on top of an applied site: a longer persistence (only haproxy.cfg changes).
    const changedSite = join(dir, 'lab-snat-changed.yaml');
    const changedText = siteText.replace(/\nwindows:/, '\noverrides:\n  print-server: { persistenceMinutes: 45 }\nwindows:');
    writeFileSync(changedSite, changedText);
    const files2 = render(changedText, 'render2');
    if (files2['balancer/haproxy.cfg'] === files['balancer/haproxy.cfg'] || files2['balancer/keepalived-pha-lb1.conf'] !== files['balancer/keepalived-pha-lb1.conf'])
      throw new Error('the changed bench site should change haproxy.cfg only');
    const kh = join(dir, 'known_hosts');
    copyFileSync(env.PRINTHA_LAB_KNOWN_HOSTS, kh);
    const inventory = join(dir, 'inventory.ini');
    writeFileSync(
      inventory,
      [
        '[balancers]',
        ...ORDER.map((n) => `${n} ansible_host=${nodeIp(n)} node_name=${n}`),
        '[balancers:vars]',
        'ansible_user=root',
        `ansible_ssh_private_key_file=${env.PRINTHA_SSH_KEY}`,
        `ansible_ssh_common_args='-o UserKnownHostsFile=${kh} -o StrictHostKeyChecking=yes'`,
        'ansible_python_interpreter=/usr/bin/python3',
        '',
      ].join('\n'),
    );

    // The CLI as it ships (one bundled JS file, run by node) and as `npm run printha` runs it in a
    // checkout (tsx transpiles every module at start-up, which costs seconds on a busy machine).
    const built = join(ROOT, 'out', 'bench-cli', 'electron', 'cli', 'main.mjs');
    const esb = spawnSync(join(ROOT, 'node_modules', '.bin', 'esbuild'), ['electron/cli/main.ts', '--bundle', '--platform=node', '--format=esm', '--packages=external', '--log-level=error', `--outfile=${built}`], { cwd: ROOT, encoding: 'utf8' });
    if (esb.status !== 0) throw new Error(`bundling the CLI with esbuild failed: ${esb.stderr.trim()}`);
    const launchers = { built: ['node', built], tsx: [join(ROOT, 'node_modules', '.bin', 'tsx'), 'electron/cli/main.ts'] };

    const printha = async (i: number, how: keyof typeof launchers, site = SITE, want = files): Promise<{ ms: number; ssh: Record<string, SshCount> }> => {
      const r = await timed(['ip', 'netns', 'exec', CLIENT_NETNS, ...launchers[how], 'apply', site, '--yes', '--only', 'balancer', '--json'], {
        ...process.env,
        PRINTHA_SSH_KEY: env.PRINTHA_SSH_KEY,
        PRINTHA_KNOWN_HOSTS: kh,
        PRINTHA_STATE_DIR: join(dir, `state-${how}-${i}`),
        SSH_AUTH_SOCK: '',
      });
      if (r.code !== 0) throw new Error(`printha apply failed (exit ${r.code}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
      const out = JSON.parse(r.stdout) as { changed: boolean; ssh: Record<string, SshCount> };
      if (!out.changed) throw new Error('printha apply changed nothing: the lab was not reset');
      await checkPushed(want, 'printha apply');
      return { ms: r.ms, ssh: out.ssh };
    };
    const ansible = async (i: number, serial: number, render = 'render', want = files): Promise<number> => {
      const cp = join(dir, `cp-${i}-${serial}-${render}`);
      mkdirSync(cp, { recursive: true });
      const r = await timed(['ip', 'netns', 'exec', CLIENT_NETNS, 'ansible-playbook', '-i', inventory, PLAYBOOK, '-e', `files_dir=${join(dir, render)}`, '-e', `serial_n=${serial}`], {
        ...process.env,
        ANSIBLE_SSH_CONTROL_PATH_DIR: cp,
        ANSIBLE_HOME: join(dir, 'ansible-home'),
        ANSIBLE_LOCAL_TEMP: join(dir, 'ansible-tmp'),
        ANSIBLE_NOCOLOR: '1',
        ANSIBLE_RETRY_FILES_ENABLED: 'false',
        ANSIBLE_DEPRECATION_WARNINGS: 'false',
      });
      if (r.code !== 0) throw new Error(`ansible-playbook failed (exit ${r.code}): ${(r.stdout + r.stderr).trim().split('\n').slice(-6).join(' | ')}`);
      await checkPushed(want, 'the Ansible playbook');
      return r.ms;
    };

    const reps = Math.max(1, Number(process.env.PRINTHA_BENCH_APPLY_REPS ?? 3));
    const ours: number[] = [];
    const oursTsx: number[] = [];
    const theirs: number[] = [];
    const theirsParallel: number[] = [];
    const oursChange: number[] = [];
    const theirsChange: number[] = [];
    let ssh: Record<string, SshCount> = {};
    const ansibleLogins: number[] = [];
    const ourLogins: number[] = [];
    for (let i = 0; i < reps; i++) {
      await resetBalancers();
      let before = ORDER.map((n) => logins(env, n));
      const p = await printha(i, 'built');
      ourLogins.push(...ORDER.map((n, k) => logins(env, n) - before[k]!));
      ours.push(p.ms);
      ssh = p.ssh;
      if (WITH_TSX) {
        await resetBalancers();
        oursTsx.push((await printha(i, 'tsx')).ms);
      }
      await resetBalancers();
      before = ORDER.map((n) => logins(env, n));
      theirs.push(await ansible(i, 1));
      ansibleLogins.push(...ORDER.map((n, k) => logins(env, n) - before[k]!));
      await resetBalancers();
      theirsParallel.push(await ansible(i, 2));
      // the routine change: the site is applied (untimed), then the changed site is pushed (timed)
      await resetBalancers();
      await printha(i + 1000, 'built');
      oursChange.push((await printha(i + 2000, 'built', changedSite, files2)).ms);
      await resetBalancers();
      await ansible(i + 1000, 1);
      theirsChange.push(await ansible(i + 2000, 1, 'render2', files2));
      log(`rep ${i + 1}/${reps}: printha ${round(p.ms / 1000)} s${WITH_TSX ? ` (under tsx ${round(oursTsx.at(-1)! / 1000)} s)` : ''}, ansible ${round(theirs.at(-1)! / 1000)} s (both nodes at once ${round(theirsParallel.at(-1)! / 1000)} s); routine change: printha ${round(oursChange.at(-1)! / 1000)} s, ansible ${round(theirsChange.at(-1)! / 1000)} s`);
    }
    await resetBalancers();

    for (const [k, s] of Object.entries(ssh)) log(`printha SSH ${k}: ${s.connections} connection(s), ${s.commands} command(s), ${s.uploads} upload(s)`);
    log(`sshd logins per node per run: printha ${ourLogins.join(',')}; ansible ${ansibleLogins.join(',')}`);
    const a = median(ours);
    const b = median(theirs);
    const c = median(theirsParallel);
    const ch = median(oursChange);
    const thc = median(theirsChange);
    const perNode = Object.values(ssh).map((s) => s.connections);
    const maxConn = Math.max(...perNode);
    const cmds = Object.values(ssh).map((s) => s.commands);
    const ups = Object.values(ssh).map((s) => s.uploads);
    return {
      'apply-lab-snat': {
        value: round(a / 1000),
        unit: 's',
        baseline: round(b / 1000),
        ratio: round(b / a),
        target: '>=3x faster',
        ok: b / a >= 3,
        note: `printha apply as shipped (bundled CLI run by node, start-up included) vs ansible-playbook bench/ansible/apply-lab-snat.yml (copy+validate+reload, one node at a time), clean lab each run, median of ${reps}`,
      },
      'apply-ssh-per-node': {
        value: maxConn,
        unit: 'conn',
        target: '1 per node',
        ok: perNode.length === ORDER.length && perNode.every((x) => x === 1) && ourLogins.every((x) => x === 1),
        note: `PrintHA per node: ${perNode.join('/')} connection(s), ${cmds.join('/')} command(s), ${ups.join('/')} upload(s); sshd logins per node per run: PrintHA ${median(ourLogins)}, Ansible ${median(ansibleLogins)}`,
      },
      ...(WITH_TSX
        ? {
            'apply-lab-snat-tsx': {
              value: round(median(oursTsx) / 1000),
              unit: 's',
              baseline: round(b / 1000),
              ratio: round(b / median(oursTsx)),
              target: 'info',
              ok: true,
              note: 'the same apply through `npm run printha` in a checkout (tsx transpiles the sources at every start)',
            },
          }
        : {}),
      'apply-routine-change': {
        value: round(ch / 1000),
        unit: 's',
        baseline: round(thc / 1000),
        ratio: round(thc / ch),
        target: 'info',
        ok: true,
        note: 'the applied site changed (print-server persistence 30 -> 45 min: haproxy.cfg only, no VRRP change), pushed by each tool',
      },
      'apply-vs-ansible-parallel': {
        value: round(a / 1000),
        unit: 's',
        baseline: round(c / 1000),
        ratio: round(c / a),
        target: 'info',
        ok: true,
        note: 'the same playbook with both nodes at once (serial_n=2), which PrintHA does not do on an HA pair (secondary first)',
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
