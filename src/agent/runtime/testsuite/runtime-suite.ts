// The conformance suite every ContainerRuntime implementation runs (with real containers): the
// behaviour the pod workers rely on, asserted through the interface only. An implementation's test
// file calls `runtimeConformanceSuite` with a fixture factory.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { ALL_CAPABILITIES, DEFAULT_CAPABILITIES } from '../capabilities.ts';
import { readCriLog } from '../cri-log.ts';
import type { UnpackedImage } from '../images/image-service.ts';
import type { ContainerConfig, ContainerRuntime, ContainerStatus } from '../types.ts';

export interface RuntimeFixture {
  /** The current instance (replaced by `reopen`). */
  runtime: ContainerRuntime;
  /**
   * Drops the current runtime instance (its watchers, not its containers) and opens a new one over
   * the same state, as an agent restart does. Later tests use the returned instance.
   */
  reopen(): Promise<ContainerRuntime>;
  /** The standard busybox test image (two layers, whiteout of /bin/vi, opaque /etc/opq). */
  image: UnpackedImage;
  /** A unique sandbox ID for this fixture. */
  sandboxId(): string;
}

export interface RuntimeSuiteOptions {
  setup(): Promise<RuntimeFixture>;
  teardown(fixture: RuntimeFixture): Promise<void>;
}

/** Short waits are polls against real processes: bounded so a broken runtime fails, not hangs. */
const WAIT_MS = 15_000;

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, ms = WAIT_MS): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function readLog(path: string): Promise<string> {
  const parts: Buffer[] = [];
  for await (const b of readCriLog(path)) parts.push(b);
  return Buffer.concat(parts).toString();
}

function capMask(caps: readonly string[]): string {
  let mask = 0n;
  for (const c of caps) mask |= 1n << BigInt(ALL_CAPABILITIES.indexOf(c));
  return mask.toString(16).padStart(16, '0');
}

