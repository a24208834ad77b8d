// The SchedulerHost over the API (what kube-scheduler writes):
//   bind      ─► POST pods/<name>/binding (with the pod's uid: a recreated pod is never bound)
//   scheduled ─► Event Scheduled "Successfully assigned ns/pod to node"
//   failed    ─► Event FailedScheduling + PATCH pods/<name>/status: PodScheduled=False and
//                status.nominatedNodeName (skipped when the pod already says exactly that)
//   preempt   ─► PATCH the victim's status (DisruptionTarget) ─► graceful DELETE ─► Event Preempted
// Status writes for one pod go out in order, one at a time, so an older failure never lands after
// a newer one.

import type { LabelSelectorObject } from '../../api/selectors/index.ts';
import type { EventRecorder, Lister, ObjectReference, RestClient } from '../../client/index.ts';
import { isNotFound, PODS } from '../../client/index.ts';
import type { Logger } from '../../util/log.ts';
import { rfc3339 } from '../../util/time-format.ts';
import type { SchedulerHost, SchedulingFailure, VolumeSource } from '../host.ts';
import { EVENT_FAILED_SCHEDULING, EVENT_PREEMPTED, EVENT_SCHEDULED } from '../host.ts';
import type { Pod } from '../types.ts';
import { DEFAULT_SCHEDULER_NAME, podKey } from '../types.ts';
import type { PodObject } from './resources.ts';

export const POD_SCHEDULED = 'PodScheduled';
export const DISRUPTION_TARGET = 'DisruptionTarget';
/** Upstream's v1.PodReasonPreemptionByScheduler. */
export const REASON_PREEMPTION_BY_SCHEDULER = 'PreemptionByScheduler';
export const PREEMPTED_MESSAGE = (preemptor: Pod, node: string): string =>
  `Preempted by pod ${preemptor.metadata?.uid ?? podKey(preemptor)} on node ${node}`;
export const DISRUPTION_MESSAGE = (preemptor: Pod): string =>
  `${preemptor.spec?.schedulerName || DEFAULT_SCHEDULER_NAME}: preempting to accommodate a higher priority pod`;

export interface ClientHostOptions {
  client: RestClient;
  recorder: EventRecorder;
  /** The pod informer's lister: the freshest known state, to skip status writes that change nothing. */
  pods?: Lister<PodObject>;
  /** The selector for PodTopologySpread's default constraints (see default-spread.ts). */
  defaultSpreadSelector?: (pod: Pod) => LabelSelectorObject | undefined;
  /** Claims, volumes and classes for VolumeBinding. */
  volumes?: VolumeSource;
  log?: Logger;
  now?: () => number;
}

/** metav1.Time: RFC 3339 in whole seconds. */

/** The reference events name: informer objects carry no kind/apiVersion. */
export const podRef = (pod: Pod): ObjectReference => ({
  kind: 'Pod',
  apiVersion: 'v1',
  namespace: pod.metadata?.namespace ?? 'default',
  name: pod.metadata?.name,
  ...(pod.metadata?.uid ? { uid: pod.metadata.uid } : {}),
  ...(pod.metadata?.resourceVersion ? { resourceVersion: pod.metadata.resourceVersion } : {}),
});

export class ClientSchedulerHost implements SchedulerHost {
  readonly #client: RestClient;
  readonly #recorder: EventRecorder;
  readonly #pods: Lister<PodObject> | undefined;
  readonly #log: Logger | undefined;
  readonly #now: () => number;
  /** The tail of each pod's status-write chain (removed when it drains). */
  readonly #writes = new Map<string, Promise<void>>();
  readonly defaultSpreadSelector?: (pod: Pod) => LabelSelectorObject | undefined;
  readonly volumes?: VolumeSource;

  constructor(opts: ClientHostOptions) {
    this.#client = opts.client;
    this.#recorder = opts.recorder;
    this.#pods = opts.pods;
    this.#log = opts.log;
    this.#now = opts.now ?? Date.now;
    if (opts.defaultSpreadSelector) this.defaultSpreadSelector = opts.defaultSpreadSelector;
    if (opts.volumes) this.volumes = opts.volumes;
  }

