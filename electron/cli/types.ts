/** A CLI verb. Each verb lives in commands/<verb>.ts and registers in registry.ts. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  /** Asks a question on the terminal (hidden for secrets); undefined when not interactive. */
  prompt?(question: string, opts?: { secret?: boolean }): Promise<string>;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface CliCommand {
  name: string;
  /** One line for `printha help`. */
  summary: string;
  usage: string;
  /** More lines for `printha <verb> --help` (options, where an input file comes from). */
  details?: string;
  /**
   * How the verb takes credentials, for its help: 'hosts' (SSH / Windows from the environment or a
   * hidden prompt), 'ui' (the browser wizard asks), none (it contacts no host; the default).
   */
  credentials?: 'hosts' | 'ui' | 'none';
  /** Returns the exit code: 0 ok, 1 findings/failures, 2 bad usage or unreadable input. */
  run(args: string[], io: CliIO): Promise<number>;
}

/** Bad usage or unreadable input: printed without a stack trace, exit 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}
