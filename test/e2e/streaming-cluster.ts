// An API server in the test process (memory storage, TLS, token auth, its kubelet-client
// certificate set) plus the agent API over mutual TLS for one node, one pod bound to it and
// marked Running, and a kubeconfig for the real kubectl. Used by the streaming e2e tests.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import type { ContainerRuntime } from '../../src/agent/runtime/types.ts';
import {
  type AgentServer,
  type AgentServerOptions,
  APISERVER_CLIENT_CN,
  startAgentServer,
} from '../../src/agent/server/index.ts';
import { createAuthenticator } from '../../src/apiserver/authn/index.ts';
import { createCa, issueLeaf } from '../../src/apiserver/pki/certs.ts';
import { memoryApiServer } from '../../src/apiserver/testing/memory-api-server.ts';
import { kubectlBinary } from './harness.ts';

export interface StreamingCluster {
  kubeconfig: string;
  agent: AgentServer;
  kubectl(
    args: string[],
    opts?: { minor?: number; timeoutMs?: number; onStdout?: (s: string) => void; signal?: AbortSignal },
  ): Promise<{ code: number; stdout: string; stderr: string }>;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  dir: string;
  runtime: ContainerRuntime;
  nodeName: string;
  pod: { name: string; containers: string[]; podIP?: string };
  agent?: Partial<AgentServerOptions>;
}

