// Micro benchmark (not a test): queries/s and latency percentiles over loopback UDP, with a bounded
// number of queries and a fixed concurrency. Run: node_modules/.bin/node src/dns/server.bench.ts
import { createSocket } from 'node:dgram';
import * as dnsPacket from 'dns-packet';
import { createLogger } from '../util/log.ts';
import { DnsServer } from './server.ts';
import { fixtureIndex } from './test-fixtures.ts';

const QUERIES = 20_000;
/** A reply not back within this long counts as lost, so the loop always ends. */
const LOSS_TIMEOUT_MS = 1_000;
const CONCURRENCY = 32;
const HOST = '127.0.0.10';
const NAMES = [
  'web.testns.svc.cluster.local',
  'db.testns.svc.cluster.local',
  'nope.testns.svc.cluster.local',
  '_http._tcp.web.testns.svc.cluster.local',
];

const server = new DnsServer({
  index: fixtureIndex(),
  host: HOST,
  port: 0,
  logger: createLogger({ level: 'error' }),
});
const { port } = await server.start();
const client = createSocket('udp4');
await new Promise<void>((r) => client.bind(0, '127.0.0.1', () => r()));

const pending = new Map<number, { start: number; done: () => void }>();
const latencies: number[] = [];
client.on('message', (msg) => {
  const id = msg.readUInt16BE(0);
  const p = pending.get(id);
  if (!p) return;
  pending.delete(id);
  latencies.push(performance.now() - p.start);
  p.done();
});

let sent = 0;
let lost = 0;
const worker = async (): Promise<void> => {
  while (sent < QUERIES) {
    const id = sent++ % 65536;
    const name = NAMES[id % NAMES.length];
    const buf = dnsPacket.encode({
      type: 'query',
      id,
      questions: [{ type: name.startsWith('_') ? 'SRV' : 'A', name }],
    });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        lost++;
        resolve();
      }, LOSS_TIMEOUT_MS);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      pending.set(id, { start: performance.now(), done });
      client.send(buf, port, HOST);
    });
  }
};
const t0 = performance.now();
await Promise.all(Array.from({ length: CONCURRENCY }, worker));
const seconds = (performance.now() - t0) / 1000;
latencies.sort((a, b) => a - b);
const pct = (p: number) =>
  latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))].toFixed(3);
console.table([
  {
    queries: latencies.length,
    lost,
    concurrency: CONCURRENCY,
    'queries/s': Math.round(latencies.length / seconds),
    'p50 ms': pct(0.5),
    'p99 ms': pct(0.99),
  },
]);
client.close();
await server.close();
