/** Tiny argv parser: positionals plus --flag / --key value / --key=value, with a declared option set. */
import { UsageError } from './types.js';

export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string | true>;
}

export function parseArgs(args: string[], spec: { flags?: string[]; options?: string[] }, usage: string): ParsedArgs {
  const flags = new Map<string, string | true>();
  const positionals: string[] = [];
  const known = new Set([...(spec.flags ?? []), ...(spec.options ?? [])]);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
      if (!known.has(name)) throw new UsageError(`Unknown option --${name}.\nUsage: ${usage}`);
      if (spec.options?.includes(name)) {
        const v = eq > 0 ? a.slice(eq + 1) : args[++i];
        if (v === undefined) throw new UsageError(`Option --${name} needs a value.\nUsage: ${usage}`);
        flags.set(name, v);
      } else flags.set(name, true);
    } else positionals.push(a);
  }
  return { positionals, flags };
}

export function opt(p: ParsedArgs, name: string): string | undefined {
  const v = p.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}
