// What the apps/v1 workloads share: selector rules, the pod template, rolling-update numbers,
// the scale subresource and the wide table cells.
import { type FieldError, fieldRequired } from '../../errors.ts';
import type { KObject } from '../../object.ts';
import {
  FIELD_IMMUTABLE,
  fieldInvalidText,
  goLabelSelector,
  isObject,
  isValidPercent,
  sameValue,
  validateLabelSelector,
  validateNonNegative,
} from '../../validation/index.ts';
import { defaultPodSpec } from '../core/pod-defaults.ts';
import { validateWorkloadTemplate } from '../core/workload-template.ts';
import { labelSelectorString } from '../label-selector.ts';
import type { ScaleDef } from '../types.ts';

export const DEFAULT_REVISION_HISTORY_LIMIT = 10;

/** Selector present, valid and non-empty; then the template against it. */
export function validateSelectorAndTemplate(spec: KObject, noun: string, owner: string): FieldError[] {
  const errs: FieldError[] = [];
  const selector: KObject | undefined = spec.selector;
  if (selector === undefined || selector === null) {
    errs.push(fieldRequired('spec.selector'));
  } else {
    errs.push(...validateLabelSelector(selector, 'spec.selector'));
    const count = Object.keys(selector.matchLabels ?? {}).length + (selector.matchExpressions ?? []).length;
    if (count === 0) errs.push(invalidSelector(selector, `empty selector is invalid for ${noun}`));
  }
  if (labelSelectorString(selector) === undefined)
    errs.push(invalidSelector(selector, 'invalid label selector'));
  else errs.push(...validateWorkloadTemplate(spec.template, selector, 'spec.template', owner));
  return errs;
}

const invalidSelector = (selector: unknown, detail: string): FieldError => ({
  type: 'FieldValueInvalid',
  field: 'spec.selector',
  detail: `Invalid value: ${goLabelSelector(selector)}: ${detail}`,
});

/** apps/v1 selectors never change after creation. */
export function validateSelectorImmutable(obj: KObject, old: KObject): FieldError[] {
  if (sameValue(obj.spec?.selector, old.spec?.selector)) return [];
  return [
    {
      type: 'FieldValueInvalid',
      field: 'spec.selector',
      detail: `Invalid value: ${goLabelSelector(obj.spec?.selector)}: ${FIELD_IMMUTABLE}`,
    },
  ];
}

/** An int-or-percent that must not be negative (maxSurge, maxUnavailable, minAvailable). */
export function validatePositiveIntOrPercent(v: unknown, field: string): FieldError[] {
  // Int-or-strings print unquoted in upstream's messages (they are Go Stringers).
  if (typeof v === 'string') return isValidPercent(v).map((m) => fieldInvalidText(field, v, m));
  return validateNonNegative(v, field);
}

/** The value of an int-or-percent, percentages as numbers (for the "both 0" checks). */
export const intOrPercentValue = (v: unknown): number =>
  typeof v === 'string' ? Number.parseInt(v, 10) || 0 : typeof v === 'number' ? v : 0;

export function validateNotMoreThan100Percent(v: unknown, field: string): FieldError[] {
  if (typeof v !== 'string' || isValidPercent(v).length) return [];
  return intOrPercentValue(v) > 100 ? [fieldInvalidText(field, v, 'must not be greater than 100%')] : [];
}

export function defaultTemplate(spec: KObject): void {
  if (!isObject(spec.template)) return;
  const template: KObject = spec.template;
  template.spec ??= {};
  defaultPodSpec(template.spec);
}

export const SCALE_BY_REPLICAS: ScaleDef = {
  specReplicasPath: ['spec', 'replicas'],
  statusReplicasPath: ['status', 'replicas'],
  selector: (obj) => labelSelectorString(obj.spec?.selector) ?? '',
};

export const validateCommonCounts = (spec: KObject): FieldError[] => [
  ...validateNonNegative(spec.replicas, 'spec.replicas'),
  ...validateNonNegative(spec.minReadySeconds, 'spec.minReadySeconds'),
  ...validateNonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'),
];
