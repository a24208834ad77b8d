// Test-only: a throwaway CA and PKCS#10 requests, made with the same library the signer uses.
import { webcrypto } from 'node:crypto';
import type { KObject } from '../../api/object.ts';
import { SIGNER_KUBELET_CLIENT, USAGE_CLIENT_AUTH, USAGE_DIGITAL_SIGNATURE } from './csr.ts';
import type { SigningCa } from './sign.ts';
import { loadX509 } from './x509-lib.ts';

const KEY_ALG = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN_ALG = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

async function pkcs8Pem(key: webcrypto.CryptoKey): Promise<string> {
  const x509 = await loadX509();
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

export async function testCa(days = 3650): Promise<SigningCa> {
  const x509 = await loadX509();
  const keys = (await webcrypto.subtle.generateKey(KEY_ALG, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=skiff-test-ca',
    notBefore: new Date(Date.now() - DAY_MS),
    notAfter: new Date(Date.now() + days * DAY_MS),
    signingAlgorithm: SIGN_ALG,
    keys: keys as never,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
  });
  return { certPem: cert.toString('pem'), keyPem: await pkcs8Pem(keys.privateKey) };
}

/** base64 of a PEM PKCS#10 request, as spec.request carries it. */
export async function testRequest(
  subject: string,
  san?: { dns?: string[]; ips?: string[] },
): Promise<string> {
  const x509 = await loadX509();
  const keys = (await webcrypto.subtle.generateKey(KEY_ALG, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  const names = [
    ...(san?.dns ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(san?.ips ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  const req = await x509.Pkcs10CertificateRequestGenerator.create({
    name: subject,
    keys: keys as never,
    signingAlgorithm: SIGN_ALG,
    extensions: names.length ? [new x509.SubjectAlternativeNameExtension(names)] : [],
  });
  return Buffer.from(req.toString('pem')).toString('base64');
}

export async function nodeClientCsr(
  name: string,
  node: string,
  username: string,
  groups: string[],
): Promise<KObject> {
  return {
    metadata: { name },
    spec: {
      request: await testRequest(`CN=system:node:${node}, O=system:nodes`),
      signerName: SIGNER_KUBELET_CLIENT,
      usages: [USAGE_DIGITAL_SIGNATURE, USAGE_CLIENT_AUTH],
      username,
      groups,
    },
  };
}
