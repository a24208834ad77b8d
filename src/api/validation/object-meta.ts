// ObjectMeta validation every kind shares (apimachinery's ValidateObjectMetaAccessor and its
// update counterpart). The registry has already filled name (from generateName), uid and
// timestamps; this checks what users can get wrong.
import { type FieldError, fieldForbidden, fieldInvalid, fieldRequired } from '../errors.ts';
import type { KindDef } from '../kinds/types.ts';
import type { KObject, ObjectMeta } from '../object.ts';
import {
  asArray,
  child,
  fieldInvalidGo,
  isObject,
  validateImmutable,
  validateNonNegative,
} from './field-errors.ts';
import { goStringSlice } from './go-format.ts';
import { validateAnnotations, validateLabels } from './labels.ts';
import { isDNS1123Label, isQualifiedName, NAME_VALIDATORS } from './names.ts';

const META = 'metadata';
export const FINALIZER_ORPHAN = 'orphan';
export const FINALIZER_FOREGROUND = 'foregroundDeletion';

export function validateObjectMeta(obj: KObject, kind: KindDef): FieldError[] {
  const meta: ObjectMeta = obj.metadata ?? {};
  const errs: FieldError[] = [];
  const nameFn = NAME_VALIDATORS[kind.nameRule ?? 'subdomain'];
  if (meta.generateName) {
    for (const msg of nameFn(meta.generateName, true)) {
      errs.push(fieldInvalid(`${META}.generateName`, meta.generateName, msg));
    }
  }
  if (!meta.name) {
    errs.push(fieldRequired(`${META}.name`, 'name or generateName is required'));
  } else {
    for (const msg of nameFn(meta.name, false)) errs.push(fieldInvalid(`${META}.name`, meta.name, msg));
  }
  if (kind.namespaced) {
    if (!meta.namespace) errs.push(fieldRequired(`${META}.namespace`));
    else
      for (const msg of isDNS1123Label(meta.namespace))
        errs.push(fieldInvalid(`${META}.namespace`, meta.namespace, msg));
  } else if (meta.namespace) {
    errs.push(fieldForbidden(`${META}.namespace`, 'not allowed on this type'));
  }
  errs.push(...validateNonNegative(meta.generation, `${META}.generation`));
  errs.push(...validateLabels(meta.labels, `${META}.labels`));
  errs.push(...validateAnnotations(meta.annotations, `${META}.annotations`));
  errs.push(...validateOwnerReferences(meta.ownerReferences, `${META}.ownerReferences`));
  errs.push(...validateFinalizers(meta.finalizers, `${META}.finalizers`));
  return errs;
}

/** Kinds that may never own other objects (upstream's BannedOwners). */
const BANNED_OWNERS = new Set(['events.k8s.io/v1/Event', 'v1/Event']);

export function validateOwnerReferences(refs: unknown, field: string): FieldError[] {
  const errs: FieldError[] = [];
  let firstController = '';
  for (const raw of asArray(refs)) {
    const ref = isObject(raw) ? raw : {};
    const apiVersion = typeof ref.apiVersion === 'string' ? ref.apiVersion : '';
    const version = apiVersion.includes('/') ? apiVersion.split('/')[1] : apiVersion;
    if (!version)
      errs.push(fieldInvalid(child(field, 'apiVersion'), apiVersion, 'version must not be empty'));
    if (!ref.kind) errs.push(fieldInvalid(child(field, 'kind'), ref.kind ?? '', 'kind must not be empty'));
    if (!ref.name) errs.push(fieldInvalid(child(field, 'name'), ref.name ?? '', 'name must not be empty'));
    if (!ref.uid) errs.push(fieldInvalid(child(field, 'uid'), ref.uid ?? '', 'uid must not be empty'));
    const gvk = `${apiVersion}/${String(ref.kind ?? '')}`;
    if (BANNED_OWNERS.has(gvk))
      errs.push(fieldInvalid(field, ref, `${gvk} is disallowed from being an owner`));
    if (ref.controller === true) {
      const current = `${String(ref.kind)}/${String(ref.name)}`;
      if (firstController) {
        errs.push(
          fieldInvalid(
            field,
            refs,
            `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${current}`,
          ),
        );
      } else firstController = current;
    }
  }
  return errs;
}

export function validateFinalizers(finalizers: unknown, field: string): FieldError[] {
  const list = asArray<string>(finalizers);
  const errs: FieldError[] = [];
  for (const f of list) for (const msg of isQualifiedName(String(f))) errs.push(fieldInvalid(field, f, msg));
  if (list.includes(FINALIZER_ORPHAN) && list.includes(FINALIZER_FOREGROUND)) {
    errs.push(
      fieldInvalidGo(
        field,
        list,
        `finalizer ${FINALIZER_ORPHAN} and ${FINALIZER_FOREGROUND} cannot be both set`,
      ),
    );
  }
  return errs;
}

/** What may not change on update; resourceVersion is the registry's business (optimistic concurrency). */
export function validateObjectMetaUpdate(obj: KObject, old: KObject): FieldError[] {
  const meta: ObjectMeta = obj.metadata ?? {};
  const oldMeta: ObjectMeta = old.metadata ?? {};
  const errs: FieldError[] = [];
  if (oldMeta.deletionTimestamp) {
    const had = new Set(oldMeta.finalizers ?? []);
    const added = [...new Set(meta.finalizers ?? [])].filter((f) => !had.has(f)).sort();
    if (added.length) {
      errs.push(
        fieldForbidden(
          `${META}.finalizers`,
          `no new finalizers can be added if the object is being deleted, found new finalizers ${goStringSlice(added)}`,
        ),
      );
    }
  }
  if ((meta.generation ?? 0) < (oldMeta.generation ?? 0)) {
    errs.push(fieldInvalid(`${META}.generation`, meta.generation ?? 0, 'must not be decremented'));
  }
  errs.push(...validateImmutable(meta.name, oldMeta.name, `${META}.name`));
  errs.push(...validateImmutable(meta.namespace, oldMeta.namespace, `${META}.namespace`));
  errs.push(...validateImmutable(meta.uid, oldMeta.uid, `${META}.uid`));
  errs.push(
    ...validateImmutable(meta.creationTimestamp, oldMeta.creationTimestamp, `${META}.creationTimestamp`),
  );
  errs.push(
    ...validateImmutable(meta.deletionTimestamp, oldMeta.deletionTimestamp, `${META}.deletionTimestamp`),
  );
  errs.push(
    ...validateImmutable(
      meta.deletionGracePeriodSeconds,
      oldMeta.deletionGracePeriodSeconds,
      `${META}.deletionGracePeriodSeconds`,
    ),
  );
  return errs;
}
