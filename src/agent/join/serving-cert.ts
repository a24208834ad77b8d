// A joined node's serving certificate for its agent API (logs, exec, attach, port-forward, stats).
// It holds no CA key, so — like the kubelet with serverTLSBootstrap — it asks for one through a
// CertificateSigningRequest for signer kubernetes.io/kubelet-serving, as the node itself:
//
//   Node status addresses include the InternalIP? ─no─► post them (the approver checks SANs
//   against them) ─► CSR (CN system:node:<n>, O system:nodes, SANs: name + InternalIP)
//   ─► approved (csrapproving: serving-approval.ts) + signed ─► <data-dir>/agent/serving.{crt,key}
//
// A kept certificate is reused while it is current, chains to the cluster CA and still names
// this node's name and InternalIP; otherwise a new key and request replace it.
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Node } from 'kubernetes-types/core/v1.d.ts';
import type { KObject } from '../../api/object.ts';
import { NODES, type RestClient } from '../../client/index.ts';
import { nodeServingRequest, type ServingNames } from './csr-request.ts';
import { CSRS, DEFAULT_CSR_WAIT_MS, waitForCertificate } from './tls-bootstrap.ts';

export const SERVING_CERT_FILE = join('agent', 'serving.crt');
export const SERVING_KEY_FILE = join('agent', 'serving.key');
export const KUBELET_SERVING_SIGNER = 'kubernetes.io/kubelet-serving';
/** What the kubelet asks for with an ECDSA key (key encipherment is for RSA keys only). */
export const KUBELET_SERVING_USAGES = ['digital signature', 'server auth'];
/** Replace a certificate with less than this share of its lifetime left (the kubelet rotates at 70–90 %). */
const RENEW_REMAINING_FRACTION = 0.2;

export interface ServingCertificate {
  certPem: string;
  keyPem: string;
  /** The CSR that produced it; absent when a kept certificate was reused. */
  csrName?: string;
}

export interface ServingCertOptions {
  /** The node's own client (its identity is the CSR's requester). */
  client: RestClient;
  nodeName: string;
  dataDir: string;
  caPem: string;
  internalIP: string;
  waitMs?: number;
  signal?: AbortSignal;
  log?: (msg: string) => void;
  now?: () => number;
}

/** The names a node's serving certificate carries. */
export function servingNames(nodeName: string, internalIP: string): ServingNames {
  return { dnsNames: [nodeName], ips: [internalIP] };
}

/** Whether a kept certificate can still serve: current, from this CA, naming these names. */
export function servingCertUsable(
  certPem: string,
  caPem: string,
  names: ServingNames,
  now = Date.now(),
): boolean {
  try {
    const cert = new X509Certificate(certPem);
    if (!cert.verify(new X509Certificate(caPem).publicKey)) return false;
    const from = Date.parse(cert.validFrom);
    const to = Date.parse(cert.validTo);
    if (now < from || to - now < (to - from) * RENEW_REMAINING_FRACTION) return false;
    return (
      names.dnsNames.every((n) => cert.checkHost(n) !== undefined) &&
      names.ips.every((ip) => cert.checkIP(ip) !== undefined)
    );
  } catch {
    return false;
  }
}

export async function ensureServingCertificate(o: ServingCertOptions): Promise<ServingCertificate> {
  const certPath = join(o.dataDir, SERVING_CERT_FILE);
  const keyPath = join(o.dataDir, SERVING_KEY_FILE);
  const names = servingNames(o.nodeName, o.internalIP);
  if (existsSync(certPath) && existsSync(keyPath)) {
    const certPem = readFileSync(certPath, 'utf8');
    if (servingCertUsable(certPem, o.caPem, names, o.now?.()))
      return { certPem, keyPem: readFileSync(keyPath, 'utf8') };
  }
  await ensureNodeAddress(o.client, o.nodeName, o.internalIP);
  const { keyPem, csrPem } = await nodeServingRequest(o.nodeName, names);
  const csrName = `node-serving-${createHash('sha256').update(csrPem).digest('hex').slice(0, 40)}`;
  await o.client.resource(CSRS).create({
    metadata: { name: csrName },
    spec: {
      request: Buffer.from(csrPem).toString('base64'),
      signerName: KUBELET_SERVING_SIGNER,
      usages: KUBELET_SERVING_USAGES,
    },
  } as KObject);
  o.log?.(`requested a serving certificate (certificatesigningrequest ${csrName})`);
  const certPem = await waitForCertificate(o.client, csrName, o.waitMs ?? DEFAULT_CSR_WAIT_MS, o.signal);
  writePrivate(keyPath, keyPem);
  writePrivate(certPath, certPem);
  return { certPem, keyPem, csrName };
}

/**
 * The approver checks IP SANs against the Node's status addresses, which the agent's own
 * registration writes only later (it needs the certificate first): until then, the node reports
 * its InternalIP and hostname itself, as it may for its own Node.
 */
async function ensureNodeAddress(client: RestClient, nodeName: string, internalIP: string): Promise<void> {
  const nodes = client.resource<Node & KObject>(NODES);
  const node = await nodes.get(nodeName);
  if (node.status?.addresses?.some((a) => a.address === internalIP)) return;
  const addresses = [
    { type: 'InternalIP', address: internalIP },
    { type: 'Hostname', address: nodeName },
  ];
  await nodes.updateStatus({ ...node, status: { ...(node.status ?? {}), addresses } });
}

/** Whole or not at all (rename), readable by its owner only. */
function writePrivate(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, path);
}
