// Deployments inside a real `skiff server`, driven with kubectl, on hollow nodes started in this
// process (src/agent/sim): rollouts and their surge/unavailability bounds, history and undo,
// pause/resume, progress deadlines, cascading deletion, namespace deletion held by a finalizer,
// drain against a PodDisruptionBudget, and pods leaving a node that stopped heartbeating. Each
// scenario has its own namespace and nodes and removes them afterwards.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type HollowNode, startHollowNode } from '../../src/agent/sim/hollow-node.ts';
import type { KObject } from '../../src/api/object.ts';
import {
  clientFromKubeconfig,
  NAMESPACES,
  NODES,
  PODS,
  type RestClient,
  SharedInformer,
} from '../../src/client/index.ts';
import { until as waitUntil } from '../support/until.ts';
import { type Skiff, startSkiff } from './harness.ts';

const WAIT_MS = 30_000;
const POLL_MS = 100;
/** Pods take this long to start on the rollout nodes, so a rollout lasts several waves. */
const STARTUP_MS = 400;
/** The grace the node-failure scenario runs the server with (upstream default 40 s). */
const NODE_GRACE = '3s';
/** tolerationSeconds of the failure scenario's pods for the not-ready/unreachable taints. */
const TOLERATION_S = 1;

let s: Skiff;
let client: RestClient;
const nodes: HollowNode[] = [];

const until = <T>(what: string, fn: () => Promise<T | undefined | false>, ms = WAIT_MS) =>
  waitUntil(what, fn, { timeoutMs: ms, pollMs: POLL_MS, detail: () => s.logs().slice(-2000) });

async function kubectl(args: string[], input?: string): Promise<string> {
  const r = await s.kubectl(args, { input });
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const getJson = async (args: string[]): Promise<KObject> =>
  JSON.parse(await kubectl(['get', ...args, '-o', 'json']));
const exists = async (args: string[]): Promise<boolean> => {
  const r = await s.kubectl(['get', ...args, '-o', 'name']);
  return r.code === 0;
};

async function hollow(c: RestClient, name: string, extra: Record<string, unknown> = {}): Promise<HollowNode> {
  const n = await startHollowNode({ client: c, name, startupDelayMs: STARTUP_MS, ...extra });
  nodes.push(n);
  return n;
}

async function removeNodes(c: RestClient, list: HollowNode[]): Promise<void> {
  for (const n of list) {
    n.resume();
    await n.stop();
    await c
      .resource(NODES)
      .delete(n.name)
      .catch(() => undefined);
    nodes.splice(nodes.indexOf(n), 1);
  }
}

interface DeploySpec {
  replicas: number;
  image?: string;
  strategy?: KObject;
  annotations?: Record<string, string>;
  podSpec?: KObject;
  extra?: KObject;
}

const deploymentJson = (ns: string, name: string, d: DeploySpec): string =>
  JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns },
    spec: {
      replicas: d.replicas,
      selector: { matchLabels: { app: name } },
      ...(d.strategy ? { strategy: d.strategy } : {}),
      template: {
        metadata: { labels: { app: name }, ...(d.annotations ? { annotations: d.annotations } : {}) },
        spec: { containers: [{ name: 'c', image: d.image ?? 'busybox:1.36' }], ...d.podSpec },
      },
      ...d.extra,
    },
  });

const isReady = (p: KObject): boolean =>
  (p.status?.conditions ?? []).some((c: KObject) => c.type === 'Ready' && c.status === 'True');

/** Watches a deployment's pods and keeps the extremes of live and ready counts. */
async function watchPods(c: RestClient, ns: string, app: string) {
  const inf = new SharedInformer(c.resource(PODS, ns), { labelSelector: `app=${app}` });
  const seen = { maxLive: 0, minReady: Number.POSITIVE_INFINITY };
  const check = () => {
    const live = inf.indexer.list().filter((p) => !p.metadata?.deletionTimestamp);
    seen.maxLive = Math.max(seen.maxLive, live.length);
    seen.minReady = Math.min(seen.minReady, live.filter(isReady).length);
  };
  inf.addEventHandler({ onAdd: check, onUpdate: check, onDelete: check });
  inf.start();
  await inf.waitForSync();
  return { seen, stop: () => inf.dispose() };
}

