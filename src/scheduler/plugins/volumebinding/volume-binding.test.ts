import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NodeInfo } from '../../cache/node-info.ts';
import { CycleState } from '../../framework/cycle-state.ts';
import { Code } from '../../framework/status.ts';
import type { VolumeClaim, VolumeSource } from '../../host.ts';
import { makeNode } from '../../testing/objects.ts';
import type { Pod } from '../../types.ts';
import { newVolumeBinding, REASON_NODE_CONFLICT, REASON_UNBOUND_IMMEDIATE } from './volume-binding.ts';

const pinned = (node: string) => ({
  spec: {
    nodeAffinity: {
      required: {
        nodeSelectorTerms: [
          { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] },
        ],
      },
    },
  },
});

const source: VolumeSource = {
  claim: (ns, name) =>
    (
      ({
        'default/bound': { spec: { volumeName: 'pv-a' } },
        'default/wffc': { spec: { storageClassName: 'local-path' } },
        'default/immediate': { spec: { storageClassName: 'fast' } },
        'default/gone': { metadata: { deletionTimestamp: '2026-01-01T00:00:00Z' }, spec: {} },
      }) as Record<string, VolumeClaim>
    )[`${ns}/${name}`],
  volume: (name) => (name === 'pv-a' ? pinned('node-a') : undefined),
  storageClass: (name) =>
    name === 'local-path'
      ? { volumeBindingMode: 'WaitForFirstConsumer' }
      : name === 'fast'
        ? { volumeBindingMode: 'Immediate' }
        : undefined,
};

const pod = (...claims: string[]): Pod =>
  ({
    metadata: { name: 'p', namespace: 'default' },
    spec: {
      containers: [],
      volumes: claims.map((c, i) => ({ name: `v${i}`, persistentVolumeClaim: { claimName: c } })),
    },
  }) as Pod;

const node = (name: string) => new NodeInfo(makeNode({ name, labels: { 'kubernetes.io/hostname': name } }));

test('a bound local volume pins the pod to its node', () => {
  const p = newVolumeBinding(source);
  const state = new CycleState();
  assert.equal(p.preFilter(state, pod('bound'), [])?.status, undefined);
  assert.equal(p.filter(state, pod('bound'), node('node-a')), undefined);
  const conflict = p.filter(state, pod('bound'), node('node-b'));
  assert.equal(conflict?.code, Code.UnschedulableAndUnresolvable);
  assert.deepEqual(conflict?.reasons, [REASON_NODE_CONFLICT]);
});

test('missing, deleted and unbound-immediate claims are refused; wait-for-first-consumer is not', () => {
  const p = newVolumeBinding(source);
  const reason = (...claims: string[]) =>
    p.preFilter(new CycleState(), pod(...claims), [])?.status?.reasons?.[0];
  assert.equal(reason('nope'), 'persistentvolumeclaim "nope" not found');
  assert.equal(reason('gone'), 'persistentvolumeclaim "gone" is being deleted');
  assert.equal(reason('immediate'), REASON_UNBOUND_IMMEDIATE);
  assert.equal(p.preFilter(new CycleState(), pod('wffc'), [])?.status?.code, Code.Skip);
  assert.equal(p.preFilter(new CycleState(), pod(), [])?.status?.code, Code.Skip);
  assert.equal(
    newVolumeBinding(undefined).preFilter(new CycleState(), pod('nope'), [])?.status?.code,
    Code.Skip,
  );
});
