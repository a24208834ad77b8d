import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findKind } from '../../api/kinds/index.ts';
import type { KObject } from '../../api/object.ts';
import type { AdmissionAttributes } from '../registry/admission.ts';
import { DefaultStorageClass, defaultClass } from './default-storage-class.ts';

const sc = (name: string, isDefault: boolean, created: string): KObject => ({
  metadata: {
    name,
    creationTimestamp: created,
    annotations: isDefault ? { 'storageclass.kubernetes.io/is-default-class': 'true' } : {},
  },
  provisioner: 'x',
});

const attrs = (obj: KObject): AdmissionAttributes =>
  ({
    operation: 'CREATE',
    kind: findKind('', 'persistentvolumeclaims')!,
    subresource: '',
    namespace: 'default',
    name: 'c',
    obj,
    old: undefined,
    ctx: { user: { username: 'u', groups: [] }, dryRun: false, warnings: [] },
  }) as AdmissionAttributes;

test('a claim without a class gets the newest default class; explicit names and "" are kept', () => {
  const classes = [
    sc('slow', true, '2026-01-01T00:00:00Z'),
    sc('fast', true, '2026-02-01T00:00:00Z'),
    sc('x', false, '2026-03-01T00:00:00Z'),
  ];
  assert.equal(defaultClass(classes), 'fast');
  const p = new DefaultStorageClass(() => classes);
  const none = { spec: {} } as KObject;
  p.admit(attrs(none));
  assert.equal(none.spec.storageClassName, 'fast');
  const empty = { spec: { storageClassName: '' } } as KObject;
  p.admit(attrs(empty));
  assert.equal(empty.spec.storageClassName, '');
  const named = { spec: { storageClassName: 'slow' } } as KObject;
  p.admit(attrs(named));
  assert.equal(named.spec.storageClassName, 'slow');
  const noDefault = { spec: {} } as KObject;
  new DefaultStorageClass(() => [sc('x', false, '2026-03-01T00:00:00Z')]).admit(attrs(noDefault));
  assert.equal(noDefault.spec.storageClassName, undefined);
});
