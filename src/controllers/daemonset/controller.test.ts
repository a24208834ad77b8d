import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KObject } from '../../api/object.ts';
import { NODES, PODS, type ResourceClient } from '../../client/index.ts';
import { CONTROLLER_REVISIONS, DAEMONSETS } from '../common/resources.ts';
import { markPod, startWorkloadHarness, type WorkloadHarness } from '../common/test-harness.ts';
import { daemonSetControllerFactory } from './controller.ts';
import { targetNodeOf } from './eligibility.ts';

const dsOf = (name: string, spec: KObject = {}, extra: KObject = {}): KObject => ({
  metadata: { name },
  spec: {
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec },
    },
    ...extra,
  },
});

describe('daemonset controller', () => {
  let h: WorkloadHarness;
  let pods: ResourceClient;
  let sets: ResourceClient;
  let nodes: ResourceClient;
  before(async () => {
    h = await startWorkloadHarness([daemonSetControllerFactory]);
    pods = h.client.resource(PODS, 'default');
    sets = h.client.resource(DAEMONSETS, 'default');
    nodes = h.client.resource(NODES);
    const node = (name: string, labels: Record<string, string>, taints: KObject[] = []) =>
      nodes.create({ metadata: { name, labels }, spec: { taints } });
    await node('skiff-n1', { role: 'edge' });
    await node('skiff-n2', {}, [{ key: 'skiff/dedicated', value: 'gpu', effect: 'NoSchedule' }]);
    await node('skiff-n3', {}, [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }]);
  });
  after(() => h.stop());

  const live = async (app: string) =>
    (await pods.list({ labelSelector: `app=${app}` })).items.filter((p) => !p.metadata?.deletionTimestamp);
  const targets = async (app: string) => (await live(app)).map((p) => targetNodeOf(p)!).sort();
  /** Plays scheduler and kubelet: binds pods to their pinned node and makes them ready. */
  const runAll = async (app: string) => {
    for (const p of await live(app)) {
      if (!p.spec.nodeName) await pods.bind(p.metadata!.name!, targetNodeOf(p)!);
      if (p.status?.phase !== 'Running') await markPod(h.client, p);
    }
  };
  /** Finishes deletions as a kubelet would. */
  const reap = async (app: string) => {
    for (const p of (await pods.list({ labelSelector: `app=${app}` })).items) {
      if (p.metadata?.deletionTimestamp)
        await pods.delete(p.metadata.name!, { gracePeriodSeconds: 0 }).catch(() => {});
    }
  };

  it('runs one pod per eligible node, pinned by node affinity, skipping untolerated taints', async () => {
    await sets.create(dsOf('plain'));
    const on = await h.eventually(async () => {
      const t = await targets('plain');
      return t.length === 2 && t;
    });
    assert.deepEqual(on, ['skiff-n1', 'skiff-n3']);
    const pod = (await live('plain'))[0];
    assert.match(pod.metadata!.name!, /^plain-[a-z0-9]{5}$/);
    assert.ok(pod.metadata!.labels!['controller-revision-hash']);
    assert.equal(pod.metadata!.labels!['pod-template-generation'], '1');
    const keys = pod.spec.tolerations.map((t: KObject) => `${t.key}:${t.effect}`);
    assert.ok(keys.includes('node.kubernetes.io/not-ready:NoExecute'));
    assert.ok(keys.includes('node.kubernetes.io/unreachable:NoExecute'));
    assert.equal(pod.spec.nodeName, undefined, 'the scheduler binds it');
    await runAll('plain');
    const st = await h.eventually(async () => {
      const s = (await sets.get('plain')).status;
      return s?.numberAvailable === 2 && s;
    });
    assert.deepEqual(
      {
        desired: st.desiredNumberScheduled,
        current: st.currentNumberScheduled,
        ready: st.numberReady,
        updated: st.updatedNumberScheduled,
        misscheduled: st.numberMisscheduled,
        unavailable: st.numberUnavailable,
      },
      { desired: 2, current: 2, ready: 2, updated: 2, misscheduled: 0, unavailable: 0 },
    );
    const revs = (await h.client.resource(CONTROLLER_REVISIONS, 'default').list()).items;
    assert.equal(revs.length, 1);
    assert.equal(revs[0].metadata!.name, `plain-${pod.metadata!.labels!['controller-revision-hash']}`);
  });

  it('covers a tainted node when the DaemonSet tolerates it, and honours nodeSelector', async () => {
    await sets.create(dsOf('tol', { tolerations: [{ key: 'skiff/dedicated', operator: 'Exists' }] }));
    await sets.create(dsOf('edge', { nodeSelector: { role: 'edge' } }));
    assert.deepEqual(
      await h.eventually(async () => {
        const t = await targets('tol');
        return t.length === 3 && t;
      }),
      ['skiff-n1', 'skiff-n2', 'skiff-n3'],
    );
    assert.deepEqual(
      await h.eventually(async () => {
        const t = await targets('edge');
        return t.length === 1 && t;
      }),
      ['skiff-n1'],
    );
  });

  it('rolls a template change out one node at a time (maxUnavailable 1)', async () => {
    const old = (await live('plain')).map((p) => p.metadata!.uid);
    await sets.patch('plain', 'merge', {
      spec: { template: { metadata: { labels: { app: 'plain', v: '2' } } } },
    });
    // Only one old pod goes at a time.
    const first = await h.eventually(async () => {
      const t = (await pods.list({ labelSelector: 'app=plain' })).items.filter(
        (p) => p.metadata?.deletionTimestamp,
      );
      return t.length > 0 && t;
    });
    assert.equal(first.length, 1);
    for (let i = 0; i < 4; i++) {
      await reap('plain');
      await runAll('plain');
      await new Promise((r) => setTimeout(r, 50));
    }
    const st = await h.eventually(async () => {
      await reap('plain');
      await runAll('plain');
      const s = (await sets.get('plain')).status;
      return s?.updatedNumberScheduled === 2 && s?.numberAvailable === 2 && s;
    });
    assert.equal(st.observedGeneration, 2);
    const now = await live('plain');
    assert.equal(now.length, 2);
    assert.ok(now.every((p) => !old.includes(p.metadata!.uid) && p.metadata!.labels!.v === '2'));
  });

  it('with maxSurge starts the new pod beside the old one before removing it', async () => {
    await runAll('tol');
    await h.eventually(async () => (await sets.get('tol')).status?.numberAvailable === 3);
    await sets.patch('tol', 'merge', {
      spec: {
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        template: { metadata: { labels: { app: 'tol', v: '2' } } },
      },
    });
    // One surge pod: four live pods, the old one on that node still there.
    const surged = await h.eventually(async () => {
      const l = await live('tol');
      return l.length === 4 && l;
    });
    const fresh = surged.filter((p) => p.metadata!.labels!.v === '2');
    assert.equal(fresh.length, 1);
    const node = targetNodeOf(fresh[0])!;
    assert.equal(surged.filter((p) => targetNodeOf(p) === node).length, 2);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await live('tol')).length, 4, 'no second surge pod while one is unavailable');
    const st = await h.eventually(async () => {
      await reap('tol');
      await runAll('tol');
      const s = (await sets.get('tol')).status;
      return (
        s?.updatedNumberScheduled === 3 && s.numberAvailable === 3 && (await live('tol')).length === 3 && s
      );
    });
    assert.equal(st.desiredNumberScheduled, 3);
    assert.ok((await live('tol')).every((p) => p.metadata!.labels!.v === '2'));
  });

  it('removes the pod when a node gains an untolerated NoExecute taint', async () => {
    await nodes.patch('skiff-n1', 'merge', {
      spec: { taints: [{ key: 'skiff/evict', value: 'x', effect: 'NoExecute' }] },
    });
    await h.eventually(async () => {
      await reap('edge');
      return (await live('edge')).length === 0;
    });
    const st = await h.eventually(async () => {
      const s = (await sets.get('edge')).status;
      return s?.desiredNumberScheduled === 0 && s;
    });
    assert.equal(st.currentNumberScheduled, 0);
  });
});
