// `skiff agent --server --token --ca-cert-hash`: the whole join, kubeadm's discovery followed by
// the kubelet's TLS bootstrap.
//
//   parse token + pin ─► cluster-info (insecure read) ─► pin check ─► CSR with the token (TLS
//   pinned to the CA) ─► approved + signed ─► <data-dir>/agent/kubeconfig.yaml
//
// An existing kubeconfig whose certificate is still valid and issued by the pinned CA is reused,
// so restarting a joined agent needs no token.

import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseKubeconfigText } from '../../client/kubeconfig.ts';
import { isCaCertHash, matchesCaCertHash } from './ca-hash.ts';
import { discoverClusterInfo, JoinError } from './cluster-info.ts';
import { writeNodeKubeconfig } from './kubeconfig.ts';
import { requestNodeCredentials } from './tls-bootstrap.ts';

export const AGENT_KUBECONFIG = join('agent', 'kubeconfig.yaml');
/** `<id>.<secret>`: 6 and 16 characters of [a-z0-9] (bootstrap token format). */
const TOKEN_RE = /^[a-z0-9]{6}\.[a-z0-9]{16}$/;

export interface JoinOptions {
  server: string;
  token?: string;
  caCertHashes: string[];
  dataDir: string;
  nodeName: string;
  waitMs?: number;
  signal?: AbortSignal;
  log?: (msg: string) => void;
}

export interface JoinResult {
  kubeconfigPath: string;
  /** Whether a new certificate was requested (false: an existing kubeconfig was reused). */
  bootstrapped: boolean;
  csrName?: string;
}

export function validateJoinFlags(o: Pick<JoinOptions, 'server' | 'token' | 'caCertHashes'>): void {
  let url: URL;
  try {
    url = new URL(o.server);
  } catch {
    throw new JoinError(`--server ${JSON.stringify(o.server)} is not a URL`);
  }
  if (url.protocol !== 'https:') throw new JoinError('--server must be an https:// URL');
  if (o.token !== undefined && !TOKEN_RE.test(o.token))
    throw new JoinError('the token must be of the form "[a-z0-9]{6}.[a-z0-9]{16}"');
  if (!o.caCertHashes.length)
    throw new JoinError('--ca-cert-hash is required (sha256:<hex> of the CA public key)');
  for (const h of o.caCertHashes)
    if (!isCaCertHash(h))
      throw new JoinError(`invalid --ca-cert-hash ${JSON.stringify(h)}: expected sha256:<64 hex digits>`);
}

export async function joinCluster(o: JoinOptions): Promise<JoinResult> {
  validateJoinFlags(o);
  const kubeconfigPath = join(o.dataDir, AGENT_KUBECONFIG);
  if (reusable(kubeconfigPath, o.caCertHashes)) return { kubeconfigPath, bootstrapped: false };
  if (!o.token) throw new JoinError('--token is required to join (no usable agent kubeconfig yet)');
  const info = await discoverClusterInfo(o.server, o.caCertHashes);
  o.log?.(
    `cluster CA verified against the pinned hash; requesting a certificate for system:node:${o.nodeName}`,
  );
  const creds = await requestNodeCredentials({
    server: o.server,
    caPem: info.caPem,
    token: o.token,
    nodeName: o.nodeName,
    waitMs: o.waitMs,
    signal: o.signal,
  });
  writeNodeKubeconfig(kubeconfigPath, {
    server: o.server,
    caPem: info.caPem,
    certPem: creds.certPem,
    keyPem: creds.keyPem,
    nodeName: o.nodeName,
  });
  return { kubeconfigPath, bootstrapped: true, csrName: creds.csrName };
}

/** An earlier join's kubeconfig: its CA matches the pin and its certificate is current. */
function reusable(path: string, pins: string[]): boolean {
  if (!existsSync(path)) return false;
  try {
    const doc = parseKubeconfigText(readFileSync(path, 'utf8')) as {
      clusters?: { cluster?: Record<string, string> }[];
      users?: { user?: Record<string, string> }[];
    };
    const ca = Buffer.from(
      doc.clusters?.[0]?.cluster?.['certificate-authority-data'] ?? '',
      'base64',
    ).toString();
    const cert = Buffer.from(doc.users?.[0]?.user?.['client-certificate-data'] ?? '', 'base64').toString();
    if (!pins.some((p) => matchesCaCertHash(ca, p))) return false;
    const x = new X509Certificate(cert);
    return Date.parse(x.validTo) > Date.now() && x.verify(new X509Certificate(ca).publicKey);
  } catch {
    return false;
  }
}
