// Ownership bookkeeping (structured-merge-diff's Updater): how a write moves fields between
// managers, when an apply conflicts, and which fields an apply removes.
//
//   update(live → new, by M):  fields that changed are taken from every other manager; fields
//       that disappeared leave everybody's sets; M gains what it added or modified.
//   apply(config, by M):       merge config into live; M's set becomes exactly the config's
//       fields; fields M applied last time but not now are pruned unless someone else owns them;
//       changing a field another manager owns is a conflict unless forced.
import { type Conflict, ConflictsError, conflictsFromManagers } from './conflict.ts';
import { FieldSet } from './field-set.ts';
import type { ManagerSets, VersionedSet } from './managed-fields.ts';
import type { TypeRef } from './type-info.ts';
import {
  type Comparison,
  compare,
  ensureNamedFieldsAreMembers,
  jsonEqual,
  merge,
  removeItems,
  toFieldSet,
} from './typed.ts';

export interface ObjectType {
  ref: TypeRef;
  apiVersion: string;
  /** Drops fields nobody may own through this endpoint (status on the main resource, …). */
  ignore: (set: FieldSet) => FieldSet;
}

function filterComparison(c: Comparison, ignore: (s: FieldSet) => FieldSet): Comparison {
  return { added: ignore(c.added), modified: ignore(c.modified), removed: ignore(c.removed) };
}

/** Take changed fields from other managers (or report conflicts when not forced). */
function reassign(
  t: ObjectType,
  oldObj: unknown,
  newObj: unknown,
  managers: ManagerSets,
  workflow: string,
  force: boolean,
): Comparison {
  const cmp = filterComparison(compare(oldObj, newObj, t.ref), t.ignore);
  const changed = cmp.modified.union(cmp.added);
  const conflicts = new Map<string, FieldSet>();
  for (const [manager, vs] of managers) {
    if (manager === workflow) continue;
    const c = vs.set.intersection(changed);
    if (!c.isEmpty()) conflicts.set(manager, c);
  }
  if (!force && conflicts.size > 0) throw new ConflictsError(conflictsFromManagers(conflicts));
  for (const [manager, vs] of managers) {
    if (manager === workflow) continue;
    let set = vs.set;
    const c = conflicts.get(manager);
    if (c) set = set.difference(c);
    if (!cmp.removed.isEmpty()) set = set.difference(cmp.removed);
    if (set.isEmpty()) managers.delete(manager);
    else if (set !== vs.set) managers.set(manager, { ...vs, set });
  }
  return cmp;
}

/** A non-apply write by `manager` turned `live` into `next`. Returns the new manager sets. */
export function updateManagers(
  t: ObjectType,
  live: unknown,
  next: unknown,
  managers: ManagerSets,
  manager: string,
): ManagerSets {
  const out = new Map(managers);
  const cmp = reassign(t, live, next, out, manager, true);
  const prev = out.get(manager)?.set ?? new FieldSet();
  const set = t.ignore(prev.difference(cmp.removed).union(cmp.modified).union(cmp.added));
  if (set.isEmpty()) out.delete(manager);
  else out.set(manager, { set, apiVersion: t.apiVersion, applied: false });
  return out;
}

export interface ApplyResult {
  /** The merged object; undefined when applying changed nothing. */
  object: Record<string, unknown> | undefined;
  managers: ManagerSets;
}

/** Server-side apply of `config` by `manager`. Throws ConflictsError unless `force`. */
export function applyConfig(
  t: ObjectType,
  live: Record<string, unknown>,
  config: Record<string, unknown>,
  managers: ManagerSets,
  manager: string,
  force: boolean,
): ApplyResult {
  const out = new Map(managers);
  let merged = merge(live, config, t.ref) as Record<string, unknown>;
  const lastSet = out.get(manager);
  const set = t.ignore(toFieldSet(config, t.ref).set);
  out.set(manager, { set, apiVersion: t.apiVersion, applied: true });
  merged = prune(t, merged, out, lastSet) as Record<string, unknown>;
  reassign(t, live, merged, out, manager, force);
  return { object: jsonEqual(live, merged) ? undefined : merged, managers: out };
}

/**
 * Remove what the applier owned last time and no longer applies, unless another manager owns it;
 * fields nobody owned before are never removed.
 */
function prune(
  t: ObjectType,
  merged: unknown,
  managers: ManagerSets,
  lastSet: VersionedSet | undefined,
): unknown {
  if (!lastSet || lastSet.set.isEmpty()) return merged;
  const named = (s: FieldSet) => ensureNamedFieldsAreMembers(s, t.ref);
  const fieldsOf = (v: unknown) => named(toFieldSet(v, t.ref).set);
  const last = named(lastSet.set);
  const pruned = removeItems(merged, last, t.ref);
  let owned = new FieldSet();
  for (const vs of managers.values()) owned = owned.union(vs.set);
  const mergedSet = fieldsOf(merged);
  // Add back everything someone still owns…
  const kept = removeItems(merged, mergedSet.difference(fieldsOf(pruned).union(named(owned))), t.ref);
  // …and everything the applier did not own before (only its own fields may disappear).
  return removeItems(merged, mergedSet.difference(fieldsOf(kept)).intersection(last), t.ref);
}

export type { Conflict };
