import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createCa, issueLeaf, stopIssuer } from './issuer.ts';

test('the issuer process issues a CA and a leaf it signed', async (t) => {
  t.after(stopIssuer);
  const ca = await createCa('skiff-test-ca');
  const leaf = await issueLeaf(ca, {
    commonName: 'system:node:n1',
    organizations: ['system:nodes'],
    usage: 'client',
  });
  const caCert = new X509Certificate(ca.certPem);
  const cert = new X509Certificate(leaf.certPem);
  assert.ok(cert.verify(caCert.publicKey));
  assert.equal(cert.subject, 'CN=system:node:n1\nO=system:nodes');
  assert.match(leaf.keyPem, /^-----BEGIN PRIVATE KEY-----/);
});

test('a bad request is rejected with the issuer error, and the next call still works', async (t) => {
  t.after(stopIssuer);
  await assert.rejects(
    issueLeaf({ certPem: 'not a pem', keyPem: 'nor this' }, { commonName: 'x', usage: 'client' }),
  );
  const ca = await createCa('skiff-test-ca-2');
  assert.match(ca.certPem, /BEGIN CERTIFICATE/);
});

test('the X.509 library never loads in the calling process, and an idle issuer lets the process exit', (t) => {
  const mod = new URL('./issuer.ts', import.meta.url).href;
  const script = `
    import { createRequire } from 'node:module';
    const { createCa, issueLeaf } = await import(${JSON.stringify(mod)});
    const ca = await createCa('c');
    await issueLeaf(ca, { commonName: 'u', usage: 'client' });
    const loaded = Object.keys(createRequire(import.meta.url).cache).filter((k) => k.includes('@peculiar'));
    console.log(JSON.stringify(loaded));`;
  // A module file: the caller is an ordinary program, as the server is.
  const dir = mkdtempSync(join(tmpdir(), 'skiff-issuer-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'main.mjs');
  writeFileSync(file, script);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), []);
  // Exited by itself: the idle child is unref'd (the timeout above would have killed it otherwise).
  assert.ok(Date.now() - t0 < 15_000);
});
