// When a node counts as silent, and what its status says then (upstream node_lifecycle_controller
// tryUpdateNodeHealth): the controller notes, on its own clock, the last time it saw the node's
// Lease renewed or its Ready heartbeat move; past the grace period every kubelet-owned condition
// becomes Unknown.
import type { KObject } from '../../api/object.ts';

export const NODE_STATUS_UNKNOWN = 'NodeStatusUnknown';
export const KUBELET_STOPPED = 'Kubelet stopped posting node status.';
export const NODE_STATUS_NEVER_UPDATED = 'NodeStatusNeverUpdated';
export const KUBELET_NEVER_POSTED = 'Kubelet never posted node status.';
/** The conditions the kubelet reports, which go Unknown together. */
export const KUBELET_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

export interface ProbeRecord {
  /** When (controller clock) the node last showed a sign of life. */
  probeMs: number;
  heartbeat: string;
  renewTime: string;
}

/** Updates the record with what the node and its Lease show now. */
export function observe(
  prev: ProbeRecord | undefined,
  node: KObject,
  lease: KObject | undefined,
  nowMs: number,
): ProbeRecord {
  const ready = (node.status?.conditions ?? []).find((c: KObject) => c.type === 'Ready');
  const heartbeat = ready?.lastHeartbeatTime ?? '';
  const renewTime = lease?.spec?.renewTime ?? '';
  if (!prev || prev.heartbeat !== heartbeat || prev.renewTime !== renewTime) {
    return { probeMs: nowMs, heartbeat, renewTime };
  }
  return prev;
}

export const readyStatus = (node: KObject): string | undefined =>
  (node.status?.conditions ?? []).find((c: KObject) => c.type === 'Ready')?.status;

/** The node's conditions with every kubelet condition Unknown; undefined when they already are. */
export function unknownConditions(node: KObject, now: string): KObject[] | undefined {
  const conditions: KObject[] = structuredClone(node.status?.conditions ?? []);
  let changed = false;
  for (const type of KUBELET_CONDITIONS) {
    const c = conditions.find((x) => x.type === type);
    if (!c) {
      conditions.push({
        type,
        status: 'Unknown',
        reason: NODE_STATUS_NEVER_UPDATED,
        message: KUBELET_NEVER_POSTED,
        lastHeartbeatTime: node.metadata?.creationTimestamp ?? now,
        lastTransitionTime: now,
      });
      changed = true;
    } else if (c.status !== 'Unknown') {
      c.status = 'Unknown';
      c.reason = NODE_STATUS_UNKNOWN;
      c.message = KUBELET_STOPPED;
      c.lastTransitionTime = now;
      changed = true;
    }
  }
  return changed ? conditions : undefined;
}
