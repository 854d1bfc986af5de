/**
 * The runbook document model: a list of blocks rendered to Markdown or to one self-contained HTML
 * page (PDF is printed from the HTML). Builders produce blocks; renderers never look at the site.
 */
import { markdownText, visibleControls } from '../quote/markdown.js';

export type Block =
  | { kind: 'heading'; level: 1 | 2 | 3; text: string; id?: string }
  | { kind: 'para'; text: string }
  | { kind: 'list'; ordered: boolean; items: string[] }
  | { kind: 'table'; head: string[]; rows: string[][] }
  | { kind: 'code'; lang: string; text: string; title?: string }
  | { kind: 'svg'; svg: string; alt: string }
  | { kind: 'note'; tone: 'info' | 'warning' | 'error'; text: string };

export interface RunbookDoc {
  title: string;
  subtitle: string;
  blocks: Block[];
}

/** A table cell: pipes not already escaped (shared/quote/markdown.ts) are escaped; newlines become <br>. */
function mdCell(s: string): string {
  return s.replace(/(\\*)\|/g, (m, bs: string) => (bs.length % 2 ? m : `${bs}\\|`)).replace(/\r?\n/g, '<br>');
}

/**
 * Untrusted text (the site name, journal and imported result texts) is marked with lit() by the
 * builders; each renderer writes it with its own encoder (Markdown: shared/quote/markdown.ts, HTML:
 * escapeHtml), never as markup. Controls, line breaks and bidi overrides are made visible.
 */
const LIT = /\ue000([^\ue000\ue001]*)\ue001/g;

export function lit(s: string): string {
  return `\ue000${visibleControls(s).replace(/[\ue000\ue001]/g, '\ufffd')}\ue001`;
}

/** Block text for Markdown: literal spans escaped. */
function md(s: string): string {
  return s.replace(LIT, (_, t: string) => markdownText(t));
}

/** Plain text (the HTML title): literal spans as they are. */
function plain(s: string): string {
  return s.replace(LIT, '$1');
}

function fence(text: string): string {
  let f = '```';
  while (text.includes(f)) f += '`';
  return f;
}

export function toMarkdown(doc: RunbookDoc): string {
  const out: string[] = [`# ${md(doc.title)}`, '', `_${md(doc.subtitle)}_`, ''];
  for (const b of doc.blocks) {
    switch (b.kind) {
      case 'heading':
        out.push(`${'#'.repeat(b.level + 1)} ${md(b.text)}`, '');
        break;
      case 'para':
        out.push(md(b.text), '');
        break;
      case 'list':
        b.items.forEach((it, i) => out.push(`${b.ordered ? `${i + 1}.` : '-'} ${md(it)}`));
        out.push('');
        break;
      case 'table':
        out.push(`| ${b.head.map((h) => mdCell(md(h))).join(' | ')} |`, `|${b.head.map(() => '---').join('|')}|`);
        for (const r of b.rows) out.push(`| ${r.map((c) => mdCell(md(c))).join(' | ')} |`);
        out.push('');
        break;
      case 'code': {
        const f = fence(b.text);
        if (b.title) out.push(`**${md(b.title)}**`, '');
        out.push(`${f}${b.lang}`, b.text.replace(/\n$/, ''), f, '');
        break;
      }
      case 'svg':
        out.push(`<!-- diagram: ${b.alt} (the HTML runbook shows it as a picture) -->`, '');
        break;
      case 'note':
        out.push(`> **${b.tone.toUpperCase()}:** ${md(b.text)}`, '');
        break;
    }
  }
  return out.join('\n');
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * Inline markup used in block text: `code`, **bold** and backslash escapes (literal characters,
 * never markup: the lit() spans of untrusted text).
 */
function inline(s: string): string {
  const lits: string[] = [];
  const marked = s.replace(LIT, (_, t: string) => `\ue002${lits.push(t) - 1}\ue003`);
  return escapeHtml(marked)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/\ue002(\d+)\ue003/g, (_, i: string) => escapeHtml(lits[Number(i)] ?? ''));
}

const CSS = `
:root{color-scheme:light}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#1b1f24}
h1{font-size:1.8em;margin-bottom:.1em}h2{border-bottom:2px solid #d0d7de;padding-bottom:.2em;margin-top:1.6em}
.sub{color:#57606a;margin-top:0}table{border-collapse:collapse;width:100%;margin:.6em 0;font-size:.92em}
th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top;overflow-wrap:anywhere}th{background:#f6f8fa}
pre{background:#f6f8fa;border:1px solid #d0d7de;padding:8px;overflow-x:auto;font-size:12px;white-space:pre-wrap;word-break:break-all}
code{font-family:ui-monospace,Consolas,monospace}.note{border-left:4px solid #0969da;padding:4px 10px;margin:.6em 0;background:#f0f6ff}
.note.warning{border-color:#bf8700;background:#fff8c5}.note.error{border-color:#cf222e;background:#ffebe9}
td[class]{white-space:nowrap;overflow-wrap:normal}td.pass,td.up,td.met{color:#1a7f37;font-weight:600}td.fail,td.down,td.not-met{color:#cf222e;font-weight:600}
td.not-applicable,td.emulated,td.drain,td.maint{color:#9a6700;font-weight:600}
@media print{body{margin:0;max-width:none}pre{page-break-inside:avoid}h2{page-break-after:avoid}}
`;

const STATE_CLASSES = new Set(['pass', 'fail', 'up', 'down', 'met', 'not-met', 'not-applicable', 'emulated', 'drain', 'maint']);

/** One self-contained HTML page: inline CSS and SVG, no external URL of any kind. */
export function toHtml(doc: RunbookDoc): string {
  const body: string[] = [`<h1>${inline(doc.title)}</h1>`, `<p class="sub">${inline(doc.subtitle)}</p>`];
  for (const b of doc.blocks) {
    switch (b.kind) {
      case 'heading':
        body.push(`<h${b.level + 1}${b.id ? ` id="${escapeHtml(b.id)}"` : ''}>${inline(b.text)}</h${b.level + 1}>`);
        break;
      case 'para':
        body.push(`<p>${inline(b.text)}</p>`);
        break;
      case 'list': {
        const tag = b.ordered ? 'ol' : 'ul';
        body.push(`<${tag}>${b.items.map((i) => `<li>${inline(i)}</li>`).join('')}</${tag}>`);
        break;
      }
      case 'table':
        body.push(
          `<table><thead><tr>${b.head.map((h) => `<th>${inline(h)}</th>`).join('')}</tr></thead><tbody>` +
            b.rows.map((r) => `<tr>${r.map((c) => `<td${STATE_CLASSES.has(c) ? ` class="${c}"` : ''}>${inline(c)}</td>`).join('')}</tr>`).join('') +
            '</tbody></table>',
        );
        break;
      case 'code':
        if (b.title) body.push(`<p><strong>${inline(b.title)}</strong></p>`);
        body.push(`<pre><code class="lang-${escapeHtml(b.lang)}">${escapeHtml(b.text)}</code></pre>`);
        break;
      case 'svg':
        body.push(`<figure role="img" aria-label="${escapeHtml(b.alt)}">${b.svg}</figure>`);
        break;
      case 'note':
        body.push(`<div class="note ${b.tone}"><strong>${b.tone.toUpperCase()}:</strong> ${inline(b.text)}</div>`);
        break;
    }
  }
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8">\n<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">\n<title>${escapeHtml(plain(doc.title))}</title><style>${CSS}</style></head>\n<body>\n${body.join('\n')}\n</body></html>\n`;
}
