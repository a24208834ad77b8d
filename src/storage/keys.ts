// Key ranges in bytewise (UTF-8) order, the order etcd and SQLite's BINARY collation use.
// JavaScript compares strings by UTF-16 code unit, which differs from UTF-8 byte order only for
// characters above U+FFFF (surrogate pairs) against U+E000–U+FFFF; compareKeys corrects for that.

const SURROGATE_FIRST = 0xd800;
const SURROGATE_LAST = 0xdfff;
const MAX_CODE_POINT = 0x10ffff;
/** Shifts surrogates above U+E000–U+FFFF so code-unit order becomes code-point (= UTF-8 byte) order. */
const SURROGATE_SHIFT = 0x2000;
const UPPER_BMP_SHIFT = 0x800;

const sortUnit = (c: number): number =>
  c < SURROGATE_FIRST ? c : c <= SURROGATE_LAST ? c + SURROGATE_SHIFT : c - UPPER_BMP_SHIFT;

/** Bytewise (UTF-8) comparison of two keys: negative, zero or positive. */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return sortUnit(x) - sortUnit(y);
  }
  return a.length - b.length;
}

/**
 * The smallest key greater than every key that starts with `prefix` (the exclusive end of the
 * prefix's range), or undefined when the range is unbounded ('' or only U+10FFFF characters).
 * Example: '/registry/pods/' → '/registry/pods0'.
 */
export function prefixEnd(prefix: string): string | undefined {
  const cps = Array.from(prefix);
  while (cps.length > 0) {
    const last = cps.pop()!.codePointAt(0)!;
    if (last < MAX_CODE_POINT) {
      const next = last + 1 === SURROGATE_FIRST ? SURROGATE_LAST + 1 : last + 1;
      return cps.join('') + String.fromCodePoint(next);
    }
  }
  return undefined;
}

/** The first key of a range read: the later of the prefix and a resume key. */
export function rangeStart(prefix: string, startKey: string | undefined): string {
  return startKey !== undefined && compareKeys(startKey, prefix) > 0 ? startKey : prefix;
}
