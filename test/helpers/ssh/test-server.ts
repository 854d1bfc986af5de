/**
 * An in-process ssh2 Server on 127.0.0.1 (random port) for tests of the SSH layer and drivers.
 *
 * - exec: runs the command line with `/bin/sh -c` locally (so quoting is tested for real), or a
 *   custom handler; records every command line, signal and auth attempt; counts TCP connections.
 * - SFTP (optional): backed by the real file system, OpenSSH-like (plain RENAME refuses to
 *   overwrite, no extensions), with fault injection for writes (e.g. "No space left on device").
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { timingSafeEqual } from 'node:crypto';
import { type AddressInfo } from 'node:net';
import { Server, utils, type AuthContext, type Connection, type ParsedKey, type ServerChannel, type SFTPWrapper } from 'ssh2';

const { STATUS_CODE, flagsToString } = utils.sftp;

export interface TestUser {
  password?: string;
  /** OpenSSH public key lines or parsed keys accepted for publickey auth */
  publicKeys?: (string | Buffer)[];
}

export interface TestServerOptions {
  /** host private key (OpenSSH/PEM) */
  hostKey: string | Buffer;
  users: Record<string, TestUser>;
  /** offer the SFTP subsystem (default true) */
  sftp?: boolean;
  /** Return an error message to fail a WRITE with SSH_FX_FAILURE (path, bytes written so far incl. this chunk). */
  failWrite?: (path: string, totalBytes: number) => string | null;
  /** Custom exec: return true when handled (write to channel, call exit/end yourself). */
  onExec?: (command: string, channel: ServerChannel) => boolean;
  /** working directory of exec'd commands and of SFTP's "." */
  cwd?: string;
}

export interface TestServer {
  port: number;
  /** TCP connections accepted */
  connections: number;
  authAttempts: { user: string; method: string }[];
  commands: string[];
  signals: string[];
  sftpSessions: number;
  sftpOps: string[];
  /** currently open SSH connections (server side) */
  open: Set<Connection>;
  /** close every client connection (simulates a network loss) */
  dropAll(): void;
  close(): Promise<void>;
}

