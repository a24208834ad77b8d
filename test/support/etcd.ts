// Starts real etcd (Debian's etcd-server, binary `etcd`) for tests and benchmarks: one member or a
// cluster, on free loopback ports, data in a temp dir. Members can be SIGKILLed and restarted.
//
// Nothing is left behind: stop() kills by PID and removes the dir; callers register it with
// node:test's `after`. Each etcd also runs under a tiny sh guard that holds a pipe from this
// process and SIGKILLs its etcd when that pipe closes, so even a test process that is itself
// killed (timeout, SIGKILL) takes its etcd members with it.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const ETCD_BINARY = 'etcd';
const HOST = '127.0.0.1';
/** A fresh member (or a restarted one catching up) answers /health well within this. */
const HEALTH_TIMEOUT_MS = 30_000;
const HEALTH_POLL_MS = 100;
const CLUSTER_TOKEN = 'skiff-test-cluster';

/**
 * Runs etcd in the background, prints its PID, and when our end of stdin closes (this process
 * exited or died without stop()) SIGKILLs etcd and removes the cluster dir; exits with etcd's
 * status when etcd exits on its own.
 */
const GUARD = `
exec 3<&0
"$0" "$@" </dev/null &
pid=$!
echo "$pid"
( read _ <&3; kill -9 "$pid" 2>/dev/null; sleep 0.5; rm -rf "$SKIFF_ETCD_DIR" ) &
reader=$!
wait "$pid"
code=$?
kill "$reader" 2>/dev/null
exit "$code"
`;

export interface EtcdMember {
  readonly name: string;
  readonly clientUrl: string;
  readonly peerUrl: string;
  readonly dataDir: string;
  /** PID of the etcd process, undefined when stopped. */
  readonly pid: number | undefined;
  readonly running: boolean;
  /** Sends a signal (default SIGKILL) and waits until the process is gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the member again on the same data dir and ports; resolves when it is healthy. */
  restart(): Promise<void>;
}

export interface EtcdCluster {
  readonly members: readonly EtcdMember[];
  /** Client URLs of all members, e.g. ['http://127.0.0.1:41234']. */
  readonly endpoints: string[];
  readonly dir: string;
  /** The member the running members agree is leader. */
  leader(): Promise<EtcdMember>;
  /** Kills every member by PID and removes the data dir; idempotent. */
  stop(): Promise<void>;
}

export interface EtcdStartOptions {
  /** 1 (default) or more members. */
  members?: number;
  /** Extra etcd flags for every member. */
  args?: string[];
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, HOST, () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

class Member implements EtcdMember {
  readonly name: string;
  readonly clientUrl: string;
  readonly peerUrl: string;
  readonly dataDir: string;
  readonly #args: () => string[];
  readonly #clusterDir: string;
  #guard: ChildProcess | undefined;
  #pid: number | undefined;
  #exited: Promise<void> = Promise.resolve();

  constructor(name: string, clientUrl: string, peerUrl: string, dir: string, args: () => string[]) {
    this.name = name;
    this.clientUrl = clientUrl;
    this.peerUrl = peerUrl;
    this.dataDir = join(dir, name);
    this.#args = args;
    this.#clusterDir = dir;
  }

  get pid(): number | undefined {
    return this.#pid;
  }

  get running(): boolean {
    return this.#pid !== undefined;
  }

