// RBAC rules and subjects (upstream's pkg/apis/rbac/validation).
import { type FieldError, fieldInvalid, fieldNotSupported, fieldRequired } from '../../errors.ts';
import type { KObject } from '../../object.ts';
import {
  asArray,
  child,
  fieldInvalidGo,
  index,
  isDNS1123Subdomain,
  isValidPathSegmentName,
} from '../../validation/index.ts';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';
const SUBJECT_KINDS = ['ServiceAccount', 'User', 'Group'];

export function validatePolicyRules(rules: unknown, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  asArray<KObject>(rules).forEach((rule, i) => {
    const at = index('rules', i);
    if (asArray(rule.verbs).length === 0)
      errs.push(fieldRequired(child(at, 'verbs'), 'verbs must contain at least one value'));
    const urls = asArray<string>(rule.nonResourceURLs);
    if (urls.length > 0) {
      if (namespaced)
        errs.push(
          fieldInvalidGo(
            child(at, 'nonResourceURLs'),
            urls,
            'namespaced rules cannot apply to non-resource URLs',
          ),
        );
      if (
        asArray(rule.apiGroups).length ||
        asArray(rule.resources).length ||
        asArray(rule.resourceNames).length
      ) {
        errs.push(
          fieldInvalidGo(
            child(at, 'nonResourceURLs'),
            urls,
            'rules cannot apply to both regular resources and non-resource URLs',
          ),
        );
      }
      return;
    }
    if (asArray(rule.apiGroups).length === 0)
      errs.push(fieldRequired(child(at, 'apiGroups'), 'resource rules must supply at least one api group'));
    if (asArray(rule.resources).length === 0)
      errs.push(fieldRequired(child(at, 'resources'), 'resource rules must supply at least one resource'));
  });
  return errs;
}

export function validateSubjects(subjects: unknown, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  asArray<KObject>(subjects).forEach((s, i) => {
    const at = index('subjects', i);
    if (!s.name) errs.push(fieldRequired(child(at, 'name')));
    switch (s.kind) {
      case 'ServiceAccount':
        if (s.name)
          errs.push(
            ...isDNS1123Subdomain(String(s.name)).map((m) => fieldInvalid(child(at, 'name'), s.name, m)),
          );
        if (s.apiGroup) errs.push(fieldNotSupported(child(at, 'apiGroup'), s.apiGroup, ['']));
        if (!namespaced && !s.namespace) errs.push(fieldRequired(child(at, 'namespace')));
        break;
      case 'User':
      case 'Group':
        if (s.apiGroup !== RBAC_GROUP)
          errs.push(fieldNotSupported(child(at, 'apiGroup'), s.apiGroup ?? '', [RBAC_GROUP]));
        break;
      default:
        errs.push(fieldNotSupported(child(at, 'kind'), s.kind ?? '', SUBJECT_KINDS));
    }
  });
  return errs;
}

export function validateRoleRef(ref: KObject | undefined, kinds: string[]): FieldError[] {
  const r: KObject = ref ?? {};
  const errs: FieldError[] = [];
  if (r.apiGroup !== RBAC_GROUP)
    errs.push(fieldNotSupported('roleRef.apiGroup', r.apiGroup ?? '', [RBAC_GROUP]));
  if (!kinds.includes(r.kind ?? '')) errs.push(fieldNotSupported('roleRef.kind', r.kind ?? '', kinds));
  if (!r.name) errs.push(fieldRequired('roleRef.name'));
  else
    errs.push(...isValidPathSegmentName(String(r.name)).map((m) => fieldInvalid('roleRef.name', r.name, m)));
  return errs;
}

/** The roleRef of a binding is fixed: grants are changed by replacing the binding. */
export function validateRoleRefUnchanged(binding: KObject, old: KObject): FieldError[] {
  const a: KObject = binding.roleRef ?? {};
  const b: KObject = old.roleRef ?? {};
  if (a.apiGroup === b.apiGroup && a.kind === b.kind && a.name === b.name) return [];
  const shown = `rbac.RoleRef{APIGroup:${JSON.stringify(a.apiGroup ?? '')}, Kind:${JSON.stringify(a.kind ?? '')}, Name:${JSON.stringify(a.name ?? '')}}`;
  return [
    { type: 'FieldValueInvalid', field: 'roleRef', detail: `Invalid value: ${shown}: cannot change roleRef` },
  ];
}

/** SetDefaults_Subject and the roleRef group default. */
export function defaultBinding(binding: KObject): void {
  if (binding.roleRef && typeof binding.roleRef === 'object') binding.roleRef.apiGroup ||= RBAC_GROUP;
  for (const s of asArray<KObject>(binding.subjects)) {
    if (s.apiGroup) continue;
    if (s.kind === 'ServiceAccount') s.apiGroup = '';
    else if (s.kind === 'User' || s.kind === 'Group') s.apiGroup = RBAC_GROUP;
  }
}

/** rbac.SubjectsStrings: users, groups and `namespace/name` service accounts, ", "-joined. */
export function subjectCells(subjects: unknown): [string, string, string] {
  const users: string[] = [];
  const groups: string[] = [];
  const sas: string[] = [];
  for (const s of asArray<KObject>(subjects)) {
    if (s.kind === 'ServiceAccount') sas.push(`${s.namespace ?? ''}/${s.name ?? ''}`);
    else if (s.kind === 'User') users.push(String(s.name ?? ''));
    else if (s.kind === 'Group') groups.push(String(s.name ?? ''));
  }
  return [users.join(', '), groups.join(', '), sas.join(', ')];
}
