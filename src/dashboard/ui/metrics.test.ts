import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Api } from './api.ts';
import { formatCpu, formatMemory, parseQuantity, sampleUsage, topPods } from './metrics.ts';

test('quantities', () => {
  const cases: [string, number][] = [
    ['250m', 0.25],
    ['2', 2],
    ['12345678n', 0.012345678],
    ['1536Ki', 1536 * 1024],
    ['1Gi', 2 ** 30],
    ['1.5G', 1.5e9],
    ['100u', 1e-4],
  ];
  for (const [q, want] of cases) assert.ok(Math.abs(parseQuantity(q) - want) < 1e-12, q);
  assert.throws(() => parseQuantity('12Xi'));
});

const respond = (status: number, body: unknown) => async () =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

test('no metrics API (404) reads as unavailable, not an error', async () => {
  const api = new Api(
    't',
    '',
    respond(404, { kind: 'Status', message: 'the server could not find the requested resource', code: 404 }),
  );
  assert.equal(await sampleUsage(api), undefined);
});

test('a sample sums containers per pod', async () => {
  const fetchImpl = async (url: string | URL | Request) =>
    String(url).endsWith('/nodes')
      ? respond(200, { items: [{ metadata: { name: 'n1' }, usage: { cpu: '500m', memory: '1Gi' } }] })()
      : respond(200, {
          items: [
            {
              metadata: { name: 'p', namespace: 'default' },
              containers: [
                { usage: { cpu: '100m', memory: '10Mi' } },
                { usage: { cpu: '50m', memory: '6Mi' } },
              ],
            },
          ],
        })();
  // The pod metrics are asked for only once the node metrics answered (one scrape serves both).
  const log: string[] = [];
  const ordered = async (url: string | URL | Request) => {
    const which = String(url).endsWith('/nodes') ? 'nodes' : 'pods';
    log.push(`${which} asked`);
    await new Promise((r) => setTimeout(r, 5));
    log.push(`${which} answered`);
    return fetchImpl(url);
  };
  const s = await sampleUsage(new Api('t', '', ordered), 42);
  assert.deepEqual(log, ['nodes asked', 'nodes answered', 'pods asked', 'pods answered']);
  assert.deepEqual(s?.nodes.get('n1'), [0.5, 2 ** 30]);
  const pod = s?.pods.get('default/p');
  assert.ok(pod && Math.abs(pod[0] - 0.15) < 1e-9 && pod[1] === 16 * 2 ** 20);
});

test('top pods: busiest CPU first, then memory, limited; printed like kubectl top', () => {
  const sample = {
    time: 0,
    nodes: new Map(),
    pods: new Map<string, [number, number]>([
      ['default/idle', [0, 5 * 2 ** 20]],
      ['kube-system/dns', [0.002, 12 * 2 ** 20]],
      ['default/busy', [0.25, 3 * 2 ** 20]],
      ['default/idle-big', [0, 9 * 2 ** 20]],
    ]),
  };
  const top = topPods(sample, 3);
  assert.deepEqual(
    top.map((p) => `${p.namespace}/${p.name}`),
    ['default/busy', 'kube-system/dns', 'default/idle-big'],
  );
  assert.equal(formatCpu(top[0]?.cpu ?? -1), '250m');
  assert.equal(formatCpu(0.0004), '0m');
  assert.equal(formatMemory(top[1]?.memory ?? -1), '12Mi');
  assert.equal(formatMemory(300 * 1024), '300Ki');
});
