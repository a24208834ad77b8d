import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KObject } from '../../api/object.ts';
import {
  daemonPodTolerations,
  nodeShouldRunDaemonPod,
  pinToNode,
  targetNodeOf,
  tolerates,
} from './eligibility.ts';

const node = (name: string, labels: Record<string, string> = {}, taints: KObject[] = []): KObject => ({
  metadata: { name, labels },
  spec: { taints },
});
const tmpl = (spec: KObject = {}): KObject => ({
  spec: { containers: [{ name: 'c', image: 'x' }], ...spec },
});

describe('daemonset node eligibility', () => {
  it('tolerates the not-ready/unreachable/pressure taints by default, not others', () => {
    const cases: [KObject, boolean, boolean][] = [
      [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }, true, true],
      [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }, true, true],
      [{ key: 'node.kubernetes.io/disk-pressure', effect: 'NoSchedule' }, true, true],
      [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }, true, true],
      [{ key: 'skiff/dedicated', value: 'gpu', effect: 'NoSchedule' }, false, true],
      [{ key: 'skiff/dedicated', value: 'gpu', effect: 'NoExecute' }, false, false],
      [{ key: 'skiff/soft', effect: 'PreferNoSchedule' }, true, true],
    ];
    for (const [taint, run, stay] of cases) {
      assert.deepEqual(
        nodeShouldRunDaemonPod(tmpl(), node('n', {}, [taint])),
        { shouldRun: run, shouldContinueRunning: stay },
        taint.key,
      );
    }
    // network-unavailable only for host-network pods.
    const net = node('n', {}, [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }]);
    assert.equal(nodeShouldRunDaemonPod(tmpl(), net).shouldRun, false);
    assert.equal(nodeShouldRunDaemonPod(tmpl({ hostNetwork: true }), net).shouldRun, true);
    assert.equal(daemonPodTolerations({ tolerations: [] }).length, 6);
  });

  it('matches tolerations by key, value, operator and effect', () => {
    const taint = { key: 'k', value: 'v', effect: 'NoSchedule' };
    assert.ok(tolerates({ key: 'k', value: 'v' }, taint));
    assert.ok(tolerates({ key: 'k', operator: 'Exists', effect: 'NoSchedule' }, taint));
    assert.ok(tolerates({ operator: 'Exists' }, taint));
    assert.ok(!tolerates({ key: 'k', value: 'w' }, taint));
    assert.ok(!tolerates({ key: 'k', operator: 'Exists', effect: 'NoExecute' }, taint));
  });

  it('honours nodeSelector, required node affinity and nodeName', () => {
    const edge = node('a', { role: 'edge', gen: '5' });
    const core = node('b', { role: 'core' });
    const sel = tmpl({ nodeSelector: { role: 'edge' } });
    assert.ok(nodeShouldRunDaemonPod(sel, edge).shouldRun);
    assert.ok(!nodeShouldRunDaemonPod(sel, core).shouldRun);
    const aff = tmpl({
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              { matchExpressions: [{ key: 'gen', operator: 'Gt', values: ['3'] }] },
              { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['b'] }] },
            ],
          },
        },
      },
    });
    assert.ok(nodeShouldRunDaemonPod(aff, edge).shouldRun);
    assert.ok(nodeShouldRunDaemonPod(aff, core).shouldRun);
    assert.ok(!nodeShouldRunDaemonPod(aff, node('c')).shouldRun);
    assert.ok(!nodeShouldRunDaemonPod(tmpl({ nodeName: 'a' }), core).shouldRun);
  });

  it('pins a pod to its node through matchFields and reads the target back', () => {
    const spec: KObject = {
      affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [] } },
    };
    pinToNode(spec, 'n7');
    assert.deepEqual(spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution, {
      nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n7'] }] }],
    });
    assert.deepEqual(spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution, []);
    assert.equal(targetNodeOf({ spec }), 'n7');
    assert.equal(targetNodeOf({ spec: { nodeName: 'x' } }), 'x');
  });
});
