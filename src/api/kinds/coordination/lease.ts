// coordination.k8s.io/v1 Lease (leader election, node heartbeats).
import { type FieldError, fieldForbidden, fieldInvalid } from '../../errors.ts';
import { defineKind } from '../define.ts';
import { str } from '../printing/cells.ts';
import { ageColumn, ageOf, column, nameColumn, nameOf } from '../printing/default-table.ts';

export const LEASE = defineKind({
  group: 'coordination.k8s.io',
  version: 'v1',
  kind: 'Lease',
  plural: 'leases',
  namespaced: true,
  validate(lease) {
    const spec = lease.spec ?? {};
    const errs: FieldError[] = [];
    if (typeof spec.leaseDurationSeconds === 'number' && spec.leaseDurationSeconds <= 0) {
      errs.push(
        fieldInvalid('spec.leaseDurationSeconds', spec.leaseDurationSeconds, 'must be greater than 0'),
      );
    }
    if (typeof spec.leaseTransitions === 'number' && spec.leaseTransitions < 0) {
      errs.push(
        fieldInvalid('spec.leaseTransitions', spec.leaseTransitions, 'must be greater than or equal to 0'),
      );
    }
    if (spec.preferredHolder && !spec.strategy) {
      errs.push(fieldForbidden('spec.preferredHolder', 'may only be specified if `strategy` is defined'));
    }
    return errs;
  },
  table: {
    columns: [
      nameColumn(),
      column('Holder', 'holderIdentity contains the identity of the holder of a current lease.'),
      ageColumn(),
    ],
    cells: (lease, now) => [nameOf(lease), str(lease.spec?.holderIdentity), ageOf(lease, now)],
  },
});