export function runtimeConformanceSuite(name: string, opts: RuntimeSuiteOptions): void {
  describe(`ContainerRuntime conformance: ${name}`, () => {
    let fx: RuntimeFixture;
    let rt: ContainerRuntime;
    let sandbox: string;

    const run = async (config: Partial<ContainerConfig>, sb = sandbox): Promise<string> => {
      const id = await rt.createContainer({ sandboxId: sb, name: 'c', image: fx.image, ...config });
      await rt.startContainer(id);
      return id;
    };
    const waitExited = (id: string) =>
      until<ContainerStatus>(`container ${id} to exit`, async () => {
        const s = await rt.containerStatus(id);
        return s?.state === 'exited' ? s : undefined;
      });

    before(async () => {
      fx = await opts.setup();
      rt = fx.runtime;
      sandbox = await rt.createSandbox({
        id: fx.sandboxId(),
        podUid: 'suite-pod',
        name: 'suite',
        namespace: 'default',
        hostname: 'suite-host',
        hostAliases: [{ ip: '10.9.9.9', hostnames: ['alias.test'] }],
        dns: { nameservers: ['10.43.0.10'], searches: ['default.svc.cluster.local'], options: ['ndots:5'] },
      });
    });

    after(async () => {
      if (rt && sandbox) await rt.removeSandbox(sandbox);
      if (fx) await opts.teardown(fx);
    });

    it('reports a ready sandbox', async () => {
      const s = await rt.sandboxStatus(sandbox);
      assert.equal(s?.state, 'ready');
      assert.equal(s?.hostname, 'suite-host');
      assert.ok((await rt.listSandboxes()).some((x) => x.id === sandbox));
      const mine = await rt.listSandboxes({ podUid: s?.podUid ?? '' });
      assert.deepEqual(
        mine.map((x) => x.id),
        [sandbox],
      );
      assert.deepEqual(await rt.listSandboxes({ podUid: 'no-such-pod' }), []);
    });

    it('runs a container whose stdout and stderr land in a CRI log', async () => {
      let exited = '';
      const sub = rt.onContainerExit((id) => {
        exited = id;
      });
      // Pauses keep the order across the two pipes deterministic.
      const id = await run({
        command: ['sh', '-c', 'echo out-line; sleep 0.1; echo err-line >&2; sleep 0.1; printf partial'],
      });
      const s = await waitExited(id);
      await sub.dispose();
      assert.equal(s.exitCode, 0);
      assert.equal(s.reason, 'Completed');
      assert.equal(exited, id);
      assert.ok(s.startedAt && s.finishedAt && s.finishedAt >= s.startedAt && s.startedAt >= s.createdAt);
      const raw = await until('log lines', async () => {
        const text = await readFile(s.logPath, 'utf8').catch(() => '');
        return text.split('\n').length >= 4 ? text : undefined;
      });
      assert.match(raw, /^\S+ stdout F out-line$/m);
      assert.match(raw, /^\S+ stderr F err-line$/m);
      assert.match(raw, /^\S+ stdout P partial$/m);
      assert.equal(await readLog(s.logPath), 'out-line\nerr-line\npartial');
      await rt.removeContainer(id);
    });

    it('reports exit codes', async () => {
      const id = await run({ command: ['sh', '-c', 'exit 42'] });
      const s = await waitExited(id);
      assert.equal(s.exitCode, 42);
      assert.equal(s.reason, 'Error');
      await rt.removeContainer(id);
    });

    it('applies the image config, Kubernetes command/args/env and pod files', async () => {
      const id = await run({
        args: ['sh', '-c', 'echo "$FOO|$HOSTNAME|$(pwd)|$(hostname)"; cat /etc/hosts /etc/resolv.conf'],
        env: [{ name: 'FOO', value: 'bar' }],
        workingDir: '/tmp',
      });
      const s = await waitExited(id);
      assert.equal(s.exitCode, 0);
      const out = await readLog(s.logPath);
      // A host-network sandbox shares the node's UTS namespace, as in Kubernetes.
      assert.match(out, new RegExp(`^bar\\|suite-host\\|/tmp\\|${hostname()}$`, 'm'));
      assert.match(out, /^10\.9\.9\.9\talias\.test$/m);
      assert.match(out, /^nameserver 10\.43\.0\.10$/m);
      assert.match(out, /^search default\.svc\.cluster\.local$/m);
      await rt.removeContainer(id);
    });

    it('shows the flattened image (whiteouts and opaque dirs honoured)', async () => {
      const id = await run({
        command: ['sh', '-c', 'ls /etc/opq; cat /etc/motd; test -e /bin/vi || echo no-vi'],
      });
      const s = await waitExited(id);
      assert.equal(await readLog(s.logPath), 'c\nlayer2\nno-vi\n');
      await rt.removeContainer(id);
    });

    it('confines processes: capabilities, no_new_privs, seccomp, users, read-only rootfs', async () => {
      const id = await run({
        command: ['sh', '-c', 'grep -E "^(CapEff|NoNewPrivs|Seccomp):" /proc/self/status; id -u'],
      });
      const s = await waitExited(id);
      const out = await readLog(s.logPath);
      assert.match(out, new RegExp(`^CapEff:\\s+${capMask(DEFAULT_CAPABILITIES)}$`, 'm'));
      assert.match(out, /^CapEff:\s+00000000a80425fb$/m, "Docker's default set");
      assert.match(out, /^NoNewPrivs:\s+1$/m);
      assert.match(out, /^Seccomp:\s+2$/m);
      await rt.removeContainer(id);

      const user = await run({
        command: [
          'sh',
          '-c',
          'id -u; id -g; touch /x 2>/dev/null && echo writable || echo read-only; mount -t tmpfs t /mnt 2>&1 || true',
        ],
        security: { runAsUser: 1000, runAsGroup: 3000, readOnlyRootFilesystem: true },
      });
      const u = await waitExited(user);
      const uout = await readLog(u.logPath);
      assert.match(uout, /^1000\n3000\nread-only\n/);
      assert.match(uout, /permission denied|Operation not permitted|must be superuser/i);
      await rt.removeContainer(user);
    });

    it('kills a memory hog and reports OOMKilled', async () => {
      const id = await run({
        command: ['dd', 'if=/dev/zero', 'of=/dev/null', 'bs=64M', 'count=1'],
        resources: { memoryLimitBytes: 32 * 1024 * 1024 },
      });
      const s = await waitExited(id);
      assert.equal(s.reason, 'OOMKilled');
      assert.equal(s.exitCode, 137);
      await rt.removeContainer(id);
    });

    it('makes limits visible to the container', async () => {
      const id = await run({
        command: ['sleep', '1000'],
        resources: {
          cpuRequestMilli: 250,
          cpuLimitMilli: 500,
          memoryLimitBytes: 64 * 1024 * 1024,
          pidsLimit: 50,
        },
      });
      await until('running', async () => (await rt.containerStatus(id))?.state === 'running');
      const r = await rt.exec(id, [
        'sh',
        '-c',
        'cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/cpu/cpu.shares /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/pids/pids.max; ulimit -n',
      ]);
      assert.equal(r.exitCode, 0, r.stderr.toString());
      const [mem, shares, quota, pids, nofile] = r.stdout.toString().trim().split('\n');
      assert.deepEqual([mem, shares, quota, pids], [String(64 * 1024 * 1024), '256', '50000', '50']);
      assert.ok(Number(nofile) >= 1024, `nofile ${nofile}`);
      await rt.stopContainer(id, 0);
      await rt.removeContainer(id);
    });

    it('execs commands with output, exit code, env, cwd, stdin and a timeout', async () => {
      const id = await run({ command: ['sleep', '1000'] });
      await until('running', async () => (await rt.containerStatus(id))?.state === 'running');
      const r = await rt.exec(id, ['sh', '-c', 'echo "$X $(pwd)"; cat; echo err >&2; exit 3'], {
        env: ['X=y'],
        cwd: '/etc',
        stdin: Buffer.from('from-stdin\n'),
      });
      assert.equal(r.exitCode, 3);
      assert.equal(r.stdout.toString(), 'y /etc\nfrom-stdin\n');
      assert.equal(r.stderr.toString(), 'err\n');
      assert.equal(r.timedOut, false);
      const started = Date.now();
      const slow = await rt.exec(id, ['sleep', '30'], { timeoutMs: 300 });
      assert.equal(slow.timedOut, true);
      assert.notEqual(slow.exitCode, 0);
      assert.ok(Date.now() - started < 10_000);
      await rt.stopContainer(id, 0);
      await assert.rejects(rt.exec(id, ['true']), /exited/);
      await rt.removeContainer(id);
    });

    it('stops with a grace period: TERM first, KILL when PID 1 ignores it', async () => {
      const stubborn = await run({ command: ['sleep', '1000'] });
      const polite = await run({
        command: ['sh', '-c', "trap 'exit 3' TERM; while true; do sleep 0.05; done"],
      });
      await until('running', async () => (await rt.listContainers({ state: 'running' })).length >= 2);
      // Let the shell install its trap before it gets the signal.
      await new Promise((r) => setTimeout(r, 200));
      let t = Date.now();
      await rt.stopContainer(polite, 10);
      const politeTook = Date.now() - t;
      assert.equal((await rt.containerStatus(polite))?.exitCode, 3);
      assert.ok(politeTook < 5000, `TERM handled in ${politeTook} ms`);
      t = Date.now();
      await rt.stopContainer(stubborn, 1);
      const took = Date.now() - t;
      const s = await rt.containerStatus(stubborn);
      assert.equal(s?.state, 'exited');
      assert.equal(s?.exitCode, 137);
      assert.ok(took >= 900 && took < 8000, `killed after the 1 s grace (${took} ms)`);
      await rt.stopContainer(stubborn, 1); // idempotent
      await rt.removeContainer(stubborn);
      await rt.removeContainer(polite);
    });

    it('lists and removes containers idempotently', async () => {
      const a = await rt.createContainer({
        sandboxId: sandbox,
        name: 'created-only',
        image: fx.image,
        command: ['true'],
      });
      const list = await rt.listContainers({ sandboxId: sandbox });
      assert.ok(list.some((c) => c.id === a && c.state === 'created' && c.name === 'created-only'));
      await rt.removeContainer(a);
      await rt.removeContainer(a);
      assert.equal(await rt.containerStatus(a), undefined);
      await assert.rejects(rt.startContainer(a), /not found/);
      await assert.rejects(
        rt.createContainer({ sandboxId: 'no-such-sandbox', name: 'x', image: fx.image }),
        /not found/,
      );
    });

    it('re-adopts running containers in a new runtime instance', async () => {
      const id = await run({ command: ['sh', '-c', 'echo before; sleep 1000'] });
      const before = await until('running', async () => {
        const s = await rt.containerStatus(id);
        return s?.state === 'running' ? s : undefined;
      });
      rt = await fx.reopen();
      const adopted = await rt.containerStatus(id);
      assert.equal(adopted?.state, 'running');
      assert.equal(adopted?.pid, before.pid);
      assert.equal((await rt.sandboxStatus(sandbox))?.state, 'ready');
      const r = await rt.exec(id, ['echo', 'still here']);
      assert.equal(r.stdout.toString(), 'still here\n');
      let exited = '';
      const sub = rt.onContainerExit((x) => {
        exited = x;
      });
      await rt.stopContainer(id, 0);
      await sub.dispose();
      assert.equal(exited, id);
      assert.equal((await rt.containerStatus(id))?.exitCode, 137);
      await rt.removeContainer(id);
    });

    it('notices exits that happen while no runtime instance is watching', async () => {
      const id = await run({ command: ['sh', '-c', 'sleep 0.5; exit 7'] });
      await rt.dispose();
      await new Promise((r) => setTimeout(r, 1200));
      rt = await fx.reopen();
      const s = await waitExited(id);
      assert.equal(s.exitCode, 7);
      await rt.removeContainer(id);
    });

    it('stops and removes a sandbox with its containers', async () => {
      const sb = await rt.createSandbox({
        id: fx.sandboxId(),
        podUid: 'suite-pod-2',
        name: 'second',
        namespace: 'default',
        hostname: 'second',
      });
      const id = await run({ command: ['sleep', '1000'] }, sb);
      await rt.stopSandbox(sb);
      assert.equal((await rt.containerStatus(id))?.state, 'exited');
      assert.equal((await rt.sandboxStatus(sb))?.state, 'notready');
      await rt.removeSandbox(sb);
      await rt.removeSandbox(sb);
      assert.equal(await rt.containerStatus(id), undefined);
      assert.equal(await rt.sandboxStatus(sb), undefined);
    });
  });
}
