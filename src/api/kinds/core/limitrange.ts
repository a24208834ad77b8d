// core/v1 LimitRange.
import { type FieldError, fieldDuplicate, fieldForbidden, fieldInvalid } from '../../errors.ts';
import type { KObject } from '../../object.ts';
import { formatQuantity, type Quantity } from '../../quantity.ts';
import {
  child,
  index,
  isObject,
  isQualifiedName,
  key,
  quantityAt,
  validateResourceName,
} from '../../validation/index.ts';
import { defineKind } from '../define.ts';
import { asList } from './pod-defaults.ts';
import { canonicalizeResourceList } from './resource-list.ts';

const STANDARD_LIMIT_TYPES = new Set(['Pod', 'Container', 'PersistentVolumeClaim']);
const BOUNDS = ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio'] as const;
type Bound = (typeof BOUNDS)[number];

/** SetDefaults_LimitRangeItem: container defaults fall back to max, requests to defaults or min. */
function defaultItem(item: KObject): void {
  for (const b of BOUNDS) if (isObject(item[b])) item[b] = canonicalizeResourceList(item[b]);
  if (item.type !== 'Container') return;
  item.default = { ...(item.default ?? {}) };
  item.defaultRequest = { ...(item.defaultRequest ?? {}) };
  for (const [k, v] of Object.entries(item.max ?? {})) if (!(k in item.default)) item.default[k] = v;
  for (const [k, v] of Object.entries(item.default))
    if (!(k in item.defaultRequest)) item.defaultRequest[k] = v;
  for (const [k, v] of Object.entries(item.min ?? {}))
    if (!(k in item.defaultRequest)) item.defaultRequest[k] = v;
}

/** `Invalid value: <quantity>: …` — quantities print unquoted, as Go's Stringer. */
const invalidQuantity = (field: string, q: Quantity, detail: string): FieldError => ({
  type: 'FieldValueInvalid',
  field,
  detail: `Invalid value: ${formatQuantity(q)}: ${detail}`,
});

function validateItem(item: KObject, field: string, types: Set<string>): FieldError[] {
  const errs: FieldError[] = [];
  const type = String(item.type ?? '');
  const typePath = child(field, 'type');
  const typeErrs = isQualifiedName(type).map((m) => fieldInvalid(typePath, type, m));
  if (!typeErrs.length && !type.includes('/') && !STANDARD_LIMIT_TYPES.has(type)) {
    typeErrs.push(fieldInvalid(typePath, type, 'must be a standard limit type or fully qualified'));
  }
  errs.push(...typeErrs);
  if (types.has(type)) errs.push(fieldDuplicate(typePath, type));
  types.add(type);
  const q: Record<Bound, Map<string, Quantity>> = {
    max: new Map(),
    min: new Map(),
    default: new Map(),
    defaultRequest: new Map(),
    maxLimitRequestRatio: new Map(),
  };
  for (const b of BOUNDS) {
    for (const [name, v] of Object.entries(isObject(item[b]) ? item[b] : {})) {
      const at = key(child(field, b), name);
      errs.push(...validateResourceName(name, at));
      const parsed = quantityAt(v, at, errs);
      if (parsed) q[b].set(name, parsed);
    }
  }
  if (type === 'Pod') {
    if (q.default.size)
      errs.push(fieldForbidden(child(field, 'default'), "may not be specified when `type` is 'Pod'"));
    if (q.defaultRequest.size)
      errs.push(fieldForbidden(child(field, 'defaultRequest'), "may not be specified when `type` is 'Pod'"));
  }
  const names = new Set(BOUNDS.flatMap((b) => [...q[b].keys()]));
  for (const k of names) {
    const [max, min, def, req, ratio] = BOUNDS.map((b) => q[b].get(k));
    const s = (x: Quantity) => formatQuantity(x);
    if (min && max && min.nanos > max.nanos) {
      errs.push(
        invalidQuantity(
          key(child(field, 'min'), k),
          min,
          `min value ${s(min)} is greater than max value ${s(max)}`,
        ),
      );
    }
    if (req && min && min.nanos > req.nanos) {
      errs.push(
        invalidQuantity(
          key(child(field, 'defaultRequest'), k),
          req,
          `min value ${s(min)} is greater than default request value ${s(req)}`,
        ),
      );
    }
    if (req && max && req.nanos > max.nanos) {
      errs.push(
        invalidQuantity(
          key(child(field, 'defaultRequest'), k),
          req,
          `default request value ${s(req)} is greater than max value ${s(max)}`,
        ),
      );
    }
    if (req && def && req.nanos > def.nanos) {
      errs.push(
        invalidQuantity(
          key(child(field, 'defaultRequest'), k),
          req,
          `default request value ${s(req)} is greater than default limit value ${s(def)}`,
        ),
      );
    }
    if (def && min && min.nanos > def.nanos) {
      errs.push(
        invalidQuantity(
          key(child(field, 'default'), k),
          min,
          `min value ${s(min)} is greater than default value ${s(def)}`,
        ),
      );
    }
    if (def && max && def.nanos > max.nanos) {
      errs.push(
        invalidQuantity(
          key(child(field, 'default'), k),
          max,
          `default value ${s(def)} is greater than max value ${s(max)}`,
        ),
      );
    }
    if (ratio && ratio.nanos < 1_000_000_000n) {
      errs.push(
        invalidQuantity(
          key(child(field, 'maxLimitRequestRatio'), k),
          ratio,
          `ratio ${s(ratio)} is less than 1`,
        ),
      );
    }
  }
  return errs;
}

export const LIMIT_RANGE = defineKind({
  group: '',
  version: 'v1',
  kind: 'LimitRange',
  plural: 'limitranges',
  namespaced: true,
  shortNames: ['limits'],
  defaults(lr) {
    for (const item of asList(lr.spec?.limits)) defaultItem(item);
  },
  validate(lr) {
    const types = new Set<string>();
    return asList(lr.spec?.limits).flatMap((item, i) => validateItem(item, index('spec.limits', i), types));
  },
});
