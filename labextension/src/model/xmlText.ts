/**
 * Text that XML 1.0 can hold: the one rule for names and labels going into an
 * exported SVG (the kernel's graphviz fallback applies the same rule, in
 * kernelext/vizflow_kernelext/xml_text.py). XML forbids control characters
 * other than tab, newline and carriage return, U+FFFE, U+FFFF and lone
 * surrogates; each becomes a visible escape (`\x07`, `\uffff`, `\ud800`) so
 * a name still shows what it holds, and the SVG still parses and rasterises.
 */

// With the `u` flag a surrogate range matches only unpaired surrogates.
const FORBIDDEN =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff\ud800-\udfff]/gu;

function visible(c: string): string {
  const code = c.charCodeAt(0);
  const hex = code.toString(16);
  return code < 0x100
    ? `\\x${hex.padStart(2, '0')}`
    : `\\u${hex.padStart(4, '0')}`;
}

/** `text` with every character XML 1.0 forbids replaced by a visible escape. */
export function xmlSafe(text: string): string {
  return text.replace(FORBIDDEN, visible);
}
