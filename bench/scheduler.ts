// Scheduler throughput, after upstream's scheduler_perf: each workload gets a fresh in-process API
// server (memory store, RBAC on), N nodes registered directly through the API (no heartbeats), a
// number of initial pods scheduled first, then measured pods created as fast as the API takes
// them. The scheduler is the real wiring (startScheduler) over the loopback client as
// system:kube-scheduler. Throughput = measured pods bound / (last bind − first measured create).
// latency_p99_ms is one scheduling attempt, as upstream's scheduling_attempt_duration: from the
// queue pop to the binding POST's answer.
import { randomBytes } from 'node:crypto';
import type { KObject } from '../src/api/object.ts';
import { createAuthenticator } from '../src/apiserver/authn/index.ts';
import { reconcileDefaultPolicy } from '../src/apiserver/authz/reconcile-policy.ts';
import { systemContext } from '../src/apiserver/registry/context.ts';
import type { ApiServer } from '../src/apiserver/server.ts';
import { memoryApiServer } from '../src/apiserver/testing/memory-api-server.ts';
import {
  DeletedFinalStateUnknown,
  loopbackClient,
  NAMESPACES,
  NODES,
  PODS,
  type ResourceRef,
  type RestClient,
  SharedInformer,
} from '../src/client/index.ts';
import type { SchedulerHost } from '../src/scheduler/host.ts';
import { podUid } from '../src/scheduler/types.ts';
import { type RunningScheduler, startScheduler } from '../src/scheduler/wiring/start-scheduler.ts';
import { inFlight, quantile, round } from './stats.ts';
import type { BenchResult, Metric } from './types.ts';

const NODES_LARGE = 5000;
/** Creation concurrency: enough to keep the API busy without starving the scheduler. */
const CREATE_CONCURRENCY = 16;
const ZONES = ['zone1', 'zone2', 'zone3'];
const ZONE_KEY = 'topology.kubernetes.io/zone';
const HOST_KEY = 'kubernetes.io/hostname';
const NS = 'sched-bench';
/** A workload that has not finished in this long has failed (bounded run time). */
const WORKLOAD_TIMEOUT_MS = 180_000;
const PRIORITY_CLASSES: ResourceRef = {
  group: 'scheduling.k8s.io',
  version: 'v1',
  resource: 'priorityclasses',
  namespaced: false,
  kind: 'PriorityClass',
};

interface Workload {
  key: string;
  nodes: number;
  initPods: number;
  measuredPods: number;
  /** Node capacity: upstream's node-default is 4 cpu / 32Gi / 110 pods. */
  nodeCpu?: string;
  initPod: (i: number) => KObject;
  measuredPod: (i: number) => KObject;
  target?: number;
  /** Preemption: deletes terminating pods as a node would. */
  finishDeletes?: boolean;
}

const basePod = (name: string, cpu = '100m', mem = '500Mi'): KObject => ({
  metadata: { name, namespace: NS },
  spec: {
    containers: [
      { name: 'pause', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu, memory: mem } } },
    ],
  },
});

const withSpec = (p: KObject, spec: Record<string, unknown>, labels?: Record<string, string>): KObject => ({
  ...p,
  metadata: { ...p.metadata, ...(labels ? { labels } : {}) },
  spec: { ...p.spec, ...spec },
});

const antiAffinityPod = (name: string): KObject =>
  withSpec(
    basePod(name),
    {
      affinity: {
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            { labelSelector: { matchLabels: { color: 'green' } }, topologyKey: HOST_KEY },
          ],
        },
      },
    },
    { color: 'green' },
  );

const affinityPod = (name: string): KObject =>
  withSpec(
    basePod(name),
    {
      affinity: {
        podAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            { labelSelector: { matchLabels: { foo: '' } }, topologyKey: ZONE_KEY },
          ],
        },
      },
    },
    { foo: '' },
  );

const spreadPod = (name: string): KObject =>
  withSpec(
    basePod(name),
    {
      topologySpreadConstraints: [
        {
          maxSkew: 1,
          topologyKey: ZONE_KEY,
          whenUnsatisfiable: 'DoNotSchedule',
          labelSelector: { matchLabels: { app: 'spread' } },
        },
      ],
    },
    { app: 'spread' },
  );

const nodeAffinityPod = (name: string): KObject =>
  withSpec(basePod(name), {
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: ZONE_KEY, operator: 'In', values: ['zone1', 'zone2'] }] },
          ],
        },
      },
    },
  });

