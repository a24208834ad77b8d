import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.d.ts';
import type { KObject } from '../../api/object.ts';
import { startTestCluster, type TestCluster } from '../../client/testing/test-cluster.ts';
import {
  ClaimNotReadyError,
  claimProblem,
  claimVolume,
  MOUNT_TIMEOUT_MESSAGE,
  mountTimeoutMessage,
  resolveClaims,
} from './claims.ts';

const PVCS = { group: '', version: 'v1', resource: 'persistentvolumeclaims', namespaced: true };
const PVS = { group: '', version: 'v1', resource: 'persistentvolumes', namespaced: false };
const vol = { name: 'data', persistentVolumeClaim: { claimName: 'c' } };
const bound = (uid = 'u1'): PersistentVolumeClaim => ({
  metadata: { name: 'c', namespace: 'ns', uid },
  spec: { volumeName: 'pv1' },
  status: { phase: 'Bound' },
});
const hostPathPv = (claimUid = 'u1', type?: string): PersistentVolume => ({
  metadata: { name: 'pv1' },
  spec: {
    hostPath: { path: '/var/lib/skiff/storage/pvc-u1_ns_c', ...(type ? { type } : {}) },
    claimRef: { uid: claimUid },
  },
});

describe('claim volumes', () => {
  it('names why a claim cannot be used yet, as the kubelet does', () => {
    assert.match(claimProblem('ns', 'c', undefined) ?? '', /PVC ns\/c not found/);
    assert.equal(
      claimProblem('ns', 'c', { metadata: { name: 'c' }, status: { phase: 'Pending' } }),
      'error processing PVC ns/c: PVC ns/c has non-bound phase ("Pending") or empty pvc.Spec.VolumeName ("")',
    );
    assert.match(
      claimProblem('ns', 'c', { ...bound(), metadata: { deletionTimestamp: '2026-01-01T00:00:00Z' } }) ?? '',
      /is being deleted/,
    );
    assert.equal(claimProblem('ns', 'c', bound()), undefined);
  });

  it('maps hostPath and local volumes to their directory; readOnly comes from the pod volume', () => {
    const r = claimVolume(
      { ...vol, persistentVolumeClaim: { claimName: 'c', readOnly: true } },
      bound(),
      hostPathPv(),
    );
    assert.ok(typeof r !== 'string');
    assert.equal(r.path, '/var/lib/skiff/storage/pvc-u1_ns_c');
    assert.equal(r.readOnly, true);
    assert.equal(r.createDir, true, 'an untyped hostPath is created');
    const typed = claimVolume(vol, bound(), hostPathPv('u1', 'Directory'));
    assert.ok(typeof typed !== 'string' && typed.createDir === false);
    const local = claimVolume(vol, bound(), {
      metadata: { name: 'pv1' },
      spec: { local: { path: '/mnt/disk' } },
    });
    assert.ok(typeof local !== 'string' && local.path === '/mnt/disk' && !local.createDir);
  });

  it('refuses a volume bound to another claim or of a type the node cannot mount', () => {
    assert.match(String(claimVolume(vol, bound(), hostPathPv('other'))), /bound to another claim/);
    const nfs = { metadata: { name: 'pv1' }, spec: { nfs: { server: 'x', path: '/' } } };
    assert.match(String(claimVolume(vol, bound(), nfs)), /cannot mount/);
  });

  it('formats the FailedMount message of a timed-out wait', () => {
    assert.equal(
      mountTimeoutMessage(['data']),
      `Unable to attach or mount volumes: unmounted volumes=[data], unattached volumes=[data], failed to process volumes=[data]: ${MOUNT_TIMEOUT_MESSAGE}`,
    );
  });
});

describe('resolveClaims against an API server', () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startTestCluster(['ns']);
  });
  after(async () => {
    await cluster.stop();
  });

  it('waits on a Pending claim, then resolves it once bound', async () => {
    const client = cluster.loopback();
    const pod = { metadata: { name: 'p', namespace: 'ns' }, spec: { containers: [], volumes: [vol] } };
    await assert.rejects(resolveClaims(client, pod), (err: unknown) => {
      assert.ok(err instanceof ClaimNotReadyError);
      assert.deepEqual(err.volumes, ['data']);
      assert.match(err.message, /PVC ns\/c not found/);
      return true;
    });
    const pvc = await client.resource<KObject>(PVCS, 'ns').create({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'c', namespace: 'ns' },
      spec: {
        storageClassName: '',
        accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage: '1Gi' } },
      },
    });
    await assert.rejects(resolveClaims(client, pod), /non-bound phase/);
    await client.resource<KObject>(PVS).create({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: 'pv1' },
      spec: {
        capacity: { storage: '1Gi' },
        accessModes: ['ReadWriteOnce'],
        storageClassName: '',
        hostPath: { path: '/tmp/skiff-claims-test/pvc-x', type: 'DirectoryOrCreate' },
        claimRef: { kind: 'PersistentVolumeClaim', namespace: 'ns', name: 'c', uid: pvc.metadata?.uid },
      },
    });
    const withVolume = await client
      .resource<KObject>(PVCS, 'ns')
      .update({ ...pvc, spec: { ...pvc.spec, volumeName: 'pv1' } });
    await client.resource<KObject>(PVCS, 'ns').updateStatus({ ...withVolume, status: { phase: 'Bound' } });
    const claims = await resolveClaims(client, pod);
    assert.equal(claims.get('data')?.path, '/tmp/skiff-claims-test/pvc-x');
  });
});
