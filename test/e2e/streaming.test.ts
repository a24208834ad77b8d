// kubectl logs / exec / port-forward / top end to end through the API server's streaming proxy
// and the agent API, driven by the real kubectl (1.32: WebSocket v5 exec, SPDY-over-WebSocket
// port-forward; 1.29: SPDY/3.1). The agent's runtime here is a fake whose "container" processes
// run on the host (no root needed): this pins the wire protocols. The same path on real
// containers (runc, conmon logs, pod IPs, cgroups): streaming-containers.test.ts.
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ContainerRuntime, ContainerStatus, SandboxStatus } from '../../src/agent/runtime/types.ts';
import { hostExecLauncher } from '../../src/agent/server/index.ts';
import { kubectlBinary } from './harness.ts';
import {
  portForwardGet,
  runInPty,
  type StreamingCluster,
  startStreamingCluster,
} from './streaming-cluster.ts';

const NODE = 'skiff-stream-node';
const dir = mkdtempSync(join(tmpdir(), 'skiff-e2e-streaming-'));
const logCur = join(dir, 'main-1.log');
const logPrev = join(dir, 'main-0.log');

const sandbox: SandboxStatus = {
  id: 'sb1',
  podUid: 'uid-web',
  name: 'web',
  namespace: 'default',
  hostname: 'web',
  state: 'ready',
  createdAt: new Date(),
  labels: {},
  annotations: {},
};
const container = (id: string, attempt: number, state: ContainerStatus['state'], logPath: string) =>
  ({
    id,
    sandboxId: 'sb1',
    name: 'main',
    attempt,
    imageId: 'i',
    imageRef: 'r',
    state,
    createdAt: new Date(Date.now() - (2 - attempt) * 1000),
    logPath,
    labels: {},
    annotations: {},
  }) satisfies ContainerStatus;
const containers = [container('c0', 0, 'exited', logPrev), container('c1', 1, 'running', logCur)];
const runtime = {
  listSandboxes: async () => [sandbox],
  sandboxStatus: async (id: string) => (id === 'sb1' ? sandbox : undefined),
  listContainers: async (f?: { sandboxId?: string; state?: string }) =>
    containers.filter(
      (c) => (!f?.sandboxId || c.sandboxId === f.sandboxId) && (!f?.state || c.state === f.state),
    ),
  containerStatus: async (id: string) => containers.find((c) => c.id === id),
} as unknown as ContainerRuntime;

let cluster: StreamingCluster;
let httpd: Server;

const criLine = (stream: string, text: string) => `${new Date().toISOString()} ${stream} F ${text}\n`;

before(async () => {
  writeFileSync(logPrev, criLine('stdout', 'first attempt crashed'));
  writeFileSync(logCur, ['a', 'b', 'c'].map((x) => criLine('stdout', `line ${x}`)).join(''));
  // The pod's "web server": one HTTP response per connection.
  httpd = createServer((s) =>
    s.once('data', () =>
      s.end('HTTP/1.1 200 OK\r\nContent-Length: 14\r\nConnection: close\r\n\r\nhello from pod'),
    ),
  );
  await new Promise<void>((r) => httpd.listen(0, '127.0.0.1', r));
  const httpdPort = (httpd.address() as { port: number }).port;
  cluster = await startStreamingCluster({
    dir,
    runtime,
    nodeName: NODE,
    pod: { name: 'web', containers: ['main'] },
    agent: {
      exec: hostExecLauncher(),
      dialer: async () => (port) => connect({ host: '127.0.0.1', port: port === 80 ? httpdPort : 1 }),
    },
  });
});

after(async () => {
  await cluster?.stop();
  await new Promise<void>((r) => (httpd ? httpd.close(() => r()) : r()));
  rmSync(dir, { recursive: true, force: true });
});

