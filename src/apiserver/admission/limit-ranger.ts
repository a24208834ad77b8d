// LimitRanger: a namespace's LimitRanges default container requests/limits (mutating phase) and
// bound them — min, max and maxLimitRequestRatio per Container and per Pod (validating phase) —
// with upstream's messages, e.g. `pods "x" is forbidden: maximum cpu usage per Container is 1,
// but limit is 2`.
import type { KObject } from '../../api/object.ts';
import {
  addQuantities,
  compareQuantities,
  formatQuantity,
  type Quantity,
  quantityMilliValue,
  tryParseQuantity,
} from '../../api/quantity.ts';
import type { AdmissionAttributes, AdmissionPlugin } from '../registry/admission.ts';
import { admissionForbidden, aggregate, isCorePod } from './forbidden.ts';

export const LIMIT_RANGER_ANNOTATION = 'kubernetes.io/limit-ranger';

/** The LimitRanges of a namespace (from the watch cache). */
export type LimitRangeSource = (namespace: string) => Iterable<KObject>;

type Resources = Record<string, string>;

export class LimitRanger implements AdmissionPlugin {
  readonly name = 'LimitRanger';
  readonly #ranges: LimitRangeSource;

  constructor(ranges: LimitRangeSource) {
    this.#ranges = ranges;
  }

  #items(namespace: string, type: string): KObject[] {
    const out: KObject[] = [];
    for (const lr of this.#ranges(namespace))
      for (const item of list(lr.spec?.limits)) if (item.type === type) out.push(item);
    return out;
  }

  admit(a: AdmissionAttributes): void {
    if (a.operation !== 'CREATE' || a.subresource || !isCorePod(a) || !a.obj) return;
    const items = this.#items(a.namespace, 'Container');
    if (items.length === 0) return;
    const set: string[] = [];
    for (const c of [...list(a.obj.spec?.initContainers), ...list(a.obj.spec?.containers)]) {
      c.resources ??= {};
      const limits: Resources = { ...(c.resources.limits ?? {}) };
      const requests: Resources = { ...(c.resources.requests ?? {}) };
      const setLimits: string[] = [];
      const setRequests: string[] = [];
      for (const item of items) {
        for (const [k, v] of Object.entries<string>(item.default ?? {})) {
          if (!(k in limits)) {
            limits[k] = v;
            setLimits.push(k);
          }
        }
        for (const [k, v] of Object.entries<string>(item.defaultRequest ?? {})) {
          // A limit without a request defaults the request to the limit (pod defaulting does it).
          if (!(k in requests) && !(k in (c.resources.limits ?? {}))) {
            requests[k] = v;
            setRequests.push(k);
          }
        }
      }
      if (setLimits.length) c.resources.limits = limits;
      if (setRequests.length) c.resources.requests = requests;
      if (setRequests.length) set.push(`${setRequests.join(', ')} request for container ${c.name}`);
      if (setLimits.length) set.push(`${setLimits.join(', ')} limit for container ${c.name}`);
    }
    if (set.length) {
      a.obj.metadata ??= {};
      const meta = a.obj.metadata;
      meta.annotations = {
        ...(meta.annotations ?? {}),
        [LIMIT_RANGER_ANNOTATION]: `LimitRanger plugin set: ${set.join('; ')}`,
      };
    }
  }

  validate(a: AdmissionAttributes): void {
    if (a.operation !== 'CREATE' || a.subresource || !isCorePod(a) || !a.obj) return;
    const errs: string[] = [];
    const containers = list(a.obj.spec?.containers);
    const inits = list(a.obj.spec?.initContainers);
    for (const item of this.#items(a.namespace, 'Container')) {
      for (const c of [...inits, ...containers]) {
        errs.push(
          ...checkBounds(item, 'Container', parseAll(c.resources?.requests), parseAll(c.resources?.limits)),
        );
      }
    }
    const podItems = this.#items(a.namespace, 'Pod');
    if (podItems.length) {
      const req = podTotal(containers, inits, 'requests');
      const lim = podTotal(containers, inits, 'limits');
      for (const item of podItems) errs.push(...checkBounds(item, 'Pod', req, lim));
    }
    if (errs.length) throw admissionForbidden(a, aggregate(errs));
  }
}

/** Pod usage: the sum over containers, or the largest init container when that is more. */
function podTotal(
  containers: KObject[],
  inits: KObject[],
  field: 'requests' | 'limits',
): Map<string, Quantity> {
  const sum = new Map<string, Quantity>();
  for (const c of containers) {
    for (const [k, q] of parseAll(c.resources?.[field])) {
      const have = sum.get(k);
      sum.set(k, have ? addQuantities(have, q) : q);
    }
  }
  for (const c of inits) {
    for (const [k, q] of parseAll(c.resources?.[field])) {
      const have = sum.get(k);
      if (!have || compareQuantities(q, have) > 0) sum.set(k, q);
    }
  }
  return sum;
}

export function checkBounds(
  item: KObject,
  type: string,
  requests: Map<string, Quantity>,
  limits: Map<string, Quantity>,
): string[] {
  const errs: string[] = [];
  for (const [k, v] of Object.entries<string>(item.min ?? {})) {
    const min = tryParseQuantity(v);
    if (!min) continue;
    const req = requests.get(k);
    const lim = limits.get(k);
    const s = formatQuantity(min);
    if (!req) errs.push(`minimum ${k} usage per ${type} is ${s}.  No request is specified`);
    else if (compareQuantities(req, min) < 0)
      errs.push(`minimum ${k} usage per ${type} is ${s}, but request is ${formatQuantity(req)}`);
    if (lim && compareQuantities(lim, min) < 0)
      errs.push(`minimum ${k} usage per ${type} is ${s}, but limit is ${formatQuantity(lim)}`);
  }
  for (const [k, v] of Object.entries<string>(item.max ?? {})) {
    const max = tryParseQuantity(v);
    if (!max) continue;
    const req = requests.get(k);
    const lim = limits.get(k);
    const s = formatQuantity(max);
    if (!lim) errs.push(`maximum ${k} usage per ${type} is ${s}.  No limit is specified`);
    else if (compareQuantities(lim, max) > 0)
      errs.push(`maximum ${k} usage per ${type} is ${s}, but limit is ${formatQuantity(lim)}`);
    if (req && compareQuantities(req, max) > 0)
      errs.push(`maximum ${k} usage per ${type} is ${s}, but request is ${formatQuantity(req)}`);
  }
  for (const [k, v] of Object.entries<string>(item.maxLimitRequestRatio ?? {})) {
    const ratio = tryParseQuantity(v);
    if (!ratio) continue;
    const req = requests.get(k);
    const lim = limits.get(k);
    const head = `${k} max limit to request ratio per ${type} is ${formatQuantity(ratio)}`;
    if (!req || quantityMilliValue(req) === 0n)
      errs.push(`${head}, but no request is specified or request is 0`);
    else if (!lim) errs.push(`${head}, but no limit is specified`);
    else {
      const actual = Number(quantityMilliValue(lim)) / Number(quantityMilliValue(req));
      if (actual > Number(quantityMilliValue(ratio)) / 1000)
        errs.push(`${head}, but provided ratio is ${actual.toFixed(6)}`);
    }
  }
  return errs;
}

function parseAll(r: unknown): Map<string, Quantity> {
  const out = new Map<string, Quantity>();
  if (r && typeof r === 'object')
    for (const [k, v] of Object.entries(r)) {
      const q = tryParseQuantity(String(v));
      if (q) out.set(k, q);
    }
  return out;
}

const list = (v: unknown): KObject[] => (Array.isArray(v) ? (v as KObject[]) : []);
