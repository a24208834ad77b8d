// core/v1 ServiceAccount.
import { type FieldError, fieldRequired } from '../../errors.ts';
import { asArray, child, index } from '../../validation/index.ts';
import { defineKind, subresource } from '../define.ts';
import { len } from '../printing/cells.ts';
import { ageColumn, ageOf, column, nameColumn, nameOf } from '../printing/default-table.ts';

export const SERVICE_ACCOUNT = defineKind({
  group: '',
  version: 'v1',
  kind: 'ServiceAccount',
  plural: 'serviceaccounts',
  namespaced: true,
  shortNames: ['sa'],
  subresources: [subresource('token', 'TokenRequest', ['create'], 'authentication.k8s.io', 'v1')],
  validate(sa) {
    const errs: FieldError[] = [];
    asArray<{ name?: string }>(sa.imagePullSecrets).forEach((ref, i) => {
      if (!ref?.name) errs.push(fieldRequired(child(index('imagePullSecrets', i), 'name')));
    });
    return errs;
  },
  table: {
    columns: [nameColumn(), column('Secrets', 'The secrets this service account may use.'), ageColumn()],
    cells: (sa, now) => [nameOf(sa), len(sa.secrets), ageOf(sa, now)],
  },
});
