// Upstream formats invalid values with Go's %#v (field.Error): maps print as
// `map[string]string{"a":"b"}` (keys sorted), string slices as `[]string{"a", "b"}`. Messages like
// "`selector` does not match template `labels`" and "field is immutable" are recognised by users
// in that form, so values that have a plain Go shape are printed the same way here.

const quote = (s: string): string => JSON.stringify(s);

export function goStringMap(m: Record<string, string> | undefined | null): string {
  if (m === undefined || m === null) return 'map[string]string(nil)';
  const body = Object.keys(m)
    .sort()
    .map((k) => `${quote(k)}:${quote(String(m[k]))}`)
    .join(', ');
  return `map[string]string{${body}}`;
}

export function goStringSlice(s: readonly string[] | undefined | null): string {
  if (s === undefined || s === null) return '[]string(nil)';
  return `[]string{${s.map((x) => quote(String(x))).join(', ')}}`;
}

interface SelectorLike {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: { key?: string; operator?: string; values?: string[] | null }[] | null;
}

/** A metav1.LabelSelector as %#v prints it (what "spec.selector: … field is immutable" shows). */
export function goLabelSelector(selector: unknown): string {
  if (selector === undefined || selector === null || typeof selector !== 'object') return 'null';
  const sel = selector as SelectorLike;
  const exprs = sel.matchExpressions;
  const exprText =
    exprs === undefined || exprs === null
      ? '[]v1.LabelSelectorRequirement(nil)'
      : `[]v1.LabelSelectorRequirement{${exprs
          .map(
            (e) =>
              `v1.LabelSelectorRequirement{Key:${quote(e.key ?? '')}, Operator:${quote(e.operator ?? '')}, Values:${goStringSlice(e.values)}}`,
          )
          .join(', ')}}`;
  return `v1.LabelSelector{MatchLabels:${goStringMap(sel.matchLabels)}, MatchExpressions:${exprText}}`;
}

const isStringMap = (v: object): v is Record<string, string> =>
  !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');

/** Best-effort %#v: scalars as Go prints them, string maps and slices in Go syntax, else JSON. */
export function goValue(v: unknown): string {
  if (v === undefined || v === null) return 'null';
  if (typeof v === 'string') return quote(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return goStringSlice(v as string[]);
  if (typeof v === 'object' && isStringMap(v)) return goStringMap(v);
  return JSON.stringify(v);
}
