// The node agent on real containers against a real `skiff server`: images built offline and
// pushed to a local registry, pods bound by spec.nodeName, and no host objects left afterwards.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { type Agent, startAgent } from '../../src/agent/agent.ts';
import type { KObject } from '../../src/api/object.ts';
import {
  CONFIGMAPS,
  clientFromKubeconfig,
  isAlreadyExists,
  isConflict,
  PODS,
  type RestClient,
} from '../../src/client/index.ts';
import { createLogger } from '../../src/util/log.ts';
import { httpGet } from '../support/http-get.ts';
import { busyboxImage } from '../support/images.ts';
import { pushImage, startRegistry, type TestRegistry } from '../support/registry.ts';
import { attempt, cleanUpScope, newRuntimeScope } from '../support/runtime-leaks.ts';
import { until } from '../support/until.ts';
import { type Skiff, startSkiff } from './harness.ts';

/** How long a GET to a pod or port may take. */
const HTTP_TIMEOUT_MS = 1_000;

const scope = newRuntimeScope();
const NODE = 'skiff-e2e-node';
const POD_CIDR = '10.42.251.0/24';
/** The agent's per-container process limit, read back from pids.max. */
const PIDS_LIMIT = 128;
const SECRETS = { group: '', version: 'v1', resource: 'secrets', namespaced: true, kind: 'Secret' };
const PVCS = { group: '', version: 'v1', resource: 'persistentvolumeclaims', namespaced: true };
const PVS = { group: '', version: 'v1', resource: 'persistentvolumes', namespaced: false };
/** Short, so the claim test sees the kubelet's FailedMount without waiting its 2 min. */
const VOLUME_MOUNT_TIMEOUT_MS = 2000;
/** The service-account admission projects this ConfigMap into every pod; without the root CA
 * publisher running, the kubelet (and ours) would wait on the volume forever. */
const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
/** Pods started by the first test and checked later, so their slow back-offs overlap the others. */
const SLOW = ['crash', 'live'];
/** Host directory a preStop hook writes into through a hostPath volume. */
let hookDir: string;
let skiff: Skiff;
let registry: TestRegistry;
let client: RestClient;
let agent: Agent | undefined;
let image: string;

const agentOpts = () => ({
  client,
  nodeName: NODE,
  dataDir: scope.stateDir,
  podCidr: POD_CIDR,
  runDir: scope.runDir,
  cgroupRoot: scope.cgroupRoot,
  networkName: scope.network,
  bridge: scope.bridge,
  sandboxIdPrefix: scope.idPrefix,
  exitPollMs: 200,
  internalIP: '127.0.0.1',
  pidsLimit: PIDS_LIMIT,
  volumeMountTimeoutMs: VOLUME_MOUNT_TIMEOUT_MS,
  localPathSweepMs: 500,
  log: createLogger({ level: 'warn', component: 'agent' }),
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const waitFor = <T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000) =>
  until(what, fn, { timeoutMs, pollMs: 250, retryErrors: true });

const pods = () => client.resource<KObject>(PODS, 'default');
const getPod = (name: string) => pods().get(name);

function pod(name: string, containers: KObject[], extra: KObject = {}): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { role: name === 'vols' ? 'vol' : name } },
    spec: { nodeName: NODE, terminationGracePeriodSeconds: 2, containers, ...extra },
  };
}

const status = (p: KObject, name: string) =>
  (p.status?.containerStatuses ?? []).find((c: KObject) => c.name === name) as KObject | undefined;

/** When attempts 0, 1 and 2 of a container started, polled from the moment the pod exists (the
 * status shows only the current and the previous attempt, so a late look would miss some). */
let liveRestarts: Promise<{ starts: Map<number, number>; st: KObject }>;
async function watchRestarts(podName: string, container: string) {
  const starts = new Map<number, number>();
  const st = await waitFor(
    `${podName} restarted twice`,
    async () => {
      const s = status(await getPod(podName), container);
      const at = s?.state?.running?.startedAt;
      if (at) starts.set(s.restartCount, Date.parse(at));
      return starts.has(0) && starts.has(1) && starts.has(2) ? s : undefined;
    },
    90_000,
  );
  return { starts, st };
}

