// skiff-test: whole-host — three network namespaces act as machines on one LAN; host-wide checks
// for leftovers (netns, cgroups, mounts) run after, so scripts/test.sh runs this file alone.
// Multi-node networking (issue #8): `skiff server` in host A, `skiff agent` (joined with a
// bootstrap token) in hosts B and C, each agent with its own host-object scope and data dir. Pods
// on B and C reach each other by pod IP (host-gw routes), through a ClusterIP Service (each node's
// service proxy) and by DNS name (each node's cluster DNS); C cut off with iptables DROP goes
// NotReady and its Deployment pods are replaced on B; healed, it is Ready again and its stale pods
// are gone. `kubectl logs`, `exec` and `port-forward` reach pods on B through B's agent API, served with
// the certificate B obtained through a kubelet-serving CSR. Everything is removed after: processes by PID, namespaces, scopes, the LAN.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { launcherAgentCommand } from '../../scripts/launcher-flags.ts';
import { runCommand } from '../../src/agent/runtime/command.ts';
import { ENV_HOST_SCOPE } from '../../src/cmd/node.ts';
import { buildImage, busyboxRootfsLayer } from '../support/images.ts';
import {
  createLan,
  type Host,
  type HostRegistries,
  inHost,
  killAndWait,
  type Lan,
  lanLeaks,
  removeLan,
  spawnInHost,
  startHostRegistries,
} from '../support/netns-hosts.ts';
import { scopeCleanupInHost } from '../support/netns-scope-cleanup.ts';
import { nssLayer } from '../support/nss-layer.ts';
import { findLeaks, newRuntimeScope, type RuntimeScope } from '../support/runtime-leaks.ts';
import { kubectlBinary } from './harness.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'dist/skiff.mjs');
const NODE = process.execPath;
/** Above the agents' 10 s Lease renewal (a shorter grace flaps healthy nodes), far below 40 s. */
const GRACE = '16s';
/** Pods tolerate an unreachable/not-ready node this long before eviction (upstream: 300 s). */
const TOLERATION_SECONDS = 2;
const START_MS = 30_000;
const WAIT_MS = 90_000;
const POLL_MS = 500;
const IMAGE_REPO = 'skiff/busybox:1';

const lanScope = newRuntimeScope();
const agentScopes: Record<string, RuntimeScope> = { b: newRuntimeScope(), c: newRuntimeScope() };
const nodeName = (h: Host) => `skiff-mn-${h.name}`;
let lan: Lan | undefined;
let registries: HostRegistries | undefined;
let server: ChildProcess | undefined;
const agents = new Map<string, ChildProcess>();
const logs = new Map<string, string>();
let workDir = '';
let serverDir = '';
let image = '';
const cuts: string[][] = [];
let webC: { podIP: string } | undefined;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const host = (name: string): Host => lan!.hosts.find((h) => h.name === name)!;

function capture(name: string, child: ChildProcess): void {
  logs.set(name, '');
  const add = (d: Buffer) => logs.set(name, ((logs.get(name) ?? '') + d.toString()).slice(-20_000));
  child.stdout?.on('data', add);
  child.stderr?.on('data', add);
}

const recentLogs = () => [...logs].map(([n, l]) => `--- ${n}\n${l.slice(-2500)}`).join('\n');

async function kubectl(args: string[], input?: string) {
  return inHost(
    host('a').netns,
    [kubectlBinary(), '--kubeconfig', join(serverDir, 'kubeconfig.yaml'), ...args],
    {
      allowFailure: true,
      env: { HOME: workDir },
      ...(input === undefined ? {} : { input }),
      timeoutMs: 30_000,
    },
  );
}

async function until(
  args: string[],
  ok: (out: string) => boolean,
  what: string,
  ms = WAIT_MS,
): Promise<string> {
  const end = Date.now() + ms;
  let last = '';
  while (Date.now() < end) {
    const r = await kubectl(args);
    last = `${r.stdout}${r.stderr}`;
    if (r.code === 0 && ok(r.stdout)) return r.stdout;
    await sleep(POLL_MS);
  }
  throw new Error(`timed out waiting for ${what}; last output:\n${last}\n${recentLogs()}`);
}