export async function startStreamingCluster(o: ClusterOptions): Promise<StreamingCluster> {
  const token = randomBytes(16).toString('hex');
  const kubeconfig = join(o.dir, 'kubeconfig');
  const ca = await createCa('skiff-e2e-streaming-ca');
  const serving = await issueLeaf(ca, {
    commonName: 'skiff',
    ips: ['127.0.0.1'],
    dnsNames: ['localhost'],
    usage: 'server',
  });
  const kubeletClient = await issueLeaf(ca, {
    commonName: APISERVER_CLIENT_CN,
    organizations: ['system:masters'],
    usage: 'client',
  });
  const agent = await startAgentServer({
    runtime: o.runtime,
    port: 0,
    host: '127.0.0.1',
    nodeName: o.nodeName,
    tls: { cert: serving.certPem, key: serving.keyPem, clientCa: ca.certPem },
    ...o.agent,
  });
  const { api, backend } = memoryApiServer({
    tls: { cert: serving.certPem, key: serving.keyPem, ca: ca.certPem },
    authenticator: createAuthenticator({
      tokens: new Map([[token, { username: 'skiff-e2e-admin', groups: ['system:masters'] }]]),
    }),
  });
  api.agentClientTls = { cert: kubeletClient.certPem, key: kubeletClient.keyPem, ca: ca.certPem };
  const apiPort = (await api.listen(0, '127.0.0.1')).port;
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{name: c, cluster: {server: "https://127.0.0.1:${apiPort}", insecure-skip-tls-verify: true}}]`,
      `users: [{name: u, user: {token: "${token}"}}]`,
      'contexts: [{name: c, context: {cluster: c, user: u, namespace: default}}]',
      'current-context: c',
      '',
    ].join('\n'),
  );
  const call = (path: string, body: object, method = 'POST') =>
    new Promise<void>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: apiPort,
          path,
          method,
          rejectUnauthorized: false,
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        },
        (res) => {
          let out = '';
          res.on('data', (d) => (out += d));
          res.on('end', () =>
            (res.statusCode ?? 500) < 300 ? resolve() : reject(new Error(`${res.statusCode} ${out}`)),
          );
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify(body));
    });
  await call('/api/v1/namespaces', { metadata: { name: 'default' } });
  await call('/api/v1/nodes', { metadata: { name: o.nodeName } });
  // Status is not taken on create: report the agent's address and port as an agent does.
  await call(
    `/api/v1/nodes/${o.nodeName}/status`,
    {
      metadata: { name: o.nodeName },
      status: {
        addresses: [{ type: 'InternalIP', address: '127.0.0.1' }],
        daemonEndpoints: { kubeletEndpoint: { Port: agent.port } },
        allocatable: { cpu: '2', memory: '4Gi', pods: '110' },
        capacity: { cpu: '2', memory: '4Gi', pods: '110' },
      },
    },
    'PUT',
  );
  const spec = {
    nodeName: o.nodeName,
    containers: o.pod.containers.map((name) => ({ name, image: 'busybox' })),
  };
  await call('/api/v1/namespaces/default/pods', { metadata: { name: o.pod.name }, spec });
  // kubectl port-forward refuses pods that are not Running.
  await call(
    `/api/v1/namespaces/default/pods/${o.pod.name}/status`,
    {
      metadata: { name: o.pod.name, namespace: 'default' },
      spec,
      status: { phase: 'Running', ...(o.pod.podIP ? { podIP: o.pod.podIP } : {}) },
    },
    'PUT',
  );
  return {
    kubeconfig,
    agent,
    kubectl: (args, opts = {}) => {
      const child = spawn(kubectlBinary(opts.minor ?? 32), ['--kubeconfig', kubeconfig, ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => {
        stdout += d;
        opts.onStdout?.(stdout);
      });
      child.stderr.on('data', (d) => (stderr += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
      opts.signal?.addEventListener('abort', () => child.kill(), { once: true });
      return new Promise((resolve) =>
        child.on('close', (code) => {
          clearTimeout(timer);
          resolve({ code: code ?? -1, stdout, stderr });
        }),
      );
    },
    stop: async () => {
      await agent.stop();
      await api.close();
      await backend.close();
    },
  };
}

/** Runs a command under a fresh pty (python3's `pty`), writes `input`, returns output and exit code. */
export function runInPty(
  argv: string[],
  input: string,
  timeoutMs = 30_000,
): Promise<{ code: number; out: string }> {
  const script = [
    'import os, pty, sys',
    'pid, fd = pty.fork()',
    'if pid == 0:',
    '    os.execv(sys.argv[1], sys.argv[1:])',
    'out = b""',
    'os.write(fd, os.environ["SKIFF_PTY_INPUT"].encode())',
    'while True:',
    '    try:',
    '        d = os.read(fd, 4096)',
    '    except OSError:',
    '        break',
    '    if not d: break',
    '    out += d',
    '_, st = os.waitpid(pid, 0)',
    'sys.stdout.write(out.decode(errors="replace"))',
    'sys.exit(os.waitstatus_to_exitcode(st))',
  ].join('\n');
  const child = spawn('/usr/bin/python3', ['-c', script, ...argv], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SKIFF_PTY_INPUT: input },
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) =>
    child.on('close', (c) => {
      clearTimeout(timer);
      resolve({ code: c ?? -1, out });
    }),
  );
}

/** kubectl port-forward to `remotePort`, one HTTP GET through it, then stop. */
export async function portForwardGet(
  cluster: StreamingCluster,
  pod: string,
  remotePort: number,
  minor: number,
  path = '/',
): Promise<string> {
  const { createServer } = await import('node:net');
  const localPort = await new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const child = spawn(
    kubectlBinary(minor),
    ['--kubeconfig', cluster.kubeconfig, 'port-forward', `pod/${pod}`, `${localPort}:${remotePort}`],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  try {
    await new Promise<void>((resolve, reject) => {
      let seen = '';
      let err = '';
      child.stdout.on('data', (d) => {
        seen += d;
        if (seen.includes('Forwarding from')) resolve();
      });
      child.stderr.on('data', (d) => (err += d));
      child.on('close', () => reject(new Error(`port-forward exited: ${seen} ${err}`)));
    });
    const { request: httpRequest } = await import('node:http');
    return await new Promise<string>((resolve, reject) => {
      httpRequest(`http://127.0.0.1:${localPort}${path}`, (res) => {
        let b = '';
        res.on('data', (d) => (b += d));
        res.on('end', () => resolve(b));
      })
        .on('error', reject)
        .end();
    });
  } finally {
    child.kill();
  }
}
