// skiff-test: whole-host — runs `skiff up` with the agent, whose service rules and ClusterIPs are
// host-wide, so scripts/test.sh runs these files one at a time after the rest.
// `skiff compose` on real containers (issue #12's acceptance): `skiff up` runs the node agent and a
// three-service project — `web` (httpd) depending on a healthy `cache` (httpd on 6379 with a
// healthcheck and a named volume) and on a completed one-shot `migrate` — plus `outsider`, on a
// network of its own. Checked: start order from the pods' own timestamps, peers by compose service
// name, network isolation, ps, logs -f, an edit rolling one service only, `down --volumes` leaving
// nothing, and `compose convert | kubectl apply -f -` creating the same objects as `up`.
// Needs root; leaves no host object behind.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { runDown, runLogs, runPs, runUp } from '../../src/cli/compose-run.ts';
import { ENV_AGENT_PORT, ENV_HOST_SCOPE, ENV_POD_CIDR } from '../../src/cmd/node.ts';
import { busyboxImage, WEB_PAGE } from '../support/images.ts';
import { pushImage, startRegistry, type TestRegistry } from '../support/registry.ts';
import { attempt, cleanUpScope, newRuntimeScope } from '../support/runtime-leaks.ts';
import { until as waitUntil } from '../support/until.ts';
import { type Skiff, startSkiff } from './harness.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const scope = newRuntimeScope();
/** Not the first node's 10.42.0.0/24, nor another e2e file's, so runs side by side do not collide. */
const POD_CIDR = '10.42.246.0/24';
const PROJECT = 'skiffshop';
const POLL_MS = 250;
const WAIT_MS = 90_000;
/** `up --wait` gives up after this long (seconds): image pulls and init waits included. */
const UP_WAIT_TIMEOUT_S = '180';
/**
 * How long a request from a pod may take, seconds: a dropped connection fails within it. busybox's
 * own `timeout` and not `wget -T`, which crashes Debian's static busybox 1.35.
 */
const REQUEST_TIMEOUT_S = '5';
/** `wget` of a page through busybox's `timeout`. */
const fetchCmd = (hostPort: string) => [
  'timeout',
  REQUEST_TIMEOUT_S,
  'wget',
  '-q',
  '-O',
  '-',
  `http://${hostPort}/index.html`,
];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let skiff: Skiff;
let registry: TestRegistry;
let image: string;
let dir: string;

/** The project; `rev` is web's environment, edited to roll web alone. */
function composeFile(rev: string): string {
  return `
name: ${PROJECT}
services:
  cache:
    image: ${image}
    command: [httpd, -f, -p, "6379", -h, /www]
    expose: ["6379"]
    healthcheck:
      test: [CMD-SHELL, "wget -q -O /dev/null http://127.0.0.1:6379/index.html"]
      interval: 1s
      timeout: 1s
      retries: 3
    stop_grace_period: 1s
    volumes: [data:/data]
    networks: [back]
  migrate:
    image: ${image}
    command: [sh, -c, "echo migrated"]
    restart: "no"
    networks: [back]
  web:
    image: ${image}
    command: [httpd, -f, -p, "8080", -h, /www]
    expose: ["8080"]
    environment: { REV: "${rev}" }
    stop_grace_period: 1s
    depends_on:
      cache: { condition: service_healthy }
      migrate: { condition: service_completed_successfully }
    networks: [front, back]
  outsider:
    image: ${image}
    command: [sleep, "3600"]
    stop_grace_period: 1s
    networks: [front]
volumes:
  data: {}
networks:
  front: {}
  back: {}
`;
}

function sink() {
  let text = '';
  const stream = new Writable({
    write(chunk, _e, done) {
      text += chunk;
      done();
    },
  });
  return { stream, text: () => text };
}

async function verb(fn: (io: { out: Writable; err: Writable }) => Promise<number>) {
  const out = sink();
  const err = sink();
  const code = await fn({ out: out.stream, err: err.stream });
  return { code, out: out.text(), err: err.text() };
}

const composePath = () => join(dir, 'compose.yaml');
const flags = () => ({
  file: [composePath()],
  profile: [],
  envFile: [],
  kubeconfig: skiff.kubeconfig,
  waitImage: image,
});

