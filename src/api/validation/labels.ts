// Labels, annotations and label selector objects (metav1 validation).
import { type FieldError, fieldForbidden, fieldInvalid, fieldRequired, fieldTooLong } from '../errors.ts';
import { asArray, child, index, isObject } from './field-errors.ts';
import { isQualifiedName, isValidLabelValue } from './names.ts';

/** Upstream's TotalAnnotationSizeLimitB: keys plus values of one object. */
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

export function validateLabelName(name: string, field: string): FieldError[] {
  return isQualifiedName(name).map((msg) => fieldInvalid(field, name, msg));
}

/** Every key a qualified name, every value a label value; errors name the map, not the key. */
export function validateLabels(labels: unknown, field: string): FieldError[] {
  if (!isObject(labels)) return [];
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels)) {
    errs.push(...validateLabelName(k, field));
    const value = typeof v === 'string' ? v : String(v);
    for (const msg of isValidLabelValue(value)) errs.push(fieldInvalid(field, value, msg));
  }
  return errs;
}

export function validateAnnotations(annotations: unknown, field: string): FieldError[] {
  if (!isObject(annotations)) return [];
  const errs: FieldError[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(annotations)) {
    // Annotation keys are qualified names, except that case does not matter.
    for (const msg of isQualifiedName(k.toLowerCase())) errs.push(fieldInvalid(field, k, msg));
    size += Buffer.byteLength(k) + Buffer.byteLength(typeof v === 'string' ? v : String(v));
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(fieldTooLong(field, '', TOTAL_ANNOTATION_SIZE_LIMIT));
  return errs;
}

const SET_OPERATORS = new Set(['In', 'NotIn']);
const EXISTENCE_OPERATORS = new Set(['Exists', 'DoesNotExist']);

/** A metav1.LabelSelector object: matchLabels, and matchExpressions with In/NotIn/Exists/DoesNotExist. */
export function validateLabelSelector(selector: unknown, field: string): FieldError[] {
  if (!isObject(selector)) return [];
  const errs = validateLabels(selector.matchLabels, child(field, 'matchLabels'));
  asArray(selector.matchExpressions).forEach((expr, i) => {
    errs.push(...validateSelectorRequirement(expr, index(child(field, 'matchExpressions'), i)));
  });
  return errs;
}

function validateSelectorRequirement(expr: unknown, field: string): FieldError[] {
  const r = isObject(expr) ? expr : {};
  const errs: FieldError[] = [];
  const values = asArray<string>(r.values);
  const op = r.operator;
  if (SET_OPERATORS.has(op as string)) {
    if (values.length === 0) {
      errs.push(
        fieldRequired(child(field, 'values'), "must be specified when `operator` is 'In' or 'NotIn'"),
      );
    }
  } else if (EXISTENCE_OPERATORS.has(op as string)) {
    if (values.length > 0) {
      errs.push(
        fieldForbidden(
          child(field, 'values'),
          "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
        ),
      );
    }
  } else {
    errs.push(fieldInvalid(child(field, 'operator'), op ?? '', 'not a valid selector operator'));
  }
  errs.push(...validateLabelName(typeof r.key === 'string' ? r.key : '', child(field, 'key')));
  values.forEach((v, i) => {
    for (const msg of isValidLabelValue(String(v)))
      errs.push(fieldInvalid(index(child(field, 'values'), i), v, msg));
  });
  return errs;
}
