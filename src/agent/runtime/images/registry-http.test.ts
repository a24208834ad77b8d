import assert from 'node:assert/strict';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { nodeHttp } from '../../../util/node-builtins.ts';
import { registryHttp } from './registry-http.ts';

interface Seen {
  method: string;
  url: string;
  authorization?: string;
  body: string;
}

async function listen(
  host: string,
  handle: (req: IncomingMessage, res: ServerResponse, body: string) => void,
) {
  const seen: Seen[] = [];
  const server: Server = nodeHttp.createServer(async (req, res) => {
    let body = '';
    for await (const c of req) body += c;
    seen.push({
      method: req.method ?? '',
      url: req.url ?? '',
      authorization: req.headers.authorization,
      body,
    });
    handle(req, res, body);
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  const base = `http://${host}:${(server.address() as AddressInfo).port}`;
  return { server, seen, base };
}

describe('registryHttp', () => {
  let origin: Awaited<ReturnType<typeof listen>>;
  let storage: Awaited<ReturnType<typeof listen>>;

  before(async () => {
    // A second loopback address is another origin, as a registry's object store would be.
    storage = await listen('127.0.0.2', (_req, res) => {
      res.setHeader('X-Part', ['a', 'b']);
      res.end('blob-bytes');
    });
    origin = await listen('127.0.0.1', (req, res) => {
      if (req.url === '/blob') {
        res.writeHead(307, { Location: `${storage.base}/signed?x=1` }).end();
      } else if (req.url === '/same') {
        res.writeHead(302, { Location: '/final' }).end();
      } else if (req.url === '/token') {
        res.writeHead(303, { Location: '/final' }).end();
      } else if (req.url === '/loop') {
        res.writeHead(302, { Location: '/loop' }).end();
      } else if (req.url === '/slow') {
        res.writeHead(200);
        res.write('partial');
      } else {
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ ok: true }));
      }
    });
  });

  after(() => {
    origin.server.closeAllConnections();
    storage.server.closeAllConnections();
    origin.server.close();
    storage.server.close();
  });

  it('follows a redirect to another origin without the Authorization header', async () => {
    const res = await registryHttp(new URL(`${origin.base}/blob`), {
      headers: { Authorization: 'Bearer t' },
    });
    assert.equal(res.status, 200);
    assert.equal(res.ok, true);
    assert.equal(res.header('x-part'), 'a, b');
    assert.equal(await res.text(), 'blob-bytes');
    assert.equal(origin.seen.at(-1)?.authorization, 'Bearer t');
    assert.equal(storage.seen.at(-1)?.url, '/signed?x=1');
    assert.equal(storage.seen.at(-1)?.authorization, undefined);
  });

  it('keeps Authorization on a same-origin redirect; a 303 after POST becomes a GET without body', async () => {
    const same = await registryHttp(new URL(`${origin.base}/same`), {
      headers: { Authorization: 'Basic x' },
    });
    assert.deepEqual(await same.json(), { ok: true });
    assert.equal(origin.seen.at(-1)?.authorization, 'Basic x');

    const form = new URLSearchParams({ grant_type: 'refresh_token', scope: 'repository:a:pull' });
    const res = await registryHttp(new URL(`${origin.base}/token`), { method: 'POST', form });
    assert.deepEqual(await res.json(), { ok: true });
    const [post, get] = origin.seen.slice(-2);
    assert.equal(post?.method, 'POST');
    assert.equal(post?.body, 'grant_type=refresh_token&scope=repository%3Aa%3Apull');
    assert.equal(get?.method, 'GET');
    assert.equal(get?.body, '');
  });

  it('gives up on a redirect loop and stops on abort', async () => {
    await assert.rejects(registryHttp(new URL(`${origin.base}/loop`)), /too many redirects/);
    const ac = new AbortController();
    const res = await registryHttp(new URL(`${origin.base}/slow`), { signal: ac.signal });
    assert.equal(res.status, 200);
    ac.abort();
    await assert.rejects(res.text(), /abort/i);
  });
});
