// Pod volumes: unique DNS-label names and exactly one source, with the required fields of the
// common sources (upstream's ValidateVolumes / validateVolumeSource).
import {
  type FieldError,
  fieldDuplicate,
  fieldForbidden,
  fieldInvalid,
  fieldRequired,
} from '../../errors.ts';
import type { KObject } from '../../object.ts';
import { asArray, child, index, isDNS1123Label, isObject, validateEnum } from '../../validation/index.ts';
import { VOLUME_SOURCES } from './pod-defaults.ts';

const HOST_PATH_TYPES = [
  '',
  'DirectoryOrCreate',
  'Directory',
  'FileOrCreate',
  'File',
  'Socket',
  'CharDevice',
  'BlockDevice',
];
const MAX_FILE_MODE = 0o777;
const FILE_MODE_MESSAGE = 'must be a number between 0 and 0777 (octal), both inclusive';

/** Validates the volumes and returns the names containers may mount. */
export function validateVolumes(volumes: unknown, field: string, errs: FieldError[]): Set<string> {
  const names = new Set<string>();
  asArray<KObject>(volumes).forEach((v, i) => {
    const at = index(field, i);
    const namePath = child(at, 'name');
    errs.push(...validateVolumeSource(v, at));
    if (!v.name) errs.push(fieldRequired(namePath));
    else errs.push(...isDNS1123Label(String(v.name)).map((m) => fieldInvalid(namePath, v.name, m)));
    if (names.has(v.name)) errs.push(fieldDuplicate(namePath, v.name));
    else if (v.name) names.add(v.name);
  });
  return names;
}

function validateVolumeSource(v: KObject, field: string): FieldError[] {
  const errs: FieldError[] = [];
  let count = 0;
  for (const source of VOLUME_SOURCES) {
    if (v[source] === undefined || v[source] === null) continue;
    if (count++ > 0) {
      errs.push(fieldForbidden(child(field, source), 'may not specify more than 1 volume type'));
      continue;
    }
    errs.push(...validateSource(source, asObject(v[source]), child(field, source)));
  }
  if (count === 0) errs.push(fieldRequired(field, 'must specify a volume type'));
  return errs;
}

const asObject = (v: unknown): KObject => (isObject(v) ? (v as KObject) : {});

function validateSource(source: string, s: KObject, field: string): FieldError[] {
  const errs: FieldError[] = [];
  switch (source) {
    case 'hostPath':
      if (!s.path) errs.push(fieldRequired(child(field, 'path')));
      else if (String(s.path).split('/').includes('..'))
        errs.push(fieldInvalid(child(field, 'path'), s.path, "must not contain '..'"));
      errs.push(...validateEnum(s.type, child(field, 'type'), HOST_PATH_TYPES.slice(1)));
      break;
    case 'secret':
      if (!s.secretName) errs.push(fieldRequired(child(field, 'secretName')));
      errs.push(...validateMode(s.defaultMode, child(field, 'defaultMode')));
      errs.push(...validateKeyToPaths(s.items, child(field, 'items')));
      break;
    case 'configMap':
      if (!s.name) errs.push(fieldRequired(child(field, 'name')));
      errs.push(...validateMode(s.defaultMode, child(field, 'defaultMode')));
      errs.push(...validateKeyToPaths(s.items, child(field, 'items')));
      break;
    case 'persistentVolumeClaim':
      if (!s.claimName) errs.push(fieldRequired(child(field, 'claimName')));
      break;
    case 'nfs':
      if (!s.server) errs.push(fieldRequired(child(field, 'server')));
      if (!s.path) errs.push(fieldRequired(child(field, 'path')));
      else if (!String(s.path).startsWith('/'))
        errs.push(fieldInvalid(child(field, 'path'), s.path, 'must be an absolute path'));
      break;
    case 'downwardAPI':
    case 'projected':
      errs.push(...validateMode(s.defaultMode, child(field, 'defaultMode')));
      break;
    case 'csi':
      if (!s.driver) errs.push(fieldRequired(child(field, 'driver')));
      break;
  }
  return errs;
}

function validateMode(mode: unknown, field: string): FieldError[] {
  if (mode === undefined || mode === null) return [];
  return typeof mode === 'number' && Number.isInteger(mode) && mode >= 0 && mode <= MAX_FILE_MODE
    ? []
    : [fieldInvalid(field, mode, FILE_MODE_MESSAGE)];
}

function validateKeyToPaths(items: unknown, field: string): FieldError[] {
  const errs: FieldError[] = [];
  asArray<KObject>(items).forEach((it, i) => {
    const at = index(field, i);
    if (!it.key) errs.push(fieldRequired(child(at, 'key')));
    if (!it.path) errs.push(fieldRequired(child(at, 'path')));
    else {
      const p = String(it.path);
      if (p.startsWith('/')) errs.push(fieldInvalid(child(at, 'path'), p, 'must be a relative path'));
      if (p.split('/').includes('..')) errs.push(fieldInvalid(child(at, 'path'), p, "must not contain '..'"));
    }
    errs.push(...validateMode(it.mode, child(at, 'mode')));
  });
  return errs;
}
