// The scheduler inside a real `skiff server`, driven with kubectl: simulated nodes are registered
// from this process through the client, pods are created with kubectl, and where each pod lands
// (or why it does not) is read back with kubectl. Each scenario removes its nodes afterwards, so
// the "0/N nodes" counts in messages are the scenario's own.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { KObject } from '../../src/api/object.ts';
import { clientFromKubeconfig, NODES, PODS, type RestClient } from '../../src/client/index.ts';
import { until as waitUntil } from '../support/until.ts';
import { type Skiff, startSkiff } from './harness.ts';

const WAIT_MS = 20_000;
const POLL_MS = 100;
/** Long enough for a wrong placement to have happened if it was going to. */
const SETTLE_MS = 1500;

let s: Skiff;
let client: RestClient;
const nodesMade = new Set<string>();

const until = <T>(what: string, fn: () => Promise<T | undefined>) =>
  waitUntil(what, fn, { timeoutMs: WAIT_MS, pollMs: POLL_MS, detail: () => s.logs().slice(-2000) });

async function kubectl(args: string[], input?: string): Promise<string> {
  const r = await s.kubectl(args, { input });
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

interface NodeSpec {
  name: string;
  cpu?: string;
  labels?: Record<string, string>;
  taints?: { key: string; value?: string; effect: string }[];
}

/** Registers a simulated node (a Node with Ready status; nothing runs on it). */
async function addNode(n: NodeSpec): Promise<void> {
  const nodes = client.resource(NODES);
  const capacity = { cpu: n.cpu ?? '4', memory: '16Gi', pods: '110' };
  const created = await nodes.create({
    metadata: { name: n.name, labels: { 'kubernetes.io/hostname': n.name, ...n.labels } },
    spec: n.taints ? { taints: n.taints } : {},
  });
  nodesMade.add(n.name);
  // A patch, not an update: node IPAM may have written the Node (spec.podCIDR) meanwhile.
  await nodes.patch(
    created.metadata!.name!,
    'merge',
    {
      status: {
        capacity,
        allocatable: capacity,
        conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'simulated' }],
      },
    },
    { subresource: 'status' },
  );
}

/** Removes the scenario's pods (at once: no node agent stops them) and nodes. */
async function cleanup(ns: string): Promise<void> {
  const pods = client.resource(PODS, ns);
  for (const p of (await pods.list()).items) await pods.delete(p.metadata!.name!, { gracePeriodSeconds: 0 });
  for (const n of nodesMade) await client.resource(NODES).delete(n);
  nodesMade.clear();
}

const podYaml = (ns: string, name: string, spec: Record<string, unknown>, labels?: Record<string, string>) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, ...(labels ? { labels } : {}) },
    spec: { containers: [{ name: 'c', image: 'busybox:1.36' }], ...spec },
  });

const nodeOf = (ns: string, pod: string) =>
  until(`${ns}/${pod} bound`, async () => {
    const out = await kubectl(['get', 'pod', pod, '-n', ns, '-o', 'jsonpath={.spec.nodeName}']);
    return out || undefined;
  });

const podSpec = async (ns: string, pod: string): Promise<KObject> =>
  JSON.parse(await kubectl(['get', 'pod', pod, '-n', ns, '-o', 'json']));

async function scenario(ns: string, fn: () => Promise<void>): Promise<void> {
  await kubectl(['create', 'namespace', ns]);
  try {
    await fn();
  } finally {
    await cleanup(ns);
  }
}

before(async () => {
  s = await startSkiff();
  client = await clientFromKubeconfig(s.kubeconfig);
});

after(async () => {
  client?.close();
  await s?.stop();
});

test('nodeSelector', () =>
  scenario('sched-selector', async () => {
    await addNode({ name: 'skiff-sel-a' });
    await addNode({ name: 'skiff-sel-b', labels: { disk: 'ssd' } });
    await kubectl(['apply', '-f', '-'], podYaml('sched-selector', 'p', { nodeSelector: { disk: 'ssd' } }));
    assert.equal(await nodeOf('sched-selector', 'p'), 'skiff-sel-b');
  }));

test('required and preferred node affinity', () =>
  scenario('sched-affinity', async () => {
    const zone = 'topology.kubernetes.io/zone';
    await addNode({ name: 'skiff-aff-1', labels: { [zone]: 'z1' } });
    await addNode({ name: 'skiff-aff-2', labels: { [zone]: 'z2' } });
    await addNode({ name: 'skiff-aff-3', labels: { [zone]: 'z3', fast: 'yes' } });
    await kubectl(
      ['apply', '-f', '-'],
      podYaml('sched-affinity', 'required', {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchExpressions: [{ key: zone, operator: 'In', values: ['z2'] }] }],
            },
          },
        },
      }),
    );
    assert.equal(await nodeOf('sched-affinity', 'required'), 'skiff-aff-2');
    for (let i = 0; i < 3; i++) {
      await kubectl(
        ['apply', '-f', '-'],
        podYaml('sched-affinity', `preferred-${i}`, {
          affinity: {
            nodeAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                { weight: 100, preference: { matchExpressions: [{ key: 'fast', operator: 'Exists' }] } },
              ],
            },
          },
        }),
      );
      assert.equal(await nodeOf('sched-affinity', `preferred-${i}`), 'skiff-aff-3');
    }
  }));

