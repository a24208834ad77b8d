// core/v1 PersistentVolume and PersistentVolumeClaim.
import {
  type FieldError,
  fieldForbidden,
  fieldInvalid,
  fieldNotSupported,
  fieldRequired,
} from '../../errors.ts';
import type { KObject } from '../../object.ts';
import { canonicalQuantity } from '../../quantity.ts';
import {
  asArray,
  child,
  isDNS1123Subdomain,
  isObject,
  key,
  quantityAt,
  sameValue,
  validateEnum,
  validateLabelSelector,
} from '../../validation/index.ts';
import { defineKind, statusSubresource } from '../define.ts';
import { accessModes, str, UNSET } from '../printing/cells.ts';
import { ageColumn, ageOf, column, nameColumn, nameOf } from '../printing/default-table.ts';
import { canonicalizeResourceList } from './resource-list.ts';

/** Sorted, as upstream lists them. */
const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
const RECLAIM_POLICIES = ['Delete', 'Recycle', 'Retain'];
const VOLUME_MODES = ['Block', 'Filesystem'];
const PV_SOURCES = [
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'hostPath',
  'glusterfs',
  'nfs',
  'rbd',
  'iscsi',
  'cinder',
  'cephfs',
  'fc',
  'flocker',
  'flexVolume',
  'azureFile',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'portworxVolume',
  'scaleIO',
  'local',
  'storageos',
  'csi',
];
const POSITIVE = 'must be greater than zero';
const STORAGE = 'storage';
const DEFAULT_CLASS_ANNOTATION = 'volume.beta.kubernetes.io/storage-class';

function validateAccessModes(modes: unknown, field: string, required: string | undefined): FieldError[] {
  const list = asArray<string>(modes);
  const errs: FieldError[] = [];
  if (list.length === 0 && required !== undefined) errs.push(fieldRequired(field, required));
  for (const m of list) if (!ACCESS_MODES.includes(m)) errs.push(fieldNotSupported(field, m, ACCESS_MODES));
  return errs;
}

function validatePositiveStorage(value: unknown, field: string, errs: FieldError[]): void {
  const q = quantityAt(value, field, errs);
  if (q && q.nanos <= 0n) errs.push(fieldInvalid(field, canonicalQuantity(String(value)), POSITIVE));
}

function validatePV(pv: KObject): FieldError[] {
  const spec: KObject = pv.spec ?? {};
  const errs = validateAccessModes(spec.accessModes, 'spec.accessModes', '');
  const capacity = isObject(spec.capacity) ? spec.capacity : {};
  if (Object.keys(capacity).length === 0) errs.push(fieldRequired('spec.capacity'));
  if (!(STORAGE in capacity) || Object.keys(capacity).length > 1) {
    errs.push({
      type: 'FieldValueNotSupported',
      field: 'spec.capacity',
      detail: `Unsupported value: ${JSON.stringify(capacity)}: supported values: "${STORAGE}"`,
    });
  }
  for (const [r, v] of Object.entries(capacity)) validatePositiveStorage(v, key('spec.capacity', r), errs);
  errs.push(
    ...validateEnum(
      spec.persistentVolumeReclaimPolicy,
      'spec.persistentVolumeReclaimPolicy',
      RECLAIM_POLICIES,
    ),
  );
  const sources = PV_SOURCES.filter((s) => spec[s] !== undefined && spec[s] !== null);
  if (sources.length === 0) errs.push(fieldRequired('spec', 'must specify a volume type'));
  for (const s of sources.slice(1))
    errs.push(fieldForbidden(child('spec', s), 'may not specify more than 1 volume type'));
  if (isObject(spec.hostPath) && !spec.hostPath.path) errs.push(fieldRequired('spec.hostPath.path'));
  if (isObject(spec.local) && !spec.local.path) errs.push(fieldRequired('spec.local.path'));
  errs.push(...validateEnum(spec.volumeMode, 'spec.volumeMode', VOLUME_MODES));
  if (spec.storageClassName) {
    errs.push(
      ...isDNS1123Subdomain(String(spec.storageClassName)).map((m) =>
        fieldInvalid('spec.storageClassName', spec.storageClassName, m),
      ),
    );
  }
  return errs;
}

function validatePVCSpec(spec: KObject, field: string): FieldError[] {
  const errs = validateAccessModes(
    spec.accessModes,
    child(field, 'accessModes'),
    'at least 1 access mode is required',
  );
  errs.push(...validateLabelSelector(spec.selector, child(field, 'selector')));
  const requests = isObject(spec.resources?.requests) ? spec.resources.requests : {};
  const storagePath = key(child(field, 'resources'), STORAGE);
  if (!(STORAGE in requests)) errs.push(fieldRequired(storagePath));
  else validatePositiveStorage(requests[STORAGE], storagePath, errs);
  if (spec.storageClassName) {
    errs.push(
      ...isDNS1123Subdomain(String(spec.storageClassName)).map((m) =>
        fieldInvalid(child(field, 'storageClassName'), spec.storageClassName, m),
      ),
    );
  }
  errs.push(...validateEnum(spec.volumeMode, child(field, 'volumeMode'), VOLUME_MODES));
  return errs;
}

