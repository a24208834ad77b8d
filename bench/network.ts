// Network benchmark (root): service programming latency with 1,000 Services, and cluster DNS.
//
//   programming_p99_ms_1000_services  an EndpointSlice write through the API (endpoint moves from
//                                     pod a to pod b) → the first connection to the Service's VIP
//                                     answered by pod b; real iptables in a private "node" netns
//                                     (NetnsLab), default 1 s min sync period as kube-proxy
//   dns_qps, dns_p99_ms               UDP A queries for cluster Services, 64 in flight, against
//                                     startClusterDns fed by the same API server
//
// Loops have fixed counts; everything created (namespaces, processes) is removed at the end.
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createInterface } from 'node:readline';
import * as dnsPacket from 'dns-packet';
import type { Service } from 'kubernetes-types/core/v1.d.ts';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.d.ts';
import type { KObject } from '../src/api/object.ts';
import { startTestCluster } from '../src/client/testing/test-cluster.ts';
import { startClusterDns } from '../src/dns/cluster-dns.ts';
import { ExecIptablesBackend } from '../src/proxy/iptables-backend.ts';
import { ENDPOINT_SLICES, SERVICES, startServiceProxy } from '../src/proxy/service-proxy.ts';
import { NetnsLab, requireRootNetworking } from '../src/proxy/testing/netns-lab.ts';
import { createLogger } from '../src/util/log.ts';
import { inFlight, quantile, round } from './stats.ts';
import type { BenchResult } from './types.ts';

const SERVICE_COUNT = 1_000;
const PROGRAMMING_SAMPLES = 20;
const POD_PORT = 8080;
/** Give up on one sample after this long (counted as this value). */
const SAMPLE_TIMEOUT_MS = 10_000;
const DNS_QUERIES = 20_000;
const DNS_IN_FLIGHT = 64;
const DNS_HOST = '127.0.0.31';
const CREATE_IN_FLIGHT = 16;
const quiet = createLogger({ level: 'error', write: () => {} });

const vip = (i: number): string => `10.43.${100 + Math.floor(i / 250)}.${(i % 250) + 1}`;

// A long-lived prober inside the node netns: one "host port" line in, the answer (or error) out.
const PROBER = `
const net = require('node:net');
require('node:readline').createInterface({ input: process.stdin }).on('line', (l) => {
  const [host, port] = l.split(' ');
  const s = net.connect({ host, port: Number(port) });
  let d = '';
  s.setTimeout(500, () => { s.destroy(); console.log('TIMEOUT'); });
  s.on('data', (x) => (d += x));
  s.on('end', () => console.log(d));
  s.on('error', (e) => console.log(e.code));
});`;

export async function run(log: (line: string) => void): Promise<BenchResult> {
  requireRootNetworking();
  const lab = new NetnsLab('10.251.9');
  const cluster = await startTestCluster();
  const client = cluster.http();
  let prober: ReturnType<typeof spawn> | undefined;
  try {
    lab.setUpNode();
    const [bin, ...args] = lab.nodeExec;
    prober = spawn(bin, [...args, process.execPath, '-e', PROBER], { stdio: ['pipe', 'pipe', 'inherit'] });
    const p = prober;
    const a = lab.addPod('a');
    const b = lab.addPod('b');
    await lab.serve('a', [POD_PORT]);
    await lab.serve('b', [POD_PORT]);
    const svcs = client.resource<Service & KObject>(SERVICES, 'default');
    const slices = client.resource<EndpointSlice & KObject>(ENDPOINT_SLICES, 'default');
    const slice = (i: number, ip: string): EndpointSlice & KObject => ({
      metadata: { name: `s${i}-1`, labels: { 'kubernetes.io/service-name': `s${i}` } },
      addressType: 'IPv4',
      ports: [{ port: POD_PORT, protocol: 'TCP' }],
      endpoints: [{ addresses: [ip], conditions: { ready: true } }],
    });
    log(`creating ${SERVICE_COUNT} services`);
    await inFlight(SERVICE_COUNT, CREATE_IN_FLIGHT, async (i) => {
      await svcs.create({
        metadata: { name: `s${i}` },
        spec: { clusterIP: vip(i), ports: [{ port: 80, protocol: 'TCP' }] },
      });
      await slices.create(slice(i, a.ip));
    });

    const proxy = startServiceProxy({
      client,
      nodeName: 'node-1',
      nodeIPs: [lab.gateway],
      clusterCidr: lab.subnet,
      iptables: new ExecIptablesBackend({ prefix: lab.nodeExec }),
      fullSyncPeriodMs: 0,
      log: quiet,
    });
    await proxy.synced;
    const lines = createInterface({ input: p.stdout! })[Symbol.asyncIterator]();
    const probe = async (host: string, port: number): Promise<string> => {
      p.stdin!.write(`${host} ${port}\n`);
      return String((await lines.next()).value);
    };
    const samples: number[] = [];
    for (let n = 0; n < PROGRAMMING_SAMPLES; n++) {
      const i = Math.floor((n * SERVICE_COUNT) / PROGRAMMING_SAMPLES);
      const cur = await slices.get(`s${i}-1`);
      const start = performance.now();
      await slices.update({ ...cur, endpoints: slice(i, b.ip).endpoints });
      while ((await probe(vip(i), 80)) !== b.ip && performance.now() - start < SAMPLE_TIMEOUT_MS);
      samples.push(performance.now() - start);
    }
    log(`programming latency p50 ${round(quantile(samples, 0.5))} ms, max ${round(Math.max(...samples))} ms`);
    await proxy.stop();
    await proxy.cleanup();

    const dns = await startClusterDns({
      client,
      listen: { host: DNS_HOST, port: 0 },
      upstreams: [],
      pods: 'disabled',
      log: quiet,
    });
    await dns.synced;
    const sock = createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    const waiting = new Map<number, () => void>();
    sock.on('message', (m) => waiting.get(m.readUInt16BE(0))?.());
    const latencies: number[] = [];
    const elapsed = await inFlight(DNS_QUERIES, DNS_IN_FLIGHT, async (q) => {
      const id = q % 65_536;
      const msg = dnsPacket.encode({
        type: 'query',
        id,
        flags: dnsPacket.RECURSION_DESIRED,
        questions: [{ name: `s${q % SERVICE_COUNT}.default.svc.cluster.local`, type: 'A' }],
      });
      const t = performance.now();
      await new Promise<void>((resolve) => {
        waiting.set(id, resolve);
        sock.send(msg, dns.address.port, DNS_HOST);
      });
      waiting.delete(id);
      latencies.push(performance.now() - t);
    });
    sock.close();
    await dns.stop();
    return {
      name: 'network',
      metrics: {
        programming_p99_ms_1000_services: { value: round(quantile(samples, 0.99)), unit: 'ms' },
        dns_qps: { value: Math.round(DNS_QUERIES / (elapsed / 1000)), unit: 'queries/s' },
        dns_p99_ms: { value: round(quantile(latencies, 0.99), 3), unit: 'ms' },
      },
    };
  } finally {
    prober?.kill('SIGKILL');
    await cluster.stop();
    lab.destroy();
  }
}
