// Real iptables, but never the host's tables: everything runs inside two network namespaces this
// test creates (client "node" and server "pods", joined by a veth pair) and deletes afterwards.
// Needs root, iproute2 and iptables; fails loudly without them.
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { Service } from 'kubernetes-types/core/v1.d.ts';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.d.ts';
import { createLogger } from '../util/log.ts';
import { ExecIptablesBackend } from './iptables-backend.ts';
import { Proxier } from './proxier.ts';

const TAG = `${process.pid % 100000}`;
const NS_CLIENT = `skiff-t-${TAG}-node`;
const NS_PODS = `skiff-t-${TAG}-pods`;
const NODE_IP = '10.250.0.1';
const POD_IPS = ['10.250.0.2', '10.250.0.3'];
const POD_PORT = 8080;
const NODE = process.execPath;

const sh = (...argv: string[]): string => execFileSync(argv[0], argv.slice(1), { encoding: 'utf8' });
const ROUTE_LOCALNET = '/proc/sys/net/ipv4/conf/all/route_localnet';
const inNs = (ns: string, ...argv: string[]): string => sh('ip', 'netns', 'exec', ns, ...argv);

function preflight(): void {
  assert.equal(process.getuid?.(), 0, 'this test needs root (network namespaces, iptables)');
  for (const bin of ['ip', 'iptables-restore', 'iptables-save'])
    assert.doesNotThrow(() => sh('sh', '-c', `command -v ${bin}`), `${bin} is required`);
}

// Each pod IP answers every TCP connection with its own address, so the client can count backends.
const SERVER = `
const net = require('node:net');
for (const ip of process.argv.slice(1)) net.createServer((s) => s.end(ip)).listen(${POD_PORT}, ip);
console.log('ready');`;

// Connects `count` times to host:port and prints a JSON tally of answers (or error codes).
const CLIENT = `
const net = require('node:net');
const [host, port, count] = process.argv.slice(1);
const one = () => new Promise((resolve) => {
  const s = net.connect({ host, port: Number(port) });
  let data = '';
  s.setTimeout(1500, () => { s.destroy(); resolve('TIMEOUT'); });
  s.on('data', (d) => (data += d));
  s.on('end', () => resolve(data));
  s.on('error', (e) => resolve(e.code));
});
(async () => {
  const tally = {};
  for (let i = 0; i < Number(count); i++) { const r = await one(); tally[r] = (tally[r] ?? 0) + 1; }
  console.log(JSON.stringify(tally));
})();`;

const connect = (host: string, port: number, count: number): Record<string, number> =>
  JSON.parse(inNs(NS_CLIENT, NODE, '-e', CLIENT, host, String(port), String(count)));

const tcpService = (name: string, ip: string, extra: Partial<Service['spec']> = {}): Service => ({
  metadata: { name, namespace: 'default' },
  spec: { clusterIP: ip, ports: [{ port: 80, protocol: 'TCP' }], ...extra },
});
const podsSlice = (svc: string): EndpointSlice => ({
  metadata: { name: `${svc}-1`, namespace: 'default', labels: { 'kubernetes.io/service-name': svc } },
  addressType: 'IPv4',
  ports: [{ port: POD_PORT, protocol: 'TCP' }],
  endpoints: POD_IPS.map((ip) => ({ addresses: [ip], conditions: { ready: true }, nodeName: 'other' })),
});

