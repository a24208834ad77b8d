import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ContentStore, sha256Digest } from './content-store.ts';
import { isImageError } from './errors.ts';

async function* body(...parts: Buffer[]): AsyncIterable<Uint8Array> {
  for (const p of parts) yield p;
}

describe('ContentStore', () => {
  let root: string;
  let store: ContentStore;
  const data = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyz'.repeat(100));
  const digest = sha256Digest(data);

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'skiff-cas-'));
    store = new ContentStore(root);
    await store.init();
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('resumes a partial download with a range request', async () => {
    await writeFile(join(root, 'ingest', digest.slice(7)), data.subarray(0, 1000));
    const offsets: number[] = [];
    await store.ingest(digest, data.length, async (offset) => {
      offsets.push(offset);
      return { body: body(data.subarray(offset)), resumed: true };
    });
    assert.deepEqual(offsets, [1000]);
    assert.deepEqual(await store.read(digest), data);
    await assert.rejects(stat(join(root, 'ingest', digest.slice(7))), /ENOENT/);
    await store.delete(digest);
  });

  it('restarts when the server ignores the range (HTTP 200)', async () => {
    await writeFile(join(root, 'ingest', digest.slice(7)), Buffer.from('garbage-that-must-not-survive'));
    await store.ingest(digest, data.length, async () => ({ body: body(data), resumed: false }));
    assert.deepEqual(await store.read(digest), data);
    await store.delete(digest);
  });

  it('rejects wrong content and wrong sizes without storing anything', async () => {
    const wrong = Buffer.from(data);
    wrong[5] ^= 1;
    await assert.rejects(
      store.ingest(digest, data.length, async () => ({ body: body(wrong), resumed: false })),
      (err) => isImageError(err, 'DigestMismatch'),
    );
    await assert.rejects(
      store.ingest(digest, 10, async () => ({ body: body(data), resumed: false })),
      (err) => isImageError(err, 'DigestMismatch'),
    );
    assert.equal(await store.has(digest), false);
    assert.deepEqual(await store.list(), []);
    await assert.rejects(store.put(data, sha256Digest('x')), (err) => isImageError(err, 'DigestMismatch'));
    assert.equal(await store.put(data, digest), digest);
    assert.equal((await readFile(store.blobPath(digest))).length, data.length);
    assert.deepEqual(await store.list(), [digest]);
  });
});