  async start(): Promise<void> {
    const guard = spawn('/bin/sh', ['-c', `${GUARD}`, ETCD_BINARY, ...this.#args()], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, SKIFF_ETCD_DIR: this.#clusterDir },
    });
    this.#guard = guard;
    let stderr = '';
    guard.stderr!.on('data', (d: Buffer) => {
      // etcd logs to stderr; keep the tail for error messages only.
      stderr = (stderr + d.toString()).slice(-8_000);
    });
    this.#exited = new Promise<void>((resolve) => {
      guard.once('exit', () => {
        this.#pid = undefined;
        this.#guard = undefined;
        resolve();
      });
    });
    this.#pid = await new Promise<number>((resolve, reject) => {
      let out = '';
      guard.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /^(\d+)\n/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      guard.once('exit', (code) =>
        reject(new Error(`etcd ${this.name} exited (${code}) before starting:\n${stderr}`)),
      );
    });
    trackChild(guard);
    const deadline = Date.now() + HEALTH_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`etcd ${this.name} exited while starting:\n${stderr}`);
      if (await this.healthy()) return;
      await sleep(HEALTH_POLL_MS);
    }
    throw new Error(`etcd ${this.name} not healthy within ${HEALTH_TIMEOUT_MS} ms:\n${stderr}`);
  }

  async healthy(): Promise<boolean> {
    try {
      const res = await fetch(`${this.clientUrl}/health`, { signal: AbortSignal.timeout(1_000) });
      const body = (await res.json()) as { health?: string };
      return body.health === 'true';
    } catch {
      return false;
    }
  }

  /** This member's id and its view of the leader (etcd's JSON gateway). */
  async status(): Promise<{ memberId: string; leader: string } | undefined> {
    try {
      const res = await fetch(`${this.clientUrl}/v3/maintenance/status`, {
        method: 'POST',
        body: '{}',
        signal: AbortSignal.timeout(1_000),
      });
      const body = (await res.json()) as { header?: { member_id?: string }; leader?: string };
      if (!body.header?.member_id || !body.leader) return undefined;
      return { memberId: body.header.member_id, leader: body.leader };
    } catch {
      return undefined;
    }
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const pid = this.#pid;
    if (pid === undefined) return;
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
    await this.#exited;
  }

  /** Test data is thrown away: no graceful shutdown (a leader hand-off takes seconds). */
  async stop(): Promise<void> {
    await this.kill('SIGKILL');
    // Closing the guard's stdin ends it (and would SIGKILL etcd if it still ran).
    this.#guard?.stdin?.end();
  }

  async restart(): Promise<void> {
    if (this.running) throw new Error(`etcd ${this.name} is still running`);
    await this.start();
  }
}

/** Guards of live members, killed by PID if this process exits without stopping them. */
const liveGuards = new Set<ChildProcess>();
let exitHookInstalled = false;

function trackChild(guard: ChildProcess): void {
  liveGuards.add(guard);
  guard.once('exit', () => liveGuards.delete(guard));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const g of liveGuards) {
      g.stdin?.destroy(); // the guard SIGKILLs its etcd on EOF
      if (g.pid) {
        try {
          process.kill(g.pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
    }
  });
}

export async function startEtcd(opts: EtcdStartOptions = {}): Promise<EtcdCluster> {
  const count = opts.members ?? 1;
  const dir = mkdtempSync(join(tmpdir(), 'skiff-etcd-'));
  const members: Member[] = [];
  const initialCluster = () => members.map((m) => `${m.name}=${m.peerUrl}`).join(',');
  for (let i = 0; i < count; i++) {
    const name = `skiff-etcd-${i}`;
    const clientUrl = `http://${HOST}:${await freePort()}`;
    const peerUrl = `http://${HOST}:${await freePort()}`;
    const m: Member = new Member(name, clientUrl, peerUrl, dir, () => [
      '--name',
      name,
      '--data-dir',
      m.dataDir,
      '--listen-client-urls',
      clientUrl,
      '--advertise-client-urls',
      clientUrl,
      '--listen-peer-urls',
      peerUrl,
      '--initial-advertise-peer-urls',
      peerUrl,
      '--initial-cluster',
      initialCluster(),
      '--initial-cluster-token',
      CLUSTER_TOKEN,
      '--initial-cluster-state',
      'new',
      '--logger',
      'zap',
      '--log-level',
      'warn',
      ...(opts.args ?? []),
    ]);
    members.push(m);
  }
  let stopped = false;
  const cluster: EtcdCluster = {
    members,
    endpoints: members.map((m) => m.clientUrl),
    dir,
    async leader() {
      const deadline = Date.now() + HEALTH_TIMEOUT_MS;
      while (Date.now() < deadline) {
        for (const m of members.filter((x) => x.running)) {
          const s = await m.status();
          if (!s || s.leader === '0') continue;
          for (const other of members.filter((x) => x.running)) {
            if ((await other.status())?.memberId === s.leader) return other;
          }
        }
        await sleep(HEALTH_POLL_MS);
      }
      throw new Error('no etcd leader elected');
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await Promise.all(members.map((m) => m.stop()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    // Members of a new cluster wait for each other: start them together.
    await Promise.all(members.map((m) => m.start()));
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}