before(async () => {
  if (process.getuid?.() !== 0) throw new Error('agent e2e tests need root (runc, mounts, cgroups, netns)');
  registry = await startRegistry();
  await pushImage(registry.url, 'skiff/busybox', '1', await busyboxImage({ cmd: ['sh'] }));
  image = `${registry.host}/skiff/busybox:1`;
  skiff = await startSkiff();
  client = await clientFromKubeconfig(skiff.kubeconfig);
  const kubeconfig = await readFile(skiff.kubeconfig, 'utf8');
  const ca = /certificate-authority-data:\s*(\S+)/.exec(kubeconfig)?.[1] ?? '';
  await client
    .resource<KObject>(CONFIGMAPS, 'default')
    .create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: ROOT_CA_CONFIGMAP, namespace: 'default' },
      data: { 'ca.crt': Buffer.from(ca, 'base64').toString() },
    })
    .catch((err: unknown) => {
      if (!isAlreadyExists(err)) throw err;
    });
  hookDir = `${scope.stateDir}/hooks`;
  await mkdir(hookDir, { recursive: true });
  agent = await startAgent(agentOpts());
});

async function retryConflicts(fn: () => Promise<unknown>): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      await fn();
      return;
    } catch (err) {
      if (i >= 5 || !isConflict(err)) throw err;
    }
  }
}

after(async () => {
  const errors: string[] = [];
  await attempt(errors, 'agent stop', async () => agent?.stop());
  await attempt(errors, 'skiff stop', async () => skiff?.stop());
  await attempt(errors, 'registry stop', async () => registry?.stop());
  const { busy, leaks } = await cleanUpScope(scope, errors, { removeState: true });
  await attempt(errors, 'state dir', () => rm(scope.stateDir, { recursive: true, force: true }));
  assert.deepEqual(errors, [], 'every clean-up step succeeded');
  assert.deepEqual(busy, [], 'no busy cgroups');
  assert.deepEqual(leaks, [], 'no netns, mount, cgroup, bridge, iptables chain or process left');
});

