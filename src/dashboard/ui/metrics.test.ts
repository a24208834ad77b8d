import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Api } from './api.ts';
import { parseQuantity, sampleUsage } from './metrics.ts';

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
  const s = await sampleUsage(new Api('t', '', fetchImpl), 42);
  assert.deepEqual(s?.nodes.get('n1'), [0.5, 2 ** 30]);
  const pod = s?.pods.get('default/p');
  assert.ok(pod && Math.abs(pod[0] - 0.15) < 1e-9 && pod[1] === 16 * 2 ** 20);
});
