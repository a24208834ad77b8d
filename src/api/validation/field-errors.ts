// Field errors beyond the basic constructors in ../errors.ts, and the small reusable checks
// (non-negative, immutable, enum) every kind's validation is made of.
import { type FieldError, fieldInvalid, fieldNotSupported, fieldRequired } from '../errors.ts';
import { goValue } from './go-format.ts';

/** `Not found: "x"` (upstream's field.NotFound). */
export const fieldNotFound = (field: string, value: unknown): FieldError => ({
  type: 'FieldValueNotFound',
  field,
  detail: `Not found: ${JSON.stringify(value ?? null)}`,
});

/** `Invalid value: <value as Go prints it>: detail`, for maps, slices and structs. */
export const fieldInvalidGo = (field: string, value: unknown, detail: string): FieldError => ({
  type: 'FieldValueInvalid',
  field,
  detail: `Invalid value: ${goValue(value)}${detail ? `: ${detail}` : ''}`,
});

/** `Invalid value: <text>: detail` with the value shown as given (Go Stringers: quantities, int-or-strings). */
export const fieldInvalidText = (field: string, text: string, detail: string): FieldError => ({
  type: 'FieldValueInvalid',
  field,
  detail: `Invalid value: ${text}${detail ? `: ${detail}` : ''}`,
});

/** The detail upstream's ValidateImmutableField gives. */
export const FIELD_IMMUTABLE = 'field is immutable';

/** Field paths as upstream prints them: `spec.containers[0]`, `data[key]`. */
export const child = (base: string, name: string): string => (base ? `${base}.${name}` : name);
export const index = (base: string, i: number): string => `${base}[${i}]`;
export const key = (base: string, k: string): string => `${base}[${k}]`;

export const GE_ZERO = 'must be greater than or equal to 0';

export function validateNonNegative(value: unknown, field: string): FieldError[] {
  return typeof value === 'number' && value < 0 ? [fieldInvalid(field, value, GE_ZERO)] : [];
}

export function validatePositive(value: unknown, field: string): FieldError[] {
  return typeof value === 'number' && value <= 0
    ? [fieldInvalid(field, value, 'must be greater than 0')]
    : [];
}

/** Unchanged, or `Invalid value: <new>: field is immutable` (deep comparison). */
export function validateImmutable(value: unknown, old: unknown, field: string): FieldError[] {
  return sameValue(value, old) ? [] : [fieldInvalidGo(field, value, FIELD_IMMUTABLE)];
}

/** Required-or-one-of, as upstream's switch statements over enum fields. */
export function validateEnum(
  value: unknown,
  field: string,
  supported: readonly string[],
  opts: { required?: boolean } = {},
): FieldError[] {
  if (value === undefined || value === null || value === '') {
    return opts.required ? [fieldRequired(field)] : [];
  }
  return supported.includes(value as string) ? [] : [fieldNotSupported(field, value, [...supported])];
}

/** JSON-level deep equality (undefined and missing are the same). */
export function sameValue(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

function canonicalJson(v: unknown): string {
  return JSON.stringify(v ?? null, (_k, val: unknown) => {
    if (val && typeof val === 'object' && !Array.isArray(val)) {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(val).sort()) {
        const x = (val as Record<string, unknown>)[k];
        if (x !== undefined) out[k] = x;
      }
      return out;
    }
    return val;
  });
}

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export const asArray = <T = unknown>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);

export const asRecord = (v: unknown): Record<string, unknown> => (isObject(v) ? v : {});
