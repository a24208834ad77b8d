// CertificateSigningRequest conditions belong to two writers, as upstream's strategies split them:
// approvers (the /approval subresource) own Approved and Denied, signers (/status) own Failed and
// the certificate. Each subresource keeps the other's conditions exactly as they were, so a signer
// allowed to write /status cannot approve its own request.

export const CSR_KIND = 'CertificateSigningRequest';
export const APPROVAL_TYPES: readonly string[] = ['Approved', 'Denied'];
export const SIGNER_TYPES: readonly string[] = ['Failed'];

type Condition = { type?: unknown };

/** `next` without conditions of `types`, then `prev`'s conditions of those types. */
export function keepConditions(next: unknown, prev: unknown, types: readonly string[]): Condition[] {
  const owned = (c: Condition) => typeof c?.type === 'string' && types.includes(c.type);
  const fresh = (Array.isArray(next) ? (next as Condition[]) : []).filter((c) => !owned(c));
  const kept = (Array.isArray(prev) ? (prev as Condition[]) : []).filter(owned);
  return [...fresh, ...kept];
}
