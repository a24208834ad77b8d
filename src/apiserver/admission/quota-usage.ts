// What an object consumes of a ResourceQuota (upstream's quota evaluators, the common part): object
// counts (`pods`, `services`, `count/deployments.apps`, …), service node ports and load balancers,
// pod compute requests/limits (the sum over containers, or the largest init container), and PVC
// storage requests. Pods in a terminal phase consume nothing.
import type { KObject } from '../../api/object.ts';
import {
  addQuantities,
  compareQuantities,
  parseQuantity,
  type Quantity,
  tryParseQuantity,
} from '../../api/quantity.ts';

export type Usage = Map<string, Quantity>;

/** Resources counted by their short legacy names (everything else: `count/<plural>[.<group>]`). */
const LEGACY_COUNTS: Record<string, string> = {
  pods: 'pods',
  services: 'services',
  secrets: 'secrets',
  configmaps: 'configmaps',
  persistentvolumeclaims: 'persistentvolumeclaims',
  replicationcontrollers: 'replicationcontrollers',
  resourcequotas: 'resourcequotas',
};
const COMPUTE = ['cpu', 'memory', 'ephemeral-storage'];
const ONE = parseQuantity('1');

export const countName = (group: string, plural: string): string =>
  group ? `count/${plural}.${group}` : `count/${plural}`;

const add = (u: Usage, k: string, q: Quantity) => {
  const have = u.get(k);
  u.set(k, have ? addQuantities(have, q) : q);
};

export function isTerminalPod(pod: KObject): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

export function usageOf(group: string, plural: string, obj: KObject): Usage {
  const u: Usage = new Map();
  if (group === '' && plural === 'pods' && isTerminalPod(obj)) return u;
  add(u, countName(group, plural), ONE);
  if (group === '' && LEGACY_COUNTS[plural]) add(u, LEGACY_COUNTS[plural], ONE);
  if (group === '' && plural === 'pods') {
    for (const field of ['requests', 'limits'] as const) {
      for (const [k, q] of podResources(obj, field)) {
        add(u, `${field}.${k}`, q);
        if (field === 'requests' && COMPUTE.includes(k)) add(u, k, q);
      }
    }
  }
  if (group === '' && plural === 'services') {
    const type = obj.spec?.type;
    if (type === 'NodePort' || type === 'LoadBalancer') {
      const ports = Array.isArray(obj.spec?.ports) ? obj.spec.ports.length : 0;
      add(u, 'services.nodeports', parseQuantity(String(ports)));
    }
    if (type === 'LoadBalancer') add(u, 'services.loadbalancers', ONE);
  }
  if (group === '' && plural === 'persistentvolumeclaims') {
    const q = tryParseQuantity(String(obj.spec?.resources?.requests?.storage ?? ''));
    if (q) add(u, 'requests.storage', q);
  }
  return u;
}

function podResources(pod: KObject, field: 'requests' | 'limits'): Usage {
  const sum: Usage = new Map();
  for (const c of Array.isArray(pod.spec?.containers) ? pod.spec.containers : []) {
    for (const [k, v] of Object.entries(c.resources?.[field] ?? {})) {
      const q = tryParseQuantity(String(v));
      if (q) add(sum, k, q);
    }
  }
  for (const c of Array.isArray(pod.spec?.initContainers) ? pod.spec.initContainers : []) {
    for (const [k, v] of Object.entries(c.resources?.[field] ?? {})) {
      const q = tryParseQuantity(String(v));
      const have = sum.get(k);
      if (q && (!have || compareQuantities(q, have) > 0)) sum.set(k, q);
    }
  }
  return sum;
}

/** Whether a pod is in a quota's scopes (Terminating, NotTerminating, BestEffort, NotBestEffort). */
export function matchesScopes(quota: KObject, group: string, plural: string, obj: KObject): boolean {
  const scopes: string[] = Array.isArray(quota.spec?.scopes) ? quota.spec.scopes : [];
  if (scopes.length === 0) return true;
  if (group !== '' || plural !== 'pods') return false;
  const terminating =
    obj.spec?.activeDeadlineSeconds !== undefined && obj.spec?.activeDeadlineSeconds !== null;
  const bestEffort = podResources(obj, 'requests').size === 0 && podResources(obj, 'limits').size === 0;
  return scopes.every((s) => {
    switch (s) {
      case 'Terminating':
        return terminating;
      case 'NotTerminating':
        return !terminating;
      case 'BestEffort':
        return bestEffort;
      case 'NotBestEffort':
        return !bestEffort;
      default:
        return true;
    }
  });
}

/** The resource a quota key counts, if it is an object count: `count/deployments.apps` → apps/deployments. */
export function countedResource(key: string): { group: string; plural: string } | undefined {
  if (LEGACY_COUNTS[key]) return { group: '', plural: key };
  if (key.startsWith('services.')) return { group: '', plural: 'services' };
  if (['cpu', 'memory', 'ephemeral-storage'].includes(key) || /^(requests|limits)\./.test(key)) {
    return key === 'requests.storage'
      ? { group: '', plural: 'persistentvolumeclaims' }
      : { group: '', plural: 'pods' };
  }
  if (!key.startsWith('count/')) return undefined;
  const rest = key.slice('count/'.length);
  const dot = rest.indexOf('.');
  return dot < 0 ? { group: '', plural: rest } : { group: rest.slice(dot + 1), plural: rest.slice(0, dot) };
}
