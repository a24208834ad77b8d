// The agent's own kubeconfig after joining: the pinned CA, the server, and the node's client
// certificate and key embedded, so the file alone identifies the node.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface NodeKubeconfig {
  server: string;
  caPem: string;
  certPem: string;
  keyPem: string;
  nodeName: string;
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const CLUSTER = 'skiff';

/**
 * JSON, which is YAML to kubectl and every kubeconfig reader, and which the agent reads back at
 * each start without loading a YAML parser (see parseKubeconfigText).
 */
export function renderNodeKubeconfig(k: NodeKubeconfig): string {
  const user = `system:node:${k.nodeName}`;
  return `${JSON.stringify(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        { name: CLUSTER, cluster: { server: k.server, 'certificate-authority-data': b64(k.caPem) } },
      ],
      users: [
        { name: user, user: { 'client-certificate-data': b64(k.certPem), 'client-key-data': b64(k.keyPem) } },
      ],
      contexts: [{ name: CLUSTER, context: { cluster: CLUSTER, user } }],
      'current-context': CLUSTER,
      preferences: {},
    },
    null,
    2,
  )}\n`;
}

/** Written whole or not at all (rename), readable only by its owner: it holds the private key. */
export function writeNodeKubeconfig(path: string, k: NodeKubeconfig): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, renderNodeKubeconfig(k), { mode: 0o600 });
  renameSync(tmp, path);
}
