// The cluster's PKI in the data dir: a CA made on first start, a serving certificate for every name
// and address the API server answers on, and the admin client certificate (group system:masters)
// that goes into the kubeconfig. Later starts only read files and check, with node:crypto, that the
// serving certificate still covers this machine's addresses and is not about to expire — generation
// (and its library) is loaded only when something must be issued.
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyPairPem, LeafSpec } from './certs.ts';

export interface Pki {
  caCertPem: string;
  caKeyPem: string;
  serverCertPem: string;
  serverKeyPem: string;
  adminCertPem: string;
  adminKeyPem: string;
}

export interface PkiOptions {
  /** DNS names the serving certificate must cover (besides localhost and the in-cluster names). */
  hosts: string[];
  /** IP addresses the serving certificate must cover. */
  ips: string[];
}

export const ADMIN_USER = 'system:admin';
export const ADMIN_GROUP = 'system:masters';
/** Names clients inside the cluster use for the API server (the `kubernetes` Service). */
export const IN_CLUSTER_NAMES = [
  'kubernetes',
  'kubernetes.default',
  'kubernetes.default.svc',
  'kubernetes.default.svc.cluster.local',
];
/** Re-issue a leaf that expires within this window. */
const RENEW_BEFORE_MS = 30 * 86_400_000;

type Issuer = typeof import('./issuer.ts');

export async function ensurePki(dir: string, opts: PkiOptions): Promise<Pki> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  let certs: Issuer | undefined;
  const issuer = async () => {
    certs ??= await import('./issuer.ts');
    return certs;
  };
  let ca = readPair(dir, 'ca');
  if (!ca) {
    ca = await (await issuer()).createCa(`skiff-ca@${Math.floor(Date.now() / 1000)}`);
    writePair(dir, 'ca', ca);
  }
  const dnsNames = [...new Set(['localhost', ...IN_CLUSTER_NAMES, ...opts.hosts])];
  const ips = [...new Set(['127.0.0.1', ...opts.ips])];
  const server = await ensureLeaf(dir, 'server', ca, issuer, {
    commonName: 'kube-apiserver',
    dnsNames,
    ips,
    usage: 'server',
  });
  const admin = await ensureLeaf(dir, 'admin', ca, issuer, {
    commonName: ADMIN_USER,
    organizations: [ADMIN_GROUP],
    usage: 'client',
  });
  return {
    caCertPem: ca.certPem,
    caKeyPem: ca.keyPem,
    serverCertPem: server.certPem,
    serverKeyPem: server.keyPem,
    adminCertPem: admin.certPem,
    adminKeyPem: admin.keyPem,
  };
}

async function ensureLeaf(
  dir: string,
  name: string,
  ca: KeyPairPem,
  issuer: () => Promise<Issuer>,
  spec: LeafSpec,
): Promise<KeyPairPem> {
  const have = readPair(dir, name);
  if (have && leafStillGood(have.certPem, ca.certPem, spec)) return have;
  const pair = await (await issuer()).issueLeaf(ca, spec);
  writePair(dir, name, pair);
  return pair;
}

/** Signed by this CA, not near expiry, and covering every requested name and address. */
export function leafStillGood(certPem: string, caPem: string, spec: LeafSpec): boolean {
  try {
    const cert = new X509Certificate(certPem);
    if (!cert.verify(new X509Certificate(caPem).publicKey)) return false;
    if (Date.parse(cert.validTo) - Date.now() < RENEW_BEFORE_MS) return false;
    const san = cert.subjectAltName ?? '';
    const have = new Set(san.split(', ').map((s) => s.trim()));
    for (const d of spec.dnsNames ?? []) if (!have.has(`DNS:${d}`)) return false;
    for (const ip of spec.ips ?? []) if (!have.has(`IP Address:${ip}`)) return false;
    return true;
  } catch {
    return false;
  }
}

function readPair(dir: string, name: string): KeyPairPem | undefined {
  const crt = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  if (!existsSync(crt) || !existsSync(key)) return undefined;
  return { certPem: readFileSync(crt, 'utf8'), keyPem: readFileSync(key, 'utf8') };
}

/** Key first, then certificate, each via rename: a crash never leaves a certificate without its key. */
function writePair(dir: string, name: string, pair: KeyPairPem): void {
  writeAtomic(join(dir, `${name}.key`), pair.keyPem, 0o600);
  writeAtomic(join(dir, `${name}.crt`), pair.certPem, 0o644);
}

export function writeAtomic(path: string, data: string, mode: number): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data, { mode });
  renameSync(tmp, path);
}
