// skiff-test: whole-host — runs `skiff up` with the agent, whose service rules and ClusterIPs are
// host-wide, so scripts/test.sh runs these files one at a time after the rest.
// kubectl against `skiff up` with real containers, end to end through the API server's proxy to the
// in-process node agent: logs (follow, --previous after a crash), exec (kubectl 1.32 and 1.29,
// non-tty and -it on a pty), port-forward to busybox httpd, top pods/nodes from cgroup counters,
// and an image pulled from a token-auth registry with the pod's imagePullSecrets.
// One `skiff up` for the file; host objects are scoped (SKIFF_AGENT_SCOPE) and checked for leaks.

import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ENV_AGENT_PORT, ENV_HOST_SCOPE, ENV_POD_CIDR } from '../../src/cmd/node.ts';
import { httpGet } from '../support/http-get.ts';
import { busyboxImage, WEB_PAGE } from '../support/images.ts';
import { pushImage, startRegistry, type TestRegistry } from '../support/registry.ts';
import { attempt, cleanUpScope, newRuntimeScope } from '../support/runtime-leaks.ts';
import { kubectlBinary, type Skiff, startSkiff } from './harness.ts';

/** How long a GET to a pod or port may take. */
const HTTP_TIMEOUT_MS = 5_000;

const scope = newRuntimeScope();
/** Not the first node's 10.42.0.0/24 nor up.test's, so other clusters on this machine are untouched. */
const POD_CIDR = '10.42.251.0/24';
const NODE = hostname().toLowerCase();
const POLL_MS = 250;
const WAIT_MS = 45_000;
const PULL_USER = 'skiff';
const PULL_PASSWORD = 'skiff-pull-pass';
const PULL_SECRET = 'regcred';
/** The web container keeps this much in a shell variable, so `top` has memory to show. */
const BALLAST_BYTES = 8_000_000;
const MI = 1024 * 1024;

let skiff: Skiff;
let registry: TestRegistry;
let tokenRegistry: TestRegistry;
let kubectlHome: string;
let image: string;
let privateImage: string;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** kubectl with output as it arrives; `signal` ends it (SIGTERM, as Ctrl-C would). */
function kubectl(
  args: string[],
  o: { minor?: number; input?: string; onStdout?: (all: string) => void; signal?: AbortSignal } = {},
): Promise<Run> {
  const child = spawn(kubectlBinary(o.minor), ['--kubeconfig', skiff.kubeconfig, ...args], {
    env: { ...process.env, HOME: kubectlHome, KUBECONFIG: skiff.kubeconfig },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  return collect(child, o);
}

function collect(
  child: ChildProcess,
  o: { input?: string; onStdout?: (all: string) => void; signal?: AbortSignal },
) {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d;
    o.onStdout?.(stdout);
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d;
  });
  const kill = () => child.kill();
  o.signal?.addEventListener('abort', kill, { once: true });
  const timer = setTimeout(() => child.kill('SIGKILL'), WAIT_MS);
  child.stdin?.end(o.input ?? '');
  return new Promise<Run>((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', kill);
      resolve({ code: code ?? -1, stdout, stderr });
    }),
  );
}

/** Runs kubectl until `ok(stdout)` holds; returns that stdout. */
async function kubectlUntil(args: string[], ok: (out: string) => boolean, what: string): Promise<string> {
  const end = Date.now() + WAIT_MS;
  let last = '';
  while (Date.now() < end) {
    const r = await kubectl(args);
    last = `${r.stdout}${r.stderr}`;
    if (r.code === 0 && ok(r.stdout)) return r.stdout;
    await sleep(POLL_MS);
  }
  throw new Error(`timed out waiting for ${what}; last output:\n${last}\n${skiff.logs().slice(-3000)}`);
}

/** Polls `ok` until it holds. */
async function kubectlUntilTrue(ok: () => Promise<boolean>, what: string): Promise<void> {
  const end = Date.now() + WAIT_MS;
  while (Date.now() < end) {
    if (await ok()) return;
    await sleep(POLL_MS);
  }
  throw new Error(`timed out waiting for ${what}`);
}

