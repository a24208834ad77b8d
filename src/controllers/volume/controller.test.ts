import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.d.ts';
import { findKind } from '../../api/kinds/index.ts';
import type { KObject } from '../../api/object.ts';
import { PODS, refOf } from '../../client/index.ts';
import { startWorkloadHarness, type WorkloadHarness } from '../common/test-harness.ts';
import { LOCAL_PATH_PROVISIONER, volumeControllerFactory } from './controller.ts';
import { bestMatch } from './matching.ts';

const ref = (plural: string, group = '') => refOf(findKind(group, plural)!);
const PVCS = ref('persistentvolumeclaims');
const PVS = ref('persistentvolumes');
const CLASSES = ref('storageclasses', 'storage.k8s.io');

let h: WorkloadHarness;
before(async () => {
  h = await startWorkloadHarness([volumeControllerFactory]);
  await h.client.resource(CLASSES).create({
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: 'local-path' },
    provisioner: LOCAL_PATH_PROVISIONER,
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
    parameters: { path: '/srv/skiff-test-storage' },
  });
});
after(() => h.stop());

const claim = (name: string, size: string, storageClassName?: string): KObject => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name },
  spec: {
    accessModes: ['ReadWriteOnce'],
    resources: { requests: { storage: size } },
    ...(storageClassName !== undefined ? { storageClassName } : {}),
  },
});

const pv = (name: string, size: string, cls = 'manual'): PersistentVolume => ({
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: { name },
  spec: {
    capacity: { storage: size },
    accessModes: ['ReadWriteOnce'],
    storageClassName: cls,
    persistentVolumeReclaimPolicy: 'Retain',
    hostPath: { path: `/srv/${name}` },
  },
});

test('the smallest matching volume wins; class, modes and size must all fit', () => {
  const c = {
    metadata: { name: 'c', namespace: 'default', uid: 'u' },
    spec: {
      storageClassName: 'manual',
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '2Gi' } },
    },
  } as PersistentVolumeClaim;
  const vols = [pv('big', '10Gi'), pv('small', '1Gi'), pv('fit', '3Gi'), pv('other', '3Gi', 'fast')];
  assert.equal(bestMatch(vols, c)?.metadata?.name, 'fit');
  const rwx = { ...c, spec: { ...c.spec, accessModes: ['ReadWriteMany'] } } as PersistentVolumeClaim;
  assert.equal(bestMatch(vols, rwx), undefined);
});

test('a claim binds to a matching static volume: both Bound, claimRef and volumeName set', async () => {
  await h.client.resource(PVS).create(pv('static-1', '5Gi') as KObject);
  await h.client.resource(PVCS, 'default').create(claim('data', '1Gi', 'manual'));
  const bound = await h.eventually(async () => {
    const c = (await h.client.resource(PVCS, 'default').get('data')) as PersistentVolumeClaim;
    return c.status?.phase === 'Bound' ? c : undefined;
  });
  assert.equal(bound.spec?.volumeName, 'static-1');
  assert.equal(bound.status?.capacity?.storage, '5Gi');
  const v = (await h.client.resource(PVS).get('static-1')) as PersistentVolume;
  assert.equal(v.status?.phase, 'Bound');
  assert.equal(v.spec?.claimRef?.uid, bound.metadata?.uid);
  // Retain: deleting the claim releases the volume and keeps it.
  await h.client.resource(PVCS, 'default').delete('data');
  await h.eventually(
    async () =>
      ((await h.client.resource(PVS).get('static-1')) as PersistentVolume).status?.phase === 'Released',
  );
});

test('local-path waits for the first consumer, then provisions a volume pinned to its node; Delete reclaims it', async () => {
  await h.client.resource(PVCS, 'default').create(claim('cache', '256Mi', 'local-path'));
  await new Promise((r) => setTimeout(r, 300));
  const waiting = (await h.client.resource(PVCS, 'default').get('cache')) as PersistentVolumeClaim;
  assert.notEqual(waiting.status?.phase, 'Bound', 'no consumer yet');
  await h.client.resource(PODS, 'default').create({
    metadata: { name: 'user' },
    spec: {
      nodeName: 'node-a',
      containers: [{ name: 'c', image: 'x' }],
      volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'cache' } }],
    },
  });
  const bound = await h.eventually(async () => {
    const c = (await h.client.resource(PVCS, 'default').get('cache')) as PersistentVolumeClaim;
    return c.status?.phase === 'Bound' ? c : undefined;
  });
  const v = (await h.client.resource(PVS).get(bound.spec!.volumeName!)) as PersistentVolume;
  assert.equal(v.metadata?.name, `pvc-${bound.metadata?.uid}`);
  assert.equal(v.spec?.hostPath?.path, `/srv/skiff-test-storage/pvc-${bound.metadata?.uid}_default_cache`);
  assert.deepEqual(v.spec?.nodeAffinity?.required?.nodeSelectorTerms?.[0].matchExpressions?.[0].values, [
    'node-a',
  ]);
  assert.equal(v.metadata?.annotations?.['pv.kubernetes.io/provisioned-by'], LOCAL_PATH_PROVISIONER);
  assert.equal(v.spec?.persistentVolumeReclaimPolicy, 'Delete');
  await h.client.resource(PVCS, 'default').delete('cache');
  await h.eventually(async () => {
    const l = await h.client.resource(PVS).list();
    return !l.items.some((x) => x.metadata?.name === v.metadata?.name);
  });
});