async function withNamespace(ns: string, fn: () => Promise<void>): Promise<void> {
  await kubectl(['create', 'namespace', ns]);
  try {
    await fn();
  } finally {
    await s.kubectl(['delete', 'namespace', ns, '--wait=false']);
  }
}

const imagesOf = async (ns: string, app: string): Promise<string[]> =>
  (await getJson(['pods', '-n', ns, '-l', `app=${app}`])).items
    .filter((p: KObject) => !p.metadata?.deletionTimestamp)
    .map((p: KObject) => p.spec.containers[0].image);

before(async () => {
  s = await startSkiff();
  client = await clientFromKubeconfig(s.kubeconfig);
});

after(async () => {
  await removeNodes(client, [...nodes]);
  client?.close();
  await s?.stop();
});

test('rollout, set image within maxSurge/maxUnavailable, history, undo, pause and resume', async () => {
  const ns = 'skiff-e2e-rollout';
  const made = [
    await hollow(client, 'skiff-e2e-r1'),
    await hollow(client, 'skiff-e2e-r2'),
    await hollow(client, 'skiff-e2e-r3'),
  ];
  try {
    await withNamespace(ns, async () => {
      await kubectl(['apply', '-f', '-'], deploymentJson(ns, 'web', { replicas: 10, image: 'img:v1' }));
      const out = await kubectl(['rollout', 'status', 'deploy/web', '-n', ns, '--timeout=60s']);
      assert.match(out, /deployment "web" successfully rolled out/);

      // Defaults: maxSurge 25% of 10 → 3 (up), maxUnavailable 25% → 2 (down).
      const w = await watchPods(client, ns, 'web');
      await kubectl(['set', 'image', 'deploy/web', 'c=img:v2', '-n', ns]);
      await kubectl(['rollout', 'status', 'deploy/web', '-n', ns, '--timeout=60s']);
      await w.stop();
      assert.ok(w.seen.maxLive <= 13, `at most replicas+maxSurge pods (saw ${w.seen.maxLive})`);
      assert.ok(w.seen.maxLive > 10, `the rollout surged (saw ${w.seen.maxLive})`);
      assert.ok(w.seen.minReady >= 8, `at least replicas-maxUnavailable ready (saw ${w.seen.minReady})`);
      await until('all pods on v2', async () => (await imagesOf(ns, 'web')).every((i) => i === 'img:v2'));

      const history = await kubectl(['rollout', 'history', 'deploy/web', '-n', ns]);
      assert.match(history, /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);

      await kubectl(['rollout', 'undo', 'deploy/web', '--to-revision=1', '-n', ns]);
      await kubectl(['rollout', 'status', 'deploy/web', '-n', ns, '--timeout=60s']);
      const images = await until('back on v1', async () => {
        const i = await imagesOf(ns, 'web');
        return i.length === 10 && i.every((x) => x === 'img:v1') && i;
      });
      assert.equal(images.length, 10);
      // Revision 1's ReplicaSet became the new one, as revision 3.
      assert.match(await kubectl(['rollout', 'history', 'deploy/web', '-n', ns]), /\n2\s+<none>\n3\s+<none>/);
      assert.equal((await getJson(['rs', '-n', ns, '-l', 'app=web'])).items.length, 2);

      await kubectl(['rollout', 'pause', 'deploy/web', '-n', ns]);
      await kubectl(['set', 'image', 'deploy/web', 'c=img:v3', '-n', ns]);
      const reason = await until('paused condition', async () => {
        const d = await getJson(['deploy', 'web', '-n', ns]);
        return d.status.conditions.find(
          (c: KObject) => c.type === 'Progressing' && c.reason === 'DeploymentPaused',
        );
      });
      assert.equal(reason.status, 'Unknown');
      await new Promise((r) => setTimeout(r, 1000));
      assert.ok(!(await imagesOf(ns, 'web')).includes('img:v3'), 'no progress while paused');
      await kubectl(['rollout', 'resume', 'deploy/web', '-n', ns]);
      await kubectl(['rollout', 'status', 'deploy/web', '-n', ns, '--timeout=60s']);
      await until('all pods on v3', async () => {
        const i = await imagesOf(ns, 'web');
        return i.length === 10 && i.every((x) => x === 'img:v3');
      });
    });
  } finally {
    await removeNodes(client, made);
  }
});

