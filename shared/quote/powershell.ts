/**
 * The one PowerShell quoting function: single-quoted literal, embedded quotes doubled.
 * PowerShell treats the typographic quotes U+2018-U+201B as single quotes too, so they are doubled as well.
 * Structured data goes to scripts as base64 JSON instead (see toBase64Json).
 */
export function quotePwsh(arg: string): string {
  return `'${arg.replace(/['\u2018\u2019\u201a\u201b]/g, (q) => q + q)}'`;
}

/** UTF-8 -> base64 without node:buffer (shared/ runs in the renderer too). */
export function utf8ToBase64(s: string): string {
  const bytes = new TextEncoder().encode(s);
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

export function toBase64Json(value: unknown): string {
  return utf8ToBase64(JSON.stringify(value));
}

/** UTF-16LE base64, the form `powershell -EncodedCommand` takes. */
export function encodePwshCommand(script: string): string {
  let bin = '';
  for (let i = 0; i < script.length; i++) {
    const c = script.charCodeAt(i);
    bin += String.fromCharCode(c & 255, c >> 8);
  }
  return btoa(bin);
}
