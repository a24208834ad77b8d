import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KObject } from '../../api/object.ts';
import { newSetPod, ordinalOf, podClaims } from './identity.ts';

const set: KObject = {
  metadata: { name: 'db', namespace: 'ns', uid: 'u1' },
  spec: {
    serviceName: 'db-headless',
    selector: { matchLabels: { app: 'db' } },
    volumeClaimTemplates: [
      { metadata: { name: 'data', labels: { tier: 'disk' } }, spec: { accessModes: ['ReadWriteOnce'] } },
    ],
  },
};
const ref = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: 'u1', controller: true };

describe('statefulset pod identity', () => {
  it('reads ordinals only from `<set>-<n>` names', () => {
    const pod = (name: string): KObject => ({ metadata: { name } });
    assert.equal(ordinalOf(set, pod('db-0')), 0);
    assert.equal(ordinalOf(set, pod('db-12')), 12);
    for (const bad of ['db-01', 'db-', 'db-x', 'dbx-1', 'db-1-2'])
      assert.equal(ordinalOf(set, pod(bad)), undefined, bad);
  });

  it('names, labels and mounts a pod for its ordinal', () => {
    const template = {
      metadata: { labels: { app: 'db' } },
      spec: {
        containers: [{ name: 'c', image: 'x' }],
        volumes: [
          { name: 'data', emptyDir: {} },
          { name: 'tmp', emptyDir: {} },
        ],
      },
    };
    const pod = newSetPod(set, template, 2, 'db-abc', ref);
    assert.equal(pod.metadata!.name, 'db-2');
    assert.deepEqual(pod.metadata!.labels, {
      app: 'db',
      'statefulset.kubernetes.io/pod-name': 'db-2',
      'apps.kubernetes.io/pod-index': '2',
      'controller-revision-hash': 'db-abc',
    });
    assert.equal(pod.spec.hostname, 'db-2');
    assert.equal(pod.spec.subdomain, 'db-headless');
    assert.deepEqual(pod.spec.volumes, [
      { name: 'tmp', emptyDir: {} },
      { name: 'data', persistentVolumeClaim: { claimName: 'data-db-2' } },
    ]);
    assert.deepEqual(pod.metadata!.ownerReferences, [ref]);
  });

  it('makes one claim per template, labelled with the selector', () => {
    const [claim] = podClaims(set, 1);
    assert.equal(claim.metadata!.name, 'data-db-1');
    assert.deepEqual(claim.metadata!.labels, { tier: 'disk', app: 'db' });
    assert.deepEqual(claim.spec, { accessModes: ['ReadWriteOnce'] });
  });

  it('lets the set own its claims when whenDeleted is Delete', () => {
    assert.equal(podClaims(set, 0)[0].metadata!.ownerReferences, undefined);
    const del = {
      ...set,
      spec: { ...set.spec, persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete' } },
    };
    assert.deepEqual(podClaims(del, 0)[0].metadata!.ownerReferences, [
      { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: 'u1' },
    ]);
  });
});
