// Where a pod's node agent listens, and which container a request means — the checks upstream's
// pod REST storage does before it proxies (`ExecLocation`, `LogLocation`, `PortForwardLocation`).
import { badRequest, notFound } from '../../api/errors.ts';
import type { KObject } from '../../api/object.ts';

export interface AgentAddress {
  host: string;
  port: number;
}

interface PodLike extends KObject {
  spec?: {
    nodeName?: string;
    containers?: { name: string }[];
    initContainers?: { name: string }[];
    ephemeralContainers?: { name: string }[];
  };
}

interface NodeLike extends KObject {
  status?: {
    addresses?: { type: string; address: string }[];
    daemonEndpoints?: { kubeletEndpoint?: { Port?: number } };
  };
}

/** Preferred address types, in upstream's default `--kubelet-preferred-address-types` order. */
const ADDRESS_TYPES = ['Hostname', 'InternalDNS', 'InternalIP', 'ExternalDNS', 'ExternalIP'];
/** Hostnames are not resolved by us: only IP addresses are dialled. */
const DIALLED_TYPES = ['InternalIP', 'ExternalIP'];
export const DEFAULT_AGENT_PORT = 10250;
/** The annotation kubectl and upstream use to choose a pod's default container. */
export const DEFAULT_CONTAINER_ANNOTATION = 'kubectl.kubernetes.io/default-container';

export function nodeAgentAddress(node: KObject): AgentAddress {
  const n = node as NodeLike;
  const addrs = n.status?.addresses ?? [];
  const pick = ADDRESS_TYPES.filter((t) => DIALLED_TYPES.includes(t))
    .map((t) => addrs.find((a) => a.type === t))
    .find((a) => a !== undefined);
  if (!pick) throw badRequest(`node ${n.metadata?.name} has no address to reach its agent`);
  const port = n.status?.daemonEndpoints?.kubeletEndpoint?.Port || DEFAULT_AGENT_PORT;
  return { host: pick.address, port };
}

export function podNodeName(pod: KObject): string {
  const p = pod as PodLike;
  const node = p.spec?.nodeName;
  if (!node) throw badRequest(`pod ${p.metadata?.name} does not have a host assigned`);
  return node;
}

/** The container asked for (or the only one / the annotated default), validated against the spec. */
export function resolveContainer(pod: KObject, requested: string | null): string {
  const p = pod as PodLike;
  const name = p.metadata?.name ?? '';
  const all = [
    ...(p.spec?.containers ?? []),
    ...(p.spec?.initContainers ?? []),
    ...(p.spec?.ephemeralContainers ?? []),
  ].map((c) => c.name);
  if (requested) {
    if (!all.includes(requested)) throw badRequest(`container ${requested} is not valid for pod ${name}`);
    return requested;
  }
  const main = (p.spec?.containers ?? []).map((c) => c.name);
  if (main.length === 1) return main[0]!;
  const annotated = p.metadata?.annotations?.[DEFAULT_CONTAINER_ANNOTATION];
  if (annotated && main.includes(annotated)) return annotated;
  throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${main.join(' ')}]`);
}

export const podNotFound = (name: string) => notFound('pods', name);
