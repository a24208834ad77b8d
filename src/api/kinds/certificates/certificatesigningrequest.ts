// certificates.k8s.io/v1 CertificateSigningRequest: cluster-scoped, short name `csr`, `status` and
// `approval` subresources, upstream's printer columns. The requester fields (spec.username, uid,
// groups, extra) are set by admission (apiserver/admission/csr-requester.ts); `/approval` writes only
// status.conditions (registry/resource-store.ts).
import { type FieldError, fieldInvalid, fieldRequired } from '../../errors.ts';
import type { KObject } from '../../object.ts';
import { defineKind, statusSubresource, subresource } from '../define.ts';
import { ageColumn, ageOf, column, nameColumn, nameOf } from '../printing/default-table.ts';
import { humanDuration } from '../printing/duration.ts';

const GROUP = 'certificates.k8s.io';
const KIND = 'CertificateSigningRequest';
const NONE = '<none>';
const PENDING = 'Pending';

/** kubectl's CONDITION column: Approved,Issued / Denied / Failed / Pending. */
export function csrCondition(csr: KObject): string {
  const conds = (csr.status?.conditions as { type: string; status?: string }[] | undefined) ?? [];
  const names = conds.filter((c) => c.status !== 'False').map((c) => c.type);
  if (csr.status?.certificate) names.push('Issued');
  return names.length ? names.join(',') : PENDING;
}

/** kubectl prints the requested duration as it prints ages (duration.HumanDuration). */
const durationOf = (seconds: unknown): string =>
  typeof seconds === 'number' ? humanDuration(seconds * 1000) : NONE;

export const CERTIFICATE_SIGNING_REQUEST = defineKind({
  group: GROUP,
  version: 'v1',
  kind: KIND,
  plural: 'certificatesigningrequests',
  namespaced: false,
  shortNames: ['csr'],
  subresources: [
    subresource('approval', KIND, ['get', 'patch', 'update'], GROUP, 'v1'),
    statusSubresource(GROUP, 'v1', KIND),
  ],
  validate(csr) {
    const errs: FieldError[] = [];
    if (!csr.spec?.request) errs.push(fieldRequired('spec.request'));
    if (!csr.spec?.signerName) errs.push(fieldRequired('spec.signerName'));
    if (!Array.isArray(csr.spec?.usages) || !csr.spec.usages.length) errs.push(fieldRequired('spec.usages'));
    if (typeof csr.spec?.expirationSeconds === 'number' && csr.spec.expirationSeconds < 600)
      errs.push(
        fieldInvalid(
          'spec.expirationSeconds',
          csr.spec.expirationSeconds,
          'may not specify a duration less than 600 seconds (10 minutes)',
        ),
      );
    return errs;
  },
  table: {
    columns: [
      nameColumn(),
      ageColumn(),
      column('SignerName', 'Name of the signer that will sign the certificate.'),
      column('Requestor', 'Name of the user that requested the certificate.'),
      column('RequestedDuration', 'The requested validity duration of the certificate.'),
      column('Condition', 'Latest condition of the certificate signing request.'),
    ],
    cells: (csr, now) => [
      nameOf(csr),
      ageOf(csr, now),
      String(csr.spec?.signerName ?? NONE),
      String(csr.spec?.username ?? ''),
      durationOf(csr.spec?.expirationSeconds),
      csrCondition(csr),
    ],
  },
});
