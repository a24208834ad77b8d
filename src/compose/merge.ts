// Merging compose files given with several `-f` (and `extends`), by compose's merge rules: mappings
// merge key by key, scalars and commands are replaced, sequences append, except sequences whose
// items have an identity (ports, volumes, devices, secrets, configs, dns…), which merge by it.
// `!reset` removes an inherited value; `!override` replaces it without merging.
import { mountKey } from './mounts.ts';
import { isMap, normalizeService } from './normalize.ts';
import { portKey } from './ports.ts';
import type { Json, JsonMap } from './types.ts';

/** Marker objects the YAML loader produces for `!reset` and `!override`. */
export const RESET_TAG = '!reset';
export const OVERRIDE_TAG = '!override';
const RESET_KEY = '$skiff-reset';
const OVERRIDE_KEY = '$skiff-override';

export const resetMarker = (): JsonMap => ({ [RESET_KEY]: true });
export const overrideMarker = (value: Json): JsonMap => ({ [OVERRIDE_KEY]: value });
const isReset = (v: Json | undefined): boolean => isMap(v) && v[RESET_KEY] === true;
const isOverride = (v: Json | undefined): v is JsonMap => isMap(v) && OVERRIDE_KEY in v;

/** Service keys replaced whole, never merged. */
const REPLACED = new Set(['command', 'entrypoint']);
/** Sequences merged by an identity: later entries with the same identity replace earlier ones. */
const KEYED_SEQUENCES: Record<string, (item: Json) => string> = {
  ports: portKey,
  volumes: mountKey,
  devices: (d) => (isMap(d) ? String(d.target ?? d.source) : (String(d).split(':')[1] ?? String(d))),
  secrets: (d) => (isMap(d) ? String(d.target ?? d.source) : String(d)),
  configs: (d) => (isMap(d) ? String(d.target ?? d.source) : String(d)),
  env_file: (d) => (isMap(d) ? String(d.path) : String(d)),
};
/** Sequences of plain values merged as a set, in first-seen order. */
const UNIQUE_SEQUENCES = new Set([
  'expose',
  'external_links',
  'dns',
  'dns_search',
  'dns_opt',
  'tmpfs',
  'cap_add',
  'cap_drop',
  'security_opt',
  'profiles',
  'links',
  'volumes_from',
  'group_add',
]);

function mergeKeyed(base: Json[], over: Json[], id: (item: Json) => string): Json[] {
  const out = new Map<string, Json>();
  for (const item of [...base, ...over]) {
    const k = id(item);
    out.delete(k); // re-insert so the overriding entry keeps its own position at the end
    out.set(k, item);
  }
  return [...out.values()];
}

function mergeValue(key: string, base: Json | undefined, over: Json): Json | undefined {
  if (isReset(over)) return undefined;
  if (isOverride(over)) return stripMarkers(over[OVERRIDE_KEY]);
  if (base === undefined || REPLACED.has(key)) return stripMarkers(over);
  if (Array.isArray(base) && Array.isArray(over)) {
    const keyed = KEYED_SEQUENCES[key];
    if (keyed) return mergeKeyed(base, stripMarkers(over) as Json[], keyed);
    if (UNIQUE_SEQUENCES.has(key)) {
      return mergeKeyed(base, stripMarkers(over) as Json[], (v) => JSON.stringify(v));
    }
    return [...base, ...(stripMarkers(over) as Json[])];
  }
  if (isMap(base) && isMap(over)) {
    // healthcheck.test is a command: replaced like command.
    return mergeMaps(base, over, key === 'healthcheck' ? new Set(['test']) : undefined);
  }
  return stripMarkers(over);
}

function mergeMaps(base: JsonMap, over: JsonMap, replaced?: Set<string>): JsonMap {
  const out: JsonMap = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const merged = replaced?.has(k) ? mergeValue('command', base[k], v) : mergeValue(k, base[k], v);
    if (merged === undefined) delete out[k];
    else out[k] = merged;
  }
  return out;
}

/** Removes `!reset`/`!override` markers from a value that has nothing to merge into. */
export function stripMarkers(v: Json): Json {
  if (isOverride(v)) return stripMarkers(v[OVERRIDE_KEY]);
  if (Array.isArray(v)) return v.filter((x) => !isReset(x)).map(stripMarkers);
  if (isMap(v)) {
    const out: JsonMap = {};
    for (const [k, x] of Object.entries(v)) if (!isReset(x)) out[k] = stripMarkers(x);
    return out;
  }
  return v;
}

/** Merges one service definition over another (both in any form). */
export function mergeService(base: JsonMap, over: JsonMap): JsonMap {
  return mergeMaps(normalizeService(base), normalizeService(over));
}

/** Merges a whole compose document over another: services per service, top-level sections per entry. */
export function mergeDocuments(base: JsonMap, over: JsonMap): JsonMap {
  const out: JsonMap = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (k === 'services' && isMap(v)) {
      const services: JsonMap = { ...(isMap(base.services) ? base.services : {}) };
      for (const [name, svc] of Object.entries(v)) {
        if (isReset(svc)) delete services[name];
        else if (isMap(services[name]) && isMap(svc) && !isOverride(svc)) {
          services[name] = mergeService(services[name] as JsonMap, svc);
        } else services[name] = isMap(svc) ? normalizeService(stripMarkers(svc) as JsonMap) : svc;
      }
      out.services = services;
    } else {
      const merged = mergeValue(k, base[k], v);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    }
  }
  return out;
}
