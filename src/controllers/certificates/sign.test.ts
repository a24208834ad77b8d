import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { parseCsrRequest, USAGE_CLIENT_AUTH, USAGE_DIGITAL_SIGNATURE, USAGE_SERVER_AUTH } from './csr.ts';
import {
  validateApiServerClientUsages,
  validateKubeletClientCsr,
  validateKubeletServingCsr,
} from './kubelet-client.ts';
import { MIN_REQUESTED_TTL_MS, type SigningCa, signingDuration, signRequest } from './sign.ts';
import { testCa, testRequest } from './test-fixtures.ts';

const HOUR_MS = 3_600_000;
const CLIENT = [USAGE_DIGITAL_SIGNATURE, USAGE_CLIENT_AUTH];

describe('CSR parsing, recognition and signing', () => {
  let ca: SigningCa;
  before(async () => {
    ca = await testCa();
  });

  it('reads subject and SANs from a request and rejects non-requests', async () => {
    const req = await parseCsrRequest(
      await testRequest('CN=system:node:skiff-a, O=system:nodes', { dns: ['skiff-a'], ips: ['10.0.0.1'] }),
    );
    assert.equal(req.commonName, 'system:node:skiff-a');
    assert.deepEqual(req.organizations, ['system:nodes']);
    assert.deepEqual(req.dnsNames, ['skiff-a']);
    assert.deepEqual(req.ips, ['10.0.0.1']);
    await assert.rejects(parseCsrRequest(Buffer.from('not pem').toString('base64')), /CERTIFICATE REQUEST/);
  });

  it('recognizes kubelet client requests with upstream messages', async () => {
    const good = await parseCsrRequest(await testRequest('CN=system:node:skiff-a, O=system:nodes'));
    assert.equal(validateKubeletClientCsr(good, CLIENT), undefined);
    assert.equal(validateKubeletClientCsr(good, [...CLIENT, 'key encipherment']), undefined);
    assert.equal(
      validateKubeletClientCsr(good, [USAGE_SERVER_AUTH]),
      'usages did not match [client auth digital signature key encipherment]',
    );
    const wrongOrg = await parseCsrRequest(await testRequest('CN=system:node:skiff-a, O=skiff'));
    assert.equal(validateKubeletClientCsr(wrongOrg, CLIENT), 'subject organization is not system:nodes');
    const wrongCn = await parseCsrRequest(await testRequest('CN=skiff-a, O=system:nodes'));
    assert.equal(
      validateKubeletClientCsr(wrongCn, CLIENT),
      'subject common name does not begin with system:node:',
    );
    const withDns = await parseCsrRequest(
      await testRequest('CN=system:node:a, O=system:nodes', { dns: ['a'] }),
    );
    assert.equal(validateKubeletClientCsr(withDns, CLIENT), 'DNS subjectAltNames are not allowed');
    assert.equal(
      validateKubeletServingCsr(good, [USAGE_DIGITAL_SIGNATURE, USAGE_SERVER_AUTH]),
      'DNS or IP subjectAltName is required',
    );
    assert.equal(
      validateApiServerClientUsages([USAGE_SERVER_AUTH]),
      'invalid usage for client certificate: server auth',
    );
    assert.equal(
      validateApiServerClientUsages([]),
      'missing required usage for client certificate: client auth',
    );
  });

  it('clamps requested durations to [10 min, TTL]', () => {
    assert.equal(signingDuration(undefined, 24 * HOUR_MS), 24 * HOUR_MS);
    assert.equal(signingDuration(3600, 24 * HOUR_MS), HOUR_MS);
    assert.equal(signingDuration(60, 24 * HOUR_MS), MIN_REQUESTED_TTL_MS);
    assert.equal(signingDuration(10 * 86_400, 24 * HOUR_MS), 24 * HOUR_MS);
  });

  it('signs with the CA: subject kept, client auth EKU, lifetime honoured, chain verifies', async () => {
    const req = await parseCsrRequest(await testRequest('CN=system:node:skiff-a, O=system:nodes'));
    const now = Date.now();
    const pem = await signRequest(ca, req, CLIENT, 2 * HOUR_MS, now);
    const cert = new X509Certificate(pem);
    assert.ok(cert.verify(new X509Certificate(ca.certPem).publicKey), 'signed by the CA');
    assert.match(cert.subject, /CN=system:node:skiff-a/);
    assert.match(cert.subject, /O=system:nodes/);
    assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.2']);
    assert.equal(cert.ca, false);
    const lifetime = Date.parse(cert.validTo) - now;
    assert.ok(Math.abs(lifetime - 2 * HOUR_MS) < 2000, `lifetime ${lifetime}`);
    assert.ok(cert.checkIssued(new X509Certificate(ca.certPem)));
  });

  it('never signs past the CA’s own expiry', async () => {
    const shortCa = await testCa(1);
    const req = await parseCsrRequest(await testRequest('CN=system:node:skiff-a, O=system:nodes'));
    const cert = new X509Certificate(await signRequest(shortCa, req, CLIENT, 365 * 24 * HOUR_MS));
    assert.equal(cert.validTo, new X509Certificate(shortCa.certPem).validTo);
  });
});
