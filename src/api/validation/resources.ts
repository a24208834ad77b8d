// Resource names and quantities (requests, limits, capacity, quota): upstream's
// ValidateResourceQuantityValue and ValidateContainerResourceRequirements.
import { type FieldError, fieldInvalid, fieldRequired } from '../errors.ts';
import {
  compareQuantities,
  formatQuantity,
  parseQuantity,
  type Quantity,
  QuantityError,
} from '../quantity.ts';
import { child, fieldInvalidText, isObject, key } from './field-errors.ts';
import { isQualifiedName } from './names.ts';

export const NEGATIVE_QUANTITY = 'must be greater than or equal to 0';
export const NOT_INTEGER = 'must be an integer';
const STANDARD_CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);
const STANDARD_RESOURCES = new Set([
  ...STANDARD_CONTAINER_RESOURCES,
  'pods',
  'services',
  'replicationcontrollers',
  'resourcequotas',
  'secrets',
  'configmaps',
  'persistentvolumeclaims',
  'storage',
  'requests.cpu',
  'requests.memory',
  'requests.storage',
  'requests.ephemeral-storage',
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
  'services.nodeports',
  'services.loadbalancers',
]);
const HUGEPAGES_PREFIX = 'hugepages-';

const isNative = (name: string): boolean => !name.includes('/') || name.includes('kubernetes.io/');
const isHugePages = (name: string): boolean => name.startsWith(HUGEPAGES_PREFIX);
/** Extended resources (`example.com/gpu`) are counted, never overcommitted. */
const isExtended = (name: string): boolean => !isNative(name) && !name.startsWith('requests.');
const overcommitAllowed = (name: string): boolean => isNative(name) && !isHugePages(name);

/** Parse a quantity field; an unparsable one is reported at `field` with upstream's message. */
export function quantityAt(value: unknown, field: string, errs: FieldError[]): Quantity | undefined {
  try {
    return parseQuantity(typeof value === 'number' ? String(value) : (value as string));
  } catch (err) {
    const msg = err instanceof QuantityError ? err.message : String(err);
    errs.push(fieldInvalid(field, value ?? null, msg));
    return undefined;
  }
}

export function validateResourceName(name: string, field: string): FieldError[] {
  const errs = isQualifiedName(name).map((msg) => fieldInvalid(field, name, msg));
  if (errs.length) return errs;
  if (!name.includes('/') && !STANDARD_RESOURCES.has(name) && !isHugePages(name)) {
    errs.push(fieldInvalid(field, name, 'must be a standard resource type or fully qualified'));
  }
  return errs;
}

function validateContainerResourceName(name: string, field: string): FieldError[] {
  const errs = validateResourceName(name, field);
  if (errs.length) return errs;
  if (!name.includes('/') && !STANDARD_CONTAINER_RESOURCES.has(name) && !isHugePages(name)) {
    errs.push(fieldInvalid(field, name, 'must be a standard resource for containers'));
  }
  return errs;
}

/** Non-negative, and whole for extended resources. */
export function validateQuantityValue(name: string, q: Quantity, field: string): FieldError[] {
  if (q.nanos < 0n) return [fieldInvalid(field, formatQuantity(q), NEGATIVE_QUANTITY)];
  // The quantity itself (a Go Stringer) prints unquoted here, unlike the negative case.
  if (isExtended(name) && q.nanos % 1_000_000_000n !== 0n)
    return [fieldInvalidText(field, formatQuantity(q), NOT_INTEGER)];
  return [];
}

/** A ResourceList (capacity, quota hard, PVC requests): names, parseable and non-negative values. */
export function validateResourceList(list: unknown, field: string): FieldError[] {
  if (!isObject(list)) return [];
  const errs: FieldError[] = [];
  for (const [name, value] of Object.entries(list)) {
    const at = key(field, name);
    errs.push(...validateResourceName(name, at));
    const q = quantityAt(value, at, errs);
    if (q) errs.push(...validateQuantityValue(name, q, at));
  }
  return errs;
}

/** A container's requests and limits, with requests ≤ limits (= for non-overcommittable ones). */
export function validateContainerResources(resources: unknown, field: string): FieldError[] {
  if (!isObject(resources)) return [];
  const errs: FieldError[] = [];
  const limPath = child(field, 'limits');
  const reqPath = child(field, 'requests');
  const limits = new Map<string, Quantity>();
  for (const [name, value] of Object.entries(isObject(resources.limits) ? resources.limits : {})) {
    const at = key(limPath, name);
    errs.push(...validateContainerResourceName(name, at));
    const q = quantityAt(value, at, errs);
    if (!q) continue;
    errs.push(...validateQuantityValue(name, q, at));
    limits.set(name, q);
  }
  for (const [name, value] of Object.entries(isObject(resources.requests) ? resources.requests : {})) {
    const at = key(reqPath, name);
    errs.push(...validateContainerResourceName(name, at));
    const q = quantityAt(value, at, errs);
    if (!q) continue;
    errs.push(...validateQuantityValue(name, q, at));
    const limit = limits.get(name);
    if (limit) {
      const cmp = compareQuantities(q, limit);
      if (cmp !== 0 && !overcommitAllowed(name)) {
        errs.push(
          fieldInvalid(
            reqPath,
            formatQuantity(q),
            `must be equal to ${name} limit of ${formatQuantity(limit)}`,
          ),
        );
      } else if (cmp > 0) {
        errs.push(
          fieldInvalid(
            reqPath,
            formatQuantity(q),
            `must be less than or equal to ${name} limit of ${formatQuantity(limit)}`,
          ),
        );
      }
    } else if (!overcommitAllowed(name)) {
      errs.push(fieldRequired(limPath, 'Limit must be set for non overcommitable resources'));
    }
  }
  return errs;
}