test('pod anti-affinity spreads a Deployment one per node', () =>
  scenario('sched-anti', async () => {
    for (const n of ['a', 'b', 'c']) await addNode({ name: `skiff-anti-${n}` });
    const deployment = (replicas: number) =>
      JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: 'sched-anti' },
        spec: {
          replicas,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: {
              containers: [{ name: 'c', image: 'busybox:1.36' }],
              affinity: {
                podAntiAffinity: {
                  requiredDuringSchedulingIgnoredDuringExecution: [
                    { labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' },
                  ],
                },
              },
            },
          },
        },
      });
    const podsOf = async () =>
      JSON.parse(await kubectl(['get', 'pods', '-n', 'sched-anti', '-l', 'app=web', '-o', 'json']))
        .items as KObject[];
    await kubectl(['apply', '-f', '-'], deployment(3));
    const bound = await until('3 replicas bound', async () => {
      const pods = await podsOf();
      const nodes = pods.map((p) => p.spec?.nodeName).filter(Boolean);
      return pods.length === 3 && nodes.length === 3 ? nodes : undefined;
    });
    assert.equal(new Set(bound).size, 3, `one per node: ${bound}`);
    // A fourth replica has nowhere to go.
    await kubectl(['apply', '-f', '-'], deployment(4));
    const cond = await until('the 4th replica unschedulable', async () => {
      const pending = (await podsOf()).find((p) => !p.spec?.nodeName);
      return pending?.status?.conditions?.find(
        (c: KObject) => c.type === 'PodScheduled' && c.status === 'False',
      );
    });
    assert.match(
      cond.message,
      /^0\/3 nodes are available: 3 node\(s\) didn't match pod anti-affinity rules\./,
    );
    await kubectl(['delete', 'deployment', 'web', '-n', 'sched-anti', '--cascade=orphan']);
  }));

test('topology spread across three zones stays within maxSkew', () =>
  scenario('sched-spread', async () => {
    const zone = 'topology.kubernetes.io/zone';
    // Zone z1 has three nodes, the others one: without the constraint, spreading by node would
    // put most pods in z1.
    const layout = [
      ['skiff-sp-1a', 'z1'],
      ['skiff-sp-1b', 'z1'],
      ['skiff-sp-1c', 'z1'],
      ['skiff-sp-2a', 'z2'],
      ['skiff-sp-3a', 'z3'],
    ];
    for (const [name, z] of layout) await addNode({ name, labels: { [zone]: z } });
    const zoneOf = new Map(layout.map(([n, z]) => [n, z]));
    const counts = new Map<string, number>();
    for (let i = 0; i < 6; i++) {
      await kubectl(
        ['apply', '-f', '-'],
        podYaml(
          'sched-spread',
          `s-${i}`,
          {
            topologySpreadConstraints: [
              {
                maxSkew: 1,
                topologyKey: zone,
                whenUnsatisfiable: 'DoNotSchedule',
                labelSelector: { matchLabels: { app: 'spread' } },
              },
            ],
          },
          { app: 'spread' },
        ),
      );
      const z = zoneOf.get(await nodeOf('sched-spread', `s-${i}`))!;
      counts.set(z, (counts.get(z) ?? 0) + 1);
      const values = ['z1', 'z2', 'z3'].map((k) => counts.get(k) ?? 0);
      assert.ok(Math.max(...values) - Math.min(...values) <= 1, `skew after ${i + 1} pods: ${values}`);
    }
    assert.deepEqual(
      ['z1', 'z2', 'z3'].map((k) => counts.get(k)),
      [2, 2, 2],
    );
  }));

test('taints and tolerations: NoSchedule and PreferNoSchedule', () =>
  scenario('sched-taints', async () => {
    await addNode({
      name: 'skiff-taint-hard',
      labels: { pool: 't' },
      taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }],
    });
    await addNode({
      name: 'skiff-taint-soft',
      labels: { pool: 't' },
      taints: [{ key: 'spot', value: 'true', effect: 'PreferNoSchedule' }],
    });
    await addNode({ name: 'skiff-taint-none', labels: { pool: 't' } });
    // Untolerated NoSchedule is never used; PreferNoSchedule is avoided while another node fits.
    for (let i = 0; i < 3; i++) {
      await kubectl(
        ['apply', '-f', '-'],
        podYaml('sched-taints', `plain-${i}`, { nodeSelector: { pool: 't' } }),
      );
      assert.equal(await nodeOf('sched-taints', `plain-${i}`), 'skiff-taint-none');
    }
    // With a toleration and a selector for that node, the pod lands on the NoSchedule node.
    await kubectl(
      ['apply', '-f', '-'],
      podYaml('sched-taints', 'gpu', {
        nodeSelector: { 'kubernetes.io/hostname': 'skiff-taint-hard' },
        tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }],
      }),
    );
    assert.equal(await nodeOf('sched-taints', 'gpu'), 'skiff-taint-hard');
    // Without the toleration it stays Pending, and the message names the taint.
    await kubectl(
      ['apply', '-f', '-'],
      podYaml('sched-taints', 'no-toleration', {
        nodeSelector: { 'kubernetes.io/hostname': 'skiff-taint-hard' },
      }),
    );
    const cond = await until('no-toleration unschedulable', async () =>
      (await podSpec('sched-taints', 'no-toleration')).status?.conditions?.find(
        (c: KObject) => c.type === 'PodScheduled' && c.status === 'False',
      ),
    );
    assert.match(cond.message, /1 node\(s\) had untolerated taint \{dedicated: gpu\}/);
  }));

