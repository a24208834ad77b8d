import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { nodeHttp } from '../util/node-builtins.ts';
import { closeIdleSockets } from './idle-sockets.ts';

let server: import('node:http').Server;
let port: number;

before(async () => {
  server = nodeHttp.createServer((req, res) => {
    // /slow answers after 400 ms: longer than the idle limit, shorter than the test's patience.
    const delay = req.url === '/slow' ? 400 : 0;
    setTimeout(() => res.end('ok'), delay);
  });
  server.keepAliveTimeout = 60_000; // as the API server: it would keep idle sockets for a minute
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
after(() => new Promise<void>((r) => server.close(() => r())));

/** Established TCP connections to 127.0.0.1:port, client side (/proc/net/tcp). */
function clientSockets(): number {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f[2] === `0100007F:${hexPort}` && f[3] === '01').length;
}

function get(agent: import('node:http').Agent, path = '/'): Promise<string> {
  return new Promise((resolve, reject) => {
    nodeHttp
      .get({ host: '127.0.0.1', port, path, agent }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('sockets a burst opened close once idle; without the limit they stay open', async () => {
  const limited = closeIdleSockets(new nodeHttp.Agent({ keepAlive: true, maxSockets: 64 }), 200);
  const plain = new nodeHttp.Agent({ keepAlive: true, maxSockets: 64 });
  try {
    await Promise.all(Array.from({ length: 12 }, () => get(limited)));
    await Promise.all(Array.from({ length: 12 }, () => get(plain)));
    assert.equal(clientSockets(), 24);
    await sleep(500);
    assert.equal(clientSockets(), 12, 'only the unlimited pool still holds its sockets');
  } finally {
    limited.destroy();
    plain.destroy();
  }
});

test('a reused socket is not timed out while its request runs past the idle limit', async () => {
  const agent = closeIdleSockets(new nodeHttp.Agent({ keepAlive: true, maxSockets: 1 }), 200);
  try {
    assert.equal(await get(agent), 'ok');
    assert.equal(await get(agent, '/slow'), 'ok'); // same socket (maxSockets 1), 400 ms busy
    assert.equal(await get(agent), 'ok');
    assert.equal(clientSockets(), 1);
  } finally {
    agent.destroy();
  }
});
