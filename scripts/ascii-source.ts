// Bundle output as ASCII. V8 keeps each module's source text for lazy compilation, and a single
// character outside Latin-1 stores the whole text as UTF-16 — twice the resident size for the life
// of the process (the server's chunks: ~1 MB). esbuild's `charset: 'ascii'` escapes strings but
// keeps comments and regular expressions as written (`// a → b`, /[µμ]/), so the rest is escaped
// here: \uXXXX means the same character inside strings, templates and regular expressions, and in
// a comment it is just text.
const NON_ASCII = /[^\x00-\x7f]/g;

export function asciiSource(text: string): string {
  return text.replace(NON_ASCII, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
