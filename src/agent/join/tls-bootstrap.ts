// Kubelet TLS bootstrap: with the bootstrap token, over TLS verified against the pinned CA, ask
// for a client certificate through a CertificateSigningRequest (signer
// kubernetes.io/kube-apiserver-client-kubelet) and wait until the controllers approve and sign it.
import { createHash } from 'node:crypto';
import type { KObject } from '../../api/object.ts';
import { clientForConnection, type ResourceRef, type RestClient } from '../../client/index.ts';
import { JoinError } from './cluster-info.ts';
import { nodeClientRequest } from './csr-request.ts';

export const CSRS: ResourceRef = {
  group: 'certificates.k8s.io',
  version: 'v1',
  resource: 'certificatesigningrequests',
  namespaced: false,
  kind: 'CertificateSigningRequest',
};
export const KUBELET_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client-kubelet';
/** What the kubelet asks for with an ECDSA key (no key encipherment). */
export const KUBELET_CLIENT_USAGES = ['digital signature', 'client auth'];
/** How long to wait for approval and signing before giving up (the kubelet's default is 1 h; a join should not hang that long). */
export const DEFAULT_CSR_WAIT_MS = 120_000;
const POLL_MS = 250;
const UNAUTHORIZED = 401;

export interface NodeCredentials {
  certPem: string;
  keyPem: string;
  /** The CSR that produced them. */
  csrName: string;
}

export interface TlsBootstrapOptions {
  server: string;
  caPem: string;
  token: string;
  nodeName: string;
  /** Requested lifetime (spec.expirationSeconds); the signer may shorten it. */
  expirationSeconds?: number;
  waitMs?: number;
  signal?: AbortSignal;
}

export async function requestNodeCredentials(o: TlsBootstrapOptions): Promise<NodeCredentials> {
  const { keyPem, csrPem } = await nodeClientRequest(o.nodeName);
  // Like the kubelet: the name derives from the request, so a retry with the same key finds its CSR.
  const csrName = `node-csr-${createHash('sha256').update(csrPem).digest('hex').slice(0, 40)}`;
  const client = clientForConnection(
    { server: o.server, ca: Buffer.from(o.caPem), token: o.token },
    { userAgent: 'skiff-agent/tls-bootstrap' },
  );
  try {
    const csrs = client.resource(CSRS);
    try {
      await csrs.create({
        metadata: { name: csrName },
        spec: {
          request: Buffer.from(csrPem).toString('base64'),
          signerName: KUBELET_CLIENT_SIGNER,
          usages: KUBELET_CLIENT_USAGES,
          ...(o.expirationSeconds ? { expirationSeconds: o.expirationSeconds } : {}),
        },
      } as KObject);
    } catch (err) {
      if ((err as { code?: number }).code === UNAUTHORIZED)
        throw new JoinError(
          'the bootstrap token was refused (401 Unauthorized): it is wrong, expired or deleted',
          err,
        );
      throw err;
    }
    const certPem = await waitForCertificate(client, csrName, o.waitMs ?? DEFAULT_CSR_WAIT_MS, o.signal);
    return { certPem, keyPem, csrName };
  } finally {
    client.close();
  }
}

/** Polls a CSR until it carries a certificate; a Denied or Failed condition ends the wait. */
export async function waitForCertificate(
  client: RestClient,
  name: string,
  waitMs: number,
  signal?: AbortSignal,
): Promise<string> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    signal?.throwIfAborted();
    const csr = await client.resource(CSRS).get(name);
    const conds =
      (csr.status?.conditions as { type: string; status?: string; message?: string }[] | undefined) ?? [];
    const terminal = conds.find((c) => (c.type === 'Denied' || c.type === 'Failed') && c.status !== 'False');
    if (terminal)
      throw new JoinError(
        `certificate signing request ${name} was ${terminal.type.toLowerCase()}: ${terminal.message ?? ''}`,
      );
    if (csr.status?.certificate) return Buffer.from(csr.status.certificate, 'base64').toString('utf8');
    if (Date.now() > deadline)
      throw new JoinError(
        `certificate signing request ${name} was not approved and signed within ${Math.round(waitMs / 1000)} s`,
      );
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
