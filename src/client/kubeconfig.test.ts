import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
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

describe('loadKubeconfig', () => {
  /** Loads the file in a fresh process; reports the server and whether the YAML library loaded. */
  function loadInChild(path: string): { server: string; yamlLoaded: boolean } {
    const mod = new URL('./kubeconfig.ts', import.meta.url).href;
    const r = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { loadKubeconfig } = await import(${JSON.stringify(mod)});
         const { createRequire } = await import('node:module');
         const c = await loadKubeconfig(${JSON.stringify(path)});
         const cache = Object.keys(createRequire(import.meta.url).cache);
         console.log(JSON.stringify({ server: c.server, yamlLoaded: cache.some((k) => k.includes('/node_modules/yaml/')) }));`,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout);
  }
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster: { server: 'https://10.0.0.9:6443' } }],
    users: [{ name: 'u', user: { token: 't' } }],
    contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
    'current-context': 'x',
  };

  test('a JSON kubeconfig (what a joined node writes) is read without the YAML library', () => {
    const path = join(dir, 'node.json.yaml');
    writeFileSync(path, JSON.stringify(config, null, 2));
    assert.deepEqual(loadInChild(path), { server: 'https://10.0.0.9:6443', yamlLoaded: false });
  });

  test('a YAML kubeconfig, even one opening with a flow mapping, goes through the YAML parser', () => {
    const block = join(dir, 'block.yaml');
    writeFileSync(
      block,
      'apiVersion: v1\nclusters:\n- name: c\n  cluster:\n    server: https://10.0.0.9:6443\n' +
        'users:\n- name: u\n  user:\n    token: t\ncontexts:\n- name: x\n  context:\n    cluster: c\n    user: u\n' +
        'current-context: x\n',
    );
    assert.deepEqual(loadInChild(block), { server: 'https://10.0.0.9:6443', yamlLoaded: true });
    const flow = join(dir, 'flow.yaml');
    writeFileSync(
      flow,
      "{current-context: x, clusters: [{name: c, cluster: {server: 'https://10.0.0.9:6443'}}], " +
        'users: [{name: u, user: {token: t}}], contexts: [{name: x, context: {cluster: c, user: u}}]}\n',
    );
    assert.deepEqual(loadInChild(flow), { server: 'https://10.0.0.9:6443', yamlLoaded: true });
  });
});
