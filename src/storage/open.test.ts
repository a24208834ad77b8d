import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openBackend, parseEndpoint } from './open.ts';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'skiff-open-test-'));
  dirs.push(d);
  return d;
};
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('parseEndpoint', () => {
  it('maps every accepted form', () => {
    assert.deepEqual(parseEndpoint('', '/var/lib/skiff'), {
      kind: 'sqlite',
      path: '/var/lib/skiff/db/state.db',
      synchronous: 'NORMAL',
    });
    assert.deepEqual(parseEndpoint('sqlite:///tmp/x.db', '/d'), {
      kind: 'sqlite',
      path: '/tmp/x.db',
      synchronous: 'NORMAL',
    });
    assert.deepEqual(parseEndpoint('sqlite:///tmp/x.db?synchronous=full', '/d'), {
      kind: 'sqlite',
      path: '/tmp/x.db',
      synchronous: 'FULL',
    });
    assert.deepEqual(parseEndpoint('etcd://127.0.0.1:2379,127.0.0.2:2379', '/d'), {
      kind: 'etcd',
      endpoints: ['http://127.0.0.1:2379', 'http://127.0.0.2:2379'],
    });
    assert.deepEqual(parseEndpoint('http://127.0.0.1:2379/,http://127.0.0.1:2380', '/d'), {
      kind: 'etcd',
      endpoints: ['http://127.0.0.1:2379', 'http://127.0.0.1:2380'],
    });
    assert.deepEqual(parseEndpoint('memory://', '/d'), { kind: 'memory' });
  });

  it('rejects what it cannot serve, saying what is accepted', () => {
    assert.throws(() => parseEndpoint('sqlite://relative.db', '/d'), /must be absolute/);
    assert.throws(() => parseEndpoint('sqlite:///x.db?synchronous=OFF', '/d'), /synchronous must be one of/);
    assert.throws(() => parseEndpoint('etcd://', '/d'), /etcd:\/\/host:port/);
    assert.throws(() => parseEndpoint('etcd://host', '/d'), /etcd:\/\/host:port/);
    assert.throws(() => parseEndpoint('https://127.0.0.1:2379', '/d'), /TLS/);
    assert.throws(() => parseEndpoint('postgres://x', '/d'), /unsupported datastore endpoint/);
  });
});

describe('openBackend', () => {
  it("'' opens SQLite at <dataDir>/db/state.db", async () => {
    const dir = tempDir();
    const b = await openBackend('', { dataDir: dir });
    try {
      assert.equal(b.name, 'sqlite');
      await b.create('/registry/x', 'v');
      assert.ok(existsSync(join(dir, 'db', 'state.db')));
    } finally {
      await b.close();
    }
  });

  it('sqlite:/// opens that file; a second opener of the same file is refused while the first runs', async () => {
    const path = join(tempDir(), 'nested', 'my.db');
    const b = await openBackend(`sqlite://${path}`, { dataDir: '/nonexistent' });
    try {
      const kv = await b.create('/registry/x', 'v');
      await assert.rejects(
        openBackend(`sqlite://${path}`, { dataDir: '/nonexistent' }),
        /in use by another process/,
      );
      assert.equal((await b.get('/registry/x')).kv?.modRevision, kv.modRevision);
    } finally {
      await b.close();
    }
    const again = await openBackend(`sqlite://${path}`, { dataDir: '/nonexistent' });
    assert.equal((await again.get('/registry/x')).kv?.value, 'v');
    await again.close();
  });

  it('memory:// opens an empty in-memory store at revision 1', async () => {
    const b = await openBackend('memory://', { dataDir: '/nonexistent' });
    assert.equal(b.name, 'memory');
    assert.equal(await b.currentRevision(), 1);
    await b.close();
  });

  it('etcd:// with nothing listening fails at open, naming the endpoint', { timeout: 60_000 }, async () => {
    await assert.rejects(
      openBackend('etcd://127.0.0.1:1', { dataDir: '/nonexistent', etcdConnectTimeoutMs: 500 }),
      /cannot reach etcd at http:\/\/127\.0\.0\.1:1/,
    );
  });
});
