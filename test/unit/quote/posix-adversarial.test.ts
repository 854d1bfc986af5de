/** quotePosix / shellJoin against hostile strings, checked by a real POSIX shell (sh). */
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quotePosix, shellJoin } from '../../../shared/quote/posix.js';

/** What sh makes of `set -- <words>`: the argument list, NUL-separated. */
function shWords(words: string): string[] {
  const out = execFileSync('sh', ['-c', `set -- ${words}; for a in "$@"; do printf '%s\\0' "$a"; done`], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

const HOSTILE = [
  '',
  ' ',
  "it's",
  "'",
  "''",
  '"',
  'a b',
  '  leading and trailing  ',
  '$(touch /tmp/printha-pwned)',
  '`touch /tmp/printha-pwned`',
  '${HOME}',
  '$HOME',
  '$((1+1))',
  'a;b',
  'a&&b',
  'a|b',
  'a>b',
  '<b',
  'line1\nline2',
  'cr\rlf',
  'tab\there',
  '*',
  '?',
  '[a-z]',
  '~',
  '~root',
  '#not a comment',
  'a#b',
  '\\',
  '\\n',
  '-rf',
  '--action',
  '!',
  '{a,b}',
  'a=b',
  'ünïcödé ☃',
  "'\"'\"'",
  "x'; rm -rf / #",
];

describe('quotePosix', () => {
  it('leaves plain words alone and quotes everything else', () => {
    expect(quotePosix('PrintServers')).toBe('PrintServers');
    expect(quotePosix('192.168.81.10')).toBe('192.168.81.10');
    expect(quotePosix('--ports')).toBe('--ports');
    expect(quotePosix('25:53:80')).toBe('25:53:80');
    expect(quotePosix('')).toBe("''");
    expect(quotePosix('a b')).toBe("'a b'");
    expect(quotePosix("it's")).toBe("'it'\\''s'");
    expect(quotePosix('$(x)')).toBe("'$(x)'");
  });

  it.each(HOSTILE.map((s) => [JSON.stringify(s), s]))('%s reaches sh as exactly one word, unexpanded', (_name, s) => {
    expect(shWords(quotePosix(s))).toEqual([s]);
  });

  it('shellJoin of all hostile strings at once gives back the same argv, nothing executed', () => {
    expect(shWords(shellJoin(HOSTILE))).toEqual(HOSTILE);
    expect(() => execFileSync('test', ['!', '-e', '/tmp/printha-pwned'])).not.toThrow();
  });

  it('shellJoin refuses an empty argv', () => {
    expect(() => shellJoin([])).toThrow(/empty argv/);
  });

  it('property: any string without NUL round-trips through sh', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 40 }).map((s) => s.replace(/\0/g, '')), { minLength: 1, maxLength: 6 }), (argv) => {
        expect(shWords(shellJoin(argv))).toEqual(argv);
      }),
      { numRuns: 40 },
    );
  });
});
