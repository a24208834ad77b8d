// A joined node learns its pod CIDR from its Node's spec.podCIDR, assigned by the nodeipam
// controller when the Node appears. The bridge, the cluster DNS address and the CNI range all
// derive from it, so the Node is registered (if new) and the assignment awaited before any of them
// is made; the agent's own registration later fills the status in.
import type { Node } from 'kubernetes-types/core/v1.d.ts';
import type { KObject } from '../../api/object.ts';
import { isAlreadyExists, isNotFound, NODES, type RestClient } from '../../client/index.ts';
import { isoMillis } from '../../util/time-format.ts';
import { gatherNodeFacts } from '../node-facts.ts';
import { buildNode } from '../node-object.ts';

/** How long nodeipam gets to assign a CIDR (it does so in milliseconds when running). */
export const POD_CIDR_WAIT_MS = 60_000;
const POLL_MS = 250;

export interface AwaitPodCidrOptions {
  nodeName: string;
  dataDir: string;
  internalIP: string;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export async function awaitPodCidr(client: RestClient, o: AwaitPodCidrOptions): Promise<string> {
  const nodes = client.resource<Node & KObject>(NODES);
  const get = () =>
    nodes.get(o.nodeName).catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e)));
  let node = await get();
  if (!node) {
    const facts = await gatherNodeFacts(o.dataDir, o.internalIP);
    const fresh = buildNode(o.nodeName, { ...facts, kubeletPort: 0 }, undefined, isoMillis(Date.now()));
    // Only metadata and spec: the Ready condition is the agent's to report once it runs.
    node = await nodes
      .create({ ...fresh, status: undefined } as Node & KObject)
      .catch((e: unknown) => (isAlreadyExists(e) ? get() : Promise.reject(e)));
  }
  const deadline = Date.now() + (o.timeoutMs ?? POD_CIDR_WAIT_MS);
  for (;;) {
    const cidr = node?.spec?.podCIDR;
    if (cidr) return cidr;
    if (Date.now() > deadline)
      throw new Error(
        `node ${o.nodeName} was assigned no pod CIDR within ${Math.round((o.timeoutMs ?? POD_CIDR_WAIT_MS) / 1000)} s (is the nodeipam controller running?)`,
      );
    o.signal?.throwIfAborted();
    await new Promise((r) => setTimeout(r, POLL_MS));
    node = await get();
  }
}
