import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { inClusterConnection, resolveKubeconfig } from './kubeconfig.ts';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'skiff-kubeconfig-'));
  writeFileSync(join(dir, 'ca.pem'), 'CA FILE');
  writeFileSync(join(dir, 'ca.crt'), 'SA CA');
  writeFileSync(join(dir, 'token'), 'sa-token');
});
after(() => rmSync(dir, { recursive: true, force: true }));

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('resolveKubeconfig', () => {
  const doc = () => ({
    'current-context': 'main',
    clusters: [
      {
        name: 'inline',
        cluster: { server: 'https://10.0.0.1:6443', 'certificate-authority-data': b64('CA DATA') },
      },
      {
        name: 'files',
        cluster: {
          server: 'https://h:6443',
          'certificate-authority': 'ca.pem',
          'insecure-skip-tls-verify': true,
          'tls-server-name': 'api.local',
        },
      },
    ],
    users: [
      { name: 'cert', user: { 'client-certificate-data': b64('CERT'), 'client-key-data': b64('KEY') } },
      { name: 'tok', user: { token: 'abc' } },
    ],
    contexts: [
      { name: 'main', context: { cluster: 'inline', user: 'cert' } },
      { name: 'alt', context: { cluster: 'files', user: 'tok' } },
      { name: 'broken', context: { cluster: 'nope', user: 'tok' } },
    ],
  });

  test('the current context with embedded data', () => {
    const c = resolveKubeconfig(doc(), dir);
    assert.equal(c.server, 'https://10.0.0.1:6443');
    assert.equal(c.ca?.toString(), 'CA DATA');
    assert.equal(c.cert?.toString(), 'CERT');
    assert.equal(c.key?.toString(), 'KEY');
    assert.equal(c.token, undefined);
  });

  test('a named context with files relative to the kubeconfig and a token', () => {
    const c = resolveKubeconfig(doc(), dir, 'alt');
    assert.equal(c.ca?.toString(), 'CA FILE');
    assert.equal(c.token, 'abc');
    assert.equal(c.insecureSkipTlsVerify, true);
    assert.equal(c.tlsServerName, 'api.local');
  });

  test('missing pieces are named in the error', () => {
    assert.throws(() => resolveKubeconfig(doc(), dir, 'nope'), /context "nope" not found/);
    assert.throws(() => resolveKubeconfig(doc(), dir, 'broken'), /cluster "nope" has no server/);
    assert.throws(() => resolveKubeconfig({}, dir), /no current-context/);
  });
});

describe('inClusterConnection', () => {
  test('reads the service environment and the mounted credentials', () => {
    const c = inClusterConnection(
      { KUBERNETES_SERVICE_HOST: '10.43.0.1', KUBERNETES_SERVICE_PORT: '443' },
      dir,
    );
    assert.equal(c.server, 'https://10.43.0.1:443');
    assert.equal(c.ca?.toString(), 'SA CA');
    assert.equal(c.tokenFile, join(dir, 'token'));
    assert.equal(
      inClusterConnection({ KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' }, dir).server,
      'https://[fd00::1]:443',
    );
    assert.throws(() => inClusterConnection({}, dir), /KUBERNETES_SERVICE_HOST/);
  });
});