const WORKLOADS: Workload[] = [
  {
    key: 'basic_5000_pods_per_s',
    nodes: NODES_LARGE,
    initPods: 1000,
    measuredPods: 10_000,
    initPod: (i) => basePod(`init-${i}`),
    measuredPod: (i) => basePod(`pod-${i}`),
    target: 1000,
  },
  {
    key: 'anti_affinity_5000_pods_per_s',
    nodes: NODES_LARGE,
    initPods: 1000,
    measuredPods: 1000,
    initPod: (i) => antiAffinityPod(`init-${i}`),
    measuredPod: (i) => antiAffinityPod(`pod-${i}`),
    target: 200,
  },
  {
    key: 'affinity_5000_pods_per_s',
    nodes: NODES_LARGE,
    initPods: 1000,
    measuredPods: 1000,
    initPod: (i) => affinityPod(`init-${i}`),
    measuredPod: (i) => affinityPod(`pod-${i}`),
  },
  {
    key: 'topology_spread_5000_pods_per_s',
    nodes: NODES_LARGE,
    initPods: 1000,
    measuredPods: 5000,
    initPod: (i) => spreadPod(`init-${i}`),
    measuredPod: (i) => spreadPod(`pod-${i}`),
    target: 500,
  },
  {
    key: 'node_affinity_5000_pods_per_s',
    nodes: NODES_LARGE,
    initPods: 1000,
    measuredPods: 5000,
    initPod: (i) => nodeAffinityPod(`init-${i}`),
    measuredPod: (i) => nodeAffinityPod(`pod-${i}`),
  },
  {
    // Upstream's PreemptionBasic: 500 nodes filled with low-priority pods, then high-priority pods
    // that each need two victims' room.
    key: 'preemption_pods_per_s',
    nodes: 500,
    nodeCpu: '4',
    initPods: 2000,
    measuredPods: 500,
    initPod: (i) => basePod(`low-${i}`, '900m'),
    measuredPod: (i) => withSpec(basePod(`high-${i}`, '1500m'), { priorityClassName: 'skiff-bench-high' }),
    finishDeletes: true,
  },
];

const node = (i: number, cpu: string): KObject => {
  const name = `node-${i}`;
  const capacity = { cpu, memory: '32Gi', pods: '110' };
  return {
    metadata: { name, labels: { [HOST_KEY]: name, [ZONE_KEY]: ZONES[i % ZONES.length] } },
    status: { capacity, allocatable: capacity, conditions: [{ type: 'Ready', status: 'True' }] },
  };
};

interface Cluster {
  api: ApiServer;
  admin: RestClient;
  schedulerClient: RestClient;
  stop(): Promise<void>;
}

async function startCluster(): Promise<Cluster> {
  const adminToken = randomBytes(16).toString('hex');
  const schedulerToken = randomBytes(16).toString('hex');
  const { api, backend } = memoryApiServer({
    authenticator: createAuthenticator({
      tokens: new Map([
        [adminToken, { username: 'skiff-bench-admin', groups: ['system:masters'] }],
        [schedulerToken, { username: 'system:kube-scheduler', groups: [] }],
      ]),
    }),
  });
  await api.listen(0, '127.0.0.1');
  const rbac = 'rbac.authorization.k8s.io';
  await reconcileDefaultPolicy(
    api.store(rbac, 'v1', 'clusterroles')!,
    api.store(rbac, 'v1', 'clusterrolebindings')!,
    systemContext(),
  );
  const handler = api.handle.bind(api);
  const admin = loopbackClient(handler, { bearerToken: adminToken });
  const schedulerClient = loopbackClient(handler, { bearerToken: schedulerToken });
  for (const name of [NS, 'kube-system'])
    await admin
      .resource(NAMESPACES)
      .create({ metadata: { name } })
      .catch(() => {});
  return {
    api,
    admin,
    schedulerClient,
    stop: async () => {
      admin.close();
      schedulerClient.close();
      await api.close();
      await backend.close();
    },
  };
}

interface Timing {
  popped: Map<string, number>;
  attempts: number[];
  boundAt: number[];
  measured: Set<string>;
  onBound?: () => void;
}

/** Times each attempt: pop (scheduleOne) to the binding's answer. */
function timedHost(host: SchedulerHost, t: Timing): SchedulerHost {
  return {
    bind: async (pod, nodeName) => {
      await host.bind(pod, nodeName);
      const start = t.popped.get(podUid(pod));
      if (start !== undefined) t.attempts.push(performance.now() - start);
    },
    scheduled: (pod, nodeName, message) => {
      if (t.measured.has(pod.metadata?.name ?? '')) t.boundAt.push(performance.now());
      t.onBound?.();
      host.scheduled(pod, nodeName, message);
    },
    failed: (pod, failure) => host.failed(pod, failure),
    preempt: (victim, preemptor, nodeName) => host.preempt(victim, preemptor, nodeName),
    defaultSpreadSelector: (pod) => host.defaultSpreadSelector?.(pod),
  };
}

