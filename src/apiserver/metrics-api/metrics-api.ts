// metrics.k8s.io/v1beta1, served by the API server itself (metrics-server's objects, without the
// aggregation layer): PodMetrics and NodeMetrics built from each node agent's /stats/summary.
// CPU is the agent's rate over the interval since its previous sample; the first scrape of a node
// has no rate yet, so that node is scraped again after SECOND_SAMPLE_DELAY_MS.
//
//   GET /apis/metrics.k8s.io/v1beta1/nodes[/name]
//   GET /apis/metrics.k8s.io/v1beta1[/namespaces/ns]/pods[/name]
import type { ServerResponse } from 'node:http';
import { notFound, notFoundPath } from '../../api/errors.ts';
import type { KObject } from '../../api/object.ts';
import type { ExtraResource } from '../discovery.ts';
import { sendJson } from '../http/respond.ts';
import { nodeAgentAddress } from '../streaming/agent-location.ts';
import { type AgentClientTls, fetchAgentJson } from '../streaming/agent-proxy.ts';

export const METRICS_GROUP = 'metrics.k8s.io';
export const METRICS_VERSION = 'v1beta1';
const API_VERSION = `${METRICS_GROUP}/${METRICS_VERSION}`;
/** Wait before the second sample of a node seen for the first time (a rate needs two samples). */
const SECOND_SAMPLE_DELAY_MS = 1000;
/** A summary this fresh is reused (metrics-server's resolution is 15 s; kubectl top polls rarely). */
const SUMMARY_TTL_MS = 5000;
/** Reported window: the interval the rate was computed over, at most this. */
const WINDOW = '10s';

export const METRICS_RESOURCES: ExtraResource[] = [
  {
    group: METRICS_GROUP,
    version: METRICS_VERSION,
    name: 'pods',
    kind: 'PodMetrics',
    namespaced: true,
    verbs: ['get', 'list'],
  },
  {
    group: METRICS_GROUP,
    version: METRICS_VERSION,
    name: 'nodes',
    kind: 'NodeMetrics',
    namespaced: false,
    verbs: ['get', 'list'],
  },
];

interface Usage {
  usageNanoCores?: number;
}
interface Mem {
  workingSetBytes?: number;
}
interface SummaryLike {
  node: { nodeName: string; cpu?: Usage & { time?: string }; memory?: Mem };
  pods: {
    podRef: { name: string; namespace: string };
    containers: { name: string; cpu?: Usage & { time?: string }; memory?: Mem }[];
  }[];
}

export interface MetricsDeps {
  listNodes(): Promise<KObject[]>;
  agentTls(): AgentClientTls | undefined;
}

/** CPU in nanocores → the Quantity metrics-server prints (`12345n`); memory bytes → `Ki`. */
export const cpuQuantity = (nanoCores: number): string => `${Math.round(nanoCores)}n`;
export const memoryQuantity = (bytes: number): string => `${Math.round(bytes / 1024)}Ki`;

export class MetricsApi {
  readonly #deps: MetricsDeps;
  readonly #cache = new Map<string, { at: number; summary: SummaryLike }>();

  constructor(deps: MetricsDeps) {
    this.#deps = deps;
  }

  /** Serves one request; `parts` are the path segments after /apis/metrics.k8s.io/v1beta1. */
  async handle(
    info: { namespace: string; resource: string; name: string },
    res: ServerResponse,
  ): Promise<void> {
    const summaries = await this.#summaries();
    const now = new Date().toISOString();
    if (info.resource === 'nodes') {
      const items = summaries.map((s) => ({
        metadata: { name: s.node.nodeName, creationTimestamp: now },
        timestamp: s.node.cpu?.time ?? now,
        window: WINDOW,
        usage: {
          cpu: cpuQuantity(s.node.cpu?.usageNanoCores ?? 0),
          memory: memoryQuantity(s.node.memory?.workingSetBytes ?? 0),
        },
      }));
      return this.#send(res, 'NodeMetrics', info.name, items, (i) => i.metadata.name === info.name, 'nodes');
    }
    if (info.resource === 'pods') {
      const items = summaries
        .flatMap((s) => s.pods)
        .filter((p) => !info.namespace || p.podRef.namespace === info.namespace)
        .map((p) => ({
          metadata: { name: p.podRef.name, namespace: p.podRef.namespace, creationTimestamp: now },
          timestamp: p.containers[0]?.cpu?.time ?? now,
          window: WINDOW,
          containers: p.containers.map((c) => ({
            name: c.name,
            usage: {
              cpu: cpuQuantity(c.cpu?.usageNanoCores ?? 0),
              memory: memoryQuantity(c.memory?.workingSetBytes ?? 0),
            },
          })),
        }));
      return this.#send(res, 'PodMetrics', info.name, items, (i) => i.metadata.name === info.name, 'pods');
    }
    throw notFoundPath();
  }

  #send<T>(
    res: ServerResponse,
    kind: string,
    name: string,
    items: T[],
    match: (i: T) => boolean,
    resource: string,
  ): void {
    if (name) {
      const one = items.find(match);
      if (!one) throw notFound(resource, name, METRICS_GROUP);
      sendJson(res, 200, { kind, apiVersion: API_VERSION, ...one });
      return;
    }
    sendJson(res, 200, { kind: `${kind}List`, apiVersion: API_VERSION, metadata: {}, items });
  }

  async #summaries(): Promise<SummaryLike[]> {
    const nodes = await this.#deps.listNodes();
    const out = await Promise.all(nodes.map((n) => this.#summary(n).catch(() => undefined)));
    return out.filter((s): s is SummaryLike => s !== undefined);
  }

  async #summary(node: KObject): Promise<SummaryLike> {
    const name = node.metadata?.name ?? '';
    const cached = this.#cache.get(name);
    if (cached && Date.now() - cached.at < SUMMARY_TTL_MS) return cached.summary;
    const agent = nodeAgentAddress(node);
    const fetch = () => fetchAgentJson<SummaryLike>(agent, '/stats/summary', this.#deps.agentTls());
    let summary = await fetch();
    if (summary.node.cpu?.usageNanoCores === undefined) {
      await new Promise((r) => setTimeout(r, SECOND_SAMPLE_DELAY_MS));
      summary = await fetch();
    }
    this.#cache.set(name, { at: Date.now(), summary });
    return summary;
  }
}
