// Joining a machine: `skiff token create` on a real `skiff server`, then `skiff agent` as a child
// process with the printed command. The Node appears with a pod CIDR, its CSR shows approved and
// issued to the bootstrap token, and the written kubeconfig authenticates as system:node:<name>.
// A wrong CA pin and an expired token are refused with clear messages.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Skiff, startSkiff } from './harness.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = joinPath(ROOT, 'src/cli/main.ts');
const NODE_NAME = 'skiff-join-e2e';
const JOIN_TIMEOUT_MS = 40_000;
const POLL_MS = 250;
const WRONG_HASH = `sha256:${'0'.repeat(64)}`;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const children = new Set<ChildProcess>();

function cli(args: string[], timeoutMs = 30_000): Promise<Run> {
  return new Promise((done) => {
    const p = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(p);
    let stdout = '';
    let stderr = '';
    p.stdout!.on('data', (d) => {
      stdout += d;
    });
    p.stderr!.on('data', (d) => {
      stderr += d;
    });
    const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('close', (code) => {
      clearTimeout(t);
      children.delete(p);
      done({ code: code ?? -1, stdout, stderr });
    });
  });
}

async function eventually<T>(fn: () => Promise<T | undefined>, what: string, logs: () => string): Promise<T> {
  const deadline = Date.now() + JOIN_TIMEOUT_MS;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what} within ${JOIN_TIMEOUT_MS} ms\n${logs()}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** `skiff agent --server … --token … --ca-cert-hash …` split into its flag values. */
function parseJoinCommand(line: string): { server: string; token: string; hash: string } {
  const m = /^skiff agent --server (\S+) --token (\S+) --ca-cert-hash (sha256:[0-9a-f]{64})$/.exec(
    line.trim(),
  );
  assert.ok(m, `unexpected join command: ${line}`);
  return { server: m[1], token: m[2], hash: m[3] };
}

