import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Lease } from 'kubernetes-types/coordination/v1.d.ts';
import type { Node, Pod } from 'kubernetes-types/core/v1.d.ts';
import { until as waitUntil } from '../../../test/support/until.ts';
import type { KObject } from '../../api/object.ts';
import { LEASES, NODES, PODS, type RestClient } from '../../client/index.ts';
import { startTestCluster, type TestCluster } from '../../client/testing/test-cluster.ts';
import { ANN_EXIT_AFTER, ANN_EXIT_CODE, ANN_READY } from './annotations.ts';
import { type HollowNode, NODE_LEASE_NAMESPACE, startHollowNode } from './hollow-node.ts';
import { SIM_KUBELET_VERSION } from './node-object.ts';

const WAIT_MS = 5000;
const HEARTBEAT_MS = 100;

let cluster: TestCluster;
let client: RestClient;
const started: HollowNode[] = [];

before(async () => {
  cluster = await startTestCluster(['default']);
  client = cluster.http();
});

after(async () => {
  for (const n of started) await n.stop();
  await cluster.stop();
});

const until = <T>(what: string, fn: () => Promise<T | undefined>) =>
  waitUntil(what, fn, { timeoutMs: WAIT_MS, pollMs: 20 });

async function hollow(name: string, extra: Partial<Parameters<typeof startHollowNode>[0]> = {}) {
  const n = await startHollowNode({ client, name, heartbeatMs: HEARTBEAT_MS, ...extra });
  started.push(n);
  return n;
}

const pods = () => client.resource<KObject>(PODS, 'default');

async function bindPod(
  name: string,
  node: string,
  annotations: Record<string, string> = {},
  spec: KObject = {},
) {
  await pods().create({
    metadata: { name, annotations },
    spec: { nodeName: node, containers: [{ name: 'c', image: 'busybox:1.36' }], ...spec },
  });
}

const podNow = async (name: string): Promise<Pod> => (await pods().get(name)) as Pod;
const cond = (p: Pod, type: string) => p.status?.conditions?.find((c) => c.type === type)?.status;

test('registers a Ready node with capacity, labels and node info, and renews its Lease', async () => {
  await hollow('skiff-sim-reg', { labels: { zone: 'a' }, capacity: { cpu: '8' } });
  const node = (await client.resource(NODES).get('skiff-sim-reg')) as Node;
  assert.equal(node.metadata?.labels?.['kubernetes.io/hostname'], 'skiff-sim-reg');
  assert.equal(node.metadata?.labels?.['kubernetes.io/os'], 'linux');
  assert.equal(node.metadata?.labels?.zone, 'a');
  assert.equal(node.status?.capacity?.cpu, '8');
  assert.equal(node.status?.allocatable?.memory, '16Gi');
  assert.equal(node.status?.capacity?.pods, '110');
  assert.equal(node.status?.nodeInfo?.kubeletVersion, SIM_KUBELET_VERSION);
  assert.equal(node.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
  const leases = client.resource(LEASES, NODE_LEASE_NAMESPACE);
  const first = ((await leases.get('skiff-sim-reg')) as Lease).spec?.renewTime;
  assert.ok(first);
  await until('lease renewed', async () => {
    const t = ((await leases.get('skiff-sim-reg')) as Lease).spec?.renewTime;
    return t !== first ? t : undefined;
  });
});

test('adopts an existing Node and keeps its spec', async () => {
  await client
    .resource(NODES)
    .create({ metadata: { name: 'skiff-sim-adopt', labels: { keep: 'me' } }, spec: {} });
  await hollow('skiff-sim-adopt', { taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }] });
  const node = (await client.resource(NODES).get('skiff-sim-adopt')) as Node;
  assert.equal(node.metadata?.labels?.keep, 'me');
  assert.equal(node.metadata?.labels?.['kubernetes.io/hostname'], 'skiff-sim-adopt');
  assert.deepEqual(node.spec?.taints, [{ key: 'k', value: 'v', effect: 'NoSchedule' }]);
  assert.equal(node.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
});

