import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Node } from 'kubernetes-types/core/v1.d.ts';
import type { KObject } from '../../api/object.ts';
import { NODES, type RestClient } from '../../client/index.ts';
import { startTestCluster, type TestCluster } from '../../client/testing/test-cluster.ts';
import { nodeServingRequest } from './csr-request.ts';
import {
  ensureServingCertificate,
  KUBELET_SERVING_SIGNER,
  KUBELET_SERVING_USAGES,
  SERVING_CERT_FILE,
  servingCertUsable,
  servingNames,
} from './serving-cert.ts';
import { CSRS } from './tls-bootstrap.ts';

type X509 = typeof import('@peculiar/x509');
const ECDSA = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;
const SAN_OID = '2.5.29.17';

let x509: X509;
let ca: { certPem: string; keys: webcrypto.CryptoKeyPair };

async function keys(): Promise<webcrypto.CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ECDSA, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
}

/** Plays the signer: a certificate for the request, valid `days` from `from`. */
async function sign(csrPem: string, days = 365, from = Date.now() - 60_000): Promise<string> {
  const csr = new x509.Pkcs10CertificateRequest(csrPem);
  const san = csr.extensions.find((e) => e.type === SAN_OID);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: '02',
    subject: csr.subjectName,
    issuer: new x509.X509Certificate(ca.certPem).subjectName,
    notBefore: new Date(from),
    notAfter: new Date(from + days * DAY_MS),
    signingAlgorithm: SIGN,
    publicKey: csr.publicKey,
    signingKey: ca.keys.privateKey as never,
    extensions: san ? [san] : [],
  });
  return cert.toString('pem');
}

before(async () => {
  await import('reflect-metadata');
  x509 = await import('@peculiar/x509');
  x509.cryptoProvider.set(webcrypto as never);
  const k = await keys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=skiff-test-ca',
    notBefore: new Date(Date.now() - DAY_MS),
    notAfter: new Date(Date.now() + 3650 * DAY_MS),
    signingAlgorithm: SIGN,
    keys: k as never,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
  });
  ca = { certPem: cert.toString('pem'), keys: k };
});

describe('the serving certificate request', () => {
  it('names the node in system:nodes with its name and InternalIP as SANs, self-signed', async () => {
    const { csrPem, keyPem } = await nodeServingRequest('skiff-b', servingNames('skiff-b', '10.210.0.3'));
    assert.match(keyPem, /^-----BEGIN PRIVATE KEY-----/);
    const csr = new x509.Pkcs10CertificateRequest(csrPem);
    assert.ok(await csr.verify());
    assert.deepEqual(csr.subjectName.getField('CN'), ['system:node:skiff-b']);
    assert.deepEqual(csr.subjectName.getField('O'), ['system:nodes']);
    const san = csr.extensions.find((e) => e.type === SAN_OID);
    assert.ok(san, 'a subjectAltName extension');
    assert.deepEqual(new x509.SubjectAlternativeNameExtension(san.rawData).names.toJSON(), [
      { type: 'dns', value: 'skiff-b' },
      { type: 'ip', value: '10.210.0.3' },
    ]);
  });

  it('keeps a certificate only while it is current, from the CA and naming this node', async () => {
    const names = servingNames('skiff-b', '10.210.0.3');
    const { csrPem } = await nodeServingRequest('skiff-b', names);
    const good = await sign(csrPem);
    assert.equal(servingCertUsable(good, ca.certPem, names), true);
    assert.equal(servingCertUsable(good, ca.certPem, servingNames('skiff-b', '10.210.0.4')), false, 'new IP');
    assert.equal(
      servingCertUsable(good, ca.certPem, servingNames('skiff-c', '10.210.0.3')),
      false,
      'renamed',
    );
    // Less than a fifth of its life left: renewed.
    assert.equal(
      servingCertUsable(await sign(csrPem, 10, Date.now() - 9 * DAY_MS), ca.certPem, names),
      false,
    );
    const other = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: '03',
      name: 'CN=skiff-other-ca',
      notBefore: new Date(Date.now() - DAY_MS),
      notAfter: new Date(Date.now() + DAY_MS),
      signingAlgorithm: SIGN,
      keys: (await keys()) as never,
    });
    assert.equal(servingCertUsable(good, other.toString('pem'), names), false, 'another CA');
    assert.equal(servingCertUsable('not a certificate', ca.certPem, names), false);
  });
});

describe('ensureServingCertificate', () => {
  let cluster: TestCluster;
  let dir: string;
  let client: RestClient;
  before(async () => {
    cluster = await startTestCluster(['default']);
    dir = await mkdtemp(path.join(os.tmpdir(), 'skiff-serving-'));
    client = cluster.loopback();
    await client.resource<Node & KObject>(NODES).create({ metadata: { name: 'skiff-sv' } } as Node & KObject);
  });
  after(async () => {
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('posts the node address, asks with a kubelet-serving CSR, keeps the result and reuses it', async () => {
    const seen: KObject[] = [];
    const signer = (async () => {
      for (;;) {
        const [csr] = (await client.resource(CSRS).list()).items;
        if (csr) {
          seen.push(csr);
          const pem = await sign(Buffer.from(csr.spec!.request, 'base64').toString('utf8'));
          await client
            .resource(CSRS)
            .updateStatus({ ...csr, status: { certificate: Buffer.from(pem).toString('base64') } });
          return;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const opts = { client, nodeName: 'skiff-sv', dataDir: dir, caPem: ca.certPem, internalIP: '192.0.2.30' };
    const first = await ensureServingCertificate(opts);
    await signer;
    assert.ok(first.csrName);
    assert.equal(seen[0]?.spec?.signerName, KUBELET_SERVING_SIGNER);
    assert.deepEqual(seen[0]?.spec?.usages, KUBELET_SERVING_USAGES);
    const node = await client.resource<Node & KObject>(NODES).get('skiff-sv');
    assert.deepEqual(node.status?.addresses, [
      { type: 'InternalIP', address: '192.0.2.30' },
      { type: 'Hostname', address: 'skiff-sv' },
    ]);
    const certFile = path.join(dir, SERVING_CERT_FILE);
    assert.equal(await readFile(certFile, 'utf8'), first.certPem);
    assert.equal((await stat(certFile)).mode & 0o777, 0o600);
    // A restart: no new CSR, the same certificate and key.
    const again = await ensureServingCertificate(opts);
    assert.equal(again.csrName, undefined);
    assert.equal(again.certPem, first.certPem);
    assert.equal(again.keyPem, first.keyPem);
    assert.equal((await client.resource(CSRS).list()).items.length, 1);
  });

  it('gives up with the CSR named when nobody signs it in time', async () => {
    await assert.rejects(
      ensureServingCertificate({
        client,
        nodeName: 'skiff-sv',
        dataDir: path.join(dir, 'other'),
        caPem: ca.certPem,
        internalIP: '192.0.2.30',
        waitMs: 300,
      }),
      /certificate signing request node-serving-[0-9a-f]{40} was not approved and signed within 0 s/,
    );
  });
});
