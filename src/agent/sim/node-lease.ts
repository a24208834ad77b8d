// A simulated node's heartbeat: its Lease in kube-node-lease renewed (or made), as the kubelet's
// node lease controller does. Shared by the hollow node and the fleet.
import type { Lease } from 'kubernetes-types/coordination/v1.d.ts';
import type { KObject } from '../../api/object.ts';
import { isConflict, isNotFound, LEASES, NAMESPACES, type RestClient } from '../../client/index.ts';
import { microTime } from '../../util/time-format.ts';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
/** Upstream's kubelet lease duration. */
export const LEASE_DURATION_SECONDS = 40;

/** metav1.MicroTime: RFC 3339 with microseconds. */

/**
 * Renews node `name`'s Lease at `nowMs`, starting from the last one this caller wrote (`current`,
 * an update with no read); on a conflict or a missing object it reads, and creates the Lease (and,
 * on a bare API server, its namespace) when there is none. Returns the Lease to pass next time.
 */
export async function renewNodeLease(
  client: RestClient,
  node: { name: string; uid: string },
  current: Lease | undefined,
  nowMs: number,
): Promise<Lease> {
  const leases = client.resource<KObject>(LEASES, NODE_LEASE_NAMESPACE);
  const spec = {
    holderIdentity: node.name,
    leaseDurationSeconds: LEASE_DURATION_SECONDS,
    renewTime: microTime(nowMs),
  };
  if (current) {
    try {
      return (await leases.update({ ...current, spec: { ...current.spec, ...spec } } as KObject)) as Lease;
    } catch (err) {
      if (!isConflict(err) && !isNotFound(err)) throw err;
    }
  }
  try {
    const cur = (await leases.get(node.name)) as Lease;
    return (await leases.update({ ...cur, spec: { ...cur.spec, ...spec } } as KObject)) as Lease;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  const lease = {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: node.name,
      namespace: NODE_LEASE_NAMESPACE,
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: node.name, uid: node.uid }],
    },
    spec,
  };
  try {
    return (await leases.create(lease)) as Lease;
  } catch (err) {
    // A bare API server (unit tests) has no kube-node-lease namespace yet.
    if (!isNotFound(err)) throw err;
    await client
      .resource(NAMESPACES)
      .create({ metadata: { name: NODE_LEASE_NAMESPACE } })
      .catch(() => undefined);
    return (await leases.create(lease)) as Lease;
  }
}
