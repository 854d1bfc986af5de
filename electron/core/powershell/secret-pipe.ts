/**
 * Hands one secret to the local PowerShell outside every script's text.
 *
 * PowerShell logs script blocks (event 4104) that look suspicious whatever the logging policy — a
 * block with `FromBase64String` does — and every block when script block logging is on. So the
 * Windows password must never be part of a script: the script only names a one-shot pipe (a Unix
 * socket in a private 0700 directory, a named pipe on Windows: both are what .NET's
 * NamedPipeClientStream connects to), sends the nonce it was given, and reads the secret's UTF-8
 * bytes straight into a SecureString. The server answers one connection that sends the right nonce,
 * then closes; the pipe name and nonce in the logged script are useless afterwards.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SecretPipe {
  /** What NamedPipeClientStream takes as its pipe name (a rooted socket path on Unix). */
  pipeName: string;
  nonce: string;
  /** Stops serving and removes the socket; safe to call twice. */
  close(): void;
}

/** Serves `secret` once, to the first client that sends `<nonce>\n`. */
export async function serveSecretOnce(secret: string, platform: NodeJS.Platform = process.platform): Promise<SecretPipe> {
  const nonce = randomBytes(16).toString('hex');
  const id = randomBytes(12).toString('hex');
  let dir: string | undefined;
  let listenPath: string;
  let pipeName: string;
  if (platform === 'win32') {
    pipeName = `printha-${id}`;
    listenPath = `\\\\.\\pipe\\${pipeName}`;
  } else {
    dir = mkdtempSync(join(tmpdir(), 'printha-')); // mode 0700: only this user can connect
    listenPath = join(dir, 's');
    pipeName = listenPath;
  }
  let served = false;
  const server: Server = createServer((sock: Socket) => {
    let got = '';
    sock.setTimeout(10_000, () => sock.destroy());
    sock.on('error', () => undefined);
    sock.on('data', (d) => {
      got += d.toString('latin1');
      if (got.length > 64) return sock.destroy();
      if (!got.includes('\n')) return;
      if (served || got.trim() !== nonce) return sock.destroy();
      served = true;
      sock.end(Buffer.from(secret, 'utf8'));
      close();
    });
  });
  const close = (): void => {
    server.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  };
  server.on('error', () => undefined);
  await new Promise<void>((res, rej) => {
    server.once('error', rej);
    server.listen(listenPath, () => {
      server.off('error', rej);
      res();
    });
  });
  server.unref();
  return { pipeName, nonce, close };
}

/**
 * PowerShell (3.0+) lines that read the secret from the pipe into the read-only SecureString
 * `$phaSecret`. Only ASCII hex and a path reach the text; `quote` is the PowerShell literal encoder.
 */
export function secretPipeLines(p: Pick<SecretPipe, 'pipeName' | 'nonce'>, quote: (s: string) => string): string {
  if (!/^[0-9a-f]{32}$/.test(p.nonce)) throw new Error('secretPipeLines: the nonce must be 32 hex digits');
  return [
    `$phaPipe = New-Object System.IO.Pipes.NamedPipeClientStream -ArgumentList @('.', ${quote(p.pipeName)}, [System.IO.Pipes.PipeDirection]::InOut)`,
    'try {',
    '  $phaPipe.Connect(10000)',
    `  $phaNonce = [System.Text.Encoding]::ASCII.GetBytes(${quote(p.nonce)} + [char]10)`,
    '  $phaPipe.Write($phaNonce, 0, $phaNonce.Length)',
    '  $phaPipe.Flush()',
    '  $phaBuf = New-Object System.IO.MemoryStream',
    '  $phaPipe.CopyTo($phaBuf)',
    '  $phaBytes = $phaBuf.ToArray()',
    '  $phaBuf.SetLength(0)',
    '} finally { $phaPipe.Dispose() }',
    '$phaChars = [System.Text.Encoding]::UTF8.GetChars($phaBytes)',
    '[Array]::Clear($phaBytes, 0, $phaBytes.Length)',
    '$phaSecret = New-Object System.Security.SecureString',
    'foreach ($phaChar in $phaChars) { $phaSecret.AppendChar($phaChar) }',
    '[Array]::Clear($phaChars, 0, $phaChars.Length)',
    '$phaSecret.MakeReadOnly()',
    "if ($phaSecret.Length -eq 0) { throw 'the secret did not arrive over the pipe' }",
  ].join('\n');
}