  async bind(pod: Pod, nodeName: string): Promise<void> {
    const name = pod.metadata?.name ?? '';
    const namespace = pod.metadata?.namespace ?? 'default';
    await this.#client.resource(PODS, namespace).createSubresource(name, 'binding', {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name, namespace, ...(pod.metadata?.uid ? { uid: pod.metadata.uid } : {}) },
      target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
    });
  }

  scheduled(pod: Pod, _nodeName: string, message: string): void {
    this.#recorder.event(podRef(pod), 'Normal', EVENT_SCHEDULED, message);
  }

  failed(pod: Pod, failure: SchedulingFailure): void {
    this.#recorder.event(podRef(pod), 'Warning', EVENT_FAILED_SCHEDULING, failure.message);
    const current = this.#pods?.get(podKey(pod)) ?? pod;
    // Bound meanwhile (or gone): the condition would be a lie.
    if (current.spec?.nodeName || current.metadata?.uid !== pod.metadata?.uid) return;
    const cond = current.status?.conditions?.find((c) => c.type === POD_SCHEDULED);
    const sameCondition =
      cond?.status === 'False' && cond.reason === failure.reason && cond.message === failure.message;
    const sameNomination =
      failure.nominatedNodeName === undefined ||
      (current.status?.nominatedNodeName ?? '') === failure.nominatedNodeName;
    if (sameCondition && sameNomination) return;
    const status: Record<string, unknown> = {};
    if (!sameCondition) {
      status.conditions = [
        {
          type: POD_SCHEDULED,
          status: 'False',
          reason: failure.reason,
          message: failure.message,
          lastProbeTime: null,
          lastTransitionTime: cond?.status === 'False' ? cond.lastTransitionTime : rfc3339(this.#now()),
        },
      ];
    }
    // null removes the field in a merge patch: the nomination is cleared.
    if (!sameNomination) status.nominatedNodeName = failure.nominatedNodeName || null;
    // Failures are logged by #patchStatus; the next scheduling attempt writes again.
    this.#patchStatus(pod, { status }).catch(() => {});
  }

  async preempt(victim: Pod, preemptor: Pod, nodeName: string): Promise<void> {
    const name = victim.metadata?.name ?? '';
    const pods = this.#client.resource(PODS, victim.metadata?.namespace ?? 'default');
    const now = rfc3339(this.#now());
    try {
      await this.#patchStatus(victim, {
        status: {
          conditions: [
            {
              type: DISRUPTION_TARGET,
              status: 'True',
              reason: REASON_PREEMPTION_BY_SCHEDULER,
              message: DISRUPTION_MESSAGE(preemptor),
              lastTransitionTime: now,
            },
          ],
        },
      });
      // Graceful, as upstream: the node stops the victim's containers, then removes it.
      await pods.delete(name, victim.metadata?.uid ? { preconditions: { uid: victim.metadata.uid } } : {});
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    this.#recorder.event(podRef(victim), 'Normal', EVENT_PREEMPTED, PREEMPTED_MESSAGE(preemptor, nodeName));
  }

  /** Settles once every status write started so far has finished. */
  async flush(): Promise<void> {
    while (this.#writes.size > 0) await Promise.allSettled([...this.#writes.values()]);
  }

  /** A strategic merge patch of pods/<name>/status, after the pod's earlier writes. */
  #patchStatus(pod: Pod, patch: unknown): Promise<void> {
    const key = podKey(pod);
    const pods = this.#client.resource(PODS, pod.metadata?.namespace ?? 'default');
    const prev = this.#writes.get(key) ?? Promise.resolve();
    const write = prev.then(async () => {
      try {
        await pods.patch(pod.metadata?.name ?? '', 'strategic', patch, { subresource: 'status' });
      } catch (err) {
        // Deleted meanwhile: nothing left to report on.
        if (isNotFound(err)) return;
        this.#log?.warn('pod status update failed', { pod: key, err: String(err) });
        throw err;
      }
    });
    const tail = write.then(
      () => {},
      () => {},
    );
    this.#writes.set(key, tail);
    void tail.then(() => {
      if (this.#writes.get(key) === tail) this.#writes.delete(key);
    });
    return write;
  }
}
