// The API server's client certificate towards node agents (upstream's apiserver-kubelet-client):
// issued from the cluster CA into the PKI directory like the other component certificates, with
// the name agents admit (agent/server APISERVER_CLIENT_CN) in group system:masters.
import type { KeyPairPem } from '../pki/certs.ts';
import { ensureClientCert } from '../pki/components.ts';
import type { AgentClientTls } from './agent-proxy.ts';

export const AGENT_CLIENT_CN = 'kube-apiserver-kubelet-client';
const AGENT_CLIENT_FILE = 'apiserver-kubelet-client';

export async function ensureAgentClientCert(pkiDir: string, ca: KeyPairPem): Promise<AgentClientTls> {
  const c = await ensureClientCert(pkiDir, AGENT_CLIENT_FILE, ca, {
    commonName: AGENT_CLIENT_CN,
    organizations: ['system:masters'],
    usage: 'client',
  });
  // Agents serve self-issued certificates (upstream's default): not verified, as kube-apiserver
  // without --kubelet-certificate-authority.
  return { cert: c.certPem, key: c.keyPem };
}
