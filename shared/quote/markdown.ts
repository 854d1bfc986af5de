/**
 * The one encoder for untrusted text (the site name, imported result texts) placed into Markdown or
 * into the runbook's block markup (shared/runbook/doc.ts: CommonMark backslash escapes, `code`,
 * **bold**). Every ASCII punctuation character is backslash-escaped, so nothing in the text can open
 * a heading, a list, a table cell, a link, emphasis, a code span or raw HTML (`<` and `&` included);
 * line breaks, controls and bidi overrides become a visible [U+XXXX] so the text stays on its line
 * and reads in the order it is stored.
 */
import { DISALLOWED_TEXT } from '../site/text.js';

const GLOBAL_DISALLOWED = new RegExp(DISALLOWED_TEXT.source, 'gu');

/** Replaces control, line-break and bidi characters with a visible [U+XXXX]. */
export function visibleControls(s: string): string {
  return s.replace(GLOBAL_DISALLOWED, (c) => `[U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}]`);
}

/** Literal inline text for CommonMark (and the runbook's block markup). */
export function markdownText(s: string): string {
  return visibleControls(s).replace(/[!-/:-@[-`{-~]/g, (c) => `\\${c}`);
}
