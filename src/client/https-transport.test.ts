// The network transport over real TLS: the server's PKI, an admin kubeconfig with a client
// certificate, and a client that must verify the server against the cluster CA.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ApiError } from '../api/errors.ts';
import { ALL_KINDS } from '../api/kinds/index.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from '../api/validation/index.ts';
import { createAuthenticator } from '../apiserver/authn/index.ts';
import { ensurePki, writeKubeconfig } from '../apiserver/pki/index.ts';
import { ApiServer } from '../apiserver/server.ts';
import { openMemoryBackend } from '../storage/memory/memory-backend.ts';
import { clientForConnection, clientFromKubeconfig } from './index.ts';
import { NAMESPACES } from './resource.ts';

let dir: string;
let api: ApiServer;
let backend: ReturnType<typeof openMemoryBackend>;
let kubeconfig: string;
let server: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'skiff-client-tls-'));
  const pki = await ensurePki(join(dir, 'tls'), { hosts: [], ips: ['127.0.0.1'] });
  backend = openMemoryBackend();
  api = new ApiServer({
    backend,
    kinds: ALL_KINDS,
    validateMeta: validateObjectMeta,
    validateMetaUpdate: validateObjectMetaUpdate,
    tls: { cert: pki.serverCertPem, key: pki.serverKeyPem, ca: pki.caCertPem },
    authenticator: createAuthenticator({}),
  });
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

/** Established TCP connections from this process's clients to 127.0.0.1:port (/proc/net/tcp). */
function establishedTo(port: number): number {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f[2] === `0100007F:${hexPort}` && f[3] === '01').length;
}

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

  test('after a burst of requests only a few idle sockets stay open', async () => {
    const client = await clientFromKubeconfig(kubeconfig);
    try {
      const port = Number(new URL(server).port);
      let peak = 0;
      const sampler = setInterval(() => {
        peak = Math.max(peak, establishedTo(port));
      }, 2);
      await Promise.all(Array.from({ length: 24 }, () => client.resource(NAMESPACES).list()));
      clearInterval(sampler);
      // Sockets over the idle limit close as their responses finish.
      await new Promise((r) => setTimeout(r, 200));
      const idle = establishedTo(port);
      assert.ok(peak > 4, `the burst used ${peak} sockets`);
      assert.ok(idle <= 4, `${idle} sockets left open after the burst`);
    } finally {
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
