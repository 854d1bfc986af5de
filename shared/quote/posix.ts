/**
 * The one POSIX shell quoting function. Every remote command is an argv array joined with this,
 * so labels, names and paths reach sh/bash as exactly the words we meant.
 */
const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

export function quotePosix(arg: string): string {
  if (arg.length > 0 && SAFE.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function shellJoin(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error('shellJoin: empty argv');
  return argv.map(quotePosix).join(' ');
}