const podField = (pod: string, jsonpath: string) => ['get', 'pod', pod, '-o', `jsonpath=${jsonpath}`];
const waitRunning = (pod: string) =>
  kubectlUntil(podField(pod, '{.status.phase}'), (o) => o === 'Running', `${pod} Running`);

/**
 * Drives a program on a fresh pty (python3's pty module): for each step, waits until the output
 * so far matches `expect`, then types `send`. Returns everything read and the exit code.
 */
function ptyDialog(
  argv: string[],
  steps: { expect: string; send: string }[],
): Promise<{ code: number; out: string }> {
  const script = [
    'import json, os, pty, re, select, sys, time',
    'steps = json.loads(os.environ["SKIFF_PTY_STEPS"])',
    'pid, fd = pty.fork()',
    'if pid == 0:',
    '    os.execvpe(sys.argv[1], sys.argv[1:], os.environ)',
    'out = b""',
    'deadline = time.time() + float(os.environ["SKIFF_PTY_TIMEOUT"])',
    'for step in steps + [None]:',
    '    while step is not None and not re.search(step["expect"], out.decode(errors="replace")):',
    '        if time.time() > deadline: break',
    '        r, _, _ = select.select([fd], [], [], 0.2)',
    '        if not r: continue',
    '        try: d = os.read(fd, 4096)',
    '        except OSError: d = b""',
    '        if not d: break',
    '        out += d',
    '    if step is not None: os.write(fd, step["send"].encode())',
    'while time.time() < deadline:',
    '    try: d = os.read(fd, 4096)',
    '    except OSError: break',
    '    if not d: break',
    '    out += d',
    '_, st = os.waitpid(pid, 0)',
    'sys.stdout.write(out.decode(errors="replace"))',
    'sys.exit(os.waitstatus_to_exitcode(st))',
  ].join('\n');
  const child = spawn('/usr/bin/python3', ['-c', script, ...argv], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      HOME: kubectlHome,
      SKIFF_PTY_STEPS: JSON.stringify(steps),
      SKIFF_PTY_TIMEOUT: String(WAIT_MS / 1000 - 5),
    },
  });
  return collect(child, {}).then((r) => ({ code: r.code, out: r.stdout + r.stderr }));
}

const podYaml = (name: string, img: string, script: string, extra: string[] = []) =>
  [
    'apiVersion: v1',
    'kind: Pod',
    `metadata: {name: ${name}}`,
    'spec:',
    '  terminationGracePeriodSeconds: 1',
    '  restartPolicy: Always',
    ...extra.map((l) => `  ${l}`),
    '  containers:',
    `  - name: main`,
    `    image: ${img}`,
    `    command: ["sh", "-c", ${JSON.stringify(script)}]`,
    '---',
  ].join('\n');

