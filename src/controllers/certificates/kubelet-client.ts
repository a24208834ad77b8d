// What makes a request a kubelet client certificate (upstream ValidateKubeletClientCSR) and what a
// kube-apiserver client may ask for; the messages are upstream's, since they land in CSR conditions.
import {
  type ParsedRequest,
  USAGE_CLIENT_AUTH,
  USAGE_DIGITAL_SIGNATURE,
  USAGE_KEY_ENCIPHERMENT,
  USAGE_SERVER_AUTH,
} from './csr.ts';

export const NODE_USER_PREFIX = 'system:node:';
export const NODES_GROUP = 'system:nodes';

/** With and without key encipherment (ECDSA keys cannot encipher). */
const KUBELET_CLIENT_USAGES = [USAGE_CLIENT_AUTH, USAGE_DIGITAL_SIGNATURE, USAGE_KEY_ENCIPHERMENT];
const KUBELET_CLIENT_USAGES_NO_RSA = [USAGE_CLIENT_AUTH, USAGE_DIGITAL_SIGNATURE];

const sameSet = (a: readonly string[], b: readonly string[]): boolean => {
  const sa = new Set(a);
  const sb = new Set(b);
  return sa.size === sb.size && [...sa].every((x) => sb.has(x));
};

/** undefined when valid, else upstream's reason. */
export function validateKubeletClientCsr(req: ParsedRequest, usages: readonly string[]): string | undefined {
  if (req.organizations.length !== 1 || req.organizations[0] !== NODES_GROUP)
    return 'subject organization is not system:nodes';
  if (req.dnsNames.length) return 'DNS subjectAltNames are not allowed';
  if (req.emails.length) return 'Email subjectAltNames are not allowed';
  if (req.ips.length) return 'IP subjectAltNames are not allowed';
  if (req.uris.length) return 'URI subjectAltNames are not allowed';
  if (!req.commonName.startsWith(NODE_USER_PREFIX))
    return 'subject common name does not begin with system:node:';
  if (!sameSet(usages, KUBELET_CLIENT_USAGES) && !sameSet(usages, KUBELET_CLIENT_USAGES_NO_RSA))
    return `usages did not match [${KUBELET_CLIENT_USAGES.join(' ')}]`;
  return undefined;
}

export function validateApiServerClientUsages(usages: readonly string[]): string | undefined {
  let clientAuth = false;
  for (const u of usages) {
    if (u === USAGE_CLIENT_AUTH) clientAuth = true;
    else if (u !== USAGE_DIGITAL_SIGNATURE && u !== USAGE_KEY_ENCIPHERMENT)
      return `invalid usage for client certificate: ${u}`;
  }
  return clientAuth ? undefined : `missing required usage for client certificate: ${USAGE_CLIENT_AUTH}`;
}

const KUBELET_SERVING_USAGES = [USAGE_SERVER_AUTH, USAGE_DIGITAL_SIGNATURE, USAGE_KEY_ENCIPHERMENT];
const KUBELET_SERVING_USAGES_NO_RSA = [USAGE_SERVER_AUTH, USAGE_DIGITAL_SIGNATURE];

/** upstream ValidateKubeletServingCSR. */
export function validateKubeletServingCsr(req: ParsedRequest, usages: readonly string[]): string | undefined {
  if (req.organizations.length !== 1 || req.organizations[0] !== NODES_GROUP)
    return 'subject organization is not system:nodes';
  if (!req.dnsNames.length && !req.ips.length) return 'DNS or IP subjectAltName is required';
  if (req.emails.length) return 'Email subjectAltNames are not allowed';
  if (req.uris.length) return 'URI subjectAltNames are not allowed';
  if (!sameSet(usages, KUBELET_SERVING_USAGES) && !sameSet(usages, KUBELET_SERVING_USAGES_NO_RSA))
    return `usages did not match [${[USAGE_DIGITAL_SIGNATURE, USAGE_KEY_ENCIPHERMENT, USAGE_SERVER_AUTH].join(' ')}]`;
  if (!req.commonName.startsWith(NODE_USER_PREFIX))
    return 'subject common name does not begin with system:node:';
  return undefined;
}
