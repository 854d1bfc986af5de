/**
 * Reading input files and creating output folders without hanging: a FIFO, a device or a socket
 * given as a site file or found in a results folder is refused (opened non-blocking and checked with
 * fstat before any read, so there is no window between the check and the read), files are read up to
 * a limit, and output folders are created one level at a time (Node's recursive mkdir loops forever
 * under /proc).
 */
import { closeSync, constants, fstatSync, mkdirSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';

export class SafeFsError extends Error {}

function kind(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

function errno(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT'
    ? 'no such file'
    : code === 'EACCES' || code === 'EPERM'
      ? 'permission denied'
      : code === 'ELOOP'
        ? 'a symbolic link loop'
        : String(code ?? (e instanceof Error ? e.message : e));
}

/**
 * The bytes of a regular file of at most maxBytes. Throws SafeFsError with one line naming the file
 * and what is wrong (not a regular file, too large with the limit, unreadable).
 */
export function readRegularFileSync(path: string, maxBytes: number, what = 'file'): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    throw new SafeFsError(`Cannot read ${what} "${path}": ${errno(e)}.`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new SafeFsError(`Cannot read ${what} "${path}": it is ${kind(st)}, not a regular file.`);
    if (st.size > maxBytes) throw new SafeFsError(`Cannot read ${what} "${path}": it has ${st.size} bytes; the limit is ${maxBytes}.`);
    const buf = Buffer.alloc(st.size + 1);
    let n = 0;
    for (;;) {
      const r = readSync(fd, buf, n, buf.length - n, null);
      if (r === 0) break;
      n += r;
      if (n > maxBytes)
        throw new SafeFsError(`Cannot read ${what} "${path}": it grew past the limit of ${maxBytes} bytes while being read.`);
      if (n === buf.length) break;
    }
    return buf.subarray(0, n);
  } catch (e) {
    if (e instanceof SafeFsError) throw e;
    throw new SafeFsError(`Cannot read ${what} "${path}": ${errno(e)}.`);
  } finally {
    closeSync(fd);
  }
}

/** Creates dir and its missing parents one level at a time; one line naming the folder on failure. */
export function mkdirSafe(dir: string): void {
  const full = resolve(dir);
  const missing: string[] = [];
  let cur = full;
  for (;;) {
    let st: Stats | undefined;
    try {
      st = statSync(cur);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
        throw new SafeFsError(`Cannot create the folder "${dir}": ${errno(e)} at "${cur}".`);
    }
    if (st) {
      if (!st.isDirectory()) throw new SafeFsError(`Cannot create the folder "${dir}": "${cur}" is ${kind(st)}.`);
      break;
    }
    missing.unshift(cur);
    const up = dirname(cur);
    if (up === cur) break;
    cur = up;
  }
  for (const m of missing) {
    try {
      mkdirSync(m);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST' && statSync(m).isDirectory()) continue;
      throw new SafeFsError(`Cannot create the folder "${dir}": ${errno(e)} at "${m}".`);
    }
  }
}