test('a rollout that never becomes ready exceeds its progress deadline', async () => {
  const ns = 'skiff-e2e-deadline';
  const made = [await hollow(client, 'skiff-e2e-dl1', { startupDelayMs: 0 })];
  try {
    await withNamespace(ns, async () => {
      const spec = { replicas: 2, extra: { progressDeadlineSeconds: 2 } };
      await kubectl(['apply', '-f', '-'], deploymentJson(ns, 'stuck', spec));
      await kubectl(['rollout', 'status', 'deploy/stuck', '-n', ns, '--timeout=60s']);
      await kubectl(
        ['apply', '-f', '-'],
        deploymentJson(ns, 'stuck', {
          ...spec,
          image: 'img:v2',
          annotations: { 'sim.skiff.dev/ready': 'false' },
        }),
      );
      const r = await s.kubectl(['rollout', 'status', 'deploy/stuck', '-n', ns, '--timeout=60s']);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /error: deployment "stuck" exceeded its progress deadline/);
      const d = await getJson(['deploy', 'stuck', '-n', ns]);
      const cond = d.status.conditions.find((c: KObject) => c.type === 'Progressing');
      assert.equal(cond.reason, 'ProgressDeadlineExceeded');
      assert.match(cond.message, /^ReplicaSet "stuck-\w+" has timed out progressing\.$/);
    });
  } finally {
    await removeNodes(client, made);
  }
});

test('kubectl delete --cascade=foreground|background|orphan', async () => {
  const ns = 'skiff-e2e-cascade';
  const made = [await hollow(client, 'skiff-e2e-c1', { startupDelayMs: 0 })];
  try {
    await withNamespace(ns, async () => {
      for (const name of ['fg', 'bg', 'orphan']) {
        await kubectl(['apply', '-f', '-'], deploymentJson(ns, name, { replicas: 2 }));
      }
      for (const name of ['fg', 'bg', 'orphan']) {
        await kubectl(['rollout', 'status', `deploy/${name}`, '-n', ns, '--timeout=60s']);
      }
      const count = async (kind: string, app: string) =>
        (await getJson([kind, '-n', ns, '-l', `app=${app}`])).items.filter(
          (o: KObject) => !o.metadata?.deletionTimestamp,
        ).length;

      await kubectl(['delete', 'deploy', 'orphan', '-n', ns, '--cascade=orphan']);
      const rs = await until('RS released', async () => {
        const l = (await getJson(['rs', '-n', ns, '-l', 'app=orphan'])).items;
        return l.length === 1 && !(l[0].metadata.ownerReferences ?? []).length && l[0];
      });
      assert.equal(rs.spec.replicas, 2);
      assert.equal(await count('pods', 'orphan'), 2);
      assert.equal(await exists(['deploy', 'orphan', '-n', ns]), false);

      await kubectl(['delete', 'deploy', 'bg', '-n', ns, '--cascade=background']);
      await until(
        'bg dependents gone',
        async () => (await count('rs', 'bg')) === 0 && (await count('pods', 'bg')) === 0,
      );

      // A dead node keeps the pods Terminating, so the foreground deletion is seen waiting on them.
      made[0].pause();
      await kubectl(['delete', 'deploy', 'fg', '-n', ns, '--cascade=foreground', '--wait=false']);
      await until('fg pods terminating', async () => {
        const l = (await getJson(['pods', '-n', ns, '-l', 'app=fg'])).items;
        return l.length > 0 && l.every((p: KObject) => p.metadata?.deletionTimestamp);
      });
      const held = await getJson(['deploy', 'fg', '-n', ns]);
      assert.ok(held.metadata?.deletionTimestamp);
      assert.ok(held.metadata?.finalizers?.includes('foregroundDeletion'));
      made[0].resume();
      // The deployment outlives its dependents: once it is gone, they are gone already.
      await until('fg deleted', async () => !(await exists(['deploy', 'fg', '-n', ns])));
      assert.equal((await getJson(['rs', '-n', ns, '-l', 'app=fg'])).items.length, 0);
      assert.equal((await getJson(['pods', '-n', ns, '-l', 'app=fg'])).items.length, 0);
    });
  } finally {
    await removeNodes(client, made);
  }
});

