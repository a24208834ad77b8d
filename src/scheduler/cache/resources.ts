// Resource arithmetic in plain numbers: CPU in millicores, everything else in whole units (bytes,
// counts), as upstream's framework.Resource. Pod requests follow resourcehelper.PodRequests:
//
//   max( Σ containers + Σ sidecars , max over init containers of (its request + sidecars started before it) )
//   + overhead
import { quantityMilliValue, quantityValue, tryParseQuantity } from '../../api/quantity.ts';
import type { Container, Pod } from '../types.ts';

export const CPU = 'cpu';
export const MEMORY = 'memory';
export const EPHEMERAL_STORAGE = 'ephemeral-storage';
export const PODS = 'pods';

/** What a container without a CPU request counts as when spreading by score (upstream's 100m). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
/** What a container without a memory request counts as when scoring (upstream's 200 MiB). */
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

export interface Resource {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
  allowedPodNumber: number;
  /** Extended and hugepages resources, by name. */
  scalar: Map<string, number>;
}

export const newResource = (): Resource => ({
  milliCPU: 0,
  memory: 0,
  ephemeralStorage: 0,
  allowedPodNumber: 0,
  scalar: new Map(),
});

export function cloneResource(r: Resource): Resource {
  return { ...r, scalar: new Map(r.scalar) };
}

/** dst += sign × src (sign is 1 or -1), in place. */
export function addResource(dst: Resource, src: Resource, sign = 1): void {
  dst.milliCPU += sign * src.milliCPU;
  dst.memory += sign * src.memory;
  dst.ephemeralStorage += sign * src.ephemeralStorage;
  dst.allowedPodNumber += sign * src.allowedPodNumber;
  for (const [k, v] of src.scalar) {
    const next = (dst.scalar.get(k) ?? 0) + sign * v;
    if (next === 0) dst.scalar.delete(k);
    else dst.scalar.set(k, next);
  }
}

/** Parsed quantities by `name value`: clusters use few distinct request strings. */
const parsed = new Map<string, number>();
/** Bound on `parsed`: past it the memo starts over (no unbounded growth from odd values). */
const MAX_PARSED_QUANTITIES = 4096;

function quantityOf(name: string, value: string): number {
  const key = `${name === CPU ? 'm' : 'v'} ${value}`;
  let n = parsed.get(key);
  if (n === undefined) {
    const q = tryParseQuantity(value);
    n = q ? Number(name === CPU ? quantityMilliValue(q) : quantityValue(q)) : 0;
    if (parsed.size >= MAX_PARSED_QUANTITIES) parsed.clear();
    parsed.set(key, n);
  }
  return n;
}

/** A v1.ResourceList (strings) as a Resource; `pods` fills allowedPodNumber. */
export function resourceFromList(list: Record<string, string> | undefined): Resource {
  const r = newResource();
  if (!list) return r;
  for (const [name, value] of Object.entries(list)) {
    const n = quantityOf(name, String(value));
    if (name === CPU) r.milliCPU = n;
    else if (name === MEMORY) r.memory = n;
    else if (name === EPHEMERAL_STORAGE) r.ephemeralStorage = n;
    else if (name === PODS) r.allowedPodNumber = n;
    else if (n !== 0) r.scalar.set(name, n);
  }
  return r;
}

/** Element-wise max, in place. */
function maxInto(dst: Resource, src: Resource): void {
  dst.milliCPU = Math.max(dst.milliCPU, src.milliCPU);
  dst.memory = Math.max(dst.memory, src.memory);
  dst.ephemeralStorage = Math.max(dst.ephemeralStorage, src.ephemeralStorage);
  for (const [k, v] of src.scalar) dst.scalar.set(k, Math.max(dst.scalar.get(k) ?? 0, v));
}

const isSidecar = (c: Container): boolean => c.restartPolicy === 'Always';

function containerRequests(c: Container, nonZero: boolean): Resource {
  const requests = c.resources?.requests as Record<string, string> | undefined;
  const r = resourceFromList(requests);
  r.allowedPodNumber = 0;
  if (nonZero) {
    // Only a *missing* request gets the default; an explicit 0 stays 0 (upstream's NonMissingContainerRequests).
    if (!requests || !(CPU in requests)) r.milliCPU = DEFAULT_MILLI_CPU_REQUEST;
    if (!requests || !(MEMORY in requests)) r.memory = DEFAULT_MEMORY_REQUEST;
  }
  return r;
}

/**
 * The pod's effective requests. `nonZero` substitutes the scoring defaults for missing CPU/memory
 * requests so that best-effort pods still spread.
 */
export function podRequests(pod: Pod, nonZero = false): Resource {
  const total = newResource();
  for (const c of pod.spec?.containers ?? []) addResource(total, containerRequests(c, nonZero));
  const sidecars = newResource();
  const initMax = newResource();
  for (const c of pod.spec?.initContainers ?? []) {
    const req = containerRequests(c, nonZero);
    if (isSidecar(c)) {
      // A sidecar keeps running: it adds to the steady state and to every later init container.
      addResource(total, req);
      addResource(sidecars, req);
      maxInto(initMax, sidecars);
    } else {
      addResource(req, sidecars);
      maxInto(initMax, req);
    }
  }
  maxInto(total, initMax);
  const overhead = pod.spec?.overhead as Record<string, string> | undefined;
  if (overhead) {
    const o = resourceFromList(overhead);
    o.allowedPodNumber = 0;
    addResource(total, o);
  }
  return total;
}

export const isZeroRequest = (r: Resource): boolean =>
  r.milliCPU === 0 && r.memory === 0 && r.ephemeralStorage === 0 && r.scalar.size === 0;
