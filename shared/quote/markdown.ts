/**
 * The one encoder for untrusted text (the site name, imported result texts) placed into Markdown or
 * into the runbook's block markup (shared/runbook/doc.ts: CommonMark backslash escapes, `code`,
 * **bold**). The text is always inline (never at the start of a line: line breaks are removed), so
 * escaping the characters that open inline markup is enough: emphasis (* _ ~), code spans (`),
 * links and images ([ ] !), raw HTML and entities (< > &), table cells (|), a heading's closing
 * sequence (#) and the escape itself (\). Line breaks, controls and bidi overrides become a
 * visible [U+XXXX] so the text stays on its line and reads in the order it is stored.
 */
import { DISALLOWED_TEXT } from '../site/text.js';

const GLOBAL_DISALLOWED = new RegExp(DISALLOWED_TEXT.source, 'gu');

/** Replaces control, line-break and bidi characters with a visible [U+XXXX]. */
export function visibleControls(s: string): string {
  return s.replace(GLOBAL_DISALLOWED, (c) => `[U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}]`);
}

/** Literal inline text for CommonMark (and the runbook's block markup). */
export function markdownText(s: string): string {
  return visibleControls(s).replace(/[\\`*_~[\]!<>&|#]/g, (c) => `\\${c}`);
}
