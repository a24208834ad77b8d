// The loopback transport with a plain handler: real HTTP framing over an in-process stream pair.
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, test } from 'node:test';
import { loopbackTransport } from './loopback-transport.ts';
import { readAll } from './rest.ts';

async function until(cond: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 3000;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('loopbackTransport', () => {
  test('round trip: method, path, headers and body arrive; the status and body come back', async () => {
    const seen: { method?: string; url?: string; auth?: string; body: string; remote?: string } = {
      body: '',
    };
    const t = loopbackTransport({
      bearerToken: 'secret',
      handler: (req, res) => {
        seen.method = req.method;
        seen.url = req.url;
        seen.auth = req.headers.authorization;
        seen.remote = req.socket.remoteAddress;
        req.setEncoding('utf8');
        req.on('data', (c) => {
          seen.body += c;
        });
        req.on('end', () => {
          res.writeHead(201, { 'Content-Type': 'application/json', 'X-Test': 'yes' });
          res.end('{"ok":true}');
        });
      },
    });
    try {
      const res = await t.request({ method: 'DELETE', path: '/api/v1/x?y=1', body: '{"a":1}' });
      assert.equal(res.status, 201);
      assert.equal(res.headers['x-test'], 'yes');
      assert.equal(await readAll(res), '{"ok":true}');
      assert.deepEqual(seen, {
        method: 'DELETE',
        url: '/api/v1/x?y=1',
        auth: 'Bearer secret',
        body: '{"a":1}',
        remote: '127.0.0.1',
      });
    } finally {
      t.close();
    }
  });

  test('keeps one connection alive across sequential requests and opens more for parallel ones', async () => {
    const sockets = new Set<unknown>();
    const t = loopbackTransport({
      handler: (req, res) => {
        sockets.add(req.socket);
        setTimeout(() => res.end(req.url), 2);
      },
    });
    try {
      for (let i = 0; i < 20; i++)
        assert.equal(await readAll(await t.request({ method: 'GET', path: `/${i}` })), `/${i}`);
      assert.equal(sockets.size, 1, 'keep-alive reuses the stream pair');
      const bodies = await Promise.all(
        Array.from({ length: 8 }, async (_, i) =>
          readAll(await t.request({ method: 'GET', path: `/p${i}` })),
        ),
      );
      assert.deepEqual(
        bodies,
        Array.from({ length: 8 }, (_, i) => `/p${i}`),
      );
      assert.ok(sockets.size > 1 && sockets.size <= 9);
    } finally {
      t.close();
    }
  });

  test('streams chunks as they are written, and an abort reaches the handler as a closed request', async () => {
    let serverRes: ServerResponse | undefined;
    let closed = false;
    const t = loopbackTransport({
      handler: (req: IncomingMessage, res: ServerResponse) => {
        serverRes = res;
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.flushHeaders();
        req.socket.setTimeout(0); // the API server's watch handler calls these
        req.socket.setNoDelay(true);
        req.on('close', () => {
          closed = true;
        });
      },
    });
    try {
      const ac = new AbortController();
      const res = await t.request({ method: 'GET', path: '/watch', signal: ac.signal });
      res.body.setEncoding('utf8');
      const chunks: string[] = [];
      res.body.on('data', (c: string) => chunks.push(c));
      res.body.on('error', () => {});
      serverRes!.write('one\n');
      await until(() => chunks.join('') === 'one\n', 'the first chunk');
      serverRes!.write('two\n');
      await until(() => chunks.join('') === 'one\ntwo\n', 'the second chunk');
      ac.abort();
      await until(() => closed, 'the server side to notice');
    } finally {
      t.close();
    }
  });

  test('close() tears down open server-side connections', async () => {
    let closed = false;
    const t = loopbackTransport({
      handler: (req, res) => {
        res.writeHead(200);
        res.flushHeaders();
        req.on('close', () => {
          closed = true;
        });
      },
    });
    const res = await t.request({ method: 'GET', path: '/forever' });
    res.body.on('error', () => {});
    t.close();
    await until(() => closed, 'the server request to close');
  });

  test('a handler that throws or rejects still gets an answer', async () => {
    const t = loopbackTransport({
      handler: (req) => {
        if (req.url === '/sync') throw new Error('sync boom');
        return Promise.reject(new Error('async boom'));
      },
    });
    try {
      const a = await t.request({ method: 'GET', path: '/sync' });
      assert.equal(a.status, 500);
      assert.match(await readAll(a), /sync boom/);
      const b = await t.request({ method: 'GET', path: '/async' });
      assert.equal(b.status, 500);
      assert.match(await readAll(b), /async boom/);
    } finally {
      t.close();
    }
  });
});