describe('skiff agent joins with a bootstrap token and a pinned CA', () => {
  let skiff: Skiff;
  let join: { server: string; token: string; hash: string };
  const dirs: string[] = [];
  const tempDir = (): string => {
    const d = mkdtempSync(joinPath(tmpdir(), 'skiff-join-'));
    dirs.push(d);
    return d;
  };

  before(async () => {
    skiff = await startSkiff({ fromSource: true });
    const created = await cli(['token', 'create', '--data-dir', skiff.dataDir, '--ttl', '1h']);
    assert.equal(created.code, 0, created.stderr);
    join = parseJoinCommand(created.stdout);
  });

  after(async () => {
    for (const p of children) {
      if (p.exitCode !== null) continue;
      const exited = new Promise((r) => p.once('exit', r));
      p.kill('SIGTERM');
      const t = setTimeout(() => p.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    }
    await skiff?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('token create stores a bootstrap token Secret that expires', async () => {
    const id = join.token.split('.')[0];
    const got = await skiff.kubectl([
      '-n',
      'kube-system',
      'get',
      'secret',
      `bootstrap-token-${id}`,
      '-o',
      'json',
    ]);
    assert.equal(got.code, 0, got.stderr);
    const secret = JSON.parse(got.stdout);
    assert.equal(secret.type, 'bootstrap.kubernetes.io/token');
    const expiration = Date.parse(Buffer.from(secret.data.expiration, 'base64').toString());
    assert.ok(expiration > Date.now() + 50 * 60_000 && expiration < Date.now() + 61 * 60_000);
  });

  it('refuses a CA whose public key does not match the pin', async () => {
    const dataDir = tempDir();
    const r = await cli([
      'agent',
      '--server',
      join.server,
      '--token',
      join.token,
      '--ca-cert-hash',
      WRONG_HASH,
      '--data-dir',
      dataDir,
      '--node-name',
      'skiff-join-wrong-hash',
      '--join-only',
    ]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /cluster CA found in cluster-info ConfigMap is invalid: none of the public keys/);
    assert.equal(existsSync(joinPath(dataDir, 'agent', 'kubeconfig.yaml')), false);
  });

  it('refuses an expired token', async () => {
    const expired = 'skfexp.0123456789abcdef';
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'bootstrap-token-skfexp', namespace: 'kube-system' },
      type: 'bootstrap.kubernetes.io/token',
      stringData: {
        'token-id': 'skfexp',
        'token-secret': '0123456789abcdef',
        expiration: new Date(Date.now() - 60_000).toISOString(),
        'usage-bootstrap-authentication': 'true',
      },
    };
    const made = await skiff.kubectl(['create', '-f', '-'], { input: JSON.stringify(secret) });
    assert.equal(made.code, 0, made.stderr);
    const r = await cli([
      'agent',
      '--server',
      join.server,
      '--token',
      expired,
      '--ca-cert-hash',
      join.hash,
      '--data-dir',
      tempDir(),
      '--node-name',
      'skiff-join-expired',
      '--join-only',
    ]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /bootstrap token was refused \(401 Unauthorized\)/);
  });

  it('joins: the Node gets a pod CIDR and the agent authenticates as system:node:<name>', async () => {
    const dataDir = tempDir();
    const p = spawn(
      process.execPath,
      [
        CLI,
        'agent',
        '--server',
        join.server,
        '--token',
        join.token,
        '--ca-cert-hash',
        join.hash,
        '--data-dir',
        dataDir,
        '--run-dir',
        joinPath(dataDir, 'run'),
        '--node-name',
        NODE_NAME,
        '--log-level',
        'warn',
        '--disable', // only the join is under test: no host-wide proxy rules or bridge (multinode tests those)
        'network',
      ],
      // Any free port for the agent API: 10250 may be taken on the host.
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SKIFF_AGENT_PORT: '0' } },
    );
    children.add(p);
    let logs = '';
    p.stdout!.on('data', (d) => {
      logs += d;
    });
    p.stderr!.on('data', (d) => {
      logs += d;
    });
    const all = () => `agent:\n${logs}\nserver:\n${skiff.logs()}`;
    const node = await eventually(
      async () => {
        const r = await skiff.kubectl(['get', 'node', NODE_NAME, '-o', 'json']);
        if (r.code !== 0) return undefined;
        const n = JSON.parse(r.stdout);
        return n.spec?.podCIDR ? n : undefined;
      },
      'the Node did not appear with a podCIDR',
      all,
    );
    assert.match(node.spec.podCIDR, /^10\.42\.\d+\.0\/24$/);
    assert.deepEqual(node.spec.podCIDRs, [node.spec.podCIDR]);

    const csrs = await skiff.kubectl(['get', 'csr', '-o', 'json']);
    assert.equal(csrs.code, 0, csrs.stderr);
    const mine = JSON.parse(csrs.stdout).items.filter(
      (c: { spec: { username: string } }) =>
        c.spec.username === `system:bootstrap:${join.token.split('.')[0]}`,
    );
    assert.equal(mine.length, 1, csrs.stdout);
    assert.equal(mine[0].spec.signerName, 'kubernetes.io/kube-apiserver-client-kubelet');
    assert.ok(mine[0].status.certificate, 'issued');
    assert.equal(
      mine[0].status.conditions.find((c: { type: string }) => c.type === 'Approved')?.reason,
      'AutoApproved',
    );

    const kubeconfig = joinPath(dataDir, 'agent', 'kubeconfig.yaml');
    const who = await skiff.kubectl(['--kubeconfig', kubeconfig, 'auth', 'whoami', '-o', 'json']);
    assert.equal(who.code, 0, who.stderr);
    const user = JSON.parse(who.stdout).status.userInfo;
    assert.equal(user.username, `system:node:${NODE_NAME}`);
    assert.ok(user.groups.includes('system:nodes'));
  });
});
