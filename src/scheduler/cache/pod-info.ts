// A pod plus everything the plugins would otherwise recompute in the filter loop: its requests,
// host ports and parsed (anti-)affinity terms. Built once per pod version.
import { type LabelSelector, labelSelectorFromObject, NOTHING } from '../../api/selectors/index.ts';
import type { Pod, PodAffinityTerm, WeightedPodAffinityTerm } from '../types.ts';
import { podNamespace } from '../types.ts';
import { podRequests, type Resource } from './resources.ts';

export interface AffinityTerm {
  namespaces: ReadonlySet<string>;
  selector: LabelSelector;
  topologyKey: string;
  /** NOTHING when the term has no namespaceSelector; `{}` selects every namespace. */
  namespaceSelector: LabelSelector;
}

export interface WeightedAffinityTerm {
  term: AffinityTerm;
  weight: number;
}

export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

export interface PodInfo {
  readonly pod: Pod;
  readonly requests: Resource;
  /** Requests with the scoring defaults for missing CPU/memory. */
  readonly nonZeroRequests: Resource;
  readonly hostPorts: readonly HostPort[];
  readonly requiredAffinityTerms: readonly AffinityTerm[];
  readonly requiredAntiAffinityTerms: readonly AffinityTerm[];
  readonly preferredAffinityTerms: readonly WeightedAffinityTerm[];
  readonly preferredAntiAffinityTerms: readonly WeightedAffinityTerm[];
}

/** The unspecified host IP: a port bound there conflicts with the same port on every address. */
export const ANY_IP = '0.0.0.0';
const DEFAULT_PROTOCOL = 'TCP';

/** An invalid selector in a stored object cannot match anything (the apiserver validates them). */
function safeSelector(obj: Parameters<typeof labelSelectorFromObject>[0]): LabelSelector {
  try {
    return labelSelectorFromObject(obj);
  } catch {
    return NOTHING;
  }
}

export function newAffinityTerm(pod: Pod, t: PodAffinityTerm): AffinityTerm {
  const own = !t.namespaces?.length && t.namespaceSelector == null;
  return {
    namespaces: new Set(own ? [podNamespace(pod)] : (t.namespaces ?? [])),
    selector: safeSelector(t.labelSelector ?? null),
    topologyKey: t.topologyKey,
    namespaceSelector: t.namespaceSelector == null ? NOTHING : safeSelector(t.namespaceSelector),
  };
}

const terms = (pod: Pod, list: PodAffinityTerm[] | undefined): AffinityTerm[] =>
  (list ?? []).map((t) => newAffinityTerm(pod, t));

const weighted = (pod: Pod, list: WeightedPodAffinityTerm[] | undefined): WeightedAffinityTerm[] =>
  (list ?? []).map((w) => ({ term: newAffinityTerm(pod, w.podAffinityTerm), weight: w.weight }));

export function podHostPorts(pod: Pod): HostPort[] {
  const out: HostPort[] = [];
  const containers = [
    ...(pod.spec?.containers ?? []),
    ...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always'),
  ];
  for (const c of containers) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort || p.hostPort <= 0) continue;
      out.push({ ip: p.hostIP || ANY_IP, protocol: p.protocol || DEFAULT_PROTOCOL, port: p.hostPort });
    }
  }
  return out;
}

/**
 * PodInfos by pod object. Informer objects are never mutated (the scheduler copies what it
 * changes) and a PodInfo is read-only, so one per pod object serves the cache, the scheduling
 * cycle and the plugins alike.
 */
const podInfos = new WeakMap<Pod, PodInfo>();

export function newPodInfo(pod: Pod): PodInfo {
  let pi = podInfos.get(pod);
  if (pi === undefined) {
    pi = buildPodInfo(pod);
    podInfos.set(pod, pi);
  }
  return pi;
}

function buildPodInfo(pod: Pod): PodInfo {
  const a = pod.spec?.affinity;
  return {
    pod,
    requests: podRequests(pod),
    nonZeroRequests: podRequests(pod, true),
    hostPorts: podHostPorts(pod),
    requiredAffinityTerms: terms(pod, a?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution),
    requiredAntiAffinityTerms: terms(pod, a?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution),
    preferredAffinityTerms: weighted(pod, a?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution),
    preferredAntiAffinityTerms: weighted(
      pod,
      a?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution,
    ),
  };
}

export const hasAffinity = (pi: PodInfo): boolean =>
  pi.requiredAffinityTerms.length > 0 ||
  pi.requiredAntiAffinityTerms.length > 0 ||
  pi.preferredAffinityTerms.length > 0 ||
  pi.preferredAntiAffinityTerms.length > 0;

export const hasRequiredAntiAffinity = (pi: PodInfo): boolean => pi.requiredAntiAffinityTerms.length > 0;
