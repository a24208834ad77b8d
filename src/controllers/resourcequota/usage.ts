// What a namespace uses of a ResourceQuota's resources (upstream pkg/quota/v1/evaluator/core):
// object counts (`pods`, `services`, `count/<resource>[.<group>]`, …), pod compute requests and
// limits (containers summed, or the largest init container if bigger), service node ports and load
// balancers, PVC storage. Pods that finished use nothing.
import type { KObject } from '../../api/object.ts';
import {
  addQuantities as addRaw,
  compareQuantities,
  formatQuantity,
  parseQuantity,
  type Quantity,
  tryParseQuantity,
} from '../../api/quantity.ts';

/** Core resources whose count also goes by its plain name. */
export const LEGACY_COUNTED = [
  'pods',
  'services',
  'configmaps',
  'secrets',
  'persistentvolumeclaims',
  'replicationcontrollers',
  'resourcequotas',
];
const ZERO = parseQuantity('0');

/** As upstream's Quantity.Add: a sum that starts from zero takes the format of what is added. */
const addQuantities = (a: Quantity, b: Quantity): Quantity =>
  a.nanos === 0n ? addRaw({ ...a, format: b.format }, b) : addRaw(a, b);

const isTerminal = (pod: KObject): boolean =>
  pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

/** `count/deployments.apps` → { resource: 'deployments', group: 'apps' }; `pods` → core pods. */
export function countedResource(name: string): { resource: string; group: string } | undefined {
  if (LEGACY_COUNTED.includes(name)) return { resource: name, group: '' };
  if (!name.startsWith('count/')) return undefined;
  const rest = name.slice('count/'.length);
  const dot = rest.indexOf('.');
  return dot < 0
    ? { resource: rest, group: '' }
    : { resource: rest.slice(0, dot), group: rest.slice(dot + 1) };
}

function podResource(pod: KObject, field: 'requests' | 'limits', name: string): Quantity {
  const sum = (containers: KObject[] | undefined): Quantity => {
    let q = ZERO;
    for (const c of containers ?? []) {
      const v = tryParseQuantity(String(c.resources?.[field]?.[name] ?? ''));
      if (v) q = addQuantities(q, v);
    }
    return q;
  };
  let total = sum(pod.spec?.containers);
  for (const c of pod.spec?.initContainers ?? []) {
    const v = tryParseQuantity(String(c.resources?.[field]?.[name] ?? ''));
    if (v && compareQuantities(v, total) > 0) total = v;
  }
  const overhead = tryParseQuantity(String(pod.spec?.overhead?.[name] ?? ''));
  return overhead ? addQuantities(total, overhead) : total;
}

export interface NamespaceObjects {
  /** Objects of a resource in the namespace (core resources by plural, others `plural.group`). */
  of(resource: string, group: string): readonly KObject[];
}

/** status.used for the quota's hard resources (strings in canonical quantity form). */
export function computeUsed(hard: Record<string, string>, objects: NamespaceObjects): Record<string, string> {
  const used: Record<string, string> = {};
  const livePods = () => objects.of('pods', '').filter((p) => !isTerminal(p));
  for (const name of Object.keys(hard)) {
    let q: Quantity | undefined;
    const counted = countedResource(name);
    if (counted) {
      const items =
        counted.group === '' && counted.resource === 'pods'
          ? livePods()
          : objects.of(counted.resource, counted.group);
      q = parseQuantity(String(items.length));
    } else {
      const m =
        /^(requests|limits)\.(cpu|memory|ephemeral-storage)$/.exec(name) ??
        /^()(cpu|memory|ephemeral-storage)$/.exec(name);
      if (m) {
        const field = m[1] === 'limits' ? 'limits' : 'requests';
        q = livePods().reduce((acc, p) => addQuantities(acc, podResource(p, field, m[2])), ZERO);
      } else if (name === 'services.nodeports') {
        const svcs = objects
          .of('services', '')
          .filter((s) => s.spec?.type === 'NodePort' || s.spec?.type === 'LoadBalancer');
        q = parseQuantity(String(svcs.reduce((n, s) => n + (s.spec?.ports?.length ?? 0), 0)));
      } else if (name === 'services.loadbalancers') {
        q = parseQuantity(
          String(objects.of('services', '').filter((s) => s.spec?.type === 'LoadBalancer').length),
        );
      } else if (name === 'requests.storage') {
        q = objects
          .of('persistentvolumeclaims', '')
          .reduce(
            (acc, c) =>
              addQuantities(
                acc,
                tryParseQuantity(String(c.spec?.resources?.requests?.storage ?? '')) ?? ZERO,
              ),
            ZERO,
          );
      }
    }
    if (q) used[name] = formatQuantity(q);
  }
  return used;
}
