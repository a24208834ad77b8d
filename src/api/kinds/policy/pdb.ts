// policy/v1 PodDisruptionBudget.
import { type FieldError, fieldInvalid, fieldNotSupported } from '../../errors.ts';
import type { KObject } from '../../object.ts';
import { validateLabelSelector } from '../../validation/index.ts';
import { validateNotMoreThan100Percent, validatePositiveIntOrPercent } from '../apps/workload.ts';
import { defineKind, statusSubresource } from '../define.ts';
import { int } from '../printing/cells.ts';
import { ageColumn, ageOf, column, nameColumn, nameOf } from '../printing/default-table.ts';

const EVICTION_POLICIES = ['AlwaysAllow', 'IfHealthyBudget'];
const NOT_SET = 'N/A';

function validatePDB(pdb: KObject): FieldError[] {
  const spec: KObject = pdb.spec ?? {};
  const errs: FieldError[] = [];
  const has = (v: unknown): boolean => v !== undefined && v !== null;
  if (has(spec.minAvailable) && has(spec.maxUnavailable)) {
    errs.push(fieldInvalid('spec', spec, 'minAvailable and maxUnavailable cannot be both set'));
  }
  for (const k of ['minAvailable', 'maxUnavailable']) {
    if (!has(spec[k])) continue;
    errs.push(
      ...validatePositiveIntOrPercent(spec[k], `spec.${k}`),
      ...validateNotMoreThan100Percent(spec[k], `spec.${k}`),
    );
  }
  errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  if (has(spec.unhealthyPodEvictionPolicy) && !EVICTION_POLICIES.includes(spec.unhealthyPodEvictionPolicy)) {
    errs.push(
      fieldNotSupported(
        'spec.unhealthyPodEvictionPolicy',
        spec.unhealthyPodEvictionPolicy,
        EVICTION_POLICIES,
      ),
    );
  }
  return errs;
}

const intOrString = (v: unknown): string => (v === undefined || v === null ? NOT_SET : String(v));

export const POD_DISRUPTION_BUDGET = defineKind({
  group: 'policy',
  version: 'v1',
  kind: 'PodDisruptionBudget',
  plural: 'poddisruptionbudgets',
  namespaced: true,
  shortNames: ['pdb'],
  subresources: [statusSubresource('policy', 'v1', 'PodDisruptionBudget')],
  bumpsGeneration: true,
  validate: validatePDB,
  table: {
    columns: [
      nameColumn(),
      column('Min Available', 'The minimum number of pods that must be available.'),
      column('Max Unavailable', 'The maximum number of pods that may be unavailable.'),
      column('Allowed Disruptions', 'Calculated number of pods that may be disrupted at this time.', {
        type: 'integer',
      }),
      ageColumn(),
    ],
    cells: (pdb, now) => [
      nameOf(pdb),
      intOrString(pdb.spec?.minAvailable),
      intOrString(pdb.spec?.maxUnavailable),
      int(pdb.status?.disruptionsAllowed),
      ageOf(pdb, now),
    ],
  },
});
