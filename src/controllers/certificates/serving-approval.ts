// When skiff auto-approves a kubelet serving certificate (signer kubernetes.io/kubelet-serving).
// Upstream's csrapproving never does (an operator approves them, or a third-party approver); k3s
// and RKE2 sidestep CSRs and hand serving certificates out from their supervisor. skiff keeps the
// CSR flow but approves only what the requester provably owns:
//
//   request invalid for the signer (ValidateKubeletServingCSR)      ─► pending (for a human)
//   requester is not a node (system:node:<n> in system:nodes)       ─► pending (for a human)
//   a node asks for another node's name (CN ≠ its own user name)    ─► Denied
//   the Node object does not exist (yet)                            ─► pending (retried on Node add)
//   a SAN that is neither the node's name nor one of its status
//     addresses (InternalIP/ExternalIP/Hostname/…DNS)               ─► pending (retried on change)
//   otherwise                                                       ─► Approved
//
// A node's client certificate proves who asks; the Node's status addresses are what the node
// itself reported (NodeRestriction lets it write only its own), so an approved certificate names
// nothing the node could not already claim. Anything unusual waits for `kubectl certificate approve`.
import type { KObject } from '../../api/object.ts';
import { type ParsedRequest, SIGNER_KUBELET_SERVING } from './csr.ts';
import { NODE_USER_PREFIX, NODES_GROUP, validateKubeletServingCsr } from './kubelet-client.ts';

export const SERVING_APPROVED_MESSAGE =
  'Auto approving kubelet serving certificate: the requesting node owns every name and address in it.';
export const REASON_AUTO_DENIED = 'AutoDenied';

/** Address types that carry an IP (the rest are DNS names). */
const IP_ADDRESS_TYPES = new Set(['InternalIP', 'ExternalIP']);

export type ServingDecision =
  | { kind: 'approve'; message: string }
  | { kind: 'deny'; message: string }
  | { kind: 'pending'; why: string };

interface NodeLike extends KObject {
  status?: { addresses?: { type: string; address: string }[] };
}

const isNodeRequester = (csr: KObject): boolean => {
  const user = String(csr.spec?.username ?? '');
  const groups = (csr.spec?.groups as string[] | undefined) ?? [];
  return (
    user.startsWith(NODE_USER_PREFIX) && user.length > NODE_USER_PREFIX.length && groups.includes(NODES_GROUP)
  );
};

/** Whether a CSR is a kubelet serving request this module decides on. */
export const isKubeletServingCsr = (csr: KObject): boolean => csr.spec?.signerName === SIGNER_KUBELET_SERVING;

/**
 * The decision for a kubelet-serving CSR. `node` is the Node named by the requester, when known.
 */
export function decideKubeletServing(
  csr: KObject,
  req: ParsedRequest,
  node: KObject | undefined,
): ServingDecision {
  const usages = (csr.spec?.usages as string[] | undefined) ?? [];
  const invalid = validateKubeletServingCsr(req, usages);
  if (invalid) return { kind: 'pending', why: invalid };
  if (!isNodeRequester(csr)) return { kind: 'pending', why: 'the requester is not a node' };
  const user = String(csr.spec?.username);
  if (req.commonName !== user)
    return {
      kind: 'deny',
      message: `node ${user} may not request a serving certificate for ${req.commonName}`,
    };
  const nodeName = user.slice(NODE_USER_PREFIX.length);
  if (!node || node.metadata?.name !== nodeName)
    return { kind: 'pending', why: `node ${nodeName} not found` };
  const addresses = (node as NodeLike).status?.addresses ?? [];
  const ips = new Set(addresses.filter((a) => IP_ADDRESS_TYPES.has(a.type)).map((a) => a.address));
  const names = new Set([
    nodeName,
    ...addresses.filter((a) => !IP_ADDRESS_TYPES.has(a.type)).map((a) => a.address),
  ]);
  const foreignIp = req.ips.find((ip) => !ips.has(ip));
  if (foreignIp) return { kind: 'pending', why: `IP ${foreignIp} is not an address of node ${nodeName}` };
  const foreignName = req.dnsNames.find((n) => !names.has(n));
  if (foreignName)
    return { kind: 'pending', why: `DNS name ${foreignName} is not a name of node ${nodeName}` };
  return { kind: 'approve', message: SERVING_APPROVED_MESSAGE };
}

/** The node a serving CSR's requester is, for looking its Node up. */
export function requesterNodeName(csr: KObject): string | undefined {
  return isNodeRequester(csr) ? String(csr.spec?.username).slice(NODE_USER_PREFIX.length) : undefined;
}
