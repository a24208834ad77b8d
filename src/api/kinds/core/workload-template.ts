// The pod template checks every controller kind shares (upstream's
// ValidatePodTemplateSpecForReplicaSet / ForRC / ForStatefulSet / DaemonSet): the template's
// labels must match the selector, its pods must restart Always and have no deadline.
import { type FieldError, fieldForbidden, fieldNotSupported } from '../../errors.ts';
import type { KObject } from '../../object.ts';
import { child, fieldInvalidGo } from '../../validation/index.ts';
import { labelSelectorString, selectorMatches } from '../label-selector.ts';
import { validatePodTemplateSpec } from './pod-validation.ts';

export const SELECTOR_MISMATCH = '`selector` does not match template `labels`';

/**
 * `selector` is a LabelSelector object: an empty one matches anything (no error), an absent one
 * matches nothing (so a missing selector also reports the mismatch, as upstream does).
 */
export function validateTemplateMatchesSelector(
  template: KObject | undefined,
  selector: unknown,
  field: string,
): FieldError[] {
  if (!template || typeof template !== 'object') return [];
  const present = selector !== undefined && selector !== null;
  if (present && labelSelectorString(selector) === '') return [];
  const labels = template.metadata?.labels;
  if (selectorMatches(selector, labels ?? {})) return [];
  return [fieldInvalidGo(child(field, 'metadata.labels'), labels ?? null, SELECTOR_MISMATCH)];
}

/**
 * The template of an always-running workload; `owner` names the kind in the
 * activeDeadlineSeconds message ("… in ReplicaSet is not Supported").
 */
export function validateWorkloadTemplate(
  template: KObject | undefined,
  selector: unknown,
  field: string,
  owner: string,
): FieldError[] {
  const errs = validateTemplateMatchesSelector(template, selector, field);
  errs.push(...validatePodTemplateSpec(template, field));
  if (!template || typeof template !== 'object') return errs;
  const spec: KObject = template.spec ?? {};
  if (spec.restartPolicy !== 'Always') {
    errs.push(fieldNotSupported(child(field, 'spec.restartPolicy'), spec.restartPolicy ?? '', ['Always']));
  }
  if (spec.activeDeadlineSeconds !== undefined && spec.activeDeadlineSeconds !== null) {
    errs.push(
      fieldForbidden(
        child(field, 'spec.activeDeadlineSeconds'),
        `activeDeadlineSeconds in ${owner} is not Supported`,
      ),
    );
  }
  return errs;
}
