import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KObject } from '../../api/object.ts';
import { desiredGroups, planSlices } from './slices.ts';

const service: KObject = {
  metadata: { name: 'web', namespace: 'ns', uid: 'svc-uid', labels: { tier: 'front' } },
  spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
};

const pod = (i: number, opts: { ready?: boolean; deleting?: boolean; port?: number } = {}): KObject => ({
  metadata: {
    name: `p${i}`,
    namespace: 'ns',
    uid: `u${i}`,
    labels: { app: 'web' },
    ...(opts.deleting ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}),
  },
  spec: {
    nodeName: 'n1',
    containers: [{ name: 'c', ports: [{ name: 'http', containerPort: opts.port ?? 8080 }] }],
  },
  status: {
    phase: 'Running',
    podIP: `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`,
    conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }],
  },
});

describe('desiredGroups', () => {
  it('marks endpoint conditions for ready, unready and terminating pods', () => {
    const [g] = desiredGroups(service, [pod(0), pod(1, { ready: false }), pod(2, { deleting: true })]);
    assert.deepEqual(
      g.chunks[0].map((e) => [e.addresses[0], e.conditions]),
      [
        ['10.0.0.1', { ready: true, serving: true, terminating: false }],
        ['10.0.0.2', { ready: false, serving: false, terminating: false }],
        ['10.0.0.3', { ready: false, serving: true, terminating: true }],
      ],
    );
    assert.deepEqual(g.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
    assert.equal(g.addressType, 'IPv4');
    assert.deepEqual(g.chunks[0][0].targetRef, { kind: 'Pod', namespace: 'ns', name: 'p0', uid: 'u0' });
    assert.equal(g.chunks[0][0].nodeName, 'n1');
  });

  it('puts at most 100 endpoints in a slice and splits by resolved ports', () => {
    const pods = Array.from({ length: 230 }, (_, i) => pod(i));
    pods.push(pod(500, { port: 9090 }));
    const groups = desiredGroups(service, pods);
    assert.deepEqual(
      groups.map((g) => [g.ports[0].port, g.chunks.map((c) => c.length)]),
      [
        [8080, [100, 100, 30]],
        [9090, [1]],
      ],
    );
  });

  it('keeps one empty placeholder slice when nothing is selected', () => {
    assert.deepEqual(desiredGroups(service, []), [{ addressType: 'IPv4', ports: [], chunks: [[]] }]);
  });
});

describe('planSlices', () => {
  it('creates labelled, owned slices, reuses and updates existing ones, deletes leftovers', () => {
    const groups = desiredGroups(service, [pod(0)]);
    const first = planSlices(service, groups, []);
    assert.equal(first.create.length, 1);
    const created = first.create[0];
    assert.deepEqual(created.metadata!.labels, {
      tier: 'front',
      'kubernetes.io/service-name': 'web',
      'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
    });
    assert.equal(created.metadata!.ownerReferences![0].uid, 'svc-uid');
    assert.equal(created.metadata!.generateName, 'web-');

    const stored = { ...created, metadata: { ...created.metadata, name: 'web-abc' } };
    assert.deepEqual(planSlices(service, groups, [stored]), { create: [], update: [], delete: [] });

    const more = desiredGroups(service, [pod(0), pod(1)]);
    const orphan = { ...stored, metadata: { ...stored.metadata, name: 'web-zzz' } };
    const next = planSlices(service, more, [stored, orphan]);
    assert.equal(next.update.length, 1);
    assert.equal(next.update[0].metadata!.name, 'web-abc');
    assert.equal(next.update[0].endpoints.length, 2);
    assert.deepEqual(
      next.delete.map((s) => s.metadata!.name),
      ['web-zzz'],
    );
  });
});
