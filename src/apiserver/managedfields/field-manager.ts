// The field manager: records who owns which fields on every write (operation Update) and performs
// server-side apply (operation Apply), as upstream's FieldManager does:
//
//   write ─► decode managedFields (request's, else live's; `[]`/`[{}]` resets)
//         ─► untracked object being updated? leave it untracked
//         ─► compare live/new typed objects (zero values filled in) ─► move ownership
//         ─► strip metadata bookkeeping fields ─► stamp the manager's time ─► cap to 10 updaters
//   apply ─► check kind/version, no managedFields, config valid for the schema
//         ─► merge + prune + conflicts (kubectl upgrading from client-side apply may take over
//            fields its last-applied annotation set) ─► stamp time if the object changed
//         ─► keep kubectl's last-applied annotation in sync
import { badRequest } from '../../api/errors.ts';
import { byCodeUnit } from '../../util/code-unit-order.ts';
import { jsonClone } from '../../util/json-clone.ts';
import type { SchemaNode } from '../patch/schema.ts';
import { type Conflict, ConflictsError, conflictError } from './conflict.ts';
import { FieldSet } from './field-set.ts';
import {
  APPLY,
  copyManaged,
  decodeManagedFields,
  emptyManaged,
  encodeManagedFields,
  isResetManagedFields,
  type Managed,
  type ManagedFieldsEntry,
  managerIdentifier,
  UPDATE,
} from './managed-fields.ts';
import { fieldPE, goJson, type Json, type PathElement } from './path-element.ts';
import { compare, toFieldSet } from './typed.ts';
import { applyConfig, type ObjectType, updateManagers } from './updater.ts';
import { dropNulls, normalize } from './zero-values.ts';

type Obj = Record<string, unknown>;

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
/** kubectl's server-side apply manager: the only one that upgrades from client-side apply. */
export const KUBECTL_MANAGER = 'kubectl';
/** Update entries beyond this are merged, oldest first, into per-version "ancient-changes". */
export const MAX_UPDATE_MANAGERS = 10;
const ANCIENT_CHANGES_MANAGER = 'ancient-changes';
/** The placeholder upstream tracks the current write under before naming it. */
const CURRENT_OPERATION = 'current-operation';
const UNKNOWN_MANAGER = 'unknown';

/** Bookkeeping fields no manager owns. */
const STRIPPED = FieldSet.fromPaths(
  [
    ['apiVersion'],
    ['kind'],
    ['metadata'],
    ['metadata', 'name'],
    ['metadata', 'namespace'],
    ['metadata', 'creationTimestamp'],
    ['metadata', 'selfLink'],
    ['metadata', 'uid'],
    ['metadata', 'clusterName'],
    ['metadata', 'generation'],
    ['metadata', 'managedFields'],
    ['metadata', 'resourceVersion'],
  ].map((p) => p.map(fieldPE)),
);

export interface FieldManagerScope {
  group: string;
  version: string;
  kind: string;
  /** The kind's schema; undefined types are deduced from values. */
  schema: SchemaNode | undefined;
  /** '' for the resource itself, else the subresource written ('status'). */
  subresource: string;
  /** Whether status is a separate subresource (then the main resource never owns status). */
  hasStatus: boolean;
}

export const apiVersionOf = (s: FieldManagerScope): string =>
  s.group ? `${s.group}/${s.version}` : s.version;

const gvkString = (group: string, version: string, kind: string): string =>
  `${group}/${version}, Kind=${kind}`;

function objectType(s: FieldManagerScope): ObjectType {
  return { ref: { node: s.schema }, apiVersion: apiVersionOf(s), ignore: ignoredFields(s) };
}

/** Fields the endpoint resets: status on the main resource, everything but status on /status. */
function ignoredFields(s: FieldManagerScope): (set: FieldSet) => FieldSet {
  const status = fieldPE('status');
  const underStatus = (p: readonly PathElement[]) => p[0].t === 'f' && p[0].name === 'status';
  if (s.subresource === 'status') return (set) => FieldSet.fromPaths(set.paths().filter(underStatus));
  if (s.hasStatus && !s.subresource) {
    return (set) =>
      set.hasMember(status) || !set.withPrefix(status).isEmpty()
        ? FieldSet.fromPaths(set.paths().filter((p) => !underStatus(p)))
        : set;
  }
  return (set) => set;
}

function decodeOrEmpty(v: unknown): Managed {
  try {
    return decodeManagedFields(v);
  } catch {
    return emptyManaged();
  }
}

const isObjLike = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const metaOf = (o: Obj | undefined): Obj | undefined => (o?.metadata as Obj | undefined) ?? undefined;

