/**
 * Issue 16, "Secrets": the Windows password must not reach PowerShell's logs. Real pwsh 7 with
 * script block logging (event 4104, invocation logging too), module logging of every module (4103:
 * every cmdlet's parameter values) and transcription switched on in its `powershell.config.json`
 * (`pwsh -SettingsFile`, so the installed $PSHOME is not touched), driven by PrintHA's real
 * PowerShellRunner, which gets a random secret and uses it.
 *
 * On Linux pwsh writes those events to syslog(3), i.e. datagrams to /dev/log, and this machine runs no
 * syslog daemon. The runner is therefore pointed at a small wrapper as its "pwsh": it enters a private
 * mount namespace (`unshare --mount --propagation private`, root needed) in which /dev is a tmpfs of
 * links to the real devices plus /dev/log, a bind mount of a Unix datagram socket the test's receiver
 * (python3: node cannot bind AF_UNIX datagram sockets) has bound; then it execs pwsh with the settings
 * file. Nothing is mounted outside that namespace; it ends with the pwsh process.
 *
 * Positive controls first (the capture works, so the test can fail): a literal in a script's text is
 * in the captured script block log, the base64 of a value decoded in a script (PrintHA's old way of
 * passing the password) is too, and that value, passed to a cmdlet, is in the module log and the
 * transcript. Then the secret: none of its forms is anywhere in the log or the transcripts, also after
 * decoding every base64 token in them — while the script block that read it over the secret pipe is.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PowerShellRunner } from '../../electron/core/powershell/runner.js';
import { requirePwsh } from '../support/pwsh.js';

const pwsh = requirePwsh();

/** Receives syslog datagrams on a Unix socket; appends each to a file, ended by RS + newline. */
const RECEIVER = [
  'import os, socket, sys',
  'path, out = sys.argv[1], sys.argv[2]',
  's = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)',
  's.bind(path)',
  'os.chmod(path, 0o666)',
  "f = open(out, 'ab', buffering=0)",
  "print('ready', flush=True)",
  'while True:',
  '    f.write(s.recv(1 << 20) + b"\\x1e\\n")',
].join('\n');

const RS = '\u001e\n';

const shq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

function which(cmd: string): string | undefined {
  const r = spawnSync('/bin/sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() || undefined : undefined;
}

/** Random text with what makes a password awkward (quotes, $, backtick, non-ASCII), no single quote. */
function randomSecret(tag: string): string {
  return `${tag}${randomBytes(12).toString('hex')}-Pä$$ w0rd"\`;€ ${randomBytes(6).toString('base64').replace(/\W/g, 'x')}`;
}

/** The forms of a text that must not be in a log: itself, base64 of UTF-8 and UTF-16LE, hex. */
function forms(s: string): Record<string, string> {
  const u8 = Buffer.from(s, 'utf8');
  const u16 = Buffer.from(s, 'utf16le');
  return {
    plain: s,
    'base64 (UTF-8)': u8.toString('base64'),
    'base64 (UTF-16LE)': u16.toString('base64'),
    'hex (UTF-8)': u8.toString('hex'),
    'HEX (UTF-8)': u8.toString('hex').toUpperCase(),
    'hex (UTF-16LE)': u16.toString('hex'),
  };
}

/** Every base64 token of the text, decoded as UTF-8 and as UTF-16LE. */
function decodedTokens(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/[A-Za-z0-9+/]{12,}={0,2}/g)) {
    const b = Buffer.from(m[0], 'base64');
    out.push(b.toString('utf8'), b.toString('utf16le'));
  }
  return out;
}

/** Where each form of `s` occurs in the named texts: "<text name>: <form> in «…excerpt…»". */
function leaks(s: string, texts: Record<string, string>): string[] {
  const found: string[] = [];
  for (const [name, text] of Object.entries(texts)) {
    for (const [form, v] of Object.entries(forms(s))) {
      const i = text.indexOf(v);
      if (i >= 0) found.push(`${name}: ${form} in «${text.slice(Math.max(0, i - 300), i + v.length + 100)}»`);
    }
    const dec = decodedTokens(text).find((d) => d.includes(s));
    if (dec !== undefined) found.push(`${name}: inside a base64 token, decoded: «${dec.slice(0, 600)}»`);
  }
  return found;
}

let dir = '';
let receiver: ChildProcess | undefined;
let runner: PowerShellRunner | undefined;
const logFile = (): string => join(dir, 'syslog.txt');
const syslog = (): string => (existsSync(logFile()) ? readFileSync(logFile(), 'utf8') : '');
/** The captured syslog entries (one datagram each). */
const entries = (): string[] =>
  syslog()
    .split(RS)
    .filter((e) => e.length > 0);

