// The node's keys and its PKCS#10 requests for `system:node:<name>` in `system:nodes`, made
// locally: only the request (public key + subject, self-signed) ever leaves the machine. The client
// request carries no SANs (the kubelet-client signer refuses them); the serving request names the
// node's addresses, as the kubelet's serving-certificate manager does.
import { webcrypto } from 'node:crypto';

type X509 = typeof import('@peculiar/x509');
let lib: Promise<X509> | undefined;
const loadX509 = (): Promise<X509> => {
  lib ??= (async () => {
    await import('reflect-metadata'); // @peculiar/x509's decorators need it loaded first
    const x509 = await import('@peculiar/x509');
    x509.cryptoProvider.set(webcrypto as never);
    return x509;
  })();
  return lib;
};

export const NODE_USER_PREFIX = 'system:node:';
export const NODES_GROUP = 'system:nodes';
const KEY_ALG = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN_ALG = { name: 'ECDSA', hash: 'SHA-256' } as const;

export interface NodeKeyRequest {
  keyPem: string;
  /** PEM "CERTIFICATE REQUEST". */
  csrPem: string;
}

export async function nodeClientRequest(nodeName: string): Promise<NodeKeyRequest> {
  return nodeRequest(nodeName);
}

/** What a serving certificate names: the addresses the API server dials and the node's names. */
export interface ServingNames {
  dnsNames: string[];
  ips: string[];
}

export async function nodeServingRequest(nodeName: string, names: ServingNames): Promise<NodeKeyRequest> {
  return nodeRequest(nodeName, names);
}

async function nodeRequest(nodeName: string, san?: ServingNames): Promise<NodeKeyRequest> {
  const x509 = await loadX509();
  const keys = (await webcrypto.subtle.generateKey(KEY_ALG, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  const dnValue = (v: string) => v.replace(/([,+"\\<>;=])/g, '\\$1');
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: `CN=${dnValue(`${NODE_USER_PREFIX}${nodeName}`)}, O=${NODES_GROUP}`,
    keys: keys as never,
    signingAlgorithm: SIGN_ALG,
    extensions: san
      ? [
          new x509.SubjectAlternativeNameExtension([
            ...san.dnsNames.map((value) => ({ type: 'dns' as const, value })),
            ...san.ips.map((value) => ({ type: 'ip' as const, value })),
          ]),
        ]
      : [],
  });
  const der = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { keyPem: x509.PemConverter.encode(der, 'PRIVATE KEY'), csrPem: csr.toString('pem') };
}
