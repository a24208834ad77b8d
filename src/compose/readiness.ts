// When `up --wait` counts a service as up: the same tests `kubectl rollout status` makes for
// Deployments, StatefulSets and DaemonSets, and completion for a one-shot Job (compose waits for
// one-shot services to exit too). A failed rollout or Job ends the wait early.
import type { KObject } from '../api/object.ts';

export type ServiceState = 'ready' | 'waiting' | 'failed';

export interface WorkloadReadiness {
  state: ServiceState;
  message: string;
}

type Num = number | undefined;
const n = (v: Num): number => v ?? 0;

interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
}

function condition(obj: KObject, type: string): Condition | undefined {
  const conds = (obj.status as { conditions?: Condition[] } | undefined)?.conditions ?? [];
  return conds.find((c) => c.type === type);
}

function observed(obj: KObject): boolean {
  const st = obj.status as { observedGeneration?: number } | undefined;
  return n(st?.observedGeneration) >= n(obj.metadata?.generation as Num);
}

export function workloadReadiness(obj: KObject): WorkloadReadiness {
  const spec = (obj.spec ?? {}) as Record<string, unknown>;
  const st = (obj.status ?? {}) as Record<string, Num>;
  switch (obj.kind) {
    case 'Deployment': {
      const progressing = condition(obj, 'Progressing');
      if (progressing?.reason === 'ProgressDeadlineExceeded')
        return { state: 'failed', message: progressing.message ?? 'progress deadline exceeded' };
      if (!observed(obj)) return { state: 'waiting', message: 'waiting for the rollout to be observed' };
      const want = (spec.replicas as Num) ?? 1;
      if (n(st.updatedReplicas) < want)
        return { state: 'waiting', message: `${n(st.updatedReplicas)} of ${want} updated replicas` };
      if (n(st.replicas) > n(st.updatedReplicas))
        return {
          state: 'waiting',
          message: `${n(st.replicas) - n(st.updatedReplicas)} old replicas pending termination`,
        };
      if (n(st.availableReplicas) < n(st.updatedReplicas))
        return {
          state: 'waiting',
          message: `${n(st.availableReplicas)} of ${n(st.updatedReplicas)} updated replicas available`,
        };
      return { state: 'ready', message: `${want} replicas available` };
    }
    case 'StatefulSet': {
      if (!observed(obj)) return { state: 'waiting', message: 'waiting for the rollout to be observed' };
      const want = (spec.replicas as Num) ?? 1;
      if (n(st.readyReplicas) < want)
        return { state: 'waiting', message: `${n(st.readyReplicas)} of ${want} pods ready` };
      const status = obj.status as { currentRevision?: string; updateRevision?: string };
      if (status.updateRevision && status.currentRevision !== status.updateRevision)
        return { state: 'waiting', message: 'waiting for the rolling update to complete' };
      return { state: 'ready', message: `${want} pods ready` };
    }
    case 'DaemonSet': {
      if (!observed(obj)) return { state: 'waiting', message: 'waiting for the rollout to be observed' };
      const want = n(st.desiredNumberScheduled);
      if (n(st.updatedNumberScheduled) < want)
        return { state: 'waiting', message: `${n(st.updatedNumberScheduled)} of ${want} updated pods` };
      if (n(st.numberAvailable) < want)
        return { state: 'waiting', message: `${n(st.numberAvailable)} of ${want} pods available` };
      return { state: 'ready', message: `${want} pods available` };
    }
    case 'Job': {
      const failed = condition(obj, 'Failed');
      if (failed?.status === 'True')
        return { state: 'failed', message: failed.message ?? failed.reason ?? 'job failed' };
      const complete = condition(obj, 'Complete');
      if (complete?.status === 'True') return { state: 'ready', message: 'completed' };
      return { state: 'waiting', message: `${n(st.succeeded)} completed, ${n(st.active)} running` };
    }
    default:
      return { state: 'ready', message: '' };
  }
}
