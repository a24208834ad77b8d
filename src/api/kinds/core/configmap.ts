// core/v1 ConfigMap.
import { type FieldError, fieldForbidden, fieldInvalid, fieldTooLong } from '../../errors.ts';
import type { KObject } from '../../object.ts';
import { isConfigMapKey, isObject, key, sameValue } from '../../validation/index.ts';
import { defineKind } from '../define.ts';
import { len } from '../printing/cells.ts';
import { ageColumn, ageOf, column, nameColumn, nameOf } from '../printing/default-table.ts';

/** Upstream's MaxSecretSize, which bounds ConfigMaps and Secrets alike (they land in etcd and in pods). */
export const MAX_DATA_SIZE = 1024 * 1024;
export const IMMUTABLE_MESSAGE = 'field is immutable when `immutable` is set';

const byteLength = (v: unknown): number => Buffer.byteLength(typeof v === 'string' ? v : String(v ?? ''));

function validateConfigMap(cm: KObject): FieldError[] {
  const errs: FieldError[] = [];
  const data = isObject(cm.data) ? cm.data : {};
  const binary = isObject(cm.binaryData) ? cm.binaryData : {};
  let size = 0;
  for (const [k, v] of Object.entries(data)) {
    errs.push(...isConfigMapKey(k).map((m) => fieldInvalid(key('data', k), k, m)));
    if (k in binary) errs.push(fieldInvalid(key('data', k), k, 'duplicate of key present in binaryData'));
    size += byteLength(v);
  }
  for (const [k, v] of Object.entries(binary)) {
    errs.push(...isConfigMapKey(k).map((m) => fieldInvalid(key('binaryData', k), k, m)));
    if (k in data) errs.push(fieldInvalid(key('binaryData', k), k, 'duplicate of key present in data'));
    size += Buffer.from(String(v ?? ''), 'base64').length;
  }
  if (size > MAX_DATA_SIZE) errs.push(fieldTooLong('', '', MAX_DATA_SIZE));
  return errs;
}

/** Once `immutable: true`, neither the flag nor the data may change (ConfigMaps and Secrets). */
export function validateImmutableData(obj: KObject, old: KObject, fields: string[]): FieldError[] {
  if (old.immutable !== true) return [];
  const errs: FieldError[] = [];
  if (obj.immutable !== true) errs.push(fieldForbidden('immutable', IMMUTABLE_MESSAGE));
  for (const f of fields) if (!sameValue(obj[f], old[f])) errs.push(fieldForbidden(f, IMMUTABLE_MESSAGE));
  return errs;
}

export const CONFIG_MAP = defineKind({
  group: '',
  version: 'v1',
  kind: 'ConfigMap',
  plural: 'configmaps',
  namespaced: true,
  shortNames: ['cm'],
  validate: validateConfigMap,
  validateUpdate: (cm, old) => validateImmutableData(cm, old, ['data', 'binaryData']),
  table: {
    columns: [nameColumn(), column('Data', 'Data contains the configuration data.'), ageColumn()],
    cells: (cm, now) => [nameOf(cm), len(cm.data) + len(cm.binaryData), ageOf(cm, now)],
  },
});
