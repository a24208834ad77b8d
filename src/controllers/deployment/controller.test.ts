import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KObject } from '../../api/object.ts';
import { PODS, type ResourceClient } from '../../client/index.ts';
import { DEPLOYMENTS, REPLICASETS } from '../common/resources.ts';
import { startWorkloadHarness, type WorkloadHarness } from '../common/test-harness.ts';
import { startTestKubelet, type TestKubelet } from '../common/test-kubelet.ts';
import { replicaSetControllerFactory } from '../replicaset/controller.ts';
import { REVISION_ANNOTATION, REVISION_HISTORY_ANNOTATION } from './annotations.ts';
import { deploymentControllerFactory } from './controller.ts';

/** Pods name a node directly (no scheduler here); on the "slow" one they take a while to start. */
const FAST_NODE = 'skiff-dep-fast';
const SLOW_NODE = 'skiff-dep-slow';
const SLOW_START_MS = 300;
const WAIT_MS = 15_000;

const deployment = (name: string, replicas: number, spec: KObject = {}, podSpec: KObject = {}) => ({
  metadata: { name },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: {
        labels: { app: name },
        ...(podSpec.annotations ? { annotations: podSpec.annotations } : {}),
      },
      spec: {
        nodeName: podSpec.nodeName ?? FAST_NODE,
        containers: [{ name: 'c', image: podSpec.image ?? 'img:v1' }],
      },
    },
    ...spec,
  },
});