test('deleting a namespace removes its workloads; a finalizer holds it and says why', async () => {
  const ns = 'skiff-e2e-nsdel';
  const made = [await hollow(client, 'skiff-e2e-ns1', { startupDelayMs: 0 })];
  try {
    await kubectl(['create', 'namespace', ns]);
    await kubectl(['apply', '-f', '-'], deploymentJson(ns, 'app', { replicas: 2 }));
    await kubectl(['rollout', 'status', 'deploy/app', '-n', ns, '--timeout=60s']);
    await kubectl(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'held', namespace: ns, finalizers: ['skiff.dev/hold'] },
      }),
    );
    await kubectl(['delete', 'namespace', ns, '--wait=false']);
    await until('workloads gone', async () => {
      const all = await getJson(['deploy,rs,pods', '-n', ns]);
      return all.items.length === 0;
    });
    const cond = await until('finalizer condition', async () =>
      (await getJson(['namespace', ns])).status?.conditions?.find(
        (c: KObject) => c.type === 'NamespaceFinalizersRemaining' && c.status === 'True',
      ),
    );
    assert.match(cond.message, /skiff\.dev\/hold in 1 resource instances/);
    assert.equal((await getJson(['namespace', ns])).status.phase, 'Terminating');
    assert.match(await kubectl(['describe', 'namespace', ns]), /NamespaceFinalizersRemaining\s+True/);
    await kubectl([
      'patch',
      'configmap',
      'held',
      '-n',
      ns,
      '--type=json',
      '-p',
      '[{"op":"remove","path":"/metadata/finalizers"}]',
    ]);
    await until('namespace gone', async () => !(await exists(['namespace', ns])));
  } finally {
    await removeNodes(client, made);
  }
});

test('kubectl drain respects a PodDisruptionBudget', async () => {
  const ns = 'skiff-e2e-drain';
  const pool = { pool: 'skiff-drain' };
  const made = [
    await hollow(client, 'skiff-e2e-d1', { labels: pool, startupDelayMs: 1500 }),
    await hollow(client, 'skiff-e2e-d2', { labels: pool, startupDelayMs: 1500 }),
  ];
  try {
    await withNamespace(ns, async () => {
      await kubectl(
        ['apply', '-f', '-'],
        deploymentJson(ns, 'guarded', { replicas: 4, podSpec: { nodeSelector: pool } }),
      );
      await kubectl(['rollout', 'status', 'deploy/guarded', '-n', ns, '--timeout=60s']);
      await kubectl(
        ['apply', '-f', '-'],
        JSON.stringify({
          apiVersion: 'policy/v1',
          kind: 'PodDisruptionBudget',
          metadata: { name: 'guarded', namespace: ns },
          spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'guarded' } } },
        }),
      );
      await until(
        'budget observed',
        async () => (await getJson(['pdb', 'guarded', '-n', ns])).status?.disruptionsAllowed === 1,
      );
      const pods = (await getJson(['pods', '-n', ns, '-l', 'app=guarded'])).items;
      const perNode = new Map<string, number>();
      for (const p of pods) perNode.set(p.spec.nodeName, (perNode.get(p.spec.nodeName) ?? 0) + 1);
      const [target, onTarget] = [...perNode].sort((a, b) => b[1] - a[1])[0];
      assert.ok(onTarget >= 2, 'the drained node holds at least two pods');
      const w = await watchPods(client, ns, 'guarded');
      const r = await s.kubectl(['drain', target, '--timeout=60s'], { timeoutMs: 70_000 });
      await w.stop();
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr + r.stdout, /Cannot evict pod as it would violate the pod's disruption budget/);
      assert.ok(w.seen.minReady >= 3, `the budget held (min ready ${w.seen.minReady})`);
      const after = (await getJson(['pods', '-n', ns, '-l', 'app=guarded'])).items.filter(
        (p: KObject) => !p.metadata?.deletionTimestamp,
      );
      assert.ok(after.every((p: KObject) => p.spec.nodeName !== target));
      assert.equal((await getJson(['node', target])).spec.unschedulable, true);
    });
  } finally {
    await removeNodes(client, made);
  }
});