before(async () => {
  if (process.getuid?.() !== 0) throw new Error('kubectl pod e2e needs root (runc, mounts, cgroups, netns)');
  kubectlHome = await mkdtemp(join(tmpdir(), 'skiff-kubectl-home-'));
  [registry, tokenRegistry] = await Promise.all([
    startRegistry(),
    startRegistry({ token: { users: { [PULL_USER]: PULL_PASSWORD } } }),
  ]);
  const busybox = await busyboxImage({ cmd: ['sh'] });
  await pushImage(registry.url, 'skiff/busybox', '1', busybox);
  await pushImage(tokenRegistry.url, 'skiff/private', '1', busybox, {
    username: PULL_USER,
    password: PULL_PASSWORD,
  });
  // Tag 2 is only ever pulled without the secret (tag 1, once pulled, would be present on the node).
  await pushImage(tokenRegistry.url, 'skiff/private', '2', busybox, {
    username: PULL_USER,
    password: PULL_PASSWORD,
  });
  image = `${registry.host}/skiff/busybox:1`;
  privateImage = `${tokenRegistry.host}/skiff/private:1`;
  skiff = await startSkiff({
    command: 'up',
    fromSource: true,
    dataDir: scope.stateDir,
    env: { [ENV_HOST_SCOPE]: scope.tag, [ENV_POD_CIDR]: POD_CIDR, [ENV_AGENT_PORT]: '0' },
  });
  // Pods mount kube-root-ca.crt (service-account volume): the root-CA publisher puts it in every namespace.
  await kubectlUntil(
    ['get', 'configmap', 'kube-root-ca.crt', '-o', 'name'],
    (o) => o.includes('kube-root-ca.crt'),
    'kube-root-ca.crt',
  );
  const secret = await kubectl([
    'create',
    'secret',
    'docker-registry',
    PULL_SECRET,
    `--docker-server=${tokenRegistry.host}`,
    `--docker-username=${PULL_USER}`,
    `--docker-password=${PULL_PASSWORD}`,
  ]);
  assert.equal(secret.code, 0, secret.stderr);
  // Every pod at once: their pulls and starts overlap, which keeps the file quick.
  const manifests = [
    // Holds a ballast in memory, serves /www on 8080 (httpd forks into the background), then ticks.
    podYaml(
      'web',
      image,
      `echo hello from web; echo to stderr >&2; ballast=$(yes abcdefgh | head -c ${BALLAST_BYTES}); httpd -p 8080 -h /www; i=0; while true; do i=$((i+1)); echo tick $i; sleep 1; done`,
    ),
    // Prints, then fails: restarted (restartPolicy Always) with the last attempt's log kept.
    podYaml('crash', image, 'echo crash-output; sleep 1; exit 3'),
    podYaml('private', privateImage, 'echo pulled with a secret; sleep 3600', [
      `imagePullSecrets: [{name: ${PULL_SECRET}}]`,
    ]),
    podYaml('no-secret', privateImage.replace(/:1$/, ':2'), 'sleep 3600'),
  ].join('\n');
  const applied = await kubectl(['apply', '-f', '-'], { input: manifests });
  assert.equal(applied.code, 0, applied.stderr);
});

after(async () => {
  const errors: string[] = [];
  // Deleted through the API first, so the agent stops every container the way it would in use.
  await attempt(errors, 'delete pods', async () => {
    if (!skiff) return;
    const r = await kubectl(['delete', 'pods', '--all', '--grace-period=1', '--timeout=30s']);
    if (r.code !== 0) throw new Error(r.stderr);
  });
  await attempt(errors, 'skiff stop', async () => skiff?.stop());
  await attempt(errors, 'registry stop', async () => registry?.stop());
  await attempt(errors, 'token registry stop', async () => tokenRegistry?.stop());
  const { busy, leaks } = await cleanUpScope(scope, errors, { serviceChains: true });
  await attempt(errors, 'data dir', () => rm(scope.stateDir, { recursive: true, force: true }));
  await attempt(errors, 'kubectl home', () => rm(kubectlHome, { recursive: true, force: true }));
  assert.deepEqual(errors, [], 'every clean-up step succeeded');
  assert.deepEqual(busy, [], 'no busy cgroups');
  assert.deepEqual(leaks, [], 'no netns, mount, cgroup, bridge, iptables chain or process left');
});

