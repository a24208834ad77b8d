// The network transport over real TLS: the server's PKI, an admin kubeconfig with a client
// certificate, and a client that must verify the server against the cluster CA.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ApiError } from '../api/errors.ts';
import { createAuthenticator } from '../apiserver/authn/index.ts';
import { ensurePki, writeKubeconfig } from '../apiserver/pki/index.ts';
import type { ApiServer } from '../apiserver/server.ts';
import { memoryApiServer } from '../apiserver/testing/memory-api-server.ts';
import type { StorageBackend } from '../storage/types.ts';
import { clientForConnection, clientFromKubeconfig } from './index.ts';
import { NAMESPACES } from './resource.ts';

let dir: string;
let api: ApiServer;
let backend: StorageBackend;
let kubeconfig: string;
let server: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'skiff-client-tls-'));
  const pki = await ensurePki(join(dir, 'tls'), { hosts: [], ips: ['127.0.0.1'] });
  ({ api, backend } = memoryApiServer({
    tls: { cert: pki.serverCertPem, key: pki.serverKeyPem, ca: pki.caCertPem },
    authenticator: createAuthenticator({}),
  }));
  const { port } = await api.listen(0, '127.0.0.1');
  server = `https://127.0.0.1:${port}`;
  kubeconfig = join(dir, 'kubeconfig.yaml');
  writeKubeconfig(kubeconfig, {
    server,
    caCertPem: pki.caCertPem,
    clientCertPem: pki.adminCertPem,
    clientKeyPem: pki.adminKeyPem,
  });
});

after(async () => {
  await api.close();
  await backend.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('httpTransport over TLS', () => {
  test('the admin kubeconfig authenticates with its client certificate', async () => {
    const client = await clientFromKubeconfig(kubeconfig);
    try {
      const ns = await client.resource(NAMESPACES).create({ metadata: { name: 'skiff-tls' } });
      assert.equal(ns.metadata?.name, 'skiff-tls');
      const review = await client
        .resource({
          group: 'authentication.k8s.io',
          version: 'v1',
          resource: 'selfsubjectreviews',
          namespaced: false,
          kind: 'SelfSubjectReview',
        })
        .create({ metadata: {} });
      assert.equal(review.status.userInfo.username, 'system:admin');
    } finally {
      client.close();
    }
  });

  test('watches have a pool of their own: a client capped at one request connection still answers', async () => {
    const client = await clientFromKubeconfig(kubeconfig, { maxSockets: 1 });
    const ac = new AbortController();
    try {
      const watches = [0, 1, 2].map(() => client.resource(NAMESPACES).watch({ signal: ac.signal }));
      await Promise.all(watches);
      // Three open watches; with one pool of one socket this request would wait for ever.
      const list = await Promise.race([
        client.resource(NAMESPACES).list(),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('request starved')), 5000)),
      ]);
      assert.ok(Array.isArray(list.items));
    } finally {
      ac.abort();
      client.close();
    }
  });

  test('without a client certificate the server answers 401; without the CA the client refuses', async () => {
    const anon = clientForConnection({ server, ca: readFileSync(join(dir, 'tls', 'ca.crt')) });
    try {
      await assert.rejects(anon.resource(NAMESPACES).list(), (e) => e instanceof ApiError && e.code === 401);
    } finally {
      anon.close();
    }
    const untrusting = clientForConnection({ server });
    try {
      await assert.rejects(
        untrusting.resource(NAMESPACES).list(),
        /self.signed|unable to verify|certificate/i,
      );
    } finally {
      untrusting.close();
    }
  });
});