test('a node that stops heartbeating goes NotReady and its pods are recreated elsewhere', async () => {
  // A server of its own: the node grace must be seconds here, not upstream's 40 s.
  const failing = await startSkiff({ args: ['--node-monitor-grace-period', NODE_GRACE] }).catch(
    (err: Error) => {
      throw new Error(
        `skiff server needs --node-monitor-grace-period for this scenario: ${err.message.slice(0, 400)}`,
      );
    },
  );
  const c = await clientFromKubeconfig(failing.kubeconfig);
  const prev = s;
  s = failing;
  const made: HollowNode[] = [];
  try {
    for (const n of ['skiff-e2e-f1', 'skiff-e2e-f2', 'skiff-e2e-f3']) {
      made.push(await hollow(c, n, { heartbeatMs: 500, startupDelayMs: 0 }));
    }
    const ns = 'skiff-e2e-failure';
    await withNamespace(ns, async () => {
      const tolerations = ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable'].map((key) => ({
        key,
        operator: 'Exists',
        effect: 'NoExecute',
        tolerationSeconds: TOLERATION_S,
      }));
      await kubectl(
        ['apply', '-f', '-'],
        deploymentJson(ns, 'app', { replicas: 3, podSpec: { tolerations } }),
      );
      await kubectl(['rollout', 'status', 'deploy/app', '-n', ns, '--timeout=60s']);
      const pods = (await getJson(['pods', '-n', ns, '-l', 'app=app'])).items;
      const victim = made.find((n) => pods.some((p: KObject) => p.spec.nodeName === n.name)) as HollowNode;
      const lost = pods
        .filter((p: KObject) => p.spec.nodeName === victim.name)
        .map((p: KObject) => p.metadata?.name);
      victim.pause();
      await until('node not ready', async () => {
        const node = await getJson(['node', victim.name]);
        return node.status.conditions.find((x: KObject) => x.type === 'Ready' && x.status === 'Unknown');
      });
      const replaced = await until('pods recreated elsewhere', async () => {
        const live = (await getJson(['pods', '-n', ns, '-l', 'app=app'])).items.filter(
          (p: KObject) => !p.metadata?.deletionTimestamp,
        );
        return (
          live.length === 3 &&
          live.every((p: KObject) => p.spec.nodeName !== victim.name && isReady(p)) &&
          live
        );
      });
      for (const p of replaced) assert.ok(!lost.includes(p.metadata?.name));
      victim.resume();
      await until('node ready again', async () => {
        const node = await getJson(['node', victim.name]);
        return node.status.conditions.find((x: KObject) => x.type === 'Ready' && x.status === 'True');
      });
    });
  } finally {
    await removeNodes(c, made);
    await c
      .resource(NAMESPACES)
      .delete('skiff-e2e-failure')
      .catch(() => undefined);
    c.close();
    s = prev;
    await failing.stop();
  }
});