function validatePVCUpdate(pvc: KObject, old: KObject): FieldError[] {
  const spec: KObject = structuredClone(pvc.spec ?? {});
  const oldSpec: KObject = structuredClone(old.spec ?? {});
  // volumeName is set once by the binder; a bound claim may grow its storage request.
  if (!oldSpec.volumeName) oldSpec.volumeName = spec.volumeName;
  const bound = pvc.status?.phase === 'Bound';
  if (bound && isObject(spec.resources?.requests))
    spec.resources.requests[STORAGE] = oldSpec.resources?.requests?.[STORAGE];
  const errs: FieldError[] = [];
  if (!sameValue(spec, oldSpec))
    errs.push(
      fieldForbidden('spec', 'spec is immutable after creation except resources.requests for bound claims'),
    );
  const next = quantityAt(pvc.spec?.resources?.requests?.[STORAGE], 'spec.resources.requests.storage', []);
  const prev = quantityAt(old.spec?.resources?.requests?.[STORAGE], 'spec.resources.requests.storage', []);
  if (next && prev && next.nanos < prev.nanos) {
    errs.push(fieldForbidden('spec.resources.requests.storage', 'field can not be less than previous value'));
  }
  return errs;
}

const className = (obj: KObject): string =>
  str(obj.metadata?.annotations?.[DEFAULT_CLASS_ANNOTATION]) || str(obj.spec?.storageClassName);

export const PERSISTENT_VOLUME = defineKind({
  group: '',
  version: 'v1',
  kind: 'PersistentVolume',
  plural: 'persistentvolumes',
  namespaced: false,
  shortNames: ['pv'],
  subresources: [statusSubresource('', 'v1', 'PersistentVolume')],
  defaults(pv) {
    pv.spec ??= {};
    const spec = pv.spec;
    if (isObject(spec.capacity)) spec.capacity = canonicalizeResourceList(spec.capacity);
    spec.persistentVolumeReclaimPolicy ||= 'Retain';
    spec.volumeMode ||= 'Filesystem';
    pv.status ??= {};
    pv.status.phase ||= 'Pending';
  },
  validate: validatePV,
  table: {
    columns: [
      nameColumn(),
      column('Capacity', "capacity is the description of the persistent volume's resources and capacity."),
      column('Access Modes', 'accessModes contains all ways the volume can be mounted.'),
      column('Reclaim Policy', 'What happens to a persistent volume when released from its claim.'),
      column('Status', 'phase indicates if a volume is available, bound to a claim, or released by a claim.'),
      column('Claim', 'The claim this volume is bound to.'),
      column('StorageClass', 'StorageClass of the pv'),
      column('VolumeAttributesClass', 'VolumeAttributesClass of the pv'),
      column('Reason', 'reason is a brief CamelCase string that describes any failure.'),
      ageColumn(),
      column(
        'VolumeMode',
        'volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.',
        { wide: true },
      ),
    ],
    cells(pv, now) {
      const spec: KObject = pv.spec ?? {};
      const claim = spec.claimRef ? `${str(spec.claimRef.namespace)}/${str(spec.claimRef.name)}` : '';
      const storage = spec.capacity?.[STORAGE];
      return [
        nameOf(pv),
        storage === undefined ? '0' : canonicalQuantity(String(storage)),
        accessModes(spec.accessModes),
        str(spec.persistentVolumeReclaimPolicy),
        pv.metadata?.deletionTimestamp ? 'Terminating' : str(pv.status?.phase),
        claim,
        className(pv),
        str(spec.volumeAttributesClassName) || UNSET,
        str(pv.status?.reason),
        ageOf(pv, now),
        str(spec.volumeMode) || UNSET,
      ];
    },
  },
});

export const PERSISTENT_VOLUME_CLAIM = defineKind({
  group: '',
  version: 'v1',
  kind: 'PersistentVolumeClaim',
  plural: 'persistentvolumeclaims',
  namespaced: true,
  shortNames: ['pvc'],
  subresources: [statusSubresource('', 'v1', 'PersistentVolumeClaim')],
  defaults(pvc) {
    pvc.spec ??= {};
    const spec = pvc.spec;
    spec.volumeMode ||= 'Filesystem';
    for (const k of ['requests', 'limits']) {
      if (isObject(spec.resources?.[k])) spec.resources[k] = canonicalizeResourceList(spec.resources[k]);
    }
    pvc.status ??= {};
    pvc.status.phase ||= 'Pending';
  },
  validate: (pvc) => validatePVCSpec(pvc.spec ?? {}, 'spec'),
  validateUpdate: validatePVCUpdate,
  table: {
    columns: [
      nameColumn(),
      column('Status', 'phase represents the current phase of PersistentVolumeClaim.'),
      column('Volume', 'volumeName is the binding reference to the PersistentVolume backing this claim.'),
      column('Capacity', 'capacity represents the actual resources of the underlying volume.'),
      column('Access Modes', 'accessModes contains the actual access modes the volume backing the PVC has.'),
      column('StorageClass', 'StorageClass of the pvc'),
      column('VolumeAttributesClass', 'VolumeAttributesClass of the pvc'),
      ageColumn(),
      column('VolumeMode', 'volumeMode defines what type of volume is required by the claim.', {
        wide: true,
      }),
    ],
    cells(pvc, now) {
      const spec: KObject = pvc.spec ?? {};
      const bound = !!spec.volumeName;
      const storage = pvc.status?.capacity?.[STORAGE];
      return [
        nameOf(pvc),
        pvc.metadata?.deletionTimestamp ? 'Terminating' : str(pvc.status?.phase),
        str(spec.volumeName),
        bound ? (storage === undefined ? '0' : canonicalQuantity(String(storage))) : '',
        bound ? accessModes(pvc.status?.accessModes) : '',
        className(pvc),
        str(spec.volumeAttributesClassName) || UNSET,
        ageOf(pvc, now),
        str(spec.volumeMode) || UNSET,
      ];
    },
  },
});