test('a high-priority pod preempts low-priority ones', () =>
  scenario('sched-preempt', async () => {
    await addNode({ name: 'skiff-pre-1', cpu: '2', labels: { pool: 'pre' } });
    await kubectl(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'scheduling.k8s.io/v1',
        kind: 'PriorityClass',
        metadata: { name: 'skiff-e2e-high' },
        value: 100000,
        description: 'preempts',
      }),
    );
    const req = (cpu: string) => ({
      nodeSelector: { pool: 'pre' },
      containers: [{ name: 'c', image: 'busybox:1.36', resources: { requests: { cpu } } }],
    });
    for (const n of ['low-1', 'low-2']) {
      await kubectl(['apply', '-f', '-'], podYaml('sched-preempt', n, req('900m')));
      await nodeOf('sched-preempt', n);
    }
    await kubectl(
      ['apply', '-f', '-'],
      podYaml('sched-preempt', 'high', { ...req('1500m'), priorityClassName: 'skiff-e2e-high' }),
    );
    // Both low pods must go (900m free after one is not enough for 1500m).
    for (const n of ['low-1', 'low-2']) {
      const p = await until(`${n} preempted`, async () => {
        const pod = await podSpec('sched-preempt', n).catch(() => undefined);
        return pod === undefined || pod.metadata?.deletionTimestamp ? (pod ?? {}) : undefined;
      });
      // The node would stop it and confirm; this simulated node confirms at once.
      if (p.metadata) await client.resource(PODS, 'sched-preempt').delete(n, { gracePeriodSeconds: 0 });
    }
    assert.equal(await nodeOf('sched-preempt', 'high'), 'skiff-pre-1');
    const events = await kubectl([
      'get',
      'events',
      '-n',
      'sched-preempt',
      '--field-selector',
      'reason=Preempted',
      '-o',
      'jsonpath={range .items[*]}{.involvedObject.name}: {.message}{"\\n"}{end}',
    ]);
    assert.match(events, /low-1: Preempted by pod .+ on node skiff-pre-1/);
    await kubectl(['delete', 'priorityclass', 'skiff-e2e-high']);
  }));

test('a pod too big for any node stays Pending with the reason in describe', () =>
  scenario('sched-big', async () => {
    await addNode({ name: 'skiff-big-1', cpu: '2' });
    await addNode({ name: 'skiff-big-2', cpu: '2' });
    await kubectl(
      ['apply', '-f', '-'],
      podYaml('sched-big', 'huge', {
        containers: [{ name: 'c', image: 'busybox:1.36', resources: { requests: { cpu: '64' } } }],
      }),
    );
    const want = '0/2 nodes are available: 2 Insufficient cpu.';
    const cond = await until('PodScheduled=False', async () =>
      (await podSpec('sched-big', 'huge')).status?.conditions?.find(
        (c: KObject) => c.type === 'PodScheduled',
      ),
    );
    assert.equal(cond.status, 'False');
    assert.equal(cond.reason, 'Unschedulable');
    assert.ok(cond.message.startsWith(want), cond.message);
    const describe = await until('FailedScheduling in describe', async () => {
      const out = await kubectl(['describe', 'pod', 'huge', '-n', 'sched-big']);
      return out.includes('FailedScheduling') ? out : undefined;
    });
    assert.match(describe, /Status:\s+Pending/);
    assert.match(
      describe,
      /Warning\s+FailedScheduling\s+.*default-scheduler\s+0\/2 nodes are available: 2 Insufficient cpu\./,
    );
    assert.equal((await podSpec('sched-big', 'huge')).spec.nodeName, undefined);
  }));

test('a pending pod is scheduled when a fitting node is added', () =>
  scenario('sched-late', async () => {
    await addNode({ name: 'skiff-late-1' });
    await kubectl(['apply', '-f', '-'], podYaml('sched-late', 'waiting', { nodeSelector: { role: 'late' } }));
    await until('waiting unschedulable', async () =>
      (await podSpec('sched-late', 'waiting')).status?.conditions?.find(
        (c: KObject) => c.type === 'PodScheduled' && c.status === 'False',
      ),
    );
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    assert.equal((await podSpec('sched-late', 'waiting')).spec.nodeName, undefined);
    await addNode({ name: 'skiff-late-2', labels: { role: 'late' } });
    assert.equal(await nodeOf('sched-late', 'waiting'), 'skiff-late-2');
  }));
