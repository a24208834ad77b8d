// certificates.k8s.io/v1 CertificateSigningRequest vocabulary: signer names, key usages, the
// Approved/Denied/Failed conditions, and the parsed PKCS#10 request the controllers reason about.
import type { KObject } from '../../api/object.ts';
import type { ResourceRef } from '../../client/index.ts';
import { loadX509 } from './x509-lib.ts';

export const CSRS: ResourceRef = {
  group: 'certificates.k8s.io',
  version: 'v1',
  resource: 'certificatesigningrequests',
  namespaced: false,
  kind: 'CertificateSigningRequest',
};

export const SIGNER_KUBELET_CLIENT = 'kubernetes.io/kube-apiserver-client-kubelet';
export const SIGNER_APISERVER_CLIENT = 'kubernetes.io/kube-apiserver-client';
export const SIGNER_KUBELET_SERVING = 'kubernetes.io/kubelet-serving';
export const SIGNER_LEGACY_UNKNOWN = 'kubernetes.io/legacy-unknown';

export const USAGE_DIGITAL_SIGNATURE = 'digital signature';
export const USAGE_KEY_ENCIPHERMENT = 'key encipherment';
export const USAGE_CLIENT_AUTH = 'client auth';
export const USAGE_SERVER_AUTH = 'server auth';

export const CONDITION_APPROVED = 'Approved';
export const CONDITION_DENIED = 'Denied';
export const CONDITION_FAILED = 'Failed';

export interface CsrCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
}

const conditions = (csr: KObject): CsrCondition[] =>
  (csr.status?.conditions as CsrCondition[] | undefined) ?? [];
const hasTrue = (csr: KObject, type: string): boolean =>
  conditions(csr).some((c) => c.type === type && c.status !== 'False');

/** As upstream's GetCertApprovalCondition: a condition without an explicit False status counts. */
export const isApproved = (csr: KObject): boolean =>
  hasTrue(csr, CONDITION_APPROVED) && !hasTrue(csr, CONDITION_DENIED);
export const isDenied = (csr: KObject): boolean => hasTrue(csr, CONDITION_DENIED);
export const isFailed = (csr: KObject): boolean => hasTrue(csr, CONDITION_FAILED);

/** The parts of a PKCS#10 request the recognizers and the signer look at. */
export interface ParsedRequest {
  commonName: string;
  organizations: string[];
  dnsNames: string[];
  emails: string[];
  ips: string[];
  uris: string[];
  /** DER of the request, for signing. */
  der: ArrayBuffer;
}

/** id-ce-subjectAltName */
const SAN_OID = '2.5.29.17';
const PEM_TYPE = 'CERTIFICATE REQUEST';

/** Parses `spec.request` (base64 of the PEM) and checks the request's self-signature. */
export async function parseCsrRequest(requestB64: string): Promise<ParsedRequest> {
  const pem = Buffer.from(requestB64, 'base64').toString('utf8');
  if (!pem.includes(`-----BEGIN ${PEM_TYPE}-----`))
    throw new Error('PEM block type must be CERTIFICATE REQUEST');
  const x509 = await loadX509();
  const req = new x509.Pkcs10CertificateRequest(pem);
  if (!(await req.verify())) throw new Error('x509: ECDSA verification failure');
  const out: ParsedRequest = {
    commonName: req.subjectName.getField('CN')[0] ?? '',
    organizations: req.subjectName.getField('O'),
    dnsNames: [],
    emails: [],
    ips: [],
    uris: [],
    der: req.rawData,
  };
  const san = req.extensions.find((e) => e.type === SAN_OID);
  if (san) {
    const names = new x509.SubjectAlternativeNameExtension(san.rawData).names.toJSON();
    for (const n of names) {
      if (n.type === 'dns') out.dnsNames.push(n.value);
      else if (n.type === 'email') out.emails.push(n.value);
      else if (n.type === 'ip') out.ips.push(n.value);
      else if (n.type === 'url') out.uris.push(n.value);
    }
  }
  return out;
}
