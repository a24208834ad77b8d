// metadata.managedFields on the wire ↔ the managers' field sets. Each manager is identified by
// its entry without fields and time (and, for appliers, without apiVersion, so one applier keeps
// one entry across versions): `{"manager":"kubectl","operation":"Apply"}`,
// `{"manager":"kubectl-edit","operation":"Update","apiVersion":"apps/v1"}`.

import { byCodeUnit as cmp } from '../../util/code-unit-order.ts';
import { FieldSet } from './field-set.ts';

export const APPLY = 'Apply';
export const UPDATE = 'Update';
export const FIELDS_V1 = 'FieldsV1';

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: unknown;
  subresource?: string;
}

export interface VersionedSet {
  set: FieldSet;
  apiVersion: string;
  applied: boolean;
}

/** Manager identifier → its fields. */
export type ManagerSets = Map<string, VersionedSet>;

export interface Managed {
  fields: ManagerSets;
  times: Map<string, string | undefined>;
}

export const emptyManaged = (): Managed => ({ fields: new Map(), times: new Map() });

export const copyManaged = (m: Managed): Managed => ({ fields: new Map(m.fields), times: new Map(m.times) });

/** The identifier: the entry's JSON (Go field order) without time, fields, and an applier's apiVersion. */
export function managerIdentifier(e: {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  subresource?: string;
}): string {
  const o: Record<string, string> = {};
  if (e.manager) o.manager = e.manager;
  if (e.operation) o.operation = e.operation;
  if (e.apiVersion && e.operation !== APPLY) o.apiVersion = e.apiVersion;
  if (e.subresource) o.subresource = e.subresource;
  return goEscape(JSON.stringify(o));
}

export function parseIdentifier(id: string): ManagedFieldsEntry {
  try {
    return JSON.parse(id) as ManagedFieldsEntry;
  } catch {
    return { manager: id };
  }
}

/** Decode metadata.managedFields; throws (with upstream's reasons) on anything malformed. */
export function decodeManagedFields(entries: unknown): Managed {
  const out = emptyManaged();
  if (entries === undefined || entries === null) return out;
  if (!Array.isArray(entries)) throw new Error('managedFields must be a list');
  entries.forEach((raw, i) => {
    if (typeof raw !== 'object' || raw === null)
      throw new Error(`managed fields entry ${i} must be an object`);
    const e = raw as ManagedFieldsEntry;
    if (e.operation !== APPLY && e.operation !== UPDATE)
      throw new Error('operation must be `Apply` or `Update`');
    if (!e.apiVersion) throw new Error('apiVersion must not be empty');
    if (!e.fieldsType) throw new Error(`missing fieldsType in managed fields entry ${i}`);
    if (e.fieldsType !== FIELDS_V1)
      throw new Error(`invalid fieldsType ${JSON.stringify(e.fieldsType)} in managed fields entry ${i}`);
    const id = managerIdentifier(e);
    out.fields.set(id, {
      set: FieldSet.fromFieldsV1(e.fieldsV1 ?? {}),
      apiVersion: e.apiVersion,
      applied: e.operation === APPLY,
    });
    out.times.set(id, e.time);
  });
  return out;
}

/** Encode for metadata.managedFields, sorted as upstream (operation, time, manager, apiVersion,
 * subresource); undefined when nothing is managed. */
export function encodeManagedFields(m: Managed): ManagedFieldsEntry[] | undefined {
  if (m.fields.size === 0) return undefined;
  const entries: ManagedFieldsEntry[] = [];
  for (const [id, vs] of m.fields) {
    const ident = parseIdentifier(id);
    const e: ManagedFieldsEntry = {};
    e.manager = ident.manager;
    e.operation = vs.applied ? APPLY : (ident.operation ?? UPDATE);
    e.apiVersion = vs.apiVersion;
    const time = m.times.get(id);
    if (time) e.time = time;
    e.fieldsType = FIELDS_V1;
    e.fieldsV1 = vs.set.toFieldsV1();
    if (ident.subresource) e.subresource = ident.subresource;
    entries.push(e);
  }
  return entries.sort(compareEntries);
}

function compareEntries(p: ManagedFieldsEntry, q: ManagedFieldsEntry): number {
  if (p.operation !== q.operation) return cmp(p.operation ?? '', q.operation ?? '');
  const ps = seconds(p.time);
  const qs = seconds(q.time);
  if (ps !== qs) return ps - qs;
  if (p.manager !== q.manager) return cmp(p.manager ?? '', q.manager ?? '');
  if (p.apiVersion !== q.apiVersion) return cmp(p.apiVersion ?? '', q.apiVersion ?? '');
  return cmp(p.subresource ?? '', q.subresource ?? '');
}

const seconds = (t?: string): number => (t ? Math.floor(Date.parse(t) / 1000) || 0 : 0);

/** Go's JSON encoder escapes <, > and & (manager names are free text). */
const goEscape = (s: string): string =>
  s.replace(/[<>&]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** True for `[]` or `[{}]`: the client asks to drop all managed fields. */
export function isResetManagedFields(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  if (v.length === 0) return true;
  return (
    v.length === 1 &&
    typeof v[0] === 'object' &&
    v[0] !== null &&
    Object.values(v[0] as object).every((x) => x === undefined || x === '' || x === null)
  );
}