function withoutManagedFields(o: Obj): Obj {
  const meta = metaOf(o);
  if (!meta || !('managedFields' in meta)) return o;
  const { managedFields: _m, ...rest } = meta;
  return { ...o, metadata: rest };
}

/**
 * managedFields after a create/update/patch (not apply) by `manager`: `live` is the stored object
 * (undefined on create), `next` the object about to be stored. Undefined: store none.
 */
export function trackUpdate(
  scope: FieldManagerScope,
  live: Obj | undefined,
  next: Obj,
  manager: string,
  now: string,
): ManagedFieldsEntry[] | undefined {
  const liveFields = metaOf(live)?.managedFields;
  let managed: Managed;
  if (scope.subresource) managed = decodeOrEmpty(liveFields);
  else if (isResetManagedFields(metaOf(next)?.managedFields)) managed = emptyManaged();
  else {
    managed = decodeOrEmpty(metaOf(next)?.managedFields);
    if (managed.fields.size === 0) managed = decodeOrEmpty(liveFields);
  }
  // An existing object nobody tracks stays untracked (only creates start tracking).
  if (managed.fields.size === 0 && metaOf(live)?.uid) return undefined;
  const t = objectType(scope);
  const liveTyped = normalize(withoutManagedFields(live ?? {}), scope.schema);
  const nextTyped = normalize(withoutManagedFields(next), scope.schema);
  const sets = updateManagers(t, liveTyped, nextTyped, managed.fields, CURRENT_OPERATION);
  const out: Managed = { fields: sets, times: new Map(managed.times) };
  const current = sets.get(CURRENT_OPERATION);
  sets.delete(CURRENT_OPERATION);
  const set = current?.set.difference(STRIPPED);
  if (current && set && !set.isEmpty()) {
    const id = managerIdentifier({
      manager: manager || UNKNOWN_MANAGER,
      operation: UPDATE,
      apiVersion: t.apiVersion,
      subresource: scope.subresource,
    });
    const prev = sets.get(id);
    sets.set(id, { set: prev ? set.union(prev.set) : set, apiVersion: t.apiVersion, applied: false });
    out.times.set(id, now);
  }
  capUpdateManagers(out);
  return encodeManagedFields(out);
}

export interface ApplyOptions {
  manager: string;
  force: boolean;
  now: string;
}

/**
 * Server-side apply of `config` onto `live` (undefined: the object does not exist yet). Returns
 * the object to store, managedFields included. Throws ApiError 400 (bad config) or 409 (conflicts).
 */
export function applyObject(
  scope: FieldManagerScope,
  live: Obj | undefined,
  config: Obj,
  opts: ApplyOptions,
): Obj {
  checkConfig(scope, config);
  const t = objectType(scope);
  const managed = copyManaged(decodeOrEmpty(metaOf(live)?.managedFields));
  const id = managerIdentifier({ manager: opts.manager, operation: APPLY, subresource: scope.subresource });
  const liveBase = withoutManagedFields(live ?? {});
  const liveTyped = normalize(liveBase, scope.schema);
  let result: ReturnType<typeof applyConfig>;
  try {
    result = applyConfig(t, liveTyped, config, managed.fields, id, opts.force);
  } catch (err) {
    if (!(err instanceof ConflictsError)) throw err;
    const remaining =
      opts.manager === KUBECTL_MANAGER ? notAllowedByLastApplied(scope, live, err.conflicts) : err.conflicts;
    if (remaining.length > 0) throw conflictError(remaining);
    // Every conflict is a field kubectl's client-side apply set to its current value: take it over.
    result = applyConfig(t, liveTyped, config, managed.fields, id, true);
  }
  const sets = result.managers;
  const mine = sets.get(id);
  if (mine) {
    const stripped = mine.set.difference(STRIPPED);
    if (stripped.isEmpty()) sets.delete(id);
    else sets.set(id, { ...mine, set: stripped });
  }
  const out: Managed = { fields: sets, times: managed.times };
  let obj: Obj;
  if (result.object) {
    out.times.set(id, opts.now);
    obj = dropNulls(result.object) as Obj;
  } else {
    obj = jsonClone(liveBase);
  }
  if (opts.manager === KUBECTL_MANAGER) syncLastApplied(obj, config);
  if (!isObjLike(obj.metadata)) obj.metadata = {};
  const meta = obj.metadata as Obj;
  const encoded = encodeManagedFields(out);
  if (encoded) meta.managedFields = encoded;
  else delete meta.managedFields;
  return obj;
}

