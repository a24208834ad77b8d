// `.env` and `env_file` files in compose's dotenv format: `KEY=value`, optional `export `, single
// quotes literal, double quotes with `\n`/`\"` escapes and interpolation, unquoted values with
// interpolation and ` #` comments, a bare `KEY` taken from the environment.
import { interpolateString, type Lookup } from './interpolate.ts';

const LINE = /^\s*(?:export\s+)?([^\s=#]+)\s*(?:=(.*))?$/;
const DOUBLE_ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\', $: '$$' };

/**
 * Parses a dotenv text into ordered pairs. `lookup` resolves `${VAR}` inside values (earlier keys
 * of the same file are seen first) and bare `KEY` lines; a bare key with no value is skipped.
 */
export function parseDotenv(text: string, lookup: Lookup = () => undefined): [string, string][] {
  const out: [string, string][] = [];
  const own = new Map<string, string>();
  const resolve: Lookup = (n) => own.get(n) ?? lookup(n);
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^\s*(#|$)/.test(line)) continue;
    const m = LINE.exec(line);
    if (!m) throw new SyntaxError(`line ${i + 1}: unexpected character in ${JSON.stringify(line)}`);
    const [, key, rawValue] = m;
    let value: string | undefined;
    if (rawValue === undefined) {
      value = lookup(key);
      if (value === undefined) continue;
    } else {
      let raw = rawValue.trimStart();
      const quote = raw[0];
      if (quote === "'" || quote === '"') {
        // Quoted values may span lines until the closing quote.
        let body = raw.slice(1);
        let end = findClosingQuote(body, quote);
        while (end < 0 && i + 1 < lines.length) {
          body += `\n${lines[++i]}`;
          end = findClosingQuote(body, quote);
        }
        if (end < 0) throw new SyntaxError(`line ${i + 1}: unterminated quoted value for ${key}`);
        body = body.slice(0, end);
        value =
          quote === "'"
            ? body
            : interpolateString(
                body.replace(/\\(.)/g, (all, ch: string) => DOUBLE_ESCAPES[ch] ?? all),
                resolve,
              );
      } else {
        raw = raw.replace(/\s+#.*$/, '').trimEnd();
        value = interpolateString(raw, resolve);
      }
    }
    own.set(key, value);
    out.push([key, value]);
  }
  return out;
}

function findClosingQuote(s: string, quote: string): number {
  for (let i = 0; i < s.length; i++) {
    if (quote === '"' && s[i] === '\\') i++;
    else if (s[i] === quote) return i;
  }
  return -1;
}
