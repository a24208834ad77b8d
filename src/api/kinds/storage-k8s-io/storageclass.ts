// storage.k8s.io/v1 StorageClass.
import { type FieldError, fieldForbidden, fieldInvalid, fieldRequired, fieldTooLong } from '../../errors.ts';
import type { KObject } from '../../object.ts';
import {
  isObject,
  isQualifiedName,
  sameValue,
  validateEnum,
  validateImmutable,
} from '../../validation/index.ts';
import { defineKind } from '../define.ts';
import { str } from '../printing/cells.ts';
import { ageColumn, ageOf, column, nameColumn, nameOf } from '../printing/default-table.ts';

export const DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';
export const BETA_DEFAULT_CLASS_ANNOTATION = 'storageclass.beta.kubernetes.io/is-default-class';
/** Upstream's bounds on provisioner parameters: 512 entries, 256 KiB in all. */
const MAX_PARAMETERS = 512;
const MAX_PARAMETERS_SIZE = 256 * 1024;
const RECLAIM_POLICIES = ['Delete', 'Retain'];
const BINDING_MODES = ['Immediate', 'WaitForFirstConsumer'];

function validateStorageClass(sc: KObject): FieldError[] {
  const errs: FieldError[] = [];
  const provisioner = str(sc.provisioner);
  if (!provisioner) errs.push(fieldRequired('provisioner'));
  else
    errs.push(
      ...isQualifiedName(provisioner.toLowerCase()).map((m) => fieldInvalid('provisioner', provisioner, m)),
    );
  const params = isObject(sc.parameters) ? sc.parameters : {};
  const keys = Object.keys(params);
  if (keys.length > MAX_PARAMETERS) {
    errs.push({
      type: 'FieldValueTooMany',
      field: 'parameters',
      detail: `Too many: ${keys.length}: must have at most ${MAX_PARAMETERS} items`,
    });
  } else {
    let size = 0;
    for (const k of keys) {
      if (k.length < 1) errs.push(fieldInvalid('parameters', k, 'field can not be empty.'));
      size += Buffer.byteLength(k) + Buffer.byteLength(str(params[k]));
    }
    if (size > MAX_PARAMETERS_SIZE) errs.push(fieldTooLong('parameters', '', MAX_PARAMETERS_SIZE));
  }
  errs.push(...validateEnum(sc.reclaimPolicy, 'reclaimPolicy', RECLAIM_POLICIES));
  errs.push(...validateEnum(sc.volumeBindingMode, 'volumeBindingMode', BINDING_MODES, { required: true }));
  return errs;
}

function validateStorageClassUpdate(sc: KObject, old: KObject): FieldError[] {
  const errs: FieldError[] = [];
  if (!sameValue(sc.parameters, old.parameters))
    errs.push(fieldForbidden('parameters', 'updates to parameters are forbidden.'));
  if (sc.provisioner !== old.provisioner)
    errs.push(fieldForbidden('provisioner', 'updates to provisioner are forbidden.'));
  if (sc.reclaimPolicy !== old.reclaimPolicy)
    errs.push(fieldForbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
  errs.push(...validateImmutable(sc.volumeBindingMode, old.volumeBindingMode, 'volumeBindingMode'));
  return errs;
}

export const isDefaultClass = (obj: KObject): boolean =>
  obj.metadata?.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true' ||
  obj.metadata?.annotations?.[BETA_DEFAULT_CLASS_ANNOTATION] === 'true';

export const STORAGE_CLASS = defineKind({
  group: 'storage.k8s.io',
  version: 'v1',
  kind: 'StorageClass',
  plural: 'storageclasses',
  namespaced: false,
  shortNames: ['sc'],
  defaults(sc) {
    sc.reclaimPolicy ||= 'Delete';
    sc.volumeBindingMode ||= 'Immediate';
  },
  validate: validateStorageClass,
  validateUpdate: validateStorageClassUpdate,
  table: {
    columns: [
      nameColumn(),
      column('Provisioner', 'provisioner indicates the type of the provisioner.'),
      column(
        'ReclaimPolicy',
        'reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class.',
      ),
      column(
        'VolumeBindingMode',
        'volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.',
      ),
      column(
        'AllowVolumeExpansion',
        'allowVolumeExpansion shows whether the storage class allow volume expand.',
      ),
      ageColumn(),
    ],
    cells: (sc, now) => [
      isDefaultClass(sc) ? `${nameOf(sc)} (default)` : nameOf(sc),
      str(sc.provisioner),
      str(sc.reclaimPolicy) || 'Delete',
      str(sc.volumeBindingMode) || 'Immediate',
      sc.allowVolumeExpansion === true,
      ageOf(sc, now),
    ],
  },
});