function same(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function toAttrs(st: fs.Stats): { mode: number; uid: number; gid: number; size: number; atime: number; mtime: number } {
  return { mode: st.mode, uid: st.uid, gid: st.gid, size: st.size, atime: Math.floor(st.atimeMs / 1000), mtime: Math.floor(st.mtimeMs / 1000) };
}

function errnoToStatus(err: unknown): number {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return STATUS_CODE.NO_SUCH_FILE;
  if (code === 'EACCES' || code === 'EPERM') return STATUS_CODE.PERMISSION_DENIED;
  return STATUS_CODE.FAILURE;
}

function serveSftp(sftp: SFTPWrapper, opts: TestServerOptions, rec: TestServer): void {
  const handles = new Map<number, { fd: number; path: string; written: number; dir?: string[] }>();
  let next = 1;
  const hbuf = (n: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  const hget = (h: Buffer) => (h.length === 4 ? handles.get(h.readUInt32BE(0)) : undefined);
  const guard = (reqId: number, fn: () => void): void => {
    try {
      fn();
    } catch (err) {
      sftp.status(reqId, errnoToStatus(err), (err as Error).message);
    }
  };

  sftp.on('OPEN', (reqId, filename, flags, attrs) => {
    rec.sftpOps.push(`OPEN ${filename} ${flagsToString(flags)}`);
    guard(reqId, () => {
      const f = flagsToString(flags);
      if (!f) return sftp.status(reqId, STATUS_CODE.BAD_MESSAGE);
      const mode = typeof attrs?.mode === 'number' ? attrs.mode & 0o7777 : 0o644;
      const fd = fs.openSync(filename, f, mode);
      const id = next++;
      handles.set(id, { fd, path: filename, written: 0 });
      sftp.handle(reqId, hbuf(id));
    });
  });
  sftp.on('WRITE', (reqId, handle, offset, data) => {
    const h = hget(handle);
    if (!h) return sftp.status(reqId, STATUS_CODE.FAILURE, 'bad handle');
    guard(reqId, () => {
      const fail = opts.failWrite?.(h.path, h.written + data.length);
      if (fail) {
        // like a full disk: part of the data may be on disk already
        fs.writeSync(h.fd, data, 0, Math.floor(data.length / 2), offset);
        rec.sftpOps.push(`WRITE-FAIL ${h.path}`);
        return sftp.status(reqId, STATUS_CODE.FAILURE, fail);
      }
      fs.writeSync(h.fd, data, 0, data.length, offset);
      h.written += data.length;
      sftp.status(reqId, STATUS_CODE.OK);
    });
  });
  sftp.on('READ', (reqId, handle, offset, len) => {
    const h = hget(handle);
    if (!h) return sftp.status(reqId, STATUS_CODE.FAILURE, 'bad handle');
    guard(reqId, () => {
      const buf = Buffer.alloc(len);
      const n = fs.readSync(h.fd, buf, 0, len, offset);
      if (n === 0) return sftp.status(reqId, STATUS_CODE.EOF);
      sftp.data(reqId, buf.subarray(0, n));
    });
  });
  sftp.on('FSTAT', (reqId, handle) => {
    const h = hget(handle);
    if (!h) return sftp.status(reqId, STATUS_CODE.FAILURE, 'bad handle');
    guard(reqId, () => sftp.attrs(reqId, toAttrs(fs.fstatSync(h.fd))));
  });
  sftp.on('FSETSTAT', (reqId, handle, attrs) => {
    const h = hget(handle);
    if (!h) return sftp.status(reqId, STATUS_CODE.FAILURE, 'bad handle');
    rec.sftpOps.push(`FSETSTAT ${h.path} ${typeof attrs.mode === 'number' ? (attrs.mode & 0o7777).toString(8) : '-'}`);
    guard(reqId, () => {
      if (typeof attrs.uid === 'number' && typeof attrs.gid === 'number') fs.fchownSync(h.fd, attrs.uid, attrs.gid);
      if (typeof attrs.mode === 'number') fs.fchmodSync(h.fd, attrs.mode & 0o7777);
      sftp.status(reqId, STATUS_CODE.OK);
    });
  });
  sftp.on('CLOSE', (reqId, handle) => {
    const h = hget(handle);
    if (!h) return sftp.status(reqId, STATUS_CODE.FAILURE, 'bad handle');
    handles.delete(handle.readUInt32BE(0));
    rec.sftpOps.push(`CLOSE ${h.path}`);
    guard(reqId, () => {
      if (h.fd >= 0) fs.closeSync(h.fd);
      sftp.status(reqId, STATUS_CODE.OK);
    });
  });
  const statLike = (name: 'STAT' | 'LSTAT', fn: (p: string) => fs.Stats): void => {
    sftp.on(name, (reqId: number, path: string) => {
      rec.sftpOps.push(`${name} ${path}`);
      guard(reqId, () => sftp.attrs(reqId, toAttrs(fn(path))));
    });
  };
  statLike('STAT', (p) => fs.statSync(p));
  statLike('LSTAT', (p) => fs.lstatSync(p));
  sftp.on('SETSTAT', (reqId, path, attrs) => {
    guard(reqId, () => {
      if (typeof attrs.mode === 'number') fs.chmodSync(path, attrs.mode & 0o7777);
      sftp.status(reqId, STATUS_CODE.OK);
    });
  });
  sftp.on('REMOVE', (reqId, path) => {
    rec.sftpOps.push(`REMOVE ${path}`);
    guard(reqId, () => {
      fs.unlinkSync(path);
      sftp.status(reqId, STATUS_CODE.OK);
    });
  });
  sftp.on('RENAME', (reqId, oldPath, newPath) => {
    rec.sftpOps.push(`RENAME ${oldPath} ${newPath}`);
    guard(reqId, () => {
      // OpenSSH semantics: refuses to overwrite an existing target
      if (fs.existsSync(newPath)) return sftp.status(reqId, STATUS_CODE.FAILURE, 'target exists');
      fs.renameSync(oldPath, newPath);
      sftp.status(reqId, STATUS_CODE.OK);
    });
  });
  sftp.on('REALPATH', (reqId, path) => {
    guard(reqId, () => {
      const real = fs.realpathSync(path === '.' ? (opts.cwd ?? process.cwd()) : path);
      sftp.name(reqId, [{ filename: real, longname: real, attrs: toAttrs(fs.statSync(real)) }]);
    });
  });
  sftp.on('EXTENDED', (reqId, extName) => {
    rec.sftpOps.push(`EXTENDED ${extName}`);
    sftp.status(reqId, STATUS_CODE.OP_UNSUPPORTED);
  });
}

function runShell(command: string, channel: ServerChannel, cwd: string | undefined, onKill: (kill: (sig: NodeJS.Signals) => void) => void): void {
  const child = spawn('/bin/sh', ['-c', command], { cwd: cwd ?? process.cwd(), stdio: ['pipe', 'pipe', 'pipe'] });
  let done = false;
  onKill((sig) => {
    if (!done) child.kill(sig);
  });
  channel.pipe(child.stdin);
  child.stdin.on('error', () => undefined);
  child.stdout.on('data', (d: Buffer) => channel.write(d));
  child.stderr.on('data', (d: Buffer) => channel.stderr.write(d));
  channel.on('close', () => {
    if (!done) child.kill('SIGKILL');
  });
  child.on('close', (code, signal) => {
    done = true;
    try {
      if (signal) channel.exit(signal.replace(/^SIG/, ''), false, '');
      else channel.exit(code ?? 0);
      channel.end();
    } catch {
      /* client went away */
    }
  });
}

export async function startTestServer(opts: TestServerOptions): Promise<TestServer> {
  const open = new Set<Connection>();
  const rec: TestServer = {
    port: 0,
    connections: 0,
    authAttempts: [],
    commands: [],
    signals: [],
    sftpSessions: 0,
    sftpOps: [],
    open,
    dropAll: () => {
      for (const c of open) c.end();
    },
    close: () => Promise.resolve(),
  };
  const allowedKeys = new Map<string, ParsedKey[]>();
  for (const [user, u] of Object.entries(opts.users)) {
    const keys: ParsedKey[] = [];
    for (const k of u.publicKeys ?? []) {
      const parsed = utils.parseKey(k);
      if (parsed instanceof Error) throw parsed;
      keys.push(Array.isArray(parsed) ? (parsed[0] as ParsedKey) : parsed);
    }
    allowedKeys.set(user, keys);
  }

  const server = new Server({ hostKeys: [opts.hostKey] }, (client) => {
    rec.connections++;
    open.add(client);
    client.on('close', () => open.delete(client));
    client.on('error', () => undefined);
    client.on('authentication', (ctx: AuthContext) => {
      rec.authAttempts.push({ user: ctx.username, method: ctx.method });
      const user = opts.users[ctx.username];
      if (!user) return ctx.reject(['password', 'publickey']);
      if (ctx.method === 'password') {
        if (user.password !== undefined && same(Buffer.from(ctx.password), Buffer.from(user.password))) return ctx.accept();
        return ctx.reject(['password', 'publickey']);
      }
      if (ctx.method === 'publickey') {
        const key = (allowedKeys.get(ctx.username) ?? []).find((k) => k.type === ctx.key.algo && same(k.getPublicSSH(), ctx.key.data));
        if (!key) return ctx.reject(['password', 'publickey']);
        if (ctx.signature === undefined) return ctx.accept(); // key check only
        if (ctx.blob && key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true) return ctx.accept();
        return ctx.reject(['password', 'publickey']);
      }
      return ctx.reject(['password', 'publickey']);
    });
    client.on('ready', () => {
      client.on('session', (accept) => {
        const session = accept();
        let kill: ((sig: NodeJS.Signals) => void) | undefined;
        session.on('signal', (acc, _rej, info) => {
          rec.signals.push(info.name);
          acc?.();
          kill?.(`SIG${info.name.replace(/^SIG/, '')}` as NodeJS.Signals);
        });
        session.on('exec', (acc, _rej, info) => {
          rec.commands.push(info.command);
          const channel = acc();
          if (opts.onExec?.(info.command, channel)) return;
          runShell(info.command, channel, opts.cwd, (k) => (kill = k));
        });
        session.on('sftp', (acc, rej) => {
          if (opts.sftp === false) return rej();
          rec.sftpSessions++;
          serveSftp(acc(), opts, rec);
        });
        session.on('subsystem', (_acc, rej) => rej());
      });
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  rec.port = (server.address() as AddressInfo).port;
  rec.close = () =>
    new Promise<void>((resolve) => {
      for (const c of open) c.end();
      server.close(() => resolve());
    });
  return rec;
}