async function apply(manifest: string): Promise<void> {
  const r = await kubectl(['apply', '-f', '-'], manifest);
  assert.equal(r.code, 0, r.stderr);
}

const readyOf = (node: string) =>
  kubectl(['get', 'node', node, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']);

/** A web pod pinned (by the hostname label) to a node: httpd on 8080 serving its name at /id. */
const webPod = (name: string, node: string, side: string) => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}, labels: {app: web, side: ${side}}}
spec:
  nodeSelector: {kubernetes.io/hostname: ${node}}
  terminationGracePeriodSeconds: 1
  containers:
  - name: web
    image: ${image}
    command: [sh, -c, 'mkdir -p /tmp/w && hostname > /tmp/w/id && exec httpd -f -p 8080 -h /tmp/w']
    ports: [{name: http, containerPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: ${name}}
spec:
  selector: {side: ${side}}
  ports: [{port: 80, targetPort: http}]
`;

/**
 * A one-shot pod on `node` checking the other node's web pod three ways, each retried (routes,
 * rules and DNS records converge within seconds); its exit code names the first way that failed.
 */
/** A pod on `node` that runs `script` once; its exit code is the answer. */
const oneShotPod = (name: string, node: string, script: string) => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  nodeSelector: {kubernetes.io/hostname: ${node}}
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  containers:
  - name: probe
    image: ${image}
    command: [sh, -c, ${JSON.stringify(script)}]
`;

const PROBE_EXIT = { podIP: 11, service: 12, dns: 13 } as const;
const probePod = (name: string, node: string, target: { name: string; podIP: string; clusterIP: string }) => {
  const script = [
    'retry() { i=0; while [ $i -lt 40 ]; do sh -c "$1" && return 0; i=$((i+1)); sleep 1; done; return 1; }',
    `retry 'timeout 2 wget -q -O - http://${target.podIP}:8080/id | grep -qx ${target.name}' || exit ${PROBE_EXIT.podIP}`,
    `retry 'timeout 2 wget -q -O - http://${target.clusterIP}/id | grep -qx ${target.name}' || exit ${PROBE_EXIT.service}`,
    `retry 'nslookup -type=a ${target.name}.default.svc.cluster.local | grep -q "${target.clusterIP}"' || exit ${PROBE_EXIT.dns}`,
  ].join('\n');
  return oneShotPod(name, node, script);
};

/** A one-shot pod that succeeds once the target's pod IP stops answering (twice in a row). */
const blockedProbePod = (name: string, node: string, target: { podIP: string }) => {
  const script = [
    'fails=0; i=0',
    'while [ $i -lt 40 ]; do',
    `  if timeout 2 wget -q -O /dev/null http://${target.podIP}:8080/id; then fails=0; else fails=$((fails+1)); fi`,
    '  [ $fails -ge 2 ] && exit 0',
    '  i=$((i+1)); sleep 1',
    'done',
    'exit 1',
  ].join('\n');
  return oneShotPod(name, node, script);
};

/** Waits for a one-shot pod to finish: whether it succeeded, and its exit code. */
async function probeResult(pod: string): Promise<{ ok: boolean; code: number }> {
  const out = await until(
    [
      'get',
      'pod',
      pod,
      '-o',
      'jsonpath={.status.phase} {.status.containerStatuses[0].state.terminated.exitCode}',
    ],
    (o) => /^(Succeeded|Failed)/.test(o),
    `${pod} finished`,
  );
  return { ok: out.startsWith('Succeeded'), code: Number(out.split(' ')[1]) };
}

/** Two replicas that tolerate a lost node only briefly, so eviction is quick. */
const moverDeployment = () => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: mover}
spec:
  replicas: 2
  selector: {matchLabels: {app: mover}}
  template:
    metadata: {labels: {app: mover}}
    spec:
      terminationGracePeriodSeconds: 1
      tolerations:
      - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: ${TOLERATION_SECONDS}}
      - {key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: ${TOLERATION_SECONDS}}
      containers:
      - name: sleep
        image: ${image}
        command: [sleep, '3600']
