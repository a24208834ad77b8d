// Bundle output as ASCII. V8 keeps each module's source text for lazy compilation, and a single
// character outside Latin-1 stores the whole text as UTF-16 — twice the resident size for the life
// of the process (the server's chunks: ~1 MB). esbuild's `charset: 'ascii'` escapes strings but
// keeps comments and regular expressions as written (`// a → b`, /[µμ]/), so the rest is escaped
// here: \uXXXX means the same character inside strings, templates and regular expressions, and in
// a comment it is just text.
const MAX_ASCII = 0x7f;

export function asciiSource(text: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code <= MAX_ASCII) continue;
    out += `${text.slice(from, i)}\\u${code.toString(16).padStart(4, '0')}`;
    from = i + 1;
  }
  return from === 0 ? text : out + text.slice(from);
}
