// A pod's QoS class (status.qosClass), computed at creation as upstream's ComputePodQOS:
// Guaranteed when every container limits cpu and memory and requests equal limits, BestEffort when
// nothing is requested or limited, Burstable otherwise.
import type { KObject } from '../../object.ts';
import { tryParseQuantity } from '../../quantity.ts';
import { asList } from './pod-defaults.ts';

const QOS_RESOURCES = ['cpu', 'memory'];

export type QosClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

export function podQosClass(spec: KObject | undefined): QosClass {
  const requests = new Map<string, bigint>();
  const limits = new Map<string, bigint>();
  let guaranteed = true;
  for (const c of [...asList(spec?.containers), ...asList(spec?.initContainers)]) {
    for (const [name, v] of Object.entries(c.resources?.requests ?? {})) {
      const q = QOS_RESOURCES.includes(name) ? tryParseQuantity(String(v)) : undefined;
      if (q && q.nanos > 0n) requests.set(name, (requests.get(name) ?? 0n) + q.nanos);
    }
    const found = new Set<string>();
    for (const [name, v] of Object.entries(c.resources?.limits ?? {})) {
      const q = QOS_RESOURCES.includes(name) ? tryParseQuantity(String(v)) : undefined;
      if (q && q.nanos > 0n) {
        found.add(name);
        limits.set(name, (limits.get(name) ?? 0n) + q.nanos);
      }
    }
    if (!QOS_RESOURCES.every((r) => found.has(r))) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [name, req] of requests) {
      if (limits.get(name) !== req) {
        guaranteed = false;
        break;
      }
    }
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}