describe('deployment controller', () => {
  let h: WorkloadHarness;
  let deps: ResourceClient;
  let rss: ResourceClient;
  let pods: ResourceClient;
  let kubelet: TestKubelet;

  before(async () => {
    h = await startWorkloadHarness([replicaSetControllerFactory, deploymentControllerFactory]);
    deps = h.client.resource(DEPLOYMENTS, 'default');
    rss = h.client.resource(REPLICASETS, 'default');
    pods = h.client.resource(PODS, 'default');
    kubelet = await startTestKubelet(h.client, (p) => (p.spec?.nodeName === SLOW_NODE ? SLOW_START_MS : 0));
  });
  after(async () => {
    await kubelet.stop();
    await h.stop();
  });

  const rsOf = async (app: string) =>
    (await rss.list({ labelSelector: `app=${app}` })).items.sort(
      (a, b) =>
        Number(a.metadata!.annotations![REVISION_ANNOTATION]) -
        Number(b.metadata!.annotations![REVISION_ANNOTATION]),
    );
  const livePods = async (app: string) =>
    (await pods.list({ labelSelector: `app=${app}` })).items.filter((p) => !p.metadata?.deletionTimestamp);
  const cond = (d: KObject, type: string) =>
    (d.status?.conditions ?? []).find((c: KObject) => c.type === type);
  const complete = (name: string, image?: string) =>
    h.eventually(async () => {
      const d = await deps.get(name);
      const want = d.spec.replicas;
      const s = d.status ?? {};
      const done =
        s.observedGeneration === d.metadata!.generation &&
        s.updatedReplicas === want &&
        s.replicas === want &&
        s.availableReplicas === want &&
        cond(d, 'Progressing')?.reason === 'NewReplicaSetAvailable';
      if (!done) return undefined;
      if (image && (await livePods(name)).some((p) => p.spec.containers[0].image !== image)) return undefined;
      return d;
    }, WAIT_MS);

  it('creates <name>-<hash> with the pod-template-hash label and reports a complete rollout', async () => {
    await deps.create(deployment('web', 4));
    const d = await complete('web');
    const [rs] = await rsOf('web');
    const hash = rs.metadata!.labels!['pod-template-hash'];
    assert.ok(hash);
    assert.equal(rs.metadata!.name, `web-${hash}`);
    assert.equal(rs.spec.selector.matchLabels['pod-template-hash'], hash);
    assert.equal(rs.metadata!.annotations![REVISION_ANNOTATION], '1');
    assert.equal(rs.metadata!.annotations!['deployment.kubernetes.io/desired-replicas'], '4');
    assert.equal(rs.metadata!.annotations!['deployment.kubernetes.io/max-replicas'], '5');
    assert.equal(rs.metadata!.ownerReferences![0].kind, 'Deployment');
    assert.equal(d.metadata!.annotations![REVISION_ANNOTATION], '1');
    assert.equal(d.status.readyReplicas, 4);
    assert.equal(d.status.unavailableReplicas ?? 0, 0);
    assert.deepEqual(
      { ...cond(d, 'Available'), lastUpdateTime: undefined, lastTransitionTime: undefined },
      {
        type: 'Available',
        status: 'True',
        reason: 'MinimumReplicasAvailable',
        message: 'Deployment has minimum availability.',
        lastUpdateTime: undefined,
        lastTransitionTime: undefined,
      },
    );
    assert.equal(cond(d, 'Progressing').message, `ReplicaSet "web-${hash}" has successfully progressed.`);
    for (const p of await livePods('web')) assert.equal(p.metadata!.labels!['pod-template-hash'], hash);
    // Settled: no further writes to the deployment or its RS.
    const [dRv, rsRv] = [(await deps.get('web')).metadata!.resourceVersion, rs.metadata!.resourceVersion];
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await deps.get('web')).metadata!.resourceVersion, dRv);
    assert.equal((await rss.get(rs.metadata!.name!)).metadata!.resourceVersion, rsRv);
  });

  it('rolls a template change within maxSurge and maxUnavailable, then rolls back to the old RS', async () => {
    await deps.create(
      deployment(
        'roll',
        6,
        { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 2, maxUnavailable: 1 } } },
        { nodeName: SLOW_NODE },
      ),
    );
    await complete('roll');
    let maxTotal = 0;
    let minReady = Number.POSITIVE_INFINITY;
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const live = await livePods('roll');
        maxTotal = Math.max(maxTotal, live.length);
        const ready = live.filter((p) =>
          (p.status?.conditions ?? []).some((c: KObject) => c.type === 'Ready' && c.status === 'True'),
        ).length;
        minReady = Math.min(minReady, ready);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    await deps.patch('roll', 'merge', {
      spec: { template: { spec: { containers: [{ name: 'c', image: 'img:v2' }] } } },
    });
    await complete('roll', 'img:v2');
    watching = false;
    await watcher;
    assert.ok(maxTotal <= 8, `never more than replicas+maxSurge pods (saw ${maxTotal})`);
    assert.ok(minReady >= 5, `never fewer than replicas-maxUnavailable ready (saw ${minReady})`);
    const [v1, v2] = await rsOf('roll');
    assert.equal(v1.spec.replicas, 0);
    assert.equal(v2.metadata!.annotations![REVISION_ANNOTATION], '2');
    assert.equal((await deps.get('roll')).metadata!.annotations![REVISION_ANNOTATION], '2');
    // What `kubectl rollout undo` does: put revision 1's template back (with its null timestamp).
    const template = structuredClone(v1.spec.template);
    delete template.metadata.labels['pod-template-hash'];
    template.metadata.creationTimestamp = null;
    await deps.patch('roll', 'json', [{ op: 'replace', path: '/spec/template', value: template }]);
    await complete('roll', 'img:v1');
    const after = await rss.get(v1.metadata!.name!);
    assert.equal(after.spec.replicas, 6, 'the old RS is the new one again');
    assert.equal(after.metadata!.annotations![REVISION_ANNOTATION], '3');
    assert.equal(after.metadata!.annotations![REVISION_HISTORY_ANNOTATION], '1');
    assert.equal((await rsOf('roll')).length, 2, 'no third RS');
  });

  it('Recreate removes every old pod before creating new ones', async () => {
    await deps.create(deployment('recreate', 3, { strategy: { type: 'Recreate' } }));
    await complete('recreate');
    let overlap = false;
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const images = new Set(
          (await pods.list({ labelSelector: 'app=recreate' })).items.map((p) => p.spec.containers[0].image),
        );
        if (images.size > 1) overlap = true;
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    await deps.patch('recreate', 'merge', {
      spec: { template: { spec: { containers: [{ name: 'c', image: 'img:v2' }] } } },
    });
    await complete('recreate', 'img:v2');
    watching = false;
    await watcher;
    assert.equal(overlap, false, 'old and new pods never coexist');
  });

  it('a paused deployment does not roll out; resuming continues', async () => {
    await deps.create(deployment('paused', 2));
    await complete('paused');
    await deps.patch('paused', 'merge', { spec: { paused: true } });
    const paused = await h.eventually(async () => {
      const d = await deps.get('paused');
      return cond(d, 'Progressing')?.reason === 'DeploymentPaused' && d;
    });
    assert.equal(cond(paused, 'Progressing').status, 'Unknown');
    assert.equal(cond(paused, 'Progressing').message, 'Deployment is paused');
    await deps.patch('paused', 'merge', {
      spec: { template: { spec: { containers: [{ name: 'c', image: 'img:v2' }] } } },
    });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await rsOf('paused')).length, 1, 'no new RS while paused');
    await deps.patch('paused', 'merge', { spec: { paused: false } });
    await complete('paused', 'img:v2');
    assert.equal((await rsOf('paused')).length, 2);
  });

  it('a rollout whose pods never become ready hits ProgressDeadlineExceeded', async () => {
    await deps.create(deployment('stuck', 2, { progressDeadlineSeconds: 1 }));
    await complete('stuck');
    await deps.patch('stuck', 'merge', {
      spec: {
        template: {
          metadata: { annotations: { 'sim.skiff.dev/ready': 'false' } },
          spec: { containers: [{ name: 'c', image: 'img:v2' }] },
        },
      },
    });
    const d = await h.eventually(async () => {
      const x = await deps.get('stuck');
      return cond(x, 'Progressing')?.reason === 'ProgressDeadlineExceeded' && x;
    }, WAIT_MS);
    const [, newRS] = await rsOf('stuck');
    assert.equal(cond(d, 'Progressing').status, 'False');
    assert.equal(
      cond(d, 'Progressing').message,
      `ReplicaSet "${newRS.metadata!.name}" has timed out progressing.`,
    );
    // maxUnavailable 25% of 2 rounds down to 0: the old pods stay.
    assert.equal(cond(d, 'Available').status, 'True');
  });

  it('keeps revisionHistoryLimit old ReplicaSets', async () => {
    await deps.create(deployment('history', 1, { revisionHistoryLimit: 1 }));
    for (const image of ['img:v2', 'img:v3', 'img:v4']) {
      await complete('history');
      await deps.patch('history', 'merge', {
        spec: { template: { spec: { containers: [{ name: 'c', image }] } } },
      });
    }
    await complete('history', 'img:v4');
    await h.eventually(async () => (await rsOf('history')).length === 2);
    const revs = (await rsOf('history')).map((rs) => rs.metadata!.annotations![REVISION_ANNOTATION]);
    assert.deepEqual(revs, ['3', '4']);
  });

  it('scales proportionally when resized mid-rollout', async () => {
    await deps.create(
      deployment('prop', 10, {
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } },
      }),
    );
    await complete('prop');
    // New pods never get ready: the rollout stalls with both RSs active.
    await deps.patch('prop', 'merge', {
      spec: {
        template: {
          metadata: { annotations: { 'sim.skiff.dev/ready': 'false' } },
          spec: { containers: [{ name: 'c', image: 'img:v2' }] },
        },
      },
    });
    const stalled = await h.eventually(async () => {
      const l = await rsOf('prop');
      return l.length === 2 && l[1].spec.replicas === 5 && l[0].spec.replicas === 8 && l;
    });
    assert.equal(stalled[0].spec.replicas + stalled[1].spec.replicas, 13);
    await deps.patch('prop', 'merge', { spec: { replicas: 20 } });
    const scaled = await h.eventually(async () => {
      const l = await rsOf('prop');
      return l[0].spec.replicas + l[1].spec.replicas === 23 && l;
    });
    // 10 more spread 8:5 → old +6, new +4 (rounding to the nearest, leftovers to the largest).
    assert.equal(scaled[0].spec.replicas, 14);
    assert.equal(scaled[1].spec.replicas, 9);
    for (const rs of scaled) {
      assert.equal(rs.metadata!.annotations!['deployment.kubernetes.io/desired-replicas'], '20');
      assert.equal(rs.metadata!.annotations!['deployment.kubernetes.io/max-replicas'], '23');
    }
  });
});