function transcripts(): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out[p.slice(dir.length + 1)] = readFileSync(p, 'utf8');
    }
  };
  if (existsSync(join(dir, 'transcripts'))) walk(join(dir, 'transcripts'));
  return out;
}

async function waitFor(what: string, ok: () => boolean, ms = 15_000): Promise<void> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const json = (expr: string): string => `ConvertTo-Json -InputObject (${expr}) -Compress`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'printha-sblog-'));
  const unshare = which('unshare');
  const mount = which('mount');
  if (!unshare || !mount)
    throw new Error("this test needs unshare and mount (util-linux, mount: .ci/apt-packages.txt) to capture pwsh's syslog");
  // Fail (not skip) when a private mount namespace with tmpfs and bind mounts cannot be made here.
  mkdirSync(join(dir, 'probe'));
  const probe = spawnSync(
    unshare,
    [
      '--mount',
      '--propagation',
      'private',
      '/bin/sh',
      '-c',
      'mount -t tmpfs printha-probe "$1" && mount --bind "$1" "$1"',
      'sh',
      join(dir, 'probe'),
    ],
    {
      encoding: 'utf8',
    },
  );
  if (probe.status !== 0)
    throw new Error(
      `this test must run as root (it captures pwsh's syslog in a private mount namespace), and \`unshare --mount\` with tmpfs/bind mounts failed: ${(probe.stderr || probe.error?.message || `exit ${probe.status}`).trim()}`,
    );

  // The syslog receiver.
  const sock = join(dir, 'log.sock');
  receiver = spawn('python3', ['-u', '-c', RECEIVER, sock, logFile()], { stdio: ['ignore', 'pipe', 'pipe'] });
  let rout = '';
  receiver.stdout!.on('data', (d: Buffer) => (rout += d.toString()));
  receiver.stderr!.on('data', (d: Buffer) => (rout += d.toString()));
  const spawnError = new Promise<never>((_, rej) =>
    receiver!.once('error', (e) => rej(new Error(`python3 (the syslog receiver) did not start: ${e.message}`))),
  );
  await Promise.race([
    spawnError,
    waitFor('the syslog receiver (python3)', () => rout.includes('ready') || receiver!.exitCode !== null, 10_000),
  ]);
  if (!rout.includes('ready')) throw new Error(`the syslog receiver did not start: ${rout.trim()}`);

  // pwsh's settings: every log on, as verbose as it goes.
  mkdirSync(join(dir, 'transcripts'));
  writeFileSync(
    join(dir, 'powershell.config.json'),
    JSON.stringify(
      {
        LogLevel: 'Verbose',
        LogChannels: 'Operational,Analytic',
        PowerShellPolicies: {
          ScriptBlockLogging: { EnableScriptBlockLogging: true, EnableScriptBlockInvocationLogging: true },
          ModuleLogging: { EnableModuleLogging: true, ModuleNames: ['*'] },
          Transcription: { EnableTranscripting: true, EnableInvocationHeader: true, OutputDirectory: join(dir, 'transcripts') },
        },
      },
      null,
      2,
    ),
  );
  // The "pwsh" the runner starts: node-powershell's arguments are passed on after -SettingsFile.
  mkdirSync(join(dir, 'realdev'));
  const wrapper = join(dir, 'pwsh-logged');
  writeFileSync(
    wrapper,
    [
      '#!/bin/sh',
      'PATH="$PATH:/usr/sbin:/usr/bin:/sbin:/bin"; export PATH',
      `exec ${shq(unshare)} --mount --propagation private /bin/sh -c '`,
      'set -e',
      'd=$1; p=$2; shift 2',
      'mount --rbind /dev "$d/realdev"',
      'mount -t tmpfs -o mode=755 printha-dev /dev',
      'for e in "$d"/realdev/*; do ln -s "$e" "/dev/${e##*/}"; done',
      ': > /dev/log',
      'mount --bind "$d/log.sock" /dev/log',
      'exec "$p" -SettingsFile "$d/powershell.config.json" "$@"',
      `' printha-logged-pwsh ${shq(dir)} ${shq(pwsh)} "$@"`,
      '',
    ].join('\n'),
  );
  chmodSync(wrapper, 0o755);
  runner = new PowerShellRunner({ path: wrapper, kind: 'pwsh' });
}, 30_000);

