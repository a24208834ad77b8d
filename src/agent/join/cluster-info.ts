// kubeadm's token discovery, pinned-CA flavour: read the public `cluster-info` ConfigMap in
// kube-public over TLS *without* verifying the server (we do not know its CA yet), take the CA from
// the kubeconfig inside, and trust it only if its public key matches the pin the admin handed out.
// Every later request verifies the server against that CA, so a man in the middle that served a
// forged cluster-info gets nothing: the pin fails and we stop before sending the token anywhere.
import { CONFIGMAPS, clientForConnection, isNotFound } from '../../client/index.ts';
import { lazyRequire, yaml } from '../../util/lazy-require.ts';
import { matchesCaCertHash, splitPemCertificates } from './ca-hash.ts';

export const CLUSTER_INFO_NAMESPACE = 'kube-public';
export const CLUSTER_INFO_CONFIGMAP = 'cluster-info';
export const CLUSTER_INFO_KUBECONFIG_KEY = 'kubeconfig';

export class JoinError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'JoinError';
  }
}

export interface ClusterInfo {
  /** The CA bundle (PEM) the pin matched. */
  caPem: string;
  /** The server URL cluster-info advertises. */
  server: string;
}

/** The CA and server from a cluster-info kubeconfig (kubeadm's layout: one cluster, no users). */
export function parseClusterInfoKubeconfig(text: string): ClusterInfo {
  const doc = yaml().parse(text) as { clusters?: { cluster?: Record<string, string> }[] } | null;
  const cluster = doc?.clusters?.[0]?.cluster;
  const caB64 = cluster?.['certificate-authority-data'];
  if (!cluster || !caB64 || !cluster.server)
    throw new JoinError('cluster-info has no cluster with a server and certificate-authority-data');
  const caPem = Buffer.from(caB64, 'base64').toString('utf8');
  if (!splitPemCertificates(caPem).length) throw new JoinError('cluster-info carries no CA certificate');
  return { caPem, server: cluster.server };
}

export async function discoverClusterInfo(server: string, caCertHashes: string[]): Promise<ClusterInfo> {
  const insecure = clientForConnection(
    { server, insecureSkipTlsVerify: true },
    { userAgent: 'skiff-agent/join' },
  );
  let cm: Awaited<ReturnType<ReturnType<typeof insecure.resource>['get']>>;
  try {
    cm = await insecure.resource(CONFIGMAPS, CLUSTER_INFO_NAMESPACE).get(CLUSTER_INFO_CONFIGMAP);
  } catch (err) {
    if (isNotFound(err))
      throw new JoinError(
        `the server has no ${CLUSTER_INFO_NAMESPACE}/${CLUSTER_INFO_CONFIGMAP} ConfigMap`,
        err,
      );
    throw new JoinError(
      `cannot read ${CLUSTER_INFO_CONFIGMAP} from ${server}: ${(err as Error).message}`,
      err,
    );
  } finally {
    insecure.close();
  }
  const text = cm.data?.[CLUSTER_INFO_KUBECONFIG_KEY];
  if (typeof text !== 'string')
    throw new JoinError(`${CLUSTER_INFO_CONFIGMAP} has no ${CLUSTER_INFO_KUBECONFIG_KEY} key`);
  const info = parseClusterInfoKubeconfig(text);
  if (!caCertHashes.some((pin) => matchesCaCertHash(info.caPem, pin))) {
    // kubeadm's wording, so the failure reads the same to people who know kubeadm.
    throw new JoinError(
      `cluster CA found in cluster-info ConfigMap is invalid: none of the public keys "${caCertHashes.join(', ')}" are pinned`,
    );
  }
  return info;
}
