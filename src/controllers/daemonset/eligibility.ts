// Which nodes a DaemonSet runs on (upstream daemon_controller.go NodeShouldRunDaemonPod and
// pkg/controller/daemon/util): the template's nodeName, nodeSelector and required node affinity
// must match, and every NoSchedule/NoExecute taint must be tolerated — with the tolerations every
// daemon pod gets, so daemons keep running on not-ready, unreachable or pressured nodes.
import type { KObject } from '../../api/object.ts';

export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_DISK_PRESSURE = 'node.kubernetes.io/disk-pressure';
export const TAINT_MEMORY_PRESSURE = 'node.kubernetes.io/memory-pressure';
export const TAINT_PID_PRESSURE = 'node.kubernetes.io/pid-pressure';
export const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
export const TAINT_NETWORK_UNAVAILABLE = 'node.kubernetes.io/network-unavailable';
const NO_SCHEDULE = 'NoSchedule';
const NO_EXECUTE = 'NoExecute';
const PREFER_NO_SCHEDULE = 'PreferNoSchedule';
/** The node field daemon pods are pinned to through required node affinity. */
export const NODE_NAME_FIELD = 'metadata.name';

/** Upstream AddOrUpdateDaemonPodTolerations. */
export function daemonPodTolerations(spec: KObject): KObject[] {
  const extra: KObject[] = [
    { key: TAINT_NOT_READY, operator: 'Exists', effect: NO_EXECUTE },
    { key: TAINT_UNREACHABLE, operator: 'Exists', effect: NO_EXECUTE },
    { key: TAINT_DISK_PRESSURE, operator: 'Exists', effect: NO_SCHEDULE },
    { key: TAINT_MEMORY_PRESSURE, operator: 'Exists', effect: NO_SCHEDULE },
    { key: TAINT_PID_PRESSURE, operator: 'Exists', effect: NO_SCHEDULE },
    { key: TAINT_UNSCHEDULABLE, operator: 'Exists', effect: NO_SCHEDULE },
  ];
  if (spec.hostNetwork)
    extra.push({ key: TAINT_NETWORK_UNAVAILABLE, operator: 'Exists', effect: NO_SCHEDULE });
  const out: KObject[] = [...(spec.tolerations ?? [])];
  for (const t of extra) {
    if (!out.some((o) => o.key === t.key && o.effect === t.effect && (o.operator ?? 'Equal') === t.operator))
      out.push(t);
  }
  return out;
}

/** v1.Toleration.ToleratesTaint. */
export function tolerates(t: KObject, taint: KObject): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  const op = t.operator || 'Equal';
  if (op === 'Exists') return true;
  return op === 'Equal' && (t.value ?? '') === (taint.value ?? '');
}

function matchesRequirement(req: KObject, value: string | undefined): boolean {
  const values: string[] = req.values ?? [];
  switch (req.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || !/^-?\d+$/.test(value) || values.length !== 1) return false;
      return req.operator === 'Gt' ? Number(value) > Number(values[0]) : Number(value) < Number(values[0]);
    }
    default:
      return false;
  }
}

/** A NodeSelectorTerm: all expressions and fields match (an empty term matches nothing). */
function matchesTerm(term: KObject, node: KObject): boolean {
  const exprs: KObject[] = term.matchExpressions ?? [];
  const fields: KObject[] = term.matchFields ?? [];
  if (!exprs.length && !fields.length) return false;
  const labels: Record<string, string> = node.metadata?.labels ?? {};
  return (
    exprs.every((e) => matchesRequirement(e, labels[e.key])) &&
    fields.every((f) => f.key === NODE_NAME_FIELD && matchesRequirement(f, node.metadata?.name))
  );
}

/** nodeSelector and requiredDuringSchedulingIgnoredDuringExecution (terms are ORed). */
export function matchesNodeAffinity(spec: KObject, node: KObject): boolean {
  const labels: Record<string, string> = node.metadata?.labels ?? {};
  for (const [k, v] of Object.entries((spec.nodeSelector ?? {}) as Record<string, string>)) {
    if (labels[k] !== v) return false;
  }
  const terms: KObject[] | undefined =
    spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (!terms) return true;
  return terms.some((t) => matchesTerm(t, node));
}

export interface NodeVerdict {
  /** A daemon pod should be created here. */
  shouldRun: boolean;
  /** An existing daemon pod may stay (an untolerated NoSchedule taint does not evict). */
  shouldContinueRunning: boolean;
}

/** Upstream NodeShouldRunDaemonPod for a DaemonSet's pod template. */
export function nodeShouldRunDaemonPod(template: KObject, node: KObject): NodeVerdict {
  const spec: KObject = template?.spec ?? {};
  const no = { shouldRun: false, shouldContinueRunning: false };
  if (spec.nodeName && spec.nodeName !== node.metadata?.name) return no;
  if (!matchesNodeAffinity(spec, node)) return no;
  const tolerations = daemonPodTolerations(spec);
  let shouldRun = true;
  for (const taint of (node.spec?.taints ?? []) as KObject[]) {
    if (taint.effect === PREFER_NO_SCHEDULE) continue;
    if (tolerations.some((t) => tolerates(t, taint))) continue;
    if (taint.effect === NO_EXECUTE) return no;
    shouldRun = false;
  }
  return { shouldRun, shouldContinueRunning: true };
}

/** Upstream ReplaceDaemonSetPodNodeNameNodeAffinity: pin the pod to one node for the scheduler. */
export function pinToNode(spec: KObject, nodeName: string): void {
  spec.affinity ??= {};
  spec.affinity.nodeAffinity ??= {};
  spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = {
    nodeSelectorTerms: [{ matchFields: [{ key: NODE_NAME_FIELD, operator: 'In', values: [nodeName] }] }],
  };
}

/** The node a daemon pod is for: its nodeName, or the node its affinity pins it to. */
export function targetNodeOf(pod: KObject): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  const terms: KObject[] =
    pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  for (const t of terms) {
    for (const f of (t.matchFields ?? []) as KObject[]) {
      if (f.key === NODE_NAME_FIELD && f.operator === 'In' && f.values?.length === 1) return f.values[0];
    }
  }
  return undefined;
}
