// Which manager a write is recorded under: the fieldManager query parameter, or (as upstream) the
// user agent's product name, i.e. what precedes the first "/" (`kubectl.1.32/v1.32.5 (linux…)`
// records as `kubectl.1.32`), printable characters only, at most 128 bytes.
import { type FieldError, fieldInvalid, fieldTooLong } from '../../api/errors.ts';

/** Upstream's FieldManagerMaxLength. */
export const FIELD_MANAGER_MAX_LENGTH = 128;

export function managerOrUserAgent(
  fieldManager: string | null | undefined,
  userAgent: string | undefined,
): string {
  if (fieldManager) return fieldManager;
  const product = (userAgent ?? '').split('/')[0];
  let out = '';
  for (const ch of product) {
    if (!isPrintable(ch)) continue;
    if (Buffer.byteLength(out + ch) > FIELD_MANAGER_MAX_LENGTH) break;
    out += ch;
  }
  return out;
}

/** Validation of a fieldManager given by the client (ValidateFieldManager). */
export function validateFieldManager(fieldManager: string, field = 'fieldManager'): FieldError[] {
  if (Buffer.byteLength(fieldManager) > FIELD_MANAGER_MAX_LENGTH) {
    return [fieldTooLong(field, fieldManager, FIELD_MANAGER_MAX_LENGTH)];
  }
  for (const ch of fieldManager) {
    if (!isPrintable(ch))
      return [fieldInvalid(field, fieldManager, 'must only contain printable characters')];
  }
  return [];
}

/** Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
const isPrintable = (ch: string): boolean => ch === ' ' || /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(ch);
