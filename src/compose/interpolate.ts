// Variable interpolation as compose does it: `$VAR`, `${VAR}`, `${VAR:-default}` (unset or empty),
// `${VAR-default}` (unset), `${VAR:?error}` / `${VAR?error}` (fail), `${VAR:+alt}` / `${VAR+alt}`,
// defaults that nest further substitutions, and `$$` for a literal `$`. Values only, never keys.
import type { Json } from './types.ts';

export type Lookup = (name: string) => string | undefined;

/** A `${VAR:?message}` whose variable is missing, or a malformed template. */
export class InterpolationError extends Error {
  override name = 'InterpolationError';
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
const MSG_UNCLOSED = 'unclosed ${ in';
const MSG_BAD_NAME = 'invalid variable name in';

export interface InterpolateHooks {
  /** Called once per variable that is unset and has no default (compose warns and uses ""). */
  onUnset?: (name: string) => void;
}

/** Substitutes one string. */
export function interpolateString(s: string, lookup: Lookup, hooks: InterpolateHooks = {}): string {
  let out = '';
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    const next = s[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '{') {
      const end = closingBrace(s, i + 2);
      if (end < 0) throw new InterpolationError(`${MSG_UNCLOSED} ${JSON.stringify(s)}`);
      out += substitute(s.slice(i + 2, end), s, lookup, hooks);
      i = end + 1;
    } else {
      const m = NAME.exec(s.slice(i + 1));
      if (m) {
        out += variable(m[0], lookup, hooks);
        i += 1 + m[0].length;
      } else {
        // A lone `$` (e.g. before a digit or at the end) stays as written, as compose does.
        out += '$';
        i++;
      }
    }
  }
  return out;
}

/** Index of the `}` closing a `${` whose body starts at `from`, honouring nested `${…}`. */
function closingBrace(s: string, from: number): number {
  let depth = 1;
  for (let i = from; i < s.length; i++) {
    if (s[i] === '$' && s[i + 1] === '$') i++;
    else if (s[i] === '$' && s[i + 1] === '{') {
      depth++;
      i++;
    } else if (s[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

function variable(name: string, lookup: Lookup, hooks: InterpolateHooks): string {
  const v = lookup(name);
  if (v === undefined) hooks.onUnset?.(name);
  return v ?? '';
}

function substitute(body: string, whole: string, lookup: Lookup, hooks: InterpolateHooks): string {
  const m = NAME.exec(body);
  if (!m) throw new InterpolationError(`${MSG_BAD_NAME} ${JSON.stringify(whole)}`);
  const name = m[0];
  const rest = body.slice(name.length);
  if (rest === '') return variable(name, lookup, hooks);
  const op = /^(:?[-?+])/.exec(rest)?.[1];
  if (!op) throw new InterpolationError(`${MSG_BAD_NAME} ${JSON.stringify(whole)}`);
  const arg = rest.slice(op.length);
  const v = lookup(name);
  const missing = op.startsWith(':') ? v === undefined || v === '' : v === undefined;
  switch (op) {
    case ':-':
    case '-':
      return missing ? interpolateString(arg, lookup, hooks) : v!;
    case ':?':
    case '?':
      if (missing) {
        const msg = interpolateString(arg, lookup, hooks);
        throw new InterpolationError(`required variable ${name} is missing a value${msg ? `: ${msg}` : ''}`);
      }
      return v!;
    default:
      // `:+` / `+`: the alternative when set, else empty.
      return missing ? '' : interpolateString(arg, lookup, hooks);
  }
}

/** Substitutes every string value of a parsed document (keys untouched); `x-` extension keys too. */
export function interpolateTree(value: Json, lookup: Lookup, hooks: InterpolateHooks = {}): Json {
  if (typeof value === 'string') return interpolateString(value, lookup, hooks);
  if (Array.isArray(value)) return value.map((v) => interpolateTree(v, lookup, hooks));
  if (value !== null && typeof value === 'object') {
    const out: { [k: string]: Json } = {};
    for (const [k, v] of Object.entries(value)) out[k] = interpolateTree(v, lookup, hooks);
    return out;
  }
  return value;
}
