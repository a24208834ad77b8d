// rbac.authorization.k8s.io/v1 Role, ClusterRole, RoleBinding, ClusterRoleBinding: plain CRUD
// with upstream's validation (authorization itself is the apiserver's).
import { type FieldError, fieldRequired } from '../../errors.ts';
import type { KObject } from '../../object.ts';
import { asArray, fieldInvalidGo, index, validateLabelSelector } from '../../validation/index.ts';
import { defineKind } from '../define.ts';
import { labelSelectorString } from '../label-selector.ts';
import { str } from '../printing/cells.ts';
import { ageColumn, ageOf, column, nameColumn, nameOf } from '../printing/default-table.ts';
import type { TableDef } from '../types.ts';
import {
  defaultBinding,
  RBAC_GROUP,
  subjectCells,
  validatePolicyRules,
  validateRoleRef,
  validateRoleRefUnchanged,
  validateSubjects,
} from './policy-rule.ts';

function validateAggregation(role: KObject): FieldError[] {
  const rule = role.aggregationRule;
  if (!rule || typeof rule !== 'object') return [];
  const selectors = asArray(rule.clusterRoleSelectors);
  const field = 'aggregationRule.clusterRoleSelectors';
  if (selectors.length === 0)
    return [fieldRequired(field, 'at least one clusterRoleSelector required if aggregationRule is non-nil')];
  return selectors.flatMap((s, i) => {
    const errs = validateLabelSelector(s, index(field, i));
    if (labelSelectorString(s) === undefined)
      errs.push(fieldInvalidGo(index(field, i), s, 'invalid label selector.'));
    return errs;
  });
}

function bindingTable(owner: string): TableDef {
  return {
    columns: [
      nameColumn(),
      column(
        'Role',
        'RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace.',
      ),
      ageColumn(),
      column('Users', `Users in the ${owner}`, { wide: true }),
      column('Groups', `Groups in the ${owner}`, { wide: true }),
      column('ServiceAccounts', `ServiceAccounts in the ${owner}`, { wide: true }),
    ],
    cells: (b, now) => [
      nameOf(b),
      `${str(b.roleRef?.kind)}/${str(b.roleRef?.name)}`,
      ageOf(b, now),
      ...subjectCells(b.subjects),
    ],
  };
}

const common = { group: RBAC_GROUP, version: 'v1', nameRule: 'path-segment' as const };

export const ROLE = defineKind({
  ...common,
  kind: 'Role',
  plural: 'roles',
  namespaced: true,
  validate: (role) => validatePolicyRules(role.rules, true),
});

export const CLUSTER_ROLE = defineKind({
  ...common,
  kind: 'ClusterRole',
  plural: 'clusterroles',
  namespaced: false,
  validate: (role) => [...validatePolicyRules(role.rules, false), ...validateAggregation(role)],
});

export const ROLE_BINDING = defineKind({
  ...common,
  kind: 'RoleBinding',
  plural: 'rolebindings',
  namespaced: true,
  defaults: defaultBinding,
  validate: (b) => [
    ...validateRoleRef(b.roleRef, ['Role', 'ClusterRole']),
    ...validateSubjects(b.subjects, true),
  ],
  validateUpdate: validateRoleRefUnchanged,
  table: bindingTable('roleBinding'),
});

export const CLUSTER_ROLE_BINDING = defineKind({
  ...common,
  kind: 'ClusterRoleBinding',
  plural: 'clusterrolebindings',
  namespaced: false,
  defaults: defaultBinding,
  validate: (b) => [...validateRoleRef(b.roleRef, ['ClusterRole']), ...validateSubjects(b.subjects, false)],
  validateUpdate: validateRoleRefUnchanged,
  table: bindingTable('clusterRoleBinding'),
});