afterAll(async () => {
  await runner?.close();
  if (receiver && receiver.exitCode === null) receiver.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the Windows password and PowerShell logging (real pwsh, logging on, syslog captured)', () => {
  const marker = randomSecret('marker-');
  const decoy = randomSecret('decoy-');
  const secret = randomSecret('secret-');
  const end = `printha-end-${randomBytes(8).toString('hex')}`;

  it('positive controls: a literal, a base64 payload and a cmdlet parameter value reach the captured logs', async () => {
    const r = runner!;
    const v = await r.run(
      [
        `$phaMarker = '${marker}'`,
        // how PrintHA passed the password before: base64 in the script, decoded into a variable
        `$phaDecoy = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('${Buffer.from(decoy, 'utf8').toString('base64')}'))`,
        'Write-Output -InputObject $phaDecoy',
        json("[pscustomobject]@{ kind = 'control'; n = $phaMarker.Length + $phaDecoy.Length }"),
      ].join('\n'),
      { timeoutMs: 60_000 },
    );
    expect(v.value).toEqual({ kind: 'control', n: marker.length + decoy.length });
    await waitFor('the control script block in the captured syslog', () => syslog().includes(marker));

    const compiled = entries().filter((e) => e.includes('[ScriptBlock_Compile_Detail:'));
    // the script as logged (event 4104 "Creating Scriptblock text"), with the literal verbatim
    expect(compiled.some((e) => e.includes(`$phaMarker = '${marker}'`))).toBe(true);
    // the old way's payload is in the log as base64, which the scan of decoded tokens finds
    expect(leaks(decoy, { syslog: syslog() }).some((l) => l.startsWith('syslog: base64 (UTF-8)'))).toBe(true);
    // module logging (event 4103): the value a cmdlet was given, in plain text
    expect(
      entries().some(
        (e) => e.includes('[Pipeline_Detail:') && e.includes(`ParameterBinding(Write-Output): name="InputObject"; value="${decoy}"`),
      ),
    ).toBe(true);
    // the transcript: the value in the output
    expect(Object.values(transcripts()).some((t) => t.includes(decoy))).toBe(true);
  });

  it('the secret given to the runner is used in pwsh, and is in no log: script block, module, transcript', async () => {
    const r = runner!;
    const v = await r.run(
      [
        '$phaB = [Runtime.InteropServices.Marshal]::SecureStringToBSTR($phaSecret)',
        'try { $phaPlain = [Runtime.InteropServices.Marshal]::PtrToStringBSTR($phaB) } finally { [Runtime.InteropServices.Marshal]::ZeroFreeBSTR($phaB) }',
        "$phaHash = -join ([Security.Cryptography.SHA256]::Create().ComputeHash([Text.Encoding]::UTF8.GetBytes($phaPlain)) | ForEach-Object { $_.ToString('x2') })",
        // what the engine does with it: a credential for a remote session
        "$phaCred = New-Object -TypeName System.Management.Automation.PSCredential -ArgumentList @('PRINT\\svc-printha', $phaSecret)",
        json(
          "[pscustomobject]@{ kind = 's'; type = $phaSecret.GetType().FullName; sha = $phaHash; user = $phaCred.UserName; len = $phaCred.GetNetworkCredential().Password.Length }",
        ),
      ].join('\n'),
      { timeoutMs: 60_000, secret },
    );
    expect(v.value).toEqual({
      kind: 's',
      type: 'System.Security.SecureString',
      sha: createHash('sha256').update(secret, 'utf8').digest('hex'),
      user: 'PRINT\\svc-printha',
      len: secret.length,
    });
    // a last script, so that everything before it has been received
    await r.run(`Write-Output -InputObject '${end}'\n${json("[pscustomobject]@{ kind = 'end' }")}`, { timeoutMs: 60_000 });
    await waitFor('the last script block in the captured syslog', () => syslog().includes(end));
    await waitFor('the last script in the transcript', () => Object.values(transcripts()).some((t) => t.includes(end)));
    await r.close();

    const all = entries();
    const compiled = all.filter((e) => e.includes('[ScriptBlock_Compile_Detail:'));
    // The block that read the secret over the pipe and used it was logged, in full...
    expect(compiled.some((e) => e.includes('NamedPipeClientStream') && e.includes('$phaSecret.MakeReadOnly()'))).toBe(true);
    expect(compiled.some((e) => e.includes('SecureStringToBSTR($phaSecret)'))).toBe(true);
    // ...so was the credential's construction with its values (module logging): the SecureString by type only
    expect(
      all.some((e) =>
        e.includes('ParameterBinding(New-Object): name="ArgumentList"; value="PRINT\\svc-printha, System.Security.SecureString"'),
      ),
    ).toBe(true);
    const tr = transcripts();
    expect(Object.keys(tr).length).toBeGreaterThan(0);
    // ...and the password is nowhere: not as text, base64 (UTF-8, UTF-16LE), hex, nor inside a base64 token.
    expect(leaks(secret, { syslog: syslog(), ...tr })).toEqual([]);
    // the secret was really exercised by the runner, so its redactor knows it (sanity of the setup)
    expect(r.redact(`x${secret}x`)).toBe('x[REDACTED]x');
  });
});
