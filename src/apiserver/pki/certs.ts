// X.509 issuance for the cluster's own CA: a self-signed CA, then leaf certificates for serving and
// for clients (the user is the CN, groups are the O values, as upstream's x509 authenticator reads
// them). ECDSA P-256 keys: generated in milliseconds (RSA-2048 takes ~100 ms each) and accepted by
// kubectl and every Kubernetes client. @peculiar/x509 is imported lazily by the caller: it is only
// needed the first time a data dir is initialised, not on every start — so the library is loaded
// with a dynamic import (a static one would be hoisted into the CLI bundle's start-up path).
import { webcrypto } from 'node:crypto';

type X509 = typeof import('@peculiar/x509');
let lib: Promise<X509> | undefined;
const load = (): Promise<X509> => {
  lib ??= (async () => {
    await import('reflect-metadata'); // @peculiar/x509's decorators need it loaded first
    const x509 = await import('@peculiar/x509');
    x509.cryptoProvider.set(webcrypto as unknown as Parameters<X509['cryptoProvider']['set']>[0]);
    return x509;
  })();
  return lib;
};

const KEY_ALG = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN_ALG = { name: 'ECDSA', hash: 'SHA-256' } as const;
/** Validity: long enough that a dev cluster never trips over it; certificates are re-issued on demand. */
export const CA_VALIDITY_DAYS = 3650;
export const LEAF_VALIDITY_DAYS = 365;
/** Backdate notBefore so a client with a slightly slow clock accepts a fresh certificate. */
const CLOCK_SKEW_MS = 5 * 60_000;

export interface KeyPairPem {
  certPem: string;
  keyPem: string;
}

export interface LeafSpec {
  commonName: string;
  organizations?: string[];
  dnsNames?: string[];
  ips?: string[];
  usage: 'server' | 'client' | 'both';
  days?: number;
}

const DAY_MS = 86_400_000;

async function newKeys(): Promise<webcrypto.CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(KEY_ALG, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
}

async function keyPem(key: webcrypto.CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return (await load()).PemConverter.encode(der, 'PRIVATE KEY');
}

async function importKeyPem(pem: string): Promise<webcrypto.CryptoKey> {
  const der = (await load()).PemConverter.decode(pem)[0];
  return webcrypto.subtle.importKey('pkcs8', der, KEY_ALG, true, ['sign']);
}

/** Escapes a value for an RFC 4514 distinguished name string. */
const dnValue = (v: string): string => v.replace(/([,+"\\<>;=])/g, '\\$1');

export async function createCa(commonName: string): Promise<KeyPairPem> {
  const x509 = await load();
  const keys = await newKeys();
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: `CN=${dnValue(commonName)}`,
    notBefore: new Date(now - CLOCK_SKEW_MS),
    notAfter: new Date(now + CA_VALIDITY_DAYS * DAY_MS),
    signingAlgorithm: SIGN_ALG,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await keyPem(keys.privateKey) };
}

export async function issueLeaf(ca: KeyPairPem, spec: LeafSpec): Promise<KeyPairPem> {
  const x509 = await load();
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = await importKeyPem(ca.keyPem);
  const keys = await newKeys();
  const now = Date.now();
  const subject = [
    `CN=${dnValue(spec.commonName)}`,
    ...(spec.organizations ?? []).map((o) => `O=${dnValue(o)}`),
  ];
  const eku: string[] = [];
  if (spec.usage !== 'client') eku.push(x509.ExtendedKeyUsage.serverAuth);
  if (spec.usage !== 'server') eku.push(x509.ExtendedKeyUsage.clientAuth);
  const extensions: InstanceType<X509['Extension']>[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(
      x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
      true,
    ),
    new x509.ExtendedKeyUsageExtension(eku, false),
    await x509.AuthorityKeyIdentifierExtension.create(caCert, false),
  ];
  const names = [
    ...(spec.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(spec.ips ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  if (names.length) extensions.push(new x509.SubjectAlternativeNameExtension(names, false));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: subject.join(', '),
    issuer: caCert.subject,
    notBefore: new Date(now - CLOCK_SKEW_MS),
    notAfter: new Date(now + (spec.days ?? LEAF_VALIDITY_DAYS) * DAY_MS),
    signingAlgorithm: SIGN_ALG,
    publicKey: keys.publicKey,
    signingKey: caKey,
    extensions,
  });
  return { certPem: cert.toString('pem'), keyPem: await keyPem(keys.privateKey) };
}

/** A positive 16-byte serial (the top bit cleared so DER does not read it as negative). */
function randomSerial(): string {
  const b = webcrypto.getRandomValues(new Uint8Array(16));
  b[0] &= 0x7f;
  return Buffer.from(b).toString('hex');
}
