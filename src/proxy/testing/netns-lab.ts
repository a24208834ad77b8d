// A private "node with pods" built from network namespaces, for tests that need real iptables and
// real connections without touching the host's tables:
//
//   netns skiff-<tag>-node: bridge skiff-<tag> (GW .1/24, br_netfilter on), ip_forward=1,
//                           route to the service CIDR via the bridge, iptables under test
//        │ veth skiff-<tag>-<i> (bridge port)  ↔  eth0 in netns skiff-<tag>-<pod> (.2, .3, …)
//
// Each pod may run a TCP server answering every connection with its own IP; clients connect from
// the node or from a pod and tally the answers. Only tests import this file.
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';

const NODE_BIN = process.execPath;
/** A connection that does not answer within this long counts as TIMEOUT (blocked). */
const CONNECT_TIMEOUT_MS = 700;
const SERVICE_CIDR = '10.43.0.0/16';

export const sh = (...argv: string[]): string => execFileSync(argv[0], argv.slice(1), { encoding: 'utf8' });

export function requireRootNetworking(): void {
  assert.equal(process.getuid?.(), 0, 'this test needs root (network namespaces, iptables)');
  for (const bin of ['ip', 'iptables-restore', 'iptables-save'])
    assert.doesNotThrow(() => sh('sh', '-c', `command -v ${bin}`), `${bin} is required`);
}

// Answers every TCP connection on every given port with the pod's IP.
const SERVER = `
const net = require('node:net');
const [ip, ...ports] = process.argv.slice(1);
let n = 0;
for (const p of ports) net.createServer((s) => s.end(ip)).listen(Number(p), '0.0.0.0', () => {
  if (++n === ports.length) console.log('ready');
});`;

// Connects count times to host:port and prints a JSON tally of answers (or error codes).
const CLIENT = `
const net = require('node:net');
const [host, port, count, timeout] = process.argv.slice(1);
const one = () => new Promise((resolve) => {
  const s = net.connect({ host, port: Number(port) });
  let data = '';
  s.setTimeout(Number(timeout), () => { s.destroy(); resolve('TIMEOUT'); });
  s.on('data', (d) => (data += d));
  s.on('end', () => resolve(data));
  s.on('error', (e) => resolve(e.code));
});
(async () => {
  const tally = {};
  for (let i = 0; i < Number(count); i++) { const r = await one(); tally[r] = (tally[r] ?? 0) + 1; }
  console.log(JSON.stringify(tally));
})();`;

export interface LabPod {
  name: string;
  netns: string;
  ip: string;
}

export class NetnsLab {
  readonly tag: string;
  readonly node: string;
  readonly bridge: string;
  readonly gateway: string;
  readonly subnet: string;
  readonly pods = new Map<string, LabPod>();
  readonly #servers: ChildProcess[] = [];
  readonly #prefix: string;

  /** `prefix` is the first three octets of the /24, e.g. `10.251.7`. */
  constructor(prefix: string) {
    this.#prefix = prefix;
    this.tag = `t${randomBytes(3).toString('hex')}`;
    this.node = `skiff-${this.tag}-node`;
    this.bridge = `skiff-${this.tag}`;
    this.gateway = `${prefix}.1`;
    this.subnet = `${prefix}.0/24`;
  }

  /** Command prefix that runs a command inside the node namespace. */
  get nodeExec(): string[] {
    return ['ip', 'netns', 'exec', this.node];
  }

  setUpNode(): void {
    sh('ip', 'netns', 'add', this.node);
    const n = ['ip', '-n', this.node];
    sh(...n, 'link', 'set', 'lo', 'up');
    sh(...n, 'link', 'add', this.bridge, 'type', 'bridge');
    sh(...n, 'addr', 'add', `${this.gateway}/24`, 'dev', this.bridge);
    sh(...n, 'link', 'set', this.bridge, 'up');
    sh(...n, 'route', 'add', SERVICE_CIDR, 'dev', this.bridge);
    sh(...this.nodeExec, 'sh', '-c', 'echo 1 > /proc/sys/net/ipv4/ip_forward');
  }

  addPod(name: string): LabPod {
    const i = this.pods.size;
    const pod: LabPod = { name, netns: `skiff-${this.tag}-${name}`, ip: `${this.#prefix}.${i + 2}` };
    const host = `skiff-${this.tag}-${i}`;
    sh('ip', 'netns', 'add', pod.netns);
    sh(
      'ip',
      '-n',
      this.node,
      'link',
      'add',
      host,
      'type',
      'veth',
      'peer',
      'name',
      'eth0',
      'netns',
      pod.netns,
    );
    sh('ip', '-n', this.node, 'link', 'set', host, 'master', this.bridge, 'up');
    const p = ['ip', '-n', pod.netns];
    sh(...p, 'link', 'set', 'lo', 'up');
    sh(...p, 'addr', 'add', `${pod.ip}/24`, 'dev', 'eth0');
    sh(...p, 'link', 'set', 'eth0', 'up');
    sh(...p, 'route', 'add', 'default', 'via', this.gateway);
    this.pods.set(name, pod);
    return pod;
  }

  pod(name: string): LabPod {
    const p = this.pods.get(name);
    if (!p) throw new Error(`no lab pod ${name}`);
    return p;
  }

  /** Starts a server in the pod answering on every port with the pod's IP; resolves when listening. */
  async serve(name: string, ports: readonly number[]): Promise<void> {
    const pod = this.pod(name);
    const child = spawn(
      'ip',
      ['netns', 'exec', pod.netns, NODE_BIN, '-e', SERVER, pod.ip, ...ports.map(String)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    this.#servers.push(child);
    await new Promise<void>((resolve, reject) => {
      child.stdout!.once('data', () => resolve());
      child.once('exit', (code) => reject(new Error(`lab server in ${name} exited with ${code}`)));
    });
  }

  /** Connects `count` times from `from` ('node' or a pod name); a tally of answers and error codes. */
  connect(
    from: string,
    host: string,
    port: number,
    count = 1,
    timeoutMs = CONNECT_TIMEOUT_MS,
  ): Record<string, number> {
    const ns = from === 'node' ? this.node : this.pod(from).netns;
    const out = sh(
      'ip',
      'netns',
      'exec',
      ns,
      NODE_BIN,
      '-e',
      CLIENT,
      host,
      String(port),
      String(count),
      String(timeoutMs),
    );
    return JSON.parse(out) as Record<string, number>;
  }

  iptablesSave(): string {
    return sh(...this.nodeExec, 'iptables-save');
  }

  /** Kills the servers (by PID) and deletes every namespace (their veths and the bridge go with them). */
  destroy(): void {
    for (const s of this.#servers) if (s.pid && s.exitCode === null) s.kill('SIGKILL');
    for (const ns of [...[...this.pods.values()].map((p) => p.netns), this.node]) {
      try {
        sh('ip', 'netns', 'del', ns);
      } catch {}
    }
  }

  /** Namespaces of this lab still present (leak check). */
  leftovers(): string[] {
    return sh('ip', 'netns', 'list')
      .split('\n')
      .map((l) => l.split(' ')[0])
      .filter((n) => n.startsWith(`skiff-${this.tag}`));
  }
}