async function kubectl(args: string[], input?: string): Promise<string> {
  const r = await skiff.kubectl(args, { input });
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const until = <T>(what: string, fn: () => Promise<T | undefined>, ms = WAIT_MS) =>
  waitUntil(what, fn, {
    timeoutMs: ms,
    pollMs: POLL_MS,
    retryErrors: true,
    detail: () => skiff.logs().slice(-3000),
  });

interface Pod {
  metadata: { name: string; uid: string; labels?: Record<string, string>; deletionTimestamp?: string };
  spec: { containers: { name: string }[] };
  status: {
    phase?: string;
    podIP?: string;
    conditions?: { type: string; status: string; lastTransitionTime: string }[];
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
  };
}
interface ContainerStatus {
  name: string;
  state?: {
    running?: { startedAt: string };
    terminated?: { exitCode: number; startedAt: string; finishedAt: string };
  };
}

async function pods(): Promise<Pod[]> {
  const out = await kubectl(['-n', PROJECT, 'get', 'pods', '-o', 'json']);
  return (JSON.parse(out).items as Pod[]).filter((p) => !p.metadata.deletionTimestamp);
}

async function podOf(service: string): Promise<Pod> {
  const found = (await pods()).filter((p) => p.metadata.labels?.['skiff.dev/compose-service'] === service);
  assert.equal(found.length, 1, `one pod of ${service}: ${found.map((p) => p.metadata.name)}`);
  return found[0];
}

/** Runs `cmd` in the service's pod; resolves with its exit status and output. */
async function execIn(service: string, cmd: string[]) {
  const pod = await podOf(service);
  return skiff.kubectl(['-n', PROJECT, 'exec', pod.metadata.name, '--', ...cmd]);
}

const at = (iso: string | undefined, what: string): number => {
  assert.ok(iso, `${what} is set`);
  return Date.parse(iso);
};

/** `skiff compose … convert` as a user runs it (the CLI from source). */
function convertYaml(): Promise<string> {
  return new Promise((resolveRun, reject) => {
    const p = spawn(
      process.execPath,
      [join(ROOT, 'src/cli/main.ts'), 'compose', '-f', composePath(), '--wait-image', image, 'convert'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => {
      out += d;
    });
    p.stderr.on('data', (d) => {
      err += d;
    });
    p.on('error', reject);
    p.on('close', (code) =>
      code === 0 ? resolveRun(out) : reject(new Error(`convert exited ${code}: ${err}`)),
    );
  });
}

/** Kinds `up` creates for this project, as kubectl names them. */
const PROJECT_KINDS = 'persistentvolumeclaims,services,networkpolicies,statefulsets,deployments,jobs';

/** The project's objects as kind/name → the parts that say what they are (spec, labels). */
async function projectShape(): Promise<Map<string, unknown>> {
  const out = await kubectl(['-n', PROJECT, 'get', PROJECT_KINDS, '-o', 'json']);
  const shape = new Map<string, unknown>();
  for (const o of JSON.parse(out).items as {
    kind: string;
    metadata: { name: string; labels?: Record<string, string> };
    spec: Record<string, unknown>;
  }[]) {
    const spec = { ...o.spec };
    // Filled in by the cluster, different on every creation.
    if (o.kind === 'Service') {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    }
    if (o.kind === 'PersistentVolumeClaim') delete spec.volumeName;
    if (o.kind === 'Job') {
      delete spec.selector;
      delete spec.template;
    }
    shape.set(`${o.kind}/${o.metadata.name}`, { labels: o.metadata.labels, spec });
  }
  return shape;
}

before(async () => {
  if (process.getuid?.() !== 0) throw new Error('compose containers e2e needs root (runc, mounts, netns)');
  registry = await startRegistry();
  await pushImage(registry.url, 'skiff/busybox', '1', await busyboxImage({ cmd: ['sh'] }));
  image = `${registry.host}/skiff/busybox:1`;
  dir = mkdtempSync(join(tmpdir(), 'skiff-compose-containers-'));
  skiff = await startSkiff({
    command: 'up',
    fromSource: true,
    dataDir: scope.stateDir,
    env: { [ENV_HOST_SCOPE]: scope.tag, [ENV_POD_CIDR]: POD_CIDR, [ENV_AGENT_PORT]: '0' },
  });
  await until('the node Ready', async () =>
    (await kubectl(['get', 'nodes', '--no-headers'])).includes(' Ready ') ? true : undefined,
  );
});

after(async () => {
  const errors: string[] = [];
  // If a test failed half-way, the project may still run: down first, so pods stop cleanly.
  if (skiff && dir)
    await attempt(errors, 'compose down', () => verb((io) => runDown({ ...flags(), volumes: true }, io)));
  await attempt(errors, 'skiff stop', async () => skiff?.stop());
  await attempt(errors, 'registry stop', async () => registry?.stop());
  const { busy, leaks } = await cleanUpScope(scope, errors, { serviceChains: true });
  await attempt(errors, 'data dir', () => rm(scope.stateDir, { recursive: true, force: true }));
  if (dir) rmSync(dir, { recursive: true, force: true });
  assert.deepEqual(errors, [], 'every clean-up step succeeded');
  assert.deepEqual(busy, [], 'no busy cgroups');
  assert.deepEqual(leaks, [], 'no netns, mount, cgroup, bridge, iptables chain or process left');
});

describe('skiff compose on real containers', () => {
  let upShape: Map<string, unknown>;

  it('up --wait starts the cache healthy and the migration done before web', async () => {
    writeFileSync(composePath(), composeFile('1'));
    const up = await verb((io) => runUp({ ...flags(), wait: true, waitTimeout: UP_WAIT_TIMEOUT_S }, io));
    assert.equal(up.code, 0, `${up.out}\n${up.err}\n${skiff.logs().slice(-3000)}`);
    for (const line of ['statefulset/cache created', 'deployment/web created', 'deployment/outsider created'])
      assert.ok(up.out.includes(line), `${line} in\n${up.out}`);

    const cache = await podOf('cache');
    const ready = cache.status.conditions?.find((c) => c.type === 'Ready');
    assert.equal(ready?.status, 'True');
    const cacheReady = at(ready?.lastTransitionTime, 'cache Ready time');

    const web = await podOf('web');
    const app = web.status.containerStatuses?.find((c) => c.name === 'web');
    const appStarted = at(app?.state?.running?.startedAt, 'web app startedAt');
    const inits = new Map(web.status.initContainerStatuses?.map((c) => [c.name, c.state?.terminated]));
    const waited = inits.get('wait-for-cache');
    const migrated = inits.get('run-migrate');
    assert.equal(waited?.exitCode, 0, `wait-for-cache: ${JSON.stringify(waited)}`);
    assert.equal(migrated?.exitCode, 0, `run-migrate: ${JSON.stringify(migrated)}`);
    // Timestamps are whole seconds (RFC 3339): "before" is "not after".
    assert.ok(
      cacheReady <= appStarted,
      `cache Ready ${ready?.lastTransitionTime} ≤ web ${app?.state?.running?.startedAt}`,
    );
    assert.ok(
      cacheReady <= at(waited?.finishedAt, 'wait-for-cache finishedAt'),
      'the wait ended only once the cache was Ready',
    );
    assert.ok(at(migrated?.finishedAt, 'run-migrate finishedAt') <= appStarted, 'migration ran before web');
    const migrateLog = await kubectl(['-n', PROJECT, 'logs', web.metadata.name, '-c', 'run-migrate']);
    assert.equal(migrateLog, 'migrated\n');

    // The one-shot runs inside its dependent only (depends-on.ts): no workload of its own.
    assert.equal((await pods()).filter((p) => p.metadata.name.startsWith('migrate')).length, 0);
    upShape = await projectShape();
  });

  it('web reaches the cache by its compose service name; a service on another network cannot', async () => {
    const byName = await until('web → cache:6379', async () => {
      const r = await execIn('web', fetchCmd('cache:6379'));
      return r.code === 0 ? r.stdout : undefined;
    });
    assert.equal(byName, WEB_PAGE);
    // outsider shares `front` with web: its networking works, so a failure below is the policy.
    const toWeb = await until('outsider → web:8080', async () => {
      const r = await execIn('outsider', fetchCmd('web:8080'));
      return r.code === 0 ? r.stdout : undefined;
    });
    assert.equal(toWeb, WEB_PAGE);
    // The name resolves for outsider too: what stops it below is the policy, not DNS.
    // (busybox nslookup exits 1 when any search suffix misses: the answer itself is checked.)
    const clusterIP = await kubectl([
      '-n',
      PROJECT,
      'get',
      'service',
      'cache',
      '-o',
      'jsonpath={.spec.clusterIP}',
    ]);
    const lookup = await execIn('outsider', ['nslookup', 'cache']);
    assert.match(
      lookup.stdout,
      new RegExp(`Name:\\s+cache\\.${PROJECT}\\.svc\\.cluster\\.local\\s+Address: ${clusterIP}\\b`),
    );
    const cacheIP = (await podOf('cache')).status.podIP;
    for (const target of [`cache:6379`, `${cacheIP}:6379`]) {
      const r = await execIn('outsider', fetchCmd(`${target}`));
      assert.notEqual(r.code, 0, `outsider reached ${target}: ${r.stdout}`);
      assert.doesNotMatch(r.stdout, /hello/);
    }
  });

  it('ps lists every long-running service up (the cache healthy)', async () => {
    const ps = await verb((io) => runPs(flags(), io));
    assert.equal(ps.code, 0, ps.err);
    const row = (service: string) => ps.out.split('\n').find((l) => l.includes(` ${service} `)) ?? '';
    assert.match(row('cache'), /Up .*\(healthy\)/, ps.out);
    assert.match(row('web'), /Up /, ps.out);
    assert.match(row('outsider'), /Up /, ps.out);
  });

  it('logs -f streams a line printed after the follow began', async () => {
    const out = sink();
    const stop = new AbortController();
    const following = runLogs(
      { ...flags(), follow: true },
      ['web'],
      { out: out.stream, err: out.stream },
      stop.signal,
    );
    try {
      await sleep(2000);
      const token = `skiff-late-line-${Date.now()}`;
      const r = await execIn('web', ['sh', '-c', `echo ${token} > /proc/1/fd/1`]);
      assert.equal(r.code, 0, r.stderr);
      await until(
        'the late line in logs -f',
        async () => (out.text().includes(token) ? true : undefined),
        20_000,
      );
      assert.match(out.text(), new RegExp(`^web-[^ ]+ +\\| ${token}$`, 'm'));
    } finally {
      stop.abort();
      await following;
    }
  });

  it('up after an edit rolls only the edited service', async () => {
    const before = new Map((await pods()).map((p) => [p.metadata.labels?.['skiff.dev/compose-service'], p]));
    writeFileSync(composePath(), composeFile('2'));
    const up = await verb((io) => runUp({ ...flags(), wait: true, waitTimeout: UP_WAIT_TIMEOUT_S }, io));
    assert.equal(up.code, 0, `${up.out}\n${up.err}`);
    assert.match(up.out, /deployment\/web configured/);
    for (const unchanged of ['statefulset/cache', 'deployment/outsider'])
      assert.match(up.out, new RegExp(`${unchanged} unchanged`));
    const web = await until('the old web pod gone', async () => {
      const all = (await pods()).filter((p) => p.metadata.labels?.['skiff.dev/compose-service'] === 'web');
      return all.length === 1 && all[0].metadata.uid !== before.get('web')?.metadata.uid ? all[0] : undefined;
    });
    assert.notEqual(web.metadata.name, before.get('web')?.metadata.name);
    for (const service of ['cache', 'outsider']) {
      const now = await podOf(service);
      assert.equal(now.metadata.name, before.get(service)?.metadata.name, `${service} pod kept`);
      assert.equal(now.metadata.uid, before.get(service)?.metadata.uid, `${service} pod UID kept`);
    }
    const env = await execIn('web', ['sh', '-c', 'echo $REV']);
    assert.equal(env.stdout, '2\n');
    upShape = await projectShape();
  });

  it('down --volumes leaves nothing: no pods, services, claims, volumes, namespace', async () => {
    const claim = await kubectl(['-n', PROJECT, 'get', 'pvc', '-o', 'jsonpath={.items[*].spec.volumeName}']);
    assert.match(claim, /^pvc-/, 'the named volume was bound');
    // The named volume is a local-path directory under the data dir, mounted in the cache.
    const hostDir = await kubectl(['get', 'pv', claim, '-o', 'jsonpath={.spec.hostPath.path}']);
    assert.ok(hostDir.startsWith(`${scope.stateDir}/storage/`), hostDir);
    const wrote = await execIn('cache', ['sh', '-c', 'echo kept > /data/f']);
    assert.equal(wrote.code, 0, wrote.stderr);
    assert.equal(readFileSync(join(hostDir, 'f'), 'utf8'), 'kept\n');
    const down = await verb((io) => runDown({ ...flags(), volumes: true }, io));
    assert.equal(down.code, 0, `${down.out}\n${down.err}`);
    await until('the namespace gone', async () => {
      const r = await skiff.kubectl(['get', 'namespace', PROJECT]);
      return r.code !== 0 && /NotFound|not found/.test(r.stderr) ? true : undefined;
    });
    const left = await kubectl([
      'get',
      'pods,services,pvc',
      '-A',
      '-l',
      `skiff.dev/compose-project=${PROJECT}`,
      '-o',
      'name',
    ]);
    assert.equal(left, '');
    await until('the volume deleted', async () =>
      (await kubectl(['get', 'pv', '-o', 'name'])).includes(claim) ? undefined : true,
    );
  });

  it('compose convert | kubectl apply -f - creates the same objects as up', async () => {
    assert.ok(upShape, 'the objects of up were recorded (the up tests passed)');
    const yaml = await convertYaml();
    await kubectl(['apply', '-f', '-'], yaml);
    const applied = await projectShape();
    assert.deepEqual([...applied.keys()].sort(), [...upShape.keys()].sort());
    for (const [key, shape] of upShape) assert.deepEqual(applied.get(key), shape, key);
    const down = await verb((io) => runDown({ ...flags(), volumes: true }, io));
    assert.equal(down.code, 0, `${down.out}\n${down.err}`);
  });
});
