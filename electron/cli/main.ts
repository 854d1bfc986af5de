/**
 * `printha` — the command line over the same core as the app.
 * Exit codes: 0 ok, 1 findings or failures, 2 bad usage or unreadable input. Never a stack trace
 * for a user error; an unexpected internal error prints one line and asks for a bug report.
 */
import { createInterface } from 'node:readline';
import { mainHelp, verbHelp, versionText } from './help.js';
import { COMMANDS } from './registry.js';
import { UsageError, type CliIO } from './types.js';

function help(): string {
  return mainHelp(COMMANDS);
}

async function prompt(question: string, opts?: { secret?: boolean }): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  if (opts?.secret) {
    // Mute echo: readline writes typed characters through _writeToOutput.
    (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
      if (s.includes(question)) process.stderr.write(s);
    };
  }
  try {
    return await new Promise<string>((resolve) => rl.question(question, resolve));
  } finally {
    if (opts?.secret) process.stderr.write('\n');
    rl.close();
  }
}

export async function main(argv: string[], io: CliIO): Promise<number> {
  const [verb, ...rest] = argv;
  const about = verb === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
  if (about) {
    io.out(verbHelp(about));
    return 0;
  }
  if (!verb || verb === 'help' || verb === '--help' || verb === '-h') {
    io.out(help());
    return verb ? 0 : 2;
  }
  if (verb === '--version' || verb === '-V' || verb === 'version') {
    io.out(versionText());
    return 0;
  }
  const cmd = COMMANDS.find((c) => c.name === verb);
  if (!cmd) {
    io.err(`Unknown verb "${verb}".\n\n${help()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(verbHelp(cmd));
    return 0;
  }
  try {
    return await cmd.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`printha ${verb}: ${e.message}\n`);
      return e.exitCode;
    }
    const msg = e instanceof Error ? e.message : String(e);
    if (msg.startsWith('Usage:')) {
      io.err(`printha ${verb}: ${msg}\n`);
      return 2;
    }
    io.err(`printha ${verb}: ${msg}\n`);
    if (io.env.PRINTHA_DEBUG && e instanceof Error) io.err(`${e.stack}\n`);
    return 1;
  }
}

const isEntry = process.argv[1] && /electron[\\/]cli[\\/]main\.(ts|js|mjs)$/.test(process.argv[1]);
if (isEntry) {
  const io: CliIO = {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    prompt: process.stdin.isTTY ? prompt : undefined,
    env: process.env,
    cwd: process.cwd(),
  };
  main(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`printha: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
