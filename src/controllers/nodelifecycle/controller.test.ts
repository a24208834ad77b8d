import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KObject } from '../../api/object.ts';
import { LEASES, NODES, PODS, type ResourceClient } from '../../client/index.ts';
import { FakeClock } from '../../util/clock.ts';
import { startHarness, type TestHarness } from '../namespace/test-context.ts';
import { NodeLifecycleController } from './controller.ts';

const GRACE_MS = 40_000;
/** The API server's defaulting gives every pod 300 s tolerations for not-ready/unreachable. */
const DEFAULT_EVICTION_MS = 300_000;
const iso = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;

describe('node lifecycle controller', () => {
  let h: TestHarness;
  let clock: FakeClock;
  let ctl: NodeLifecycleController;
  let nodes: ResourceClient;
  let pods: ResourceClient;
  before(async () => {
    clock = new FakeClock(Date.parse('2030-01-01T00:00:00Z'));
    h = await startHarness((ctx) => new NodeLifecycleController(ctx), {
      namespaces: ['default', 'kube-node-lease'],
      clock,
      run: false,
      options: { nodeMonitorGracePeriodMs: GRACE_MS, podEvictionTimeoutMs: DEFAULT_EVICTION_MS },
    });
    ctl = h.controller as NodeLifecycleController;
    nodes = h.client.resource(NODES);
    pods = h.client.resource(PODS, 'default');
    await h.ctx.informers.waitForCacheSync();
  });
  after(() => h.stop());

  const readyCondition = (ms: number) => ({
    type: 'Ready',
    status: 'True',
    reason: 'KubeletReady',
    message: 'kubelet is posting ready status',
    lastHeartbeatTime: iso(ms),
    lastTransitionTime: iso(ms),
  });
  /** Waits until the controller's cache shows the node as the API has it. */
  const settle = async () => {
    const live = await nodes.get('skiff-n1');
    await h.eventually(
      () =>
        h.ctx.informers.informerFor(NODES).lister.get('skiff-n1')?.metadata?.resourceVersion ===
        live.metadata?.resourceVersion,
    );
  };
  const podOn = (name: string, tolerations?: KObject[]) =>
    pods.create({
      metadata: { name },
      spec: {
        nodeName: 'skiff-n1',
        containers: [{ name: 'c', image: 'busybox' }],
        ...(tolerations ? { tolerations } : {}),
      },
    });
  const deleting = async (name: string) => !!(await pods.get(name)).metadata?.deletionTimestamp;

  it('marks a silent node Unknown, taints it, evicts pods by their tolerations, and untaints it on return', async () => {
    const n = await nodes.create({ metadata: { name: 'skiff-n1' } });
    await nodes.updateStatus({ ...n, status: { conditions: [readyCondition(clock.now())] } });
    await h.client.resource(LEASES, 'kube-node-lease').create({
      metadata: { name: 'skiff-n1' },
      spec: { holderIdentity: 'skiff-n1', renewTime: `${new Date(clock.now()).toISOString()}` },
    });
    await podOn('p-default');
    await podOn('p-short', [
      {
        key: 'node.kubernetes.io/unreachable',
        operator: 'Exists',
        effect: 'NoExecute',
        tolerationSeconds: 10,
      },
    ]);
    await podOn('p-forever', [
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    ]);
    await h.eventually(() => h.ctx.informers.informerFor(PODS).lister.list().length === 3);
    await settle();
    await ctl.monitor();

    clock.advance(GRACE_MS - 1000);
    await ctl.monitor();
    assert.equal(
      (await nodes.get('skiff-n1')).status.conditions[0].status,
      'True',
      'still within the grace period',
    );

    clock.advance(2000);
    await ctl.monitor();
    const node = await nodes.get('skiff-n1');
    const ready = node.status.conditions.find((c: KObject) => c.type === 'Ready');
    assert.deepEqual(
      { status: ready.status, reason: ready.reason, message: ready.message },
      { status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' },
    );
    assert.deepEqual(
      node.spec.taints.map((t: KObject) => `${t.key}:${t.effect}`),
      ['node.kubernetes.io/unreachable:NoSchedule', 'node.kubernetes.io/unreachable:NoExecute'],
    );
    assert.equal(await deleting('p-default'), false);

    await settle();
    clock.advance(11_000);
    await ctl.monitor();
    assert.equal(await deleting('p-short'), true);
    assert.equal(await deleting('p-default'), false);

    clock.advance(DEFAULT_EVICTION_MS - 12_000);
    await ctl.monitor();
    assert.equal(await deleting('p-default'), false);
    clock.advance(2_000);
    await ctl.monitor();
    assert.equal(await deleting('p-default'), true);
    assert.equal(await deleting('p-forever'), false);

    // The kubelet comes back.
    const cur = await nodes.get('skiff-n1');
    await nodes.updateStatus({ ...cur, status: { conditions: [readyCondition(clock.now())] } });
    await settle();
    await ctl.monitor();
    assert.equal((await nodes.get('skiff-n1')).spec?.taints, undefined);
  });
});
