// Upstream's patch errors print JSON values with Go's fmt verbs (%v of a decoded map is
// `map[image:nginx name:web]`). kubectl shows those messages verbatim, so we format the same way.

/** Go's `%v` of a value decoded from JSON into interface{} (maps print with sorted keys). */
export function goValue(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goValue).join(' ')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o).sort();
    return `map[${keys.map((k) => `${k}:${goValue(o[k])}`).join(' ')}]`;
  }
  if (typeof v === 'number') return goNumber(v);
  return String(v);
}

/** Go's `%s`: strings as-is, anything else in Go's bad-verb form, e.g. `%!s(int64=1)`. */
export function goString(v: unknown): string {
  if (typeof v === 'string') return v;
  return `%!s(${goTypeName(v)}=${goValue(v)})`;
}

/** The Go type a JSON value decodes to (integers stay int64 on the server's decode path). */
export function goTypeName(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return '[]interface {}';
  if (typeof v === 'object') return 'map[string]interface {}';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  if (typeof v === 'boolean') return 'bool';
  return 'string';
}

function goNumber(n: number): string {
  if (Number.isInteger(n)) return String(n);
  // Go prints floats with %g's shortest form: exponents from 1e21 and below 1e-4.
  const abs = Math.abs(n);
  if (abs !== 0 && (abs >= 1e21 || abs < 1e-4)) {
    const [m, e] = n.toExponential().split('e');
    const exp = Number(e);
    return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return String(n);
}
