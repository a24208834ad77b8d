import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { openMemoryBackend } from '../../storage/memory/memory-backend.ts';
import { parseEncryptionConfig } from './config.ts';
import { encryptingBackend } from './encrypting-backend.ts';

const key1 = randomBytes(32).toString('base64');
const key2 = randomBytes(32).toString('base64');
const config = (providers: string) =>
  parseEncryptionConfig(`
apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
- resources: [secrets, "deployments.apps"]
  providers:
${providers}
`);

const PLAIN = JSON.stringify({
  kind: 'Secret',
  data: { password: Buffer.from('hunter2-super-secret').toString('base64') },
});
const SECRET_KEY = '/registry/core/secrets/default/db';

for (const provider of ['aescbc', 'aesgcm']) {
  test(`${provider}: round trip, ciphertext at rest, other resources untouched`, async () => {
    const raw = openMemoryBackend();
    const b = encryptingBackend(
      raw,
      config(`  - ${provider}:\n      keys:\n      - name: key1\n        secret: ${key1}\n  - identity: {}`),
    );
    await b.create(SECRET_KEY, PLAIN);
    await b.create('/registry/core/configmaps/default/c', '{"kind":"ConfigMap"}');
    const stored = (await raw.get(SECRET_KEY)).kv!.value;
    assert.ok(stored.startsWith(`k8s:enc:${provider}:v1:key1:`), stored.slice(0, 30));
    assert.ok(
      !stored.includes('hunter2') && !stored.includes(Buffer.from('hunter2-super-secret').toString('base64')),
    );
    assert.equal((await raw.get('/registry/core/configmaps/default/c')).kv!.value, '{"kind":"ConfigMap"}');
    assert.equal((await b.get(SECRET_KEY)).kv!.value, PLAIN);
    assert.equal((await b.list('/registry/core/secrets/')).kvs[0].value, PLAIN);
    const rev = await b.currentRevision();
    const w = b.watch('/registry/core/secrets/', rev);
    const it = w[Symbol.asyncIterator]();
    const cur = (await b.get(SECRET_KEY)).kv!;
    await b.update(SECRET_KEY, PLAIN.replace('Secret', 'Secret2'), cur.modRevision);
    const batch = (await it.next()).value!;
    assert.equal(batch[0].value, PLAIN.replace('Secret', 'Secret2'));
    assert.equal(batch[0].prevValue, PLAIN);
    w.close();
    assert.equal((await b.delete(SECRET_KEY)).prev.value, PLAIN.replace('Secret', 'Secret2'));
    await raw.close();
  });
}

test('key rotation: old values stay readable through a later provider; identity reads plaintext', async () => {
  const raw = openMemoryBackend();
  const old = encryptingBackend(
    raw,
    config(`  - aescbc:\n      keys:\n      - name: old\n        secret: ${key1}`),
  );
  await old.create(SECRET_KEY, PLAIN);
  await raw.create('/registry/core/secrets/default/legacy', PLAIN);
  const rotated = encryptingBackend(
    raw,
    config(
      `  - aesgcm:\n      keys:\n      - name: new\n        secret: ${key2}\n  - aescbc:\n      keys:\n      - name: old\n        secret: ${key1}\n  - identity: {}`,
    ),
  );
  assert.equal((await rotated.get(SECRET_KEY)).kv!.value, PLAIN);
  assert.equal((await rotated.get('/registry/core/secrets/default/legacy')).kv!.value, PLAIN);
  await rotated.create('/registry/apps/deployments/default/web', '{"kind":"Deployment"}');
  assert.match(
    (await raw.get('/registry/apps/deployments/default/web')).kv!.value,
    /^k8s:enc:aesgcm:v1:new:/,
  );
  const wrongKey = encryptingBackend(
    raw,
    config(`  - aescbc:\n      keys:\n      - name: other\n        secret: ${key2}`),
  );
  await assert.rejects(wrongKey.get(SECRET_KEY), /no configured encryption provider/);
  await raw.close();
});

test('config errors: bad key sizes and unknown providers', () => {
  assert.throws(
    () =>
      config(
        `  - aescbc:\n      keys:\n      - name: k\n        secret: ${randomBytes(10).toString('base64')}`,
      ),
    /16, 24 or 32 bytes/,
  );
  assert.throws(() => config('  - kms:\n      name: x'), /unsupported provider kms/);
});
