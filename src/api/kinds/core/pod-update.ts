// Pod updates (upstream's ValidatePodUpdate): a running pod's spec is fixed except container
// images, a shrinking activeDeadlineSeconds, added tolerations and removed scheduling gates.
import { type FieldError, fieldForbidden, fieldInvalid, fieldRequired } from '../../errors.ts';
import type { KObject } from '../../object.ts';
import { asArray, child, index, sameValue } from '../../validation/index.ts';
import { validateTolerations } from './pod-validation.ts';

export const UPDATABLE_POD_SPEC_FIELDS = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];
const MAX_INT32 = 2_147_483_647;

export function validatePodUpdate(pod: KObject, old: KObject): FieldError[] {
  const spec: KObject = pod.spec ?? {};
  const oldSpec: KObject = old.spec ?? {};
  const errs: FieldError[] = [];
  for (const kind of ['containers', 'initContainers']) {
    const [cErrs, stop] = validateContainerUpdates(spec[kind], oldSpec[kind], `spec.${kind}`);
    errs.push(...cErrs);
    if (stop) return errs;
  }
  const ads = spec.activeDeadlineSeconds;
  const oldAds = oldSpec.activeDeadlineSeconds;
  if (typeof ads === 'number') {
    if (ads < 0 || ads > MAX_INT32) {
      errs.push(
        fieldInvalid('spec.activeDeadlineSeconds', ads, `must be between 0 and ${MAX_INT32}, inclusive`),
      );
      return errs;
    }
    if (typeof oldAds === 'number' && oldAds < ads) {
      errs.push(
        fieldInvalid('spec.activeDeadlineSeconds', ads, 'must be less than or equal to previous value'),
      );
      return errs;
    }
  } else if (typeof oldAds === 'number') {
    errs.push(
      fieldInvalid(
        'spec.activeDeadlineSeconds',
        null,
        'must not update from a positive integer to nil value',
      ),
    );
  }
  errs.push(...validateOnlyAddedTolerations(spec.tolerations, oldSpec.tolerations, 'spec.tolerations'));
  const oldGates = asArray<KObject>(oldSpec.schedulingGates);
  for (const g of asArray<KObject>(spec.schedulingGates)) {
    if (!oldGates.some((o) => o.name === g.name)) {
      errs.push(
        fieldForbidden('spec.schedulingGates', 'only deletion is allowed, but found new scheduling gate'),
      );
      break;
    }
  }
  if (sameValue(spec, oldSpec)) return errs;
  const munged = mungeUpdatable(spec, oldSpec);
  if (!sameValue(munged, oldSpec)) {
    errs.push(
      fieldForbidden(
        'spec',
        `pod updates may not change fields other than ${UPDATABLE_POD_SPEC_FIELDS.join(',')}\n${specDiff(oldSpec, munged)}`,
      ),
    );
  }
  return errs;
}

function validateContainerUpdates(next: unknown, prev: unknown, field: string): [FieldError[], boolean] {
  const a = asArray<KObject>(next);
  const b = asArray<KObject>(prev);
  if (a.length !== b.length)
    return [[fieldForbidden(field, 'pod updates may not add or remove containers')], true];
  const errs: FieldError[] = [];
  a.forEach((c, i) => {
    const at = child(index(field, i), 'image');
    if (!c.image) errs.push(fieldRequired(at));
    else if (String(c.image).trim() !== c.image)
      errs.push(fieldInvalid(at, c.image, 'must not have leading or trailing whitespace'));
  });
  return [errs, false];
}

function validateOnlyAddedTolerations(next: unknown, prev: unknown, field: string): FieldError[] {
  const now = asArray<KObject>(next);
  for (const old of asArray<KObject>(prev)) {
    // tolerationSeconds may change; anything else of an existing toleration may not.
    const found = now.some((t) => sameValue({ ...old, tolerationSeconds: t.tolerationSeconds }, t));
    if (!found)
      return [fieldForbidden(field, 'existing toleration can not be modified except its tolerationSeconds')];
  }
  return validateTolerations(now, field);
}

/** The new spec with every field that may change reset to its old value. */
function mungeUpdatable(spec: KObject, old: KObject): KObject {
  const m: KObject = structuredClone(spec);
  for (const kind of ['containers', 'initContainers']) {
    asArray<KObject>(m[kind]).forEach((c, i) => {
      c.image = old[kind]?.[i]?.image;
    });
  }
  setOrDelete(m, 'activeDeadlineSeconds', old.activeDeadlineSeconds);
  setOrDelete(m, 'schedulingGates', old.schedulingGates);
  setOrDelete(m, 'tolerations', old.tolerations);
  if (
    typeof old.terminationGracePeriodSeconds === 'number' &&
    old.terminationGracePeriodSeconds < 0 &&
    m.terminationGracePeriodSeconds === 1
  ) {
    m.terminationGracePeriodSeconds = old.terminationGracePeriodSeconds;
  }
  return m;
}

function setOrDelete(obj: KObject, k: string, v: unknown): void {
  if (v === undefined) delete obj[k];
  else obj[k] = v;
}

/** A short account of which spec fields differ, in the spirit of upstream's cmp.Diff output. */
function specDiff(old: KObject, next: KObject): string {
  const lines = ['  core.PodSpec{'];
  const keys = [...new Set([...Object.keys(old), ...Object.keys(next)])].sort();
  for (const k of keys) {
    if (sameValue(old[k], next[k])) continue;
    const goName = k.charAt(0).toUpperCase() + k.slice(1);
    if (old[k] !== undefined) lines.push(`- \t${goName}: ${JSON.stringify(old[k])},`);
    if (next[k] !== undefined) lines.push(`+ \t${goName}: ${JSON.stringify(next[k])},`);
  }
  lines.push('  }');
  return lines.join('\n');
}
