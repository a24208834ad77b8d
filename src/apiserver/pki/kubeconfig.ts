// The admin kubeconfig written into the data dir: credentials embedded, so the file alone is enough
// for kubectl and client libraries. Rendered from a template (every value JSON-quoted, which YAML
// reads as a double-quoted scalar): loading a YAML library on every start to write ten lines would
// cost the idle server several MB.
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
  const user = `${name}-admin`;
  const q = JSON.stringify;
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${q(name)}`,
    '  cluster:',
    `    server: ${q(spec.server)}`,
    `    certificate-authority-data: ${q(b64(spec.caCertPem))}`,
    'users:',
    `- name: ${q(user)}`,
    '  user:',
    `    client-certificate-data: ${q(b64(spec.clientCertPem))}`,
    `    client-key-data: ${q(b64(spec.clientKeyPem))}`,
    'contexts:',
    `- name: ${q(name)}`,
    '  context:',
    `    cluster: ${q(name)}`,
    `    user: ${q(user)}`,
    `current-context: ${q(name)}`,
    'preferences: {}',
    '',
  ].join('\n');
}

export function writeKubeconfig(path: string, spec: KubeconfigSpec): void {
  writeAtomic(path, renderKubeconfig(spec), 0o600);
}