test('a bound pod goes Pending, then Running and Ready with an IP from the pod CIDR', async () => {
  await hollow('skiff-sim-run', { podCidr: '10.99.7.0/24', startupDelayMs: 300 });
  await bindPod('run-1', 'skiff-sim-run', {}, { initContainers: [{ name: 'init', image: 'busybox:1.36' }] });
  const pending = await until('pending status', async () => {
    const p = await podNow('run-1');
    return p.status?.phase === 'Pending' && p.status.containerStatuses ? p : undefined;
  });
  assert.equal(pending.status?.containerStatuses?.[0].state?.waiting?.reason, 'ContainerCreating');
  assert.equal(cond(pending, 'Ready'), 'False');
  const p = await until('running', async () => {
    const x = await podNow('run-1');
    return x.status?.phase === 'Running' ? x : undefined;
  });
  for (const t of ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'])
    assert.equal(cond(p, t), 'True', t);
  assert.match(p.status?.podIP ?? '', /^10\.99\.7\.\d+$/);
  assert.equal(p.status?.hostIP, '127.0.0.1');
  assert.ok(p.status?.startTime);
  const cs = p.status?.containerStatuses?.[0];
  assert.equal(cs?.ready, true);
  assert.equal(cs?.restartCount, 0);
  assert.ok(cs?.state?.running?.startedAt);
  assert.equal(p.status?.initContainerStatuses?.[0].state?.terminated?.reason, 'Completed');
  // A second pod gets another address.
  await bindPod('run-2', 'skiff-sim-run');
  const p2 = await until('second running', async () => {
    const x = await podNow('run-2');
    return x.status?.phase === 'Running' ? x : undefined;
  });
  assert.notEqual(p2.status?.podIP, p.status?.podIP);
});

test('exit-after ends containers: Succeeded, Failed, or restarts with Always', async () => {
  await hollow('skiff-sim-exit');
  await bindPod('ok', 'skiff-sim-exit', { [ANN_EXIT_AFTER]: '200ms' }, { restartPolicy: 'Never' });
  await bindPod(
    'bad',
    'skiff-sim-exit',
    { [ANN_EXIT_AFTER]: '200ms', [ANN_EXIT_CODE]: '3' },
    { restartPolicy: 'Never' },
  );
  await bindPod('loop', 'skiff-sim-exit', { [ANN_EXIT_AFTER]: '150ms' }, { restartPolicy: 'Always' });
  const ok = await until('ok succeeded', async () => {
    const p = await podNow('ok');
    return p.status?.phase === 'Succeeded' ? p : undefined;
  });
  assert.equal(ok.status?.containerStatuses?.[0].state?.terminated?.exitCode, 0);
  assert.equal(ok.status?.containerStatuses?.[0].state?.terminated?.reason, 'Completed');
  const bad = await until('bad failed', async () => {
    const p = await podNow('bad');
    return p.status?.phase === 'Failed' ? p : undefined;
  });
  assert.equal(bad.status?.containerStatuses?.[0].state?.terminated?.exitCode, 3);
  assert.equal(bad.status?.containerStatuses?.[0].state?.terminated?.reason, 'Error');
  const loop = await until('loop restarted twice', async () => {
    const p = await podNow('loop');
    return (p.status?.containerStatuses?.[0].restartCount ?? 0) >= 2 ? p : undefined;
  });
  assert.equal(loop.status?.phase, 'Running');
  assert.equal(loop.status?.containerStatuses?.[0].lastState?.terminated?.exitCode, 0);
});

test('ready: "false" keeps a pod Running but not Ready', async () => {
  await hollow('skiff-sim-unready');
  await bindPod('unready', 'skiff-sim-unready', { [ANN_READY]: 'false' });
  const p = await until('running', async () => {
    const x = await podNow('unready');
    return x.status?.phase === 'Running' ? x : undefined;
  });
  assert.equal(cond(p, 'Ready'), 'False');
  assert.equal(p.status?.conditions?.find((c) => c.type === 'Ready')?.reason, 'ContainersNotReady');
  assert.equal(p.status?.containerStatuses?.[0].ready, false);
});

test('a deleted pod is finished at once, like the kubelet does', async () => {
  await hollow('skiff-sim-del');
  await bindPod('del', 'skiff-sim-del');
  await until('running', async () => ((await podNow('del')).status?.phase === 'Running' ? true : undefined));
  await pods().delete('del', { gracePeriodSeconds: 30 });
  await until('gone', async () => {
    try {
      await podNow('del');
      return undefined;
    } catch {
      return true;
    }
  });
});

test('pause stops heartbeats and status updates; resume restarts both', async () => {
  const n = await hollow('skiff-sim-pause');
  const leases = client.resource(LEASES, NODE_LEASE_NAMESPACE);
  n.pause();
  await new Promise((r) => setTimeout(r, HEARTBEAT_MS * 2));
  const frozen = ((await leases.get('skiff-sim-pause')) as Lease).spec?.renewTime;
  await bindPod('while-paused', 'skiff-sim-pause');
  await new Promise((r) => setTimeout(r, HEARTBEAT_MS * 4));
  assert.equal(((await leases.get('skiff-sim-pause')) as Lease).spec?.renewTime, frozen);
  assert.equal((await podNow('while-paused')).status?.phase ?? 'Pending', 'Pending');
  n.resume();
  await until('lease renewed', async () =>
    ((await leases.get('skiff-sim-pause')) as Lease).spec?.renewTime !== frozen ? true : undefined,
  );
  await until('pod running after resume', async () =>
    (await podNow('while-paused')).status?.phase === 'Running' ? true : undefined,
  );
});