describe('kubectl on pods of skiff up', () => {
  it('logs: the container output in order; -f shows a line printed after the follow began', async () => {
    await waitRunning('web');
    const logs = await kubectlUntil(['logs', 'web'], (o) => o.includes('tick 2'), 'two ticks');
    assert.match(logs, /^hello from web\nto stderr\ntick 1\ntick 2\n/);
    const tail = await kubectl(['logs', 'web', '--tail=1']);
    assert.match(tail.stdout, /^tick \d+\n$/);

    const stop = new AbortController();
    let first = -1;
    let later = -1;
    const follow = kubectl(['logs', '-f', 'web', '--tail=1'], {
      signal: stop.signal,
      onStdout: (all) => {
        const ticks = [...all.matchAll(/tick (\d+)/g)].map((m) => Number(m[1]));
        if (first < 0 && ticks.length > 0) first = ticks[0];
        // Printed at least two seconds after the one the follow started from: not a replay.
        const next = ticks.find((t) => t >= first + 2);
        if (next !== undefined && later < 0) {
          later = next;
          stop.abort();
        }
      },
    });
    const r = await follow;
    assert.ok(first > 0, `the follow printed the last line first: ${r.stdout}${r.stderr}`);
    assert.ok(later >= first + 2, `a later line arrived while following: ${r.stdout}${r.stderr}`);
  });

  it('logs --previous: the output of the attempt that crashed', async () => {
    const status = await kubectlUntil(
      podField(
        'crash',
        '{.status.containerStatuses[0].restartCount} {.status.containerStatuses[0].lastState.terminated.exitCode}',
      ),
      (o) => /^[1-9]\d* 3$/.test(o),
      'crash restarted after exit 3',
    );
    assert.match(status, /^[1-9]\d* 3$/);
    const prev = await kubectl(['logs', 'crash', '--previous']);
    assert.equal(prev.code, 0, prev.stderr);
    assert.equal(prev.stdout, 'crash-output\n');
  });

  for (const minor of [undefined, 29]) {
    it(`exec (kubectl ${minor ? `1.${minor}` : 'dispatcher, 1.32'}): stdout, stderr, stdin and the exit code`, async () => {
      await waitRunning('web');
      const cat = await kubectl(['exec', 'web', '--', 'cat', '/www/index.html'], { minor });
      assert.equal(cat.code, 0, cat.stderr);
      assert.equal(cat.stdout, WEB_PAGE);
      const both = await kubectl(['exec', 'web', '--', 'sh', '-c', 'echo out; echo err >&2; exit 7'], {
        minor,
      });
      assert.equal(both.code, 7, both.stderr);
      assert.equal(both.stdout, 'out\n');
      assert.match(both.stderr, /^err\n/);
      const stdin = await kubectl(['exec', '-i', 'web', '--', 'tr', 'a-z', 'A-Z'], {
        minor,
        input: 'via stdin\n',
      });
      assert.equal(stdin.code, 0, stdin.stderr);
      assert.equal(stdin.stdout, 'VIA STDIN\n');
    });
  }

  it('exec whose client went away: the process in the container is killed', async () => {
    await waitRunning('web');
    const stop = new AbortController();
    const run = kubectl(['exec', 'web', '--', 'sleep', '312'], { signal: stop.signal });
    const sleeping = async () =>
      (await kubectl(['exec', 'web', '--', 'ps', '-o', 'args'])).stdout.includes('sleep 312');
    await kubectlUntilTrue(sleeping, 'the exec runs');
    stop.abort();
    await run;
    await kubectlUntilTrue(async () => !(await sleeping()), 'the exec is gone');
  });

  for (const minor of [undefined, 29]) {
    it(`attach (kubectl ${minor ? `1.${minor}` : 'dispatcher, 1.32'}) streams output written after attaching`, async () => {
      await waitRunning('web');
      const stop = new AbortController();
      const run = kubectl(['attach', 'web'], {
        minor,
        signal: stop.signal,
        onStdout: (all) => {
          if (/tick \d+\n/.test(all)) stop.abort();
        },
      });
      const r = await run;
      assert.match(r.stdout, /tick \d+/, r.stderr);
      assert.doesNotMatch(r.stdout, /hello from web/, 'only output written after attaching');
    });
  }

  it('exec -it: a prompt on a terminal, typed input echoed back, the shell exit code', async () => {
    await waitRunning('web');
    const { code, out } = await ptyDialog(
      [kubectlBinary(), '--kubeconfig', skiff.kubeconfig, 'exec', '-it', 'web', '--', 'sh'],
      [
        { expect: '/ # ', send: 'echo in-$(hostname) on $(tty)\n' },
        { expect: 'in-web on /dev/pts/\\d+', send: 'exit 4\n' },
      ],
    );
    assert.match(out, /\/ # /, 'the shell prompt');
    assert.match(out, /echo in-\$\(hostname\) on \$\(tty\)/, 'the terminal echoed what was typed');
    assert.match(out, /in-web on \/dev\/pts\/\d+/, 'the command ran on a pty');
    assert.equal(code, 4, out);
  });

  for (const minor of [undefined, 29]) {
    it(`port-forward pod/web :8080 (kubectl ${minor ? `1.${minor}` : 'dispatcher, 1.32'}) serves HTTP GETs from busybox httpd`, async () => {
      await waitRunning('web');
      const stop = new AbortController();
      let localPort!: (port: number) => void;
      const forwarded = new Promise<number>((r) => (localPort = r));
      const run = kubectl(['port-forward', 'pod/web', ':8080'], {
        minor,
        signal: stop.signal,
        onStdout: (all) => {
          const m = /Forwarding from 127\.0\.0\.1:(\d+) -> 8080/.exec(all);
          if (m) localPort(Number(m[1]));
        },
      });
      try {
        const port = await Promise.race([
          forwarded,
          run.then((r) => {
            throw new Error(`port-forward exited: ${r.stdout}${r.stderr}`);
          }),
        ]);
        assert.equal(await httpGet(`http://127.0.0.1:${port}/index.html`, HTTP_TIMEOUT_MS), WEB_PAGE);
        // A second connection through the same forward gets its own stream.
        assert.equal(await httpGet(`http://127.0.0.1:${port}/index.html`, HTTP_TIMEOUT_MS), WEB_PAGE);
      } finally {
        stop.abort();
        await run;
      }
    });
  }

  it('top pods and top nodes show memory from the cgroups', async () => {
    await waitRunning('web');
    const mib = (s: string) => Number(/(\d+)Mi/.exec(s)?.[1] ?? 0);
    const pods = await kubectlUntil(
      ['top', 'pods', '--no-headers'],
      (o) => mib(/^web\s+.*$/m.exec(o)?.[0] ?? '') > 0,
      'top pods with web',
    );
    const web = /^web\s+(\d+)m\s+(\d+)Mi\s*$/m.exec(pods);
    assert.ok(web, pods);
    assert.ok(Number(web[2]) * MI >= BALLAST_BYTES, `web holds its ballast: ${web[0]}`);
    const nodes = await kubectlUntil(['top', 'nodes', '--no-headers'], (o) => o.includes(NODE), 'top nodes');
    const node = new RegExp(`^${NODE}\\s+(\\d+)m\\s+(\\d+)%\\s+(\\d+)Mi\\s+(\\d+)%`, 'm').exec(nodes);
    assert.ok(node, nodes);
    assert.ok(Number(node[3]) > 0, `node memory: ${node[0]}`);
  });

  it("pulls from a token-auth registry with the pod's imagePullSecrets, and not without", async () => {
    await waitRunning('private');
    assert.equal((await kubectl(['logs', 'private'])).stdout, 'pulled with a secret\n');
    assert.ok(
      tokenRegistry.tokenRequests.some(
        (r) => r.user === PULL_USER && r.scope === 'repository:skiff/private:pull',
      ),
      JSON.stringify(tokenRegistry.tokenRequests),
    );
    const reason = await kubectlUntil(
      podField('no-secret', '{.status.containerStatuses[0].state.waiting.reason}'),
      (o) => o === 'ErrImagePull' || o === 'ImagePullBackOff',
      'no-secret failing to pull',
    );
    assert.match(reason, /^(ErrImagePull|ImagePullBackOff)$/);
    const events = await kubectl([
      'get',
      'events',
      '--field-selector',
      'involvedObject.name=no-secret,reason=Failed',
      '-o',
      'jsonpath={.items[*].message}',
    ]);
    assert.match(events.stdout, /pull access denied/);
  });
});
