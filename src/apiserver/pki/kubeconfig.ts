// The admin kubeconfig written into the data dir: credentials embedded, so the file alone is enough
// for kubectl and client libraries.
import { stringify } from 'yaml';
import { writeAtomic } from './pki.ts';

export interface KubeconfigSpec {
  server: string;
  caCertPem: string;
  clientCertPem: string;
  clientKeyPem: string;
  /** Cluster, user and context name. */
  name?: string;
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');

export function renderKubeconfig(spec: KubeconfigSpec): string {
  const name = spec.name ?? 'skiff';
  return stringify(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        { name, cluster: { server: spec.server, 'certificate-authority-data': b64(spec.caCertPem) } },
      ],
      users: [
        {
          name: `${name}-admin`,
          user: {
            'client-certificate-data': b64(spec.clientCertPem),
            'client-key-data': b64(spec.clientKeyPem),
          },
        },
      ],
      contexts: [{ name, context: { cluster: name, user: `${name}-admin` } }],
      'current-context': name,
      preferences: {},
    },
    { version: '1.1' },
  );
}

export function writeKubeconfig(path: string, spec: KubeconfigSpec): void {
  writeAtomic(path, renderKubeconfig(spec), 0o600);
}
