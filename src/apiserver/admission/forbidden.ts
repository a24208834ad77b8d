// upstream's admission.NewForbidden: `<resource> "<name>" is forbidden: <why>` with Status details.
import { type ApiError, forbidden, qualifiedResource } from '../../api/errors.ts';
import type { AdmissionAttributes } from '../registry/admission.ts';

export function admissionForbidden(a: AdmissionAttributes, why: string): ApiError {
  const group = a.kind.group;
  return forbidden(
    `${qualifiedResource(a.kind.plural, group)} ${JSON.stringify(a.name)} is forbidden: ${why}`,
    {
      name: a.name,
      ...(group ? { group } : {}),
      kind: a.kind.plural,
    },
  );
}

/** Go's utilerrors.NewAggregate(...).Error(): one message as is, several as `[a, b]`. */
export const aggregate = (msgs: string[]): string => (msgs.length === 1 ? msgs[0] : `[${msgs.join(', ')}]`);

export const isCorePod = (a: AdmissionAttributes): boolean => a.kind.group === '' && a.kind.kind === 'Pod';