describe('kubectl streaming through the API server and the agent API', () => {
  it('logs, --tail, --previous, --timestamps; an unknown container is refused as upstream does', async () => {
    const all = await cluster.kubectl(['logs', 'web']);
    assert.equal(all.stdout, 'line a\nline b\nline c\n', all.stderr);
    assert.equal((await cluster.kubectl(['logs', 'web', '--tail=1'])).stdout, 'line c\n');
    assert.equal((await cluster.kubectl(['logs', 'web', '-p'])).stdout, 'first attempt crashed\n');
    assert.match(
      (await cluster.kubectl(['logs', 'web', '--tail=1', '--timestamps'])).stdout,
      /^\d{4}-\d\d-\d\dT[\d:.]+Z line c\n$/,
    );
    const bad = await cluster.kubectl(['logs', 'web', '-c', 'nope']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /container nope is not valid for pod web/);
  });

  it('logs -f sees a line printed after the follow began and ends when the container exits', async () => {
    let seenInitial!: () => void;
    const initial = new Promise<void>((r) => (seenInitial = r));
    const follow = cluster.kubectl(['logs', '-f', 'web', '--tail=1'], {
      onStdout: (s) => {
        if (s.includes('line c')) seenInitial();
      },
    });
    await Promise.race([initial, follow]);
    appendFileSync(logCur, criLine('stdout', 'written later'));
    await new Promise((r) => setTimeout(r, 700));
    containers[1]!.state = 'exited';
    const res = await follow;
    containers[1]!.state = 'running';
    assert.equal(res.stdout, 'line c\nwritten later\n', res.stderr);
    assert.equal(res.code, 0);
  });

  for (const minor of [32, 29]) {
    it(`exec non-tty with kubectl 1.${minor} (${minor >= 30 ? 'WebSocket v5' : 'SPDY/3.1'})`, async () => {
      const ok = await cluster.kubectl(['exec', 'web', '--', 'sh', '-c', 'echo out; echo err >&2'], {
        minor,
      });
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal(ok.stdout, 'out\n');
      assert.match(ok.stderr, /err\n/);
      const fail = await cluster.kubectl(['exec', 'web', '--', 'sh', '-c', 'exit 3'], { minor });
      assert.equal(fail.code, 3);
      assert.match(fail.stderr, /command terminated with exit code 3/);
    });
  }

  it('exec -it through a pty with kubectl 1.32 and 1.29', async () => {
    for (const minor of [32, 29]) {
      const { code, out } = await runInPty(
        [kubectlBinary(minor), '--kubeconfig', cluster.kubeconfig, 'exec', '-it', 'web', '--', 'sh'],
        'echo tty-$((40+2)); exit 5\n',
      );
      assert.match(out, /tty-42/, `1.${minor}`);
      assert.equal(code, 5, out);
    }
  });

  it('port-forward (1.32 over WebSocket, 1.29 over SPDY) then an HTTP GET through it', async () => {
    for (const minor of [32, 29])
      assert.equal(await portForwardGet(cluster, 'web', 80, minor), 'hello from pod');
  });

  it('errors as upstream Status: unknown container, unknown pod', async () => {
    for (const minor of [32, 29]) {
      const bad = await cluster.kubectl(['exec', 'web', '-c', 'nope', '--', 'true'], { minor });
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /container nope is not valid for pod web/, `1.${minor}`);
    }
    const gone = await cluster.kubectl(['logs', 'ghost']);
    assert.match(gone.stderr, /pods "ghost" not found/);
  });

  it('nodes/proxy reaches the agent API (kubectl get --raw)', async () => {
    const r = await cluster.kubectl(['get', '--raw', `/api/v1/nodes/${NODE}/proxy/stats/summary`]);
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout);
    assert.equal(summary.node.nodeName, NODE);
    assert.deepEqual(summary.pods[0].podRef, { name: 'web', namespace: 'default', uid: 'uid-web' });
  });

  it('top pods and top nodes from metrics.k8s.io', async () => {
    const pods = await cluster.kubectl(['top', 'pods']);
    assert.equal(pods.code, 0, pods.stderr);
    assert.match(pods.stdout, /^NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)/);
    assert.match(pods.stdout, /\nweb\s+\d+m\s+\d+Mi/);
    const nodes = await cluster.kubectl(['top', 'nodes']);
    assert.equal(nodes.code, 0, nodes.stderr);
    assert.match(nodes.stdout, new RegExp(`\\n${NODE}\\s+\\d+m\\s+\\d+%\\s+\\d+Mi\\s+\\d+%`));
  });
});
