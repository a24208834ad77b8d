// Issues a certificate for an approved request with the cluster CA (upstream's authority.Sign with
// PermissiveSigningPolicy): the subject and SANs come from the request, key usages from the CSR's
// spec.usages, notBefore is backdated for clock skew, and the lifetime is the requested one within
// [10 min, the signer's TTL] and never past the CA's own expiry.
import { webcrypto } from 'node:crypto';
import type { ParsedRequest } from './csr.ts';
import { loadX509 } from './x509-lib.ts';

/** --cluster-signing-duration's default (one year). */
export const DEFAULT_SIGNING_TTL_MS = 365 * 86_400_000;
/** Upstream: twice the backdate, so a short certificate is never born expired. */
export const MIN_REQUESTED_TTL_MS = 10 * 60_000;
/** id-ce-subjectAltName */
const SAN_OID = '2.5.29.17';
const BACKDATE_MS = 5 * 60_000;

export interface SigningCa {
  certPem: string;
  keyPem: string;
}

/** Lifetime for spec.expirationSeconds (upstream signer.duration). */
export function signingDuration(expirationSeconds: number | undefined, ttlMs: number): number {
  if (expirationSeconds === undefined) return ttlMs;
  const requested = expirationSeconds * 1000;
  return Math.min(ttlMs, Math.max(MIN_REQUESTED_TTL_MS, requested));
}

const KEY_IMPORT = [
  { name: 'ECDSA', namedCurve: 'P-256' },
  { name: 'ECDSA', namedCurve: 'P-384' },
  { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
] as const;

interface SignAlg {
  name: string;
  hash: string;
}

async function importCaKey(
  pem: string,
  der: ArrayBuffer,
): Promise<{ key: webcrypto.CryptoKey; alg: SignAlg }> {
  for (const alg of KEY_IMPORT) {
    try {
      const key = await webcrypto.subtle.importKey('pkcs8', der, alg, false, ['sign']);
      return { key, alg: { name: alg.name, hash: 'SHA-256' } };
    } catch {
      // try the next algorithm
    }
  }
  throw new Error(`unsupported CA key (${pem.split('\n')[0]})`);
}

export async function signRequest(
  ca: SigningCa,
  req: ParsedRequest,
  usages: readonly string[],
  lifetimeMs: number,
  now = Date.now(),
): Promise<string> {
  const x509 = await loadX509();
  const caCert = new x509.X509Certificate(ca.certPem);
  const { key, alg } = await importCaKey(ca.keyPem, x509.PemConverter.decode(ca.keyPem)[0]);
  const csr = new x509.Pkcs10CertificateRequest(req.der);
  const notAfter = Math.min(now + lifetimeMs, caCert.notAfter.getTime());
  let flags = 0;
  const eku: string[] = [];
  for (const u of usages) {
    const flag = KEY_USAGE_FLAGS[u];
    if (flag !== undefined) flags |= x509.KeyUsageFlags[flag];
    const ext = EXT_KEY_USAGES[u];
    if (ext) eku.push(x509.ExtendedKeyUsage[ext]);
  }
  const extensions: InstanceType<typeof x509.Extension>[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    await x509.AuthorityKeyIdentifierExtension.create(caCert, false),
  ];
  if (flags) extensions.push(new x509.KeyUsagesExtension(flags, true));
  if (eku.length) extensions.push(new x509.ExtendedKeyUsageExtension(eku, false));
  const san = csr.extensions.find((e) => e.type === SAN_OID);
  if (san) extensions.push(san);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: csr.subjectName,
    issuer: caCert.subjectName,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(notAfter),
    signingAlgorithm: alg,
    publicKey: csr.publicKey,
    signingKey: key as never,
    extensions,
  });
  return cert.toString('pem');
}

/** spec.usages → KeyUsageFlags names. */
const KEY_USAGE_FLAGS: Record<
  string,
  | 'digitalSignature'
  | 'keyEncipherment'
  | 'dataEncipherment'
  | 'keyAgreement'
  | 'keyCertSign'
  | 'cRLSign'
  | 'encipherOnly'
  | 'decipherOnly'
  | 'nonRepudiation'
> = {
  signing: 'digitalSignature',
  'digital signature': 'digitalSignature',
  'content commitment': 'nonRepudiation',
  'key encipherment': 'keyEncipherment',
  'key agreement': 'keyAgreement',
  'data encipherment': 'dataEncipherment',
  'cert sign': 'keyCertSign',
  'crl sign': 'cRLSign',
  'encipher only': 'encipherOnly',
  'decipher only': 'decipherOnly',
};

/** spec.usages → ExtendedKeyUsage names. */
const EXT_KEY_USAGES: Record<
  string,
  'serverAuth' | 'clientAuth' | 'codeSigning' | 'emailProtection' | 'timeStamping' | 'ocspSigning'
> = {
  'server auth': 'serverAuth',
  'client auth': 'clientAuth',
  'code signing': 'codeSigning',
  'email protection': 'emailProtection',
  's/mime': 'emailProtection',
  timestamping: 'timeStamping',
  'ocsp signing': 'ocspSigning',
};

function randomSerial(): string {
  const b = webcrypto.getRandomValues(new Uint8Array(16));
  b[0] &= 0x7f;
  return Buffer.from(b).toString('hex');
}
