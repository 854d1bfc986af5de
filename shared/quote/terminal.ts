/**
 * The one encoder for text printed to a terminal that came from a site file or imported results:
 * control characters (ESC and so OSC/CSI sequences, CR, BEL, NUL ...), C1 controls, line and
 * paragraph separators and bidi overrides become visible \u escapes, so a value cannot move the
 * cursor, retitle the window, hide text or reorder the line; long values are cut with a note.
 */
import { DISALLOWED_TEXT } from '../site/text.js';

const ALL = new RegExp(DISALLOWED_TEXT.source, 'gu');

/** Terminal-safe text; lines (\n) are kept only when keepNewlines, each line capped at max characters. */
export function terminalText(s: string, max = 400, keepNewlines = false): string {
  const one = (line: string) => {
    const cut = line.length > max ? `${line.slice(0, max)}... (${line.length - max} more characters)` : line;
    return cut.replace(ALL, (c) => {
      const cp = c.codePointAt(0)!;
      return cp === 0x09 ? '\\t' : cp === 0x0d ? '\\r' : cp === 0x0a ? '\\n' : cp === 0x1b ? '\\e' : `\\u{${cp.toString(16)}}`;
    });
  };
  return keepNewlines ? s.split('\n').map(one).join('\n') : one(s);
}