`;

interface PodRow {
  name: string;
  node: string;
  phase: string;
  deleting: boolean;
}

async function moverPods(): Promise<PodRow[]> {
  const r = await kubectl(['get', 'pods', '-l', 'app=mover', '-o', 'json']);
  if (r.code !== 0) return [];
  const list = JSON.parse(r.stdout) as {
    items: {
      metadata: { name: string; deletionTimestamp?: string };
      spec: { nodeName?: string };
      status: { phase?: string };
    }[];
  };
  return list.items.map((p) => ({
    name: p.metadata.name,
    node: p.spec.nodeName ?? '',
    phase: p.status.phase ?? '',
    deleting: Boolean(p.metadata.deletionTimestamp),
  }));
}

async function podsUntil(ok: (pods: PodRow[]) => boolean, what: string): Promise<PodRow[]> {
  const end = Date.now() + WAIT_MS;
  let last: PodRow[] = [];
  while (Date.now() < end) {
    last = await moverPods();
    if (ok(last)) return last;
    await sleep(POLL_MS);
  }
  throw new Error(`timed out waiting for ${what}; pods: ${JSON.stringify(last)}\n${recentLogs()}`);
}

/** C's eth0 rules: everything in and out of the host (its own and its pods' traffic) dropped. */
const CUT_RULES = [
  ['INPUT', '-i', 'eth0'],
  ['OUTPUT', '-o', 'eth0'],
  ['FORWARD', '-i', 'eth0'],
  ['FORWARD', '-o', 'eth0'],
];

async function cut(h: Host): Promise<void> {
  for (const [chain, ...match] of CUT_RULES) {
    await inHost(h.netns, ['iptables', '-w', '-I', chain, '1', ...match, '-j', 'DROP']);
    cuts.push([h.netns, chain, ...match]);
  }
}

async function heal(): Promise<void> {
  for (const [ns, chain, ...match] of cuts.splice(0))
    await inHost(ns, ['iptables', '-w', '-D', chain, ...match, '-j', 'DROP'], { allowFailure: true });
}

/** Each agent host's routes, forwarding switch and rules: what a failed probe needs explained. */
async function hostState(): Promise<string> {
  const out: string[] = [];
  for (const name of Object.keys(agentScopes)) {
    const ns = host(name).netns;
    for (const argv of [
      ['ip', '-4', 'route'],
      ['ip', '-4', '-o', 'addr'],
      ['sysctl', 'net.ipv4.ip_forward'],
      ['iptables-save'],
    ]) {
      const r = await inHost(ns, argv, { allowFailure: true });
      out.push(`--- ${name}: ${argv.join(' ')}\n${r.stdout}${r.stderr}`);
    }
  }
  // Container output, read from the host (a probe pod is gone before `kubectl logs` could ask).
  for (const [name, scope] of Object.entries(agentScopes)) {
    const r = await runCommand('sh', ['-c', `tail -n 5 ${scope.stateDir}/runtime/containers/*/ctr.log`], {
      allowFailure: true,
    });
    out.push(`--- ${name}: container logs\n${r.stdout}`);
  }
  return out.join('\n');
}

function waitForOutput(child: ChildProcess, name: string, re: RegExp): Promise<RegExpExecArray> {
  return new Promise((done, fail) => {
    const timer = setTimeout(
      () => fail(new Error(`${name} did not start in ${START_MS} ms\n${logs.get(name)}`)),
      START_MS,
    );
    const check = () => {
      const m = re.exec(logs.get(name) ?? '');
      if (m) {
        clearTimeout(timer);
        done(m);
      }
    };
    child.stdout?.on('data', check);
    child.stderr?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`${name} exited with ${code}\n${logs.get(name)}`));
    });
  });
}

describe('multi-node: a server and two joined agents in their own network namespaces', () => {
  before(async () => {
    if (process.getuid?.() !== 0) throw new Error('multinode e2e needs root (netns, runc, iptables)');
    workDir = await mkdtemp(join(tmpdir(), 'skiff-mn-'));
    serverDir = join(workDir, 'server');
    // The agents' DNS upstream: loopback of their own host, where nothing answers (no test query
    // may leave the cluster).
    await writeFile(join(workDir, 'resolv.conf'), 'nameserver 127.0.0.1\n');
    lan = await createLan(lanScope.tag, ['a', 'b', 'c']);
    registries = await startHostRegistries([host('b').netns, host('c').netns], {
      [IMAGE_REPO]: buildImage([await busyboxRootfsLayer(), await nssLayer()], { cmd: ['sh'] }),
    });
    image = `${registries.host}/${IMAGE_REPO}`;
    const a = host('a');
    server = spawnInHost(a.netns, [
      NODE,
      CLI,
      'server',
      '--data-dir',
      serverDir,
      '--bind-address',
      a.ip,
      '--https-port',
      '0',
      '--log-level',
      'warn',
      '--node-monitor-grace-period',
      GRACE,
    ]);
    capture('server', server);
    await waitForOutput(server, 'server', /https:\/\/[\d.]+:(\d+)/);
    const token = await inHost(a.netns, [
      NODE,
      CLI,
      'token',
      'create',
      '--data-dir',
      serverDir,
      '--ttl',
      '1h',
    ]);
    const m = /--server (\S+) --token (\S+) --ca-cert-hash (\S+)/.exec(token.stdout);
    assert.ok(m, `no join command in: ${token.stdout}`);
    for (const name of ['b', 'c']) {
      const h = host(name);
      const scope = agentScopes[name];
      // As `./skiff agent` starts it: the launcher's Node flags (--jitless, …) and malloc tunables.
      const launcher = launcherAgentCommand();
      const child = spawnInHost(
        h.netns,
        [
          NODE,
          ...launcher.nodeArgs,
          CLI,
          'agent',
          '--server',
          m[1],
          '--token',
          m[2],
          '--ca-cert-hash',
          m[3],
        ].concat([
          '--data-dir',
          scope.stateDir,
          '--node-name',
          nodeName(h),
          '--log-level',
          'warn',
          '--resolv-conf',
          join(workDir, 'resolv.conf'),
        ]),
        { GLIBC_TUNABLES: launcher.env.GLIBC_TUNABLES, [ENV_HOST_SCOPE]: scope.tag },
      );
      agents.set(name, child);
      capture(`agent-${name}`, child);
    }
    for (const name of ['b', 'c'])
      await until(
        [
          'get',
          'node',
          nodeName(host(name)),
          '-o',
          'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
        ],
        (o) => o === 'True',
        `node ${name} Ready`,
      );
    await until(
      ['get', 'serviceaccount', 'default', '-o', 'name'],
      (o) => o.includes('default'),
      'default SA',
    );
  });

  after(async () => {
    const errors: string[] = [];
    await heal();
    for (const child of agents.values()) await killAndWait(child);
    if (server) await killAndWait(server);
    await registries?.stop();
    const leaks: string[] = [];
    if (lan) {
      for (const [name, scope] of Object.entries(agentScopes)) {
        const r = await scopeCleanupInHost(host(name).netns, scope);
        errors.push(...r.errors);
        leaks.push(
          ...r.leaks.map((l) => `host ${name}: ${l}`),
          ...r.busy.map((b) => `host ${name}: busy ${b}`),
        );
      }
      await removeLan(lan);
      leaks.push(...(await lanLeaks(lan)));
    }
    for (const scope of Object.values(agentScopes)) leaks.push(...(await findLeaks(scope)));
    await rm(workDir, { recursive: true, force: true });
    assert.deepEqual(errors, [], 'clean-up errors');
    assert.deepEqual(leaks, [], 'host objects left behind');
  });

  it('agents join, get pod CIDRs from nodeipam and report their LAN address', async () => {
    // nsenter --net, not `ip netns exec`: the agents share our mount namespace, so their overlay
    // and netns mounts are visible to the clean-up and the leak check.
    const ownMnt = await readlink('/proc/self/ns/mnt');
    for (const [name, child] of agents)
      assert.equal(await readlink(`/proc/${child.pid}/ns/mnt`), ownMnt, name);
    const out = await until(
      [
        'get',
        'nodes',
        '-o',
        'jsonpath={range .items[*]}{.metadata.name} {.spec.podCIDR} {.status.addresses[?(@.type=="InternalIP")].address}{"\\n"}{end}',
      ],
      (o) => o.trim().split('\n').length === 2,
      'two nodes',
    );
    const rows = out
      .trim()
      .split('\n')
      .map((l) => l.split(' '));
    const cidrs = new Set(rows.map((r) => r[1]));
    assert.equal(cidrs.size, 2, `distinct pod CIDRs: ${out}`);
    for (const [name, cidr, ip] of rows) {
      assert.match(cidr, /^10\.42\.\d+\.0\/24$/);
      const h = lan!.hosts.find((x) => nodeName(x) === name);
      assert.equal(ip, h?.ip, `${name}'s InternalIP`);
    }
  });

  it('pods on different nodes talk by pod IP, through a ClusterIP Service and by DNS name', async () => {
    const b = nodeName(host('b'));
    const c = nodeName(host('c'));
    await apply(`${webPod('web-b', b, 'b')}---${webPod('web-c', c, 'c')}`);
    const target = async (name: string) => {
      const podIP = (
        await until(
          ['get', 'pod', name, '-o', 'jsonpath={.status.phase} {.status.podIP}'],
          (o) => /^Running \d/.test(o),
          `${name} Running`,
        )
      ).split(' ')[1];
      const clusterIP = (
        await kubectl(['get', 'svc', name, '-o', 'jsonpath={.spec.clusterIP}'])
      ).stdout.trim();
      return { name, podIP, clusterIP };
    };
    const [toB, toC] = [await target('web-b'), await target('web-c')];
    await apply(`${probePod('probe-from-c', c, toB)}---${probePod('probe-from-b', b, toC)}`);
    for (const probe of ['probe-from-c', 'probe-from-b']) {
      const { ok, code } = await probeResult(probe);
      const failed = Object.entries(PROBE_EXIT).find(([, v]) => v === code)?.[0];
      if (!ok)
        assert.fail(
          `${probe}: ${failed ?? `exit ${code}`} check failed\n${await hostState()}\n${recentLogs()}`,
        );
    }
    webC = toC;
  });

  it("kubectl logs, exec and port-forward reach pods on a joined node (its agent API's serving CSR)", async () => {
    const b = nodeName(host('b'));
    await apply(`
apiVersion: v1
kind: Pod
metadata: {name: talker-b}
spec:
  nodeSelector: {kubernetes.io/hostname: ${b}}
  terminationGracePeriodSeconds: 1
  containers:
  - name: talk
    image: ${image}
    command: [sh, -c, 'echo skiff-hello-from-b; exec sleep 3600']
`);
    await until(
      ['get', 'pod', 'talker-b', '-o', 'jsonpath={.status.phase}'],
      (o) => o === 'Running',
      'talker-b Running',
    );
    // The node asked for its serving certificate as itself; skiff's approver approved it.
    const csrs = await kubectl([
      'get',
      'csr',
      '-o',
      'jsonpath={range .items[?(@.spec.signerName=="kubernetes.io/kubelet-serving")]}{.spec.username} {.status.conditions[0].type}{"\\n"}{end}',
    ]);
    assert.match(csrs.stdout, new RegExp(`^system:node:${b} Approved$`, 'm'), csrs.stdout + csrs.stderr);
    const logsOut = await until(
      ['logs', 'talker-b'],
      (o) => o.includes('skiff-hello-from-b'),
      'talker-b logs',
    );
    assert.equal(logsOut.trim(), 'skiff-hello-from-b');
    const exec = await kubectl(['exec', 'talker-b', '--', 'sh', '-c', 'echo $((6 * 7)) && hostname']);
    assert.equal(exec.code, 0, `${exec.stderr}\n${recentLogs()}`);
    assert.equal(exec.stdout, '42\ntalker-b\n');
    assert.equal((await kubectl(['delete', 'pod', 'talker-b', '--wait=false'])).code, 0);
    // port-forward too: host A's loopback to web-b's httpd, through B's agent API.
    const a = host('a');
    const pf = spawnInHost(
      a.netns,
      [
        kubectlBinary(),
        '--kubeconfig',
        join(serverDir, 'kubeconfig.yaml'),
        'port-forward',
        'pod/web-b',
        ':8080',
      ],
      { HOME: workDir },
    );
    capture('port-forward', pf);
    try {
      const [, port] = await waitForOutput(pf, 'port-forward', /Forwarding from 127\.0\.0\.1:(\d+)/);
      const get = `fetch('http://127.0.0.1:${port}/id').then((r) => r.text()).then((t) => process.stdout.write(t))`;
      const r = await inHost(a.netns, [NODE, '-e', get], { allowFailure: true, timeoutMs: 15_000 });
      assert.equal(r.stdout, 'web-b\n', `${r.stderr}\n${recentLogs()}`);
    } finally {
      await killAndWait(pf);
    }
  });

  it("a joined node's enforcer applies a NetworkPolicy to its pods", async () => {
    assert.ok(webC, 'the web pods ran');
    await apply(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: isolate-web-c}
spec:
  podSelector: {matchLabels: {side: c}}
  policyTypes: [Ingress]
`);
    await apply(blockedProbePod('blocked-from-b', nodeName(host('b')), webC));
    const { ok, code } = await probeResult('blocked-from-b');
    if (!ok)
      assert.fail(`web-c still reachable from B under the policy (exit ${code})\n${await hostState()}`);
    assert.equal((await kubectl(['delete', 'networkpolicy', 'isolate-web-c'])).code, 0);
  });

  it('a node cut off goes NotReady and its Deployment pods are replaced on the other node', async () => {
    const b = nodeName(host('b'));
    const c = nodeName(host('c'));
    // All replicas on C first: B is cordoned while they are scheduled.
    assert.equal((await kubectl(['cordon', b])).code, 0);
    await apply(moverDeployment());
    await podsUntil((p) => p.filter((x) => x.node === c && x.phase === 'Running').length === 2, 'mover on C');
    assert.equal((await kubectl(['uncordon', b])).code, 0);
    const cutAt = Date.now();
    await cut(host('c'));
    await until(
      ['get', 'node', c, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'],
      (o) => o !== '' && o !== 'True',
      'C NotReady',
    );
    const notReadyMs = Date.now() - cutAt;
    assert.ok(notReadyMs < 16_000 + 10_000, `NotReady after ${notReadyMs} ms`);
    const pods = await podsUntil(
      (p) => p.filter((x) => x.node === b && x.phase === 'Running' && !x.deleting).length === 2,
      'two replacements Running on B',
    );
    assert.ok(
      pods.filter((x) => x.node === c).every((x) => x.deleting),
      `C's pods are being deleted: ${JSON.stringify(pods)}`,
    );
    assert.equal((await readyOf(b)).stdout, 'True', 'B stayed Ready');
  });

  it('healed, the node is Ready again and its stale pods are gone', async () => {
    const b = nodeName(host('b'));
    const c = nodeName(host('c'));
    await heal();
    await until(
      ['get', 'node', c, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'],
      (o) => o === 'True',
      'C Ready again',
    );
    const pods = await podsUntil(
      (p) => p.length === 2 && p.every((x) => x.node === b && x.phase === 'Running' && !x.deleting),
      "C's stale pods deleted, two replicas on B",
    );
    assert.equal(pods.length, 2);
    // The lifecycle controller lifts the taints on its next pass after the node reported Ready.
    await until(
      ['get', 'node', c, '-o', 'jsonpath={.spec.taints}'],
      (o) => !/unreachable|not-ready/.test(o),
      'taints lifted',
    );
  });
});