describe('node agent on real containers', () => {
  it('registers the Node with its pod CIDR', async () => {
    const node = await client
      .resource<KObject>({ group: '', version: 'v1', resource: 'nodes', namespaced: false })
      .get(NODE);
    assert.equal(node.spec.podCIDR, POD_CIDR);
    assert.equal(node.status.nodeInfo.kubeletVersion, 'v1.32.0-skiff');
    assert.match(node.status.nodeInfo.containerRuntimeVersion, /^runc:\/\//);
    // The back-off tests take tens of seconds of real time: start them now, check them later.
    await pods().create(pod('crash', [{ name: 'app', image, command: ['sh', '-c', 'exit 3'] }]));
    await pods().create(
      pod('live', [
        {
          name: 'app',
          image,
          command: ['sleep', '1000'],
          livenessProbe: { exec: { command: ['false'] }, periodSeconds: 1, failureThreshold: 1 },
        },
      ]),
    );
    liveRestarts = watchRestarts('live', 'app');
    liveRestarts.catch(() => {}); // awaited (and reported) by the liveness test
  });

  it('runs busybox httpd answering on its pod IP, and keeps it across an agent restart', async () => {
    await pods().create(
      pod('web', [{ name: 'httpd', image, command: ['httpd', '-f', '-p', '8080', '-h', '/www'] }]),
    );
    const running = await waitFor('web running', async () => {
      const p = await getPod('web');
      return p.status?.phase === 'Running' && status(p, 'httpd')?.ready ? p : undefined;
    });
    assert.match(running.status.podIP, /^10\.42\.251\.\d+$/);
    assert.equal(running.status.conditions.find((c: KObject) => c.type === 'Ready').status, 'True');
    assert.match(status(running, 'httpd')?.containerID, /^skiff:\/\//);
    const body = await waitFor('http', () =>
      httpGet(`http://${running.status.podIP}:8080/index.html`, HTTP_TIMEOUT_MS),
    );
    assert.match(body, /hello from a skiff pod/);

    await agent?.stop();
    agent = await startAgent(agentOpts());
    await sleep(2000);
    const after = await getPod('web');
    assert.equal(status(after, 'httpd')?.containerID, status(running, 'httpd')?.containerID);
    assert.equal(status(after, 'httpd')?.restartCount, 0);
    assert.equal(await httpGet(`http://${running.status.podIP}:8080/index.html`, HTTP_TIMEOUT_MS), body);
  });

  it('env from a ConfigMap, a Secret and fieldRef reach the container', async () => {
    await client.resource<KObject>(CONFIGMAPS, 'default').create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cfg', namespace: 'default' },
      data: { GREETING: 'hi-there' },
    });
    await client.resource<KObject>(SECRETS, 'default').create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'sec', namespace: 'default' },
      data: { PASSWORD: Buffer.from('s3cret').toString('base64') },
    });
    await pods().create(
      pod('envpod', [
        {
          name: 'app',
          image,
          command: ['sh', '-c', 'echo "G=$GREETING N=$MYNAME"; sleep 1000'],
          envFrom: [{ configMapRef: { name: 'cfg' } }],
          env: [
            { name: 'MYNAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'PW', valueFrom: { secretKeyRef: { name: 'sec', key: 'PASSWORD' } } },
          ],
        },
      ]),
    );
    const p = await waitFor('envpod running', async () => {
      const p = await getPod('envpod');
      return p.status?.phase === 'Running' ? p : undefined;
    });
    const id = String(status(p, 'app')?.containerID).replace('skiff://', '');
    const out = await agent?.runtime.exec(id, ['sh', '-c', 'echo "$GREETING/$MYNAME/$PW"']);
    assert.equal(out?.stdout.toString(), 'hi-there/envpod/s3cret\n');
    // conmon's CRI log holds the container's own output.
    const logPath = (await agent?.runtime.containerStatus(id))?.logPath ?? '';
    const log = await waitFor('log line', async () => {
      const text = await readFile(logPath, 'utf8');
      return text.includes('G=') ? text : undefined;
    });
    assert.match(log, / stdout F G=hi-there N=envpod$/m);
  });

  it('a missing ConfigMap is CreateContainerConfigError', async () => {
    await pods().create(
      pod('nocfg', [
        { name: 'app', image, command: ['sleep', '1000'], envFrom: [{ configMapRef: { name: 'absent' } }] },
      ]),
    );
    const st = await waitFor('config error', async () => {
      const s = status(await getPod('nocfg'), 'app');
      return s?.state?.waiting?.reason === 'CreateContainerConfigError' ? s : undefined;
    });
    assert.equal(st.state.waiting.message, 'configmap "absent" not found');
  });

  it('a missing image shows ErrImagePull then ImagePullBackOff', async () => {
    await pods().create(pod('noimg', [{ name: 'app', image: `${registry.host}/skiff/missing:1` }]));
    const seen = new Set<string>();
    await waitFor('ImagePullBackOff', async () => {
      const reason = status(await getPod('noimg'), 'app')?.state?.waiting?.reason;
      if (reason) seen.add(reason);
      return seen.has('ImagePullBackOff') ? true : undefined;
    });
    assert.ok(seen.has('ErrImagePull'), `saw ${[...seen].join(',')}`);
  });

  it('a crashing container gets restarts and CrashLoopBackOff', async () => {
    const st = await waitFor(
      'CrashLoopBackOff',
      async () => {
        const s = status(await getPod('crash'), 'app');
        return s?.state?.waiting?.reason === 'CrashLoopBackOff' && s.restartCount > 0 ? s : undefined;
      },
      60_000,
    );
    assert.equal(st.lastState.terminated.exitCode, 3);
    assert.equal(st.lastState.terminated.reason, 'Error');
  });

  it('mounts configMap, secret, emptyDir and downwardAPI volumes with the right contents', async () => {
    await pods().create(
      pod(
        'vols',
        [
          {
            name: 'app',
            image,
            command: ['sh', '-c', 'echo data > /scratch/f; sleep 1000'],
            volumeMounts: [
              { name: 'cfg', mountPath: '/etc/cfg', readOnly: true },
              { name: 'sec', mountPath: '/etc/sec', readOnly: true },
              { name: 'scratch', mountPath: '/scratch' },
              { name: 'mem', mountPath: '/mem' },
              { name: 'info', mountPath: '/etc/info' },
            ],
          },
        ],
        {
          volumes: [
            { name: 'cfg', configMap: { name: 'cfg' } },
            { name: 'sec', secret: { secretName: 'sec', defaultMode: 0o400 } },
            { name: 'scratch', emptyDir: {} },
            { name: 'mem', emptyDir: { medium: 'Memory' } },
            {
              name: 'info',
              downwardAPI: {
                items: [
                  { path: 'name', fieldRef: { fieldPath: 'metadata.name' } },
                  { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
                ],
              },
            },
          ],
        },
      ),
    );
    const p = await waitFor('vols running', async () => {
      const p = await getPod('vols');
      return p.status?.phase === 'Running' ? p : undefined;
    });
    const id = String(status(p, 'app')?.containerID).replace('skiff://', '');
    const out = await waitFor('volume contents', async () => {
      const r = await agent?.runtime.exec(id, [
        'sh',
        '-c',
        'cat /etc/cfg/GREETING; echo; cat /etc/sec/PASSWORD; echo; stat -L -c %a /etc/sec/PASSWORD; cat /scratch/f; cat /etc/info/name; echo; cat /etc/info/labels; echo; grep " /mem " /proc/mounts | cut -d" " -f3',
      ]);
      const text = r?.stdout.toString() ?? '';
      return text.includes('data') ? text : undefined;
    });
    assert.equal(out, 'hi-there\ns3cret\n400\ndata\nvols\nrole="vol"\ntmpfs\n');
  });

  it('a readiness probe gates Ready', async () => {
    await pods().create(
      pod('probed', [
        {
          name: 'app',
          image,
          command: ['sh', '-c', 'sleep 3; touch /tmp/ready; sleep 1000'],
          readinessProbe: { exec: { command: ['cat', '/tmp/ready'] }, periodSeconds: 1 },
        },
      ]),
    );
    const notReady = await waitFor('probed running', async () => {
      const p = await getPod('probed');
      return status(p, 'app')?.state?.running ? p : undefined;
    });
    assert.equal(status(notReady, 'app')?.ready, false);
    assert.equal(notReady.status.conditions.find((c: KObject) => c.type === 'Ready').status, 'False');
    const ready = await waitFor('probed ready', async () => {
      const p = await getPod('probed');
      return status(p, 'app')?.ready ? p : undefined;
    });
    assert.equal(ready.status.conditions.find((c: KObject) => c.type === 'Ready').status, 'True');
  });

  it('a failing liveness probe restarts the container with a growing back-off', async () => {
    const { starts, st } = await liveRestarts;
    assert.equal(st.lastState.terminated.exitCode, 137, 'killed after the grace period');
    const first = (starts.get(1) ?? 0) - (starts.get(0) ?? 0);
    const second = (starts.get(2) ?? 0) - (starts.get(1) ?? 0);
    // 10 s then 20 s of back-off on top of the probe and the 2 s grace.
    assert.ok(first >= 10_000, `first restart after ${first} ms`);
    assert.ok(second >= first + 5_000, `restarts spaced ${first} ms then ${second} ms`);
  });

  it('a container over its memory limit is OOMKilled', async () => {
    await pods().create(
      pod(
        'oom',
        [
          {
            name: 'hog',
            image,
            command: ['sh', '-c', 'x=0123456789; while :; do x=$x$x; done'],
            resources: { limits: { memory: '32Mi' } },
          },
        ],
        { restartPolicy: 'Never' },
      ),
    );
    const st = await waitFor('OOMKilled', async () => {
      const s = status(await getPod('oom'), 'hog');
      return s?.state?.terminated ? s : undefined;
    });
    assert.equal(st.state.terminated.reason, 'OOMKilled');
    assert.equal(st.state.terminated.exitCode, 137);
  });

  it("applies cpu, memory and pids limits to the container's cgroup", async () => {
    await pods().create(
      pod('limits', [
        {
          name: 'app',
          image,
          command: ['sleep', '1000'],
          resources: { requests: { cpu: '250m', memory: '32Mi' }, limits: { cpu: '500m', memory: '64Mi' } },
        },
      ]),
    );
    const p = await waitFor('limits running', async () => {
      const p = await getPod('limits');
      return status(p, 'app')?.state?.running ? p : undefined;
    });
    const id = String(status(p, 'app')?.containerID).replace('skiff://', '');
    const cg = (ctrl: string, file: string) =>
      readFile(`/sys/fs/cgroup/${ctrl}${scope.cgroupRoot}/${p.metadata?.uid}/${id}/${file}`, 'utf8').then(
        (t) => t.trim(),
      );
    assert.equal(await cg('cpu', 'cpu.cfs_quota_us'), '50000');
    assert.equal(await cg('cpu', 'cpu.cfs_period_us'), '100000');
    assert.equal(await cg('cpu', 'cpu.shares'), '256');
    assert.equal(await cg('memory', 'memory.limit_in_bytes'), String(64 * 1024 * 1024));
    assert.equal(await cg('pids', 'pids.max'), String(PIDS_LIMIT));
  });

  it('runs init containers in order before the app container', async () => {
    const shared = [{ name: 'shared', mountPath: '/shared' }];
    await pods().create(
      pod(
        'init',
        [
          {
            name: 'main',
            image,
            command: ['sh', '-c', 'echo main >> /shared/order; sleep 1000'],
            volumeMounts: shared,
          },
        ],
        {
          volumes: [{ name: 'shared', emptyDir: {} }],
          initContainers: [
            {
              name: 'one',
              image,
              command: ['sh', '-c', 'sleep 1; echo one >> /shared/order'],
              volumeMounts: shared,
            },
            { name: 'two', image, command: ['sh', '-c', 'echo two >> /shared/order'], volumeMounts: shared },
          ],
        },
      ),
    );
    const p = await waitFor('init pod running', async () => {
      const p = await getPod('init');
      return p.status?.phase === 'Running' ? p : undefined;
    });
    const inits = p.status.initContainerStatuses as KObject[];
    assert.deepEqual(
      inits.map((s) => [s.name, s.state.terminated?.reason]),
      [
        ['one', 'Completed'],
        ['two', 'Completed'],
      ],
    );
    const id = String(status(p, 'main')?.containerID).replace('skiff://', '');
    const out = await waitFor('order file', async () => {
      const text = (await agent?.runtime.exec(id, ['cat', '/shared/order']))?.stdout.toString() ?? '';
      return text.includes('main') ? text : undefined;
    });
    assert.equal(out, 'one\ntwo\nmain\n');
  });

  it('runs postStart after the start, and preStop then the rest of the grace period on deletion', async () => {
    await pods().create(
      pod(
        'hooked',
        [
          {
            name: 'app',
            image,
            // sleep as PID 1 ignores SIGTERM: the pod lives until the grace period ends.
            command: ['sleep', '1000'],
            lifecycle: {
              postStart: { exec: { command: ['sh', '-c', 'echo started > /hooks/poststart'] } },
              preStop: { exec: { command: ['sh', '-c', 'echo stopping > /hooks/prestop; sleep 1'] } },
            },
            volumeMounts: [{ name: 'hooks', mountPath: '/hooks' }],
          },
        ],
        {
          terminationGracePeriodSeconds: 4,
          volumes: [{ name: 'hooks', hostPath: { path: hookDir, type: 'Directory' } }],
        },
      ),
    );
    await waitFor('hooked running', async () => {
      const p = await getPod('hooked');
      return status(p, 'app')?.state?.running ? p : undefined;
    });
    // The worker reports the container running only once its postStart hook has completed.
    assert.equal(await readFile(`${hookDir}/poststart`, 'utf8'), 'started\n');
    const t0 = Date.now();
    await pods().delete('hooked');
    await waitFor('hooked gone', async () => {
      try {
        await getPod('hooked');
        return undefined;
      } catch {
        return true;
      }
    });
    const took = Date.now() - t0;
    assert.equal(await readFile(`${hookDir}/prestop`, 'utf8'), 'stopping\n');
    // 1 s of hook, then the 3 s left of the grace period before SIGKILL.
    assert.ok(took >= 3_500 && took < 12_000, `deletion took ${took} ms`);
  });

  it('a failing postStart hook kills the container and is reported', async () => {
    await pods().create(
      pod(
        'badhook',
        [
          {
            name: 'app',
            image,
            command: ['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 1; done'],
            lifecycle: { postStart: { exec: { command: ['sh', '-c', 'echo no way; exit 1'] } } },
          },
        ],
        { restartPolicy: 'Never' },
      ),
    );
    const st = await waitFor('badhook terminated', async () => {
      const s = status(await getPod('badhook'), 'app');
      return s?.state?.terminated ? s : undefined;
    });
    assert.equal(st.state.terminated.exitCode, 0, 'stopped by SIGTERM, which its trap handles');
    const events = await waitFor('FailedPostStartHook event', async () => {
      const list = await client
        .resource<KObject>({ group: '', version: 'v1', resource: 'events', namespaced: true }, 'default')
        .list();
      const mine = list.items.filter(
        (e: KObject) => e.involvedObject?.name === 'badhook' && e.reason === 'FailedPostStartHook',
      );
      return mine.length > 0 ? mine : undefined;
    });
    assert.match(events[0].message, /^Exec lifecycle hook \(sh -c echo no way; exit 1\) failed: no way/);
  });

  it('a persistentVolumeClaim volume waits for its claim, then keeps data from one pod to the next', async () => {
    const pvcs = client.resource<KObject>(PVCS, 'default');
    const pvs = client.resource<KObject>(PVS);
    // storageClassName '' opts out of dynamic provisioning: this claim is bound by hand below.
    const claim = await pvcs.create({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data', namespace: 'default' },
      spec: {
        storageClassName: '',
        accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage: '1Gi' } },
      },
    });
    const claimPod = (name: string, command: string[], readOnly: boolean) =>
      pod(name, [{ name: 'app', image, command, volumeMounts: [{ name: 'data', mountPath: '/data' }] }], {
        volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data', readOnly } }],
      });
    await pods().create(claimPod('writer', ['sh', '-c', 'echo persisted > /data/f; sleep 1000'], false));

    // Unbound: the pod waits in ContainerCreating (not a config error) and FailedMount is reported.
    const failed = await waitFor('FailedMount event', async () => {
      const list = await client
        .resource<KObject>({ group: '', version: 'v1', resource: 'events', namespaced: true }, 'default')
        .list();
      return list.items.find(
        (e: KObject) => e.involvedObject?.name === 'writer' && e.reason === 'FailedMount',
      );
    });
    assert.match(
      failed.message,
      /^Unable to attach or mount volumes: unmounted volumes=\[data\].*: timed out waiting for the condition$/,
    );
    const waiting = await getPod('writer');
    assert.equal(waiting.status.phase, 'Pending');
    assert.equal(status(waiting, 'app')?.state?.waiting?.reason, 'ContainerCreating');

    // A local-path volume on this node, bound to the claim by hand (PV claimRef, claim volumeName, both Bound).
    const uid = claim.metadata?.uid as string;
    const dir = `${scope.stateDir}/storage/pvc-${uid}_default_data`;
    const pvName = `pvc-${uid}`;
    await pvs.create({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: pvName, annotations: { 'pv.kubernetes.io/provisioned-by': 'skiff.dev/local-path' } },
      spec: {
        capacity: { storage: '1Gi' },
        accessModes: ['ReadWriteOnce'],
        persistentVolumeReclaimPolicy: 'Delete',
        storageClassName: '',
        hostPath: { path: dir, type: 'DirectoryOrCreate' },
        nodeAffinity: {
          required: {
            nodeSelectorTerms: [
              { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [NODE] }] },
            ],
          },
        },
        claimRef: {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          namespace: 'default',
          name: 'data',
          uid,
        },
      },
    });
    await retryConflicts(async () => {
      const cur = await pvcs.get('data');
      if (cur.spec.volumeName !== pvName)
        await pvcs.update({ ...cur, spec: { ...cur.spec, volumeName: pvName } });
    });
    await retryConflicts(async () => {
      const cur = await pvcs.get('data');
      if (cur.status?.phase !== 'Bound')
        await pvcs.updateStatus({ ...cur, status: { ...cur.status, phase: 'Bound' } });
    });
    await retryConflicts(async () => {
      const cur = await pvs.get(pvName);
      if (cur.status?.phase !== 'Bound')
        await pvs.updateStatus({ ...cur, status: { ...cur.status, phase: 'Bound' } });
    });

    await waitFor('writer running', async () => {
      const p = await getPod('writer');
      return status(p, 'app')?.state?.running ? p : undefined;
    });
    assert.equal(await waitFor('data on the volume', () => readFile(`${dir}/f`, 'utf8')), 'persisted\n');
    await pods().delete('writer');
    await waitFor('writer gone', async () =>
      (await getPod('writer').catch(() => undefined)) ? undefined : true,
    );

    await pods().create(claimPod('reader', ['sleep', '1000'], true));
    const reader = await waitFor('reader running', async () => {
      const p = await getPod('reader');
      return status(p, 'app')?.state?.running ? p : undefined;
    });
    const id = String(status(reader, 'app')?.containerID).replace('skiff://', '');
    assert.equal((await agent?.runtime.exec(id, ['cat', '/data/f']))?.stdout.toString(), 'persisted\n');
    const write = await agent?.runtime.exec(id, ['touch', '/data/new']);
    assert.notEqual(write?.exitCode, 0, 'readOnly claim volume accepted a write');
    assert.match(write?.stderr.toString() ?? '', /Read-only file system/);
    await pods().delete('reader');
    await waitFor('reader gone', async () =>
      (await getPod('reader').catch(() => undefined)) ? undefined : true,
    );

    // The volume deleted (reclaim Delete, pinned to this node): the agent removes its directory.
    await pvcs.delete('data');
    await pvs.delete(pvName).catch(() => {}); // the binder may delete it first (reclaim Delete)
    await waitFor('PV gone', async () => {
      const left = await pvs.get(pvName).catch(() => undefined);
      if (!left) return true;
      // Nothing uses it any more: protection finalizers may go.
      if (left.metadata?.finalizers?.length)
        await pvs.update({ ...left, metadata: { ...left.metadata, finalizers: [] } }).catch(() => {});
      return undefined;
    });
    await waitFor('volume directory removed', async () => (existsSync(dir) ? undefined : true), 10_000);
  });

  it('deleting pods stops their containers and removes them', async () => {
    const names = [
      'web',
      'envpod',
      'nocfg',
      'noimg',
      'vols',
      'probed',
      'oom',
      'limits',
      'init',
      'badhook',
      ...SLOW,
    ];
    await Promise.all(
      names.map(async (name) => {
        const t0 = Date.now();
        await pods().delete(name);
        await waitFor(`${name} gone`, async () => {
          try {
            await getPod(name);
            return undefined;
          } catch {
            return true;
          }
        });
        // Every pod here stops on SIGTERM or is killed after its 2 s grace period.
        assert.ok(Date.now() - t0 < 15_000, `${name} took ${Date.now() - t0} ms`);
      }),
    );
    assert.deepEqual(await agent?.runtime.listSandboxes(), []);
  });
});
