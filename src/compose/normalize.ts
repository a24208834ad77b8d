// Brings the several forms compose allows for one key to one form, before files are merged (so
// `environment: [A=1]` in one file and `environment: {B: 2}` in the next merge as maps).
import type { Json, JsonMap } from './types.ts';

export const isMap = (v: unknown): v is JsonMap => v !== null && typeof v === 'object' && !Array.isArray(v);

/** `[K=V, K]` or `{K: V}` → map; a list entry without `=` (or `:` for extra_hosts) maps to null. */
export function listOrDict(value: Json | undefined, sep: RegExp = /=/): JsonMap {
  if (value === undefined || value === null) return {};
  if (isMap(value)) return { ...value };
  if (!Array.isArray(value))
    throw new RangeError(`expected a list or a mapping, got ${JSON.stringify(value)}`);
  const out: JsonMap = {};
  for (const item of value) {
    const s = String(item);
    const m = sep.exec(s);
    if (m) out[s.slice(0, m.index)] = s.slice(m.index + m[0].length);
    else out[s] = null;
  }
  return out;
}

const asList = (v: Json | undefined): Json[] =>
  v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];

/** `extra_hosts` entries are `host:ip`, `host=ip` (IPv6 addresses contain colons, so the first separator wins). */
const EXTRA_HOST_SEP = /=|:/;

/** `!reset`/`!override` markers (merge.ts) are left for the merge to interpret. */
const MARKER_PREFIX = '$skiff-';
const isMarker = (v: Json | undefined): boolean =>
  isMap(v ?? null) && Object.keys(v as JsonMap).some((k) => k.startsWith(MARKER_PREFIX));

/** One service's keys in canonical forms; unknown keys and tagged values pass through untouched. */
export function normalizeService(raw: JsonMap): JsonMap {
  const s: JsonMap = {};
  const tagged: JsonMap = {};
  for (const [k, v] of Object.entries(raw)) (isMarker(v) ? tagged : s)[k] = v;
  normalizeForms(s);
  return { ...s, ...tagged };
}

function normalizeForms(s: JsonMap): void {
  for (const k of ['environment', 'labels', 'annotations', 'sysctls'] as const) {
    if (k in s) s[k] = listOrDict(s[k]);
  }
  if ('extra_hosts' in s) s.extra_hosts = listOrDict(s.extra_hosts, EXTRA_HOST_SEP);
  if (Array.isArray(s.depends_on)) {
    s.depends_on = Object.fromEntries(s.depends_on.map((d) => [String(d), { condition: 'service_started' }]));
  }
  if (Array.isArray(s.networks)) s.networks = Object.fromEntries(s.networks.map((n) => [String(n), null]));
  for (const k of ['env_file', 'tmpfs', 'dns', 'dns_search'] as const) {
    if (k in s && !Array.isArray(s[k])) s[k] = asList(s[k]);
  }
  if (typeof s.build === 'string') s.build = { context: s.build };
  if (typeof s.extends === 'string') s.extends = { service: s.extends };
}