/** What a node would do for preemption victims: finish their graceful deletion. */
function finishDeletes(admin: RestClient): SharedInformer {
  const pods = admin.resource(PODS, NS);
  const inf = new SharedInformer(pods, { freeze: false });
  const finish = (p: KObject | DeletedFinalStateUnknown) => {
    if (p instanceof DeletedFinalStateUnknown || !p.metadata?.deletionTimestamp) return;
    pods.delete(p.metadata.name!, { gracePeriodSeconds: 0 }).catch(() => {});
  };
  inf.addEventHandler({ onAdd: finish, onUpdate: (_o, p) => finish(p) });
  inf.start();
  return inf;
}

async function runWorkload(
  w: Workload,
  log: (l: string) => void,
): Promise<{ podsPerS: number; attempts: number[] }> {
  const c = await startCluster();
  let sched: RunningScheduler | undefined;
  let finisher: SharedInformer | undefined;
  try {
    log(`${w.key}: registering ${w.nodes} nodes`);
    const nodes = c.admin.resource(NODES);
    // The API keeps no status on create (a node agent reports it right after registering).
    await inFlight(w.nodes, CREATE_CONCURRENCY, async (i) => {
      const want = node(i, w.nodeCpu ?? '4');
      const created = await nodes.create(want);
      await nodes.updateStatus({ ...created, status: want.status });
    });
    if (w.finishDeletes) {
      await c.admin
        .resource(PRIORITY_CLASSES)
        .create({ metadata: { name: 'skiff-bench-high' }, value: 1000 });
      finisher = finishDeletes(c.admin);
    }
    const t: Timing = { popped: new Map(), attempts: [], boundAt: [], measured: new Set() };
    let bound = 0;
    let wake: (() => void) | undefined;
    t.onBound = () => {
      bound++;
      wake?.();
    };
    const waitBound = async (n: number, what: string) => {
      const deadline = performance.now() + WORKLOAD_TIMEOUT_MS;
      while (bound < n) {
        if (performance.now() > deadline) throw new Error(`${w.key}: only ${bound}/${n} ${what} pods bound`);
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 200);
        });
      }
    };
    sched = startScheduler({
      client: c.schedulerClient,
      leaderElection: false,
      wrapHost: (h) => timedHost(h, t),
    });
    await sched.leading;
    const s = sched.current!;
    const scheduleOne = s.scheduleOne.bind(s);
    s.scheduleOne = (q) => {
      t.popped.set(podUid(q.pod), performance.now());
      scheduleOne(q);
    };
    const pods = c.admin.resource(PODS, NS);
    log(`${w.key}: ${w.initPods} initial pods`);
    await inFlight(w.initPods, CREATE_CONCURRENCY, (i) => pods.create(w.initPod(i)));
    await waitBound(w.initPods, 'initial');
    t.attempts.length = 0;
    for (let i = 0; i < w.measuredPods; i++) t.measured.add(w.measuredPod(i).metadata!.name!);
    log(`${w.key}: ${w.measuredPods} measured pods`);
    const start = performance.now();
    await inFlight(w.measuredPods, CREATE_CONCURRENCY, (i) => pods.create(w.measuredPod(i)));
    await waitBound(w.initPods + w.measuredPods, 'measured');
    const end = Math.max(...t.boundAt);
    const podsPerS = (t.boundAt.length / (end - start)) * 1000;
    log(`${w.key}: ${round(podsPerS)} pods/s, attempt p99 ${round(quantile(t.attempts, 0.99))} ms`);
    return { podsPerS, attempts: t.attempts };
  } finally {
    await sched?.stop();
    await finisher?.dispose();
    await c.stop();
  }
}

export async function run(log: (line: string) => void): Promise<BenchResult> {
  const metrics: Record<string, Metric> = {};
  const attempts: number[] = [];
  const only = process.env.SKIFF_BENCH_SCHEDULER_ONLY;
  for (const w of WORKLOADS) {
    if (only && !w.key.startsWith(only)) continue;
    const r = await runWorkload(w, log);
    metrics[w.key] = {
      value: round(r.podsPerS),
      unit: 'pods/s',
      ...(w.target !== undefined ? { target: { min: w.target } } : {}),
    };
    if (w.key.startsWith('basic')) attempts.push(...r.attempts);
  }
  metrics.latency_p99_ms = { value: round(quantile(attempts, 0.99)), unit: 'ms', target: { max: 50 } };
  return { name: 'scheduler', metrics };
}
