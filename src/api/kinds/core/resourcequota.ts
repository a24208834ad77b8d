// core/v1 ResourceQuota.
import type { FieldError } from '../../errors.ts';
import type { KObject } from '../../object.ts';
import { canonicalQuantity } from '../../quantity.ts';
import { asArray, index, isObject, validateEnum, validateResourceList } from '../../validation/index.ts';
import { defineKind, statusSubresource } from '../define.ts';
import { ageColumn, ageOf, column, nameColumn, nameOf } from '../printing/default-table.ts';
import { canonicalizeResourceList } from './resource-list.ts';

const QUOTA_SCOPES = [
  'Terminating',
  'NotTerminating',
  'BestEffort',
  'NotBestEffort',
  'PriorityClass',
  'CrossNamespacePodAffinity',
];
const LIMITS_PREFIX = 'limits';

/** The REQUEST and LIMIT cells: `name: used/hard` for each resource, limits.* in the second. */
function quotaCells(rq: KObject): [string, string] {
  const hard: Record<string, unknown> = isObject(rq.status?.hard) ? rq.status.hard : {};
  const used: Record<string, unknown> = isObject(rq.status?.used) ? rq.status.used : {};
  const requests: string[] = [];
  const limits: string[] = [];
  for (const name of Object.keys(hard).sort()) {
    const cell = `${name}: ${canonicalQuantity(String(used[name] ?? '0'))}/${canonicalQuantity(String(hard[name]))}`;
    const parts = name.split('.');
    (parts.length > 1 && parts[0] === LIMITS_PREFIX ? limits : requests).push(cell);
  }
  return [requests.join(', '), limits.join(', ')];
}

function validateQuota(rq: KObject): FieldError[] {
  const errs = validateResourceList(rq.spec?.hard, 'spec.hard');
  asArray<string>(rq.spec?.scopes).forEach((s, i) => {
    errs.push(...validateEnum(s, index('spec.scopes', i), QUOTA_SCOPES));
  });
  errs.push(...validateResourceList(rq.status?.hard, 'status.hard'));
  errs.push(...validateResourceList(rq.status?.used, 'status.used'));
  return errs;
}

export const RESOURCE_QUOTA = defineKind({
  group: '',
  version: 'v1',
  kind: 'ResourceQuota',
  plural: 'resourcequotas',
  namespaced: true,
  shortNames: ['quota'],
  subresources: [statusSubresource('', 'v1', 'ResourceQuota')],
  defaults(rq) {
    if (isObject(rq.spec?.hard)) rq.spec.hard = canonicalizeResourceList(rq.spec.hard);
    for (const k of ['hard', 'used'])
      if (isObject(rq.status?.[k])) rq.status[k] = canonicalizeResourceList(rq.status[k]);
  },
  validate: validateQuota,
  table: {
    columns: [
      nameColumn(),
      column('Request', 'Request represents a minimum amount of cpu/memory that a container may consume.'),
      column(
        'Limit',
        'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.',
      ),
      ageColumn(),
    ],
    cells(rq, now) {
      const [req, lim] = quotaCells(rq);
      return [nameOf(rq), req, lim, ageOf(rq, now)];
    },
  },
});
