// Deletes everything in a terminating namespace, resource by resource (upstream's
// namespaced_resources_deleter.go): deletecollection where served, else list + delete each; then
// lists what is left, counting instances and the finalizers that hold them, so the controller can
// report why the namespace is stuck and when to look again.
import type { KObject } from '../../api/object.ts';
import { isNotFound, type RestClient } from '../../client/index.ts';
import { type DiscoveredResource, discoverResources, supports } from '../garbagecollector/discovery.ts';
import type { DeletionReport } from './conditions.ts';

export interface DeletionPass extends DeletionReport {
  /** Seconds until the slowest graceful deletion should be over (0: nothing is terminating). */
  estimateSeconds: number;
}

const METHOD_NOT_ALLOWED = 405;

/** One pass: discover, delete, count what is left. */
export async function deleteAllContent(
  client: RestClient,
  namespace: string,
  nowMs: number,
  signal?: AbortSignal,
): Promise<DeletionPass> {
  const { resources, failed } = await discoverResources(client, signal);
  const pass: DeletionPass = {
    discoveryFailures: failed,
    deleteFailures: [],
    remaining: new Map(),
    finalizers: new Map(),
    estimateSeconds: 0,
  };
  const deletable = resources.filter((r) => r.namespaced && supports(r, 'list', 'delete'));
  await Promise.all(deletable.map((r) => deleteResource(client, r, namespace, nowMs, pass, signal)));
  return pass;
}

async function deleteResource(
  client: RestClient,
  r: DiscoveredResource,
  namespace: string,
  nowMs: number,
  pass: DeletionPass,
  signal?: AbortSignal,
): Promise<void> {
  const rc = client.resource(r, namespace);
  const label = `${r.resource}.${r.group}`;
  try {
    if (supports(r, 'deletecollection')) {
      await rc.deleteCollection({ propagationPolicy: 'Background', signal });
    } else {
      for (const item of (await rc.listAll({ signal })).items) {
        if (item.metadata?.deletionTimestamp) continue;
        try {
          await rc.delete(item.metadata!.name!, { propagationPolicy: 'Background', signal });
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }
    }
  } catch (err) {
    if (isNotFound(err) || (err as { code?: number }).code === METHOD_NOT_ALLOWED) return;
    pass.deleteFailures.push(`${label}: ${(err as Error).message}`);
  }
  let left: KObject[];
  try {
    left = (await rc.listAll({ signal })).items;
  } catch (err) {
    if (!isNotFound(err)) pass.deleteFailures.push(`${label}: ${(err as Error).message}`);
    return;
  }
  if (left.length === 0) return;
  pass.remaining.set(label, left.length);
  for (const item of left) {
    for (const f of item.metadata?.finalizers ?? [])
      pass.finalizers.set(f, (pass.finalizers.get(f) ?? 0) + 1);
    const at = item.metadata?.deletionTimestamp;
    if (at) pass.estimateSeconds = Math.max(pass.estimateSeconds, Math.ceil((Date.parse(at) - nowMs) / 1000));
  }
}
