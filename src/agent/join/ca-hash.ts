// kubeadm's CA pin: `sha256:<hex>` of the CA certificate's DER SubjectPublicKeyInfo. Pinning the
// public key (not the whole certificate) keeps the pin valid across a CA re-issue with the same key.
import { createHash, timingSafeEqual, X509Certificate } from 'node:crypto';

export const CA_HASH_PREFIX = 'sha256:';
const SHA256_HEX_RE = /^sha256:[0-9a-f]{64}$/;

export function caCertHash(caPem: string): string {
  const spki = new X509Certificate(caPem).publicKey.export({ type: 'spki', format: 'der' });
  return `${CA_HASH_PREFIX}${createHash('sha256').update(spki).digest('hex')}`;
}

export function isCaCertHash(pin: string): boolean {
  return SHA256_HEX_RE.test(pin.toLowerCase());
}

/** Whether any certificate in a PEM bundle matches the pin. */
export function matchesCaCertHash(bundlePem: string, pin: string): boolean {
  const want = Buffer.from(pin.toLowerCase());
  for (const pem of splitPemCertificates(bundlePem)) {
    const have = Buffer.from(caCertHash(pem));
    if (have.length === want.length && timingSafeEqual(have, want)) return true;
  }
  return false;
}

const PEM_CERT_RE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

export function splitPemCertificates(bundle: string): string[] {
  return bundle.match(PEM_CERT_RE) ?? [];
}
