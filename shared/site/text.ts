/**
 * The character policy for free-text site fields (the site name, service names, override keys):
 * they reach YAML, Markdown, HTML, terminals and balancer configs, so characters that change how a
 * line is read are refused at validation, with the field and the code point named.
 *
 *   C0 controls (NUL, ESC, CR, LF, TAB ...) and DEL, C1 controls (U+0080-U+009F, with U+0085 NEL),
 *   U+2028 / U+2029 (line / paragraph separator), bidi controls (U+061C, U+200E, U+200F,
 *   U+202A-U+202E, U+2066-U+2069), U+FEFF, lone surrogates and the noncharacters U+FFFE / U+FFFF.
 */

export const DISALLOWED_TEXT =
  // eslint-disable-next-line no-control-regex -- the point of this pattern is to find control characters
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff\ud800-\udfff]/u;

const NAMES: Record<number, string> = {
  0x00: 'NUL',
  0x09: 'TAB',
  0x0a: 'line feed',
  0x0d: 'carriage return',
  0x1b: 'ESC',
  0x85: 'NEL (a line break for YAML 1.1)',
  0x2028: 'line separator (a line break for YAML 1.1 and JavaScript)',
  0x2029: 'paragraph separator (a line break for YAML 1.1)',
  0x202e: 'right-to-left override',
  0xfeff: 'byte order mark',
};

/** Why `s` is not acceptable free text, or undefined when it is. */
export function textProblem(s: string): string | undefined {
  const m = DISALLOWED_TEXT.exec(s);
  if (!m) return undefined;
  const cp = m[0].codePointAt(0)!;
  const u = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  return `contains ${u}${NAMES[cp] ? ` (${NAMES[cp]})` : ''} at character ${m.index + 1}; control, line-separator and bidi characters are not allowed`;
}