function checkConfig(scope: FieldManagerScope, config: Obj): void {
  const [group, version] = splitApiVersion(config.apiVersion);
  const kind = typeof config.kind === 'string' ? config.kind : '';
  if (group !== scope.group || version !== scope.version || kind !== scope.kind) {
    throw badRequest(`invalid object type: ${gvkString(group, version, kind)}`);
  }
  const meta = metaOf(config);
  if (meta && meta.managedFields !== undefined && meta.managedFields !== null) {
    throw badRequest('metadata.managedFields must be nil');
  }
  const { errors } = toFieldSet(config, { node: scope.schema }, true);
  if (errors.length > 0) {
    const ns = typeof meta?.namespace === 'string' ? meta.namespace : '';
    const name = typeof meta?.name === 'string' ? meta.name : '';
    const detail = errors.length === 1 ? errors[0] : ['errors:', ...errors.map((e) => `  ${e}`)].join('\n');
    throw badRequest(
      `failed to create typed patch object (${ns}/${name}; ${gvkString(scope.group, scope.version, scope.kind)}): ${detail}`,
    );
  }
}

function splitApiVersion(v: unknown): [string, string] {
  if (typeof v !== 'string' || v === '') return ['', ''];
  const slash = v.indexOf('/');
  return slash < 0 ? ['', v] : [v.slice(0, slash), v.slice(slash + 1)];
}

/**
 * Conflicts kubectl may not override when upgrading from client-side apply: those outside the
 * fields of the last-applied annotation that still hold the annotation's values.
 */
function notAllowedByLastApplied(
  scope: FieldManagerScope,
  live: Obj | undefined,
  conflicts: Conflict[],
): Conflict[] {
  const annotations = metaOf(live)?.annotations as Record<string, unknown> | undefined;
  const raw = annotations?.[LAST_APPLIED_ANNOTATION];
  if (typeof raw !== 'string' || raw === '' || !live) return conflicts;
  let lastApplied: Obj;
  try {
    lastApplied = JSON.parse(raw) as Obj;
  } catch {
    return conflicts;
  }
  if (lastApplied?.apiVersion !== apiVersionOf(scope)) return conflicts;
  const ref = { node: scope.schema };
  const liveTyped = normalize(withoutManagedFields(live), scope.schema);
  const diff = compare(lastApplied, liveTyped, ref);
  const allowed = toFieldSet(lastApplied, ref)
    .set.difference(diff.modified)
    .difference(diff.added)
    .difference(diff.removed);
  return conflicts.filter((c) => !allowed.has(c.path));
}

/** kubectl's server-side apply rewrites an existing last-applied annotation to the new config. */
function syncLastApplied(obj: Obj, config: Obj): void {
  const annotations = metaOf(obj)?.annotations as Record<string, unknown> | undefined;
  const current = annotations?.[LAST_APPLIED_ANNOTATION];
  if (typeof current !== 'string' || current === '') return;
  annotations![LAST_APPLIED_ANNOTATION] = buildLastApplied(config);
}

function buildLastApplied(config: Obj): string {
  const copy = jsonClone(config);
  const meta = metaOf(copy);
  const ann = meta?.annotations as Record<string, unknown> | undefined;
  if (ann && Object.hasOwn(ann, LAST_APPLIED_ANNOTATION)) delete ann[LAST_APPLIED_ANNOTATION];
  return `${goJson(copy as Json)}\n`;
}

/** Merge the oldest update entries into per-version buckets until at most the cap remain. */
function capUpdateManagers(m: Managed): void {
  const updaters = [...m.fields].filter(([, vs]) => !vs.applied).map(([id]) => id);
  if (updaters.length <= MAX_UPDATE_MANAGERS) return;
  const secs = (id: string) => {
    const t = m.times.get(id);
    return t ? Math.floor(Date.parse(t) / 1000) || 0 : 0;
  };
  updaters.sort((a, b) => secs(a) - secs(b) || byCodeUnit(a, b));
  const firstOfVersion = new Map<string, string>();
  let length = updaters.length;
  for (let i = 0; i < updaters.length && length > MAX_UPDATE_MANAGERS; i++) {
    const id = updaters[i];
    const vs = m.fields.get(id)!;
    const bucket = managerIdentifier({
      manager: ANCIENT_CHANGES_MANAGER,
      operation: UPDATE,
      apiVersion: vs.apiVersion,
    });
    const first = firstOfVersion.get(vs.apiVersion);
    if (first === undefined) {
      firstOfVersion.set(vs.apiVersion, id);
      continue;
    }
    if (!m.fields.has(bucket)) {
      m.fields.set(bucket, m.fields.get(first)!);
      m.fields.delete(first);
    }
    const b = m.fields.get(bucket)!;
    m.fields.set(bucket, { set: vs.set.union(b.set), apiVersion: vs.apiVersion, applied: false });
    m.fields.delete(id);
    m.times.set(bucket, m.times.get(id));
    length--;
  }
}