describe('ExecIptablesBackend in a network namespace', () => {
  let server: ChildProcess | undefined;
  const backend = new ExecIptablesBackend({ prefix: ['ip', 'netns', 'exec', NS_CLIENT] });

  before(async () => {
    preflight();
    sh('ip', 'netns', 'add', NS_CLIENT);
    sh('ip', 'netns', 'add', NS_PODS);
    sh(
      'ip',
      '-n',
      NS_CLIENT,
      'link',
      'add',
      'skiff0',
      'type',
      'veth',
      'peer',
      'name',
      'skiff1',
      'netns',
      NS_PODS,
    );
    sh('ip', '-n', NS_CLIENT, 'addr', 'add', `${NODE_IP}/24`, 'dev', 'skiff0');
    for (const ip of POD_IPS) sh('ip', '-n', NS_PODS, 'addr', 'add', `${ip}/24`, 'dev', 'skiff1');
    for (const [ns, dev] of [
      [NS_CLIENT, 'skiff0'],
      [NS_PODS, 'skiff1'],
    ]) {
      sh('ip', '-n', ns, 'link', 'set', 'lo', 'up');
      sh('ip', '-n', ns, 'link', 'set', dev, 'up');
    }
    // Service VIPs must route somewhere for locally generated connects to reach netfilter.
    sh('ip', '-n', NS_CLIENT, 'route', 'add', '10.43.0.0/16', 'dev', 'skiff0');
    server = spawn('ip', ['netns', 'exec', NS_PODS, NODE, '-e', SERVER, ...POD_IPS], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      server!.stdout!.once('data', () => resolve());
      server!.once('exit', (code) => reject(new Error(`test server exited with ${code}`)));
    });
  });

  after(() => {
    if (server?.pid) process.kill(server.pid);
    for (const ns of [NS_CLIENT, NS_PODS]) {
      try {
        sh('ip', 'netns', 'del', ns);
      } catch {}
    }
  });

  it('programs ClusterIP, NodePort (node IP and 127.0.0.1), affinity and REJECT, then cleans up', async () => {
    const proxier = new Proxier({
      backend,
      nodeName: 'this-node',
      nodeIPs: [NODE_IP],
      clusterCIDR: '10.250.0.0/24',
      minSyncPeriodMs: 0,
      fullSyncPeriodMs: 0,
      logger: createLogger({ level: 'error' }),
    });
    proxier.update({
      services: [
        tcpService('web', '10.43.0.50'),
        tcpService('sticky', '10.43.0.51', { sessionAffinity: 'ClientIP' }),
        tcpService('empty', '10.43.0.52'),
        tcpService('np', '10.43.0.53', {
          type: 'NodePort',
          ports: [{ port: 80, protocol: 'TCP', nodePort: 30080 }],
        }),
      ],
      endpointSlices: [podsSlice('web'), podsSlice('sticky'), podsSlice('np')],
    });
    await proxier.syncNow();
    assert.equal(proxier.metrics.failedSyncs, 0, 'sync failed');
    assert.equal(proxier.metrics.fullSyncs, 1);

    const web = connect('10.43.0.50', 80, 24);
    assert.deepEqual(
      Object.keys(web).sort(),
      POD_IPS,
      `ClusterIP balanced over both pods: ${JSON.stringify(web)}`,
    );

    const sticky = connect('10.43.0.51', 80, 10);
    assert.equal(Object.keys(sticky).length, 1, `affinity keeps one backend: ${JSON.stringify(sticky)}`);
    assert.ok(POD_IPS.includes(Object.keys(sticky)[0]));

    assert.deepEqual(connect('10.43.0.52', 80, 2), { ECONNREFUSED: 2 }, 'no endpoints: REJECT');

    for (const host of [NODE_IP, '127.0.0.1']) {
      const np = connect(host, 30080, 6);
      assert.ok(
        Object.keys(np).every((k) => POD_IPS.includes(k)),
        `NodePort on ${host}: ${JSON.stringify(np)}`,
      );
    }

    // A second sync after an endpoint change is partial and still correct.
    const onePod = podsSlice('web');
    onePod.endpoints = onePod.endpoints.slice(0, 1);
    proxier.update({ endpointSlices: [onePod, podsSlice('sticky'), podsSlice('np')] });
    await proxier.syncNow();
    assert.equal(proxier.metrics.failedSyncs, 0);
    assert.equal(proxier.applied?.stats.partial, true);
    assert.deepEqual(connect('10.43.0.50', 80, 6), { [POD_IPS[0]]: 6 });
    assert.ok(proxier.metrics.lastProgrammingLatencyMs > 0);
    await proxier.dispose();

    const before = await backend.listChains();
    assert.ok(before.nat.includes('SKIFF-SERVICES') && before.filter.includes('SKIFF-SERVICES'));
    await backend.cleanup();
    assert.deepEqual(await backend.listChains(), { filter: [], nat: [] });
    assert.doesNotMatch(inNs(NS_CLIENT, 'iptables-save'), /SKIFF/);
    await backend.cleanup(); // idempotent
  });

  it('sets route_localnet for 127.0.0.1 NodePorts and restores the value it found', async () => {
    const localnet = () => inNs(NS_CLIENT, 'cat', ROUTE_LOCALNET).trim();
    const fresh = new ExecIptablesBackend({ prefix: ['ip', 'netns', 'exec', NS_CLIENT] });
    inNs(NS_CLIENT, 'sh', '-c', `echo 0 > ${ROUTE_LOCALNET}`);
    await fresh.enableRouteLocalnet();
    assert.equal(localnet(), '1');
    await fresh.enableRouteLocalnet(); // a second full sync must not record its own 1 as "before"
    await fresh.restoreRouteLocalnet();
    assert.equal(localnet(), '0');
    await fresh.restoreRouteLocalnet(); // idempotent
    assert.equal(localnet(), '0');
    // Found set (by an admin, or an earlier run): left set.
    inNs(NS_CLIENT, 'sh', '-c', `echo 1 > ${ROUTE_LOCALNET}`);
    await fresh.enableRouteLocalnet();
    await fresh.restoreRouteLocalnet();
    assert.equal(localnet(), '1');
  });
});
