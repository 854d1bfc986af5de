/**
 * The one YAML scalar encoder for files other programs parse (the Ansible export). The output is a
 * double-quoted scalar of printable ASCII only: every other code point is written as an escape, so
 * no reader can see a line break, a comment or a document marker in it. That matters for YAML 1.1
 * readers (PyYAML, hence Ansible): they take U+0085, U+2028 and U+2029 as line breaks, which
 * JSON.stringify leaves as they are. `\uXXXX` and `\UXXXXXXXX` are YAML 1.1 and 1.2 escapes.
 */

/** A YAML double-quoted scalar that is printable ASCII (0x20-0x7E) and means exactly `s`. */
export function yamlString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c >= 0x20 && c <= 0x7e) out += s[i];
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff) {
      const cp = s.codePointAt(i)!;
      out += `\\U${cp.toString(16).toUpperCase().padStart(8, '0')}`;
      i++;
    } else out += `\\u${c.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return out + '"';
}

/** A mapping key: plain when it is a simple label, else the quoted scalar. */
export function yamlKey(s: string): string {
  return /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(s) && !/^(true|false|yes|no|on|off|null|y|n|~)$/i.test(s) ? s : yamlString(s);
}

/** Text for a `#` comment: printable ASCII only (anything else becomes a \u escape), one line. */
export function yamlCommentText(s: string): string {
  return yamlString(s).slice(1, -1);
}
