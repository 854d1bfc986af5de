/**
 * The CLI's live progress lines carry text from the hosts (a remote error, a reboot wait's last
 * answer, a step message): an ESC/OSC sequence or a bidi override from a hostile or broken host
 * reaches the engineer's terminal only as visible escapes.
 */
import { describe, expect, it } from 'vitest';
import { cliRunContext } from '../../electron/cli/context.js';
import type { CliIO } from '../../electron/cli/types.js';

function io(): { io: CliIO; err: string[] } {
  const err: string[] = [];
  return { err, io: { out: () => undefined, err: (t: string) => void err.push(t), env: {} } as unknown as CliIO };
}

describe('CLI progress lines', () => {
  it('step messages, notes and wait progress are terminal-encoded', () => {
    const { io: cio, err } = io();
    const { ctx } = cliRunContext(cio, { acceptHostKeys: [], quiet: false, json: false });
    const evil = 'refused \u001b]0;pwned\u0007 \u001b[2J\u202eexe.txt\r';
    ctx.onEvent({ t: '2026-12-03T00:00:00Z', run: 'r', kind: 'step-end', host: 'PS1', step: 'wait', title: 'Wait', result: 'failed', message: evil });
    ctx.onEvent({ t: '2026-12-03T00:00:00Z', run: 'r', kind: 'output', host: 'PS1', step: 'wait', output: `5 s: waiting for PS1 to come back: ${evil}` });
    ctx.onEvent({ t: '2026-12-03T00:00:00Z', run: 'r', kind: 'note', host: 'PS1', message: evil });
    expect(err).toHaveLength(3);
    for (const line of err) {
      const raw = [...line].filter((c) => {
        const cp = c.codePointAt(0)!;
        return (cp < 0x20 && cp !== 0x0a) || cp === 0x7f || cp === 0x202e;
      });
      expect(raw).toEqual([]);
      expect(line).toContain('\\e]0;pwned');
    }
    expect(err[1]).toMatch(/^ {4}PS1: 5 s: waiting for PS1 to come back: refused /);
  });
});
