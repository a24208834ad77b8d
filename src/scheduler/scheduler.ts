// The scheduling loop:
//
//   pop ─► profile(spec.schedulerName) ─► PreFilter ─► Filter (nominated node first, then a sample
//   of nodes from a rotating start) ─► PostFilter/preemption on failure ─► PreScore ─► Score
//   ─► select host (random among ties) ─► assume in cache ─► Reserve ─► Permit
//   ═► (async) WaitOnPermit ─► PreBind ─► Bind ─► finishBinding ─► PostBind ─► host.scheduled
//
// Any failure unreserves, forgets the assumed pod and reports through the host: a FailedScheduling
// event and PodScheduled=False with upstream's message, and the pod goes back to the queue.
import { SchedulerCache } from './cache/cache.ts';
import type { NodeInfo } from './cache/node-info.ts';
import { newPodInfo } from './cache/pod-info.ts';
import { type Clock, systemClock } from './clock.ts';
import { DEFAULT_PROFILE, numFeasibleNodesToFind, type SchedulerConfig } from './framework/config.ts';
import { CycleState } from './framework/cycle-state.ts';
import {
  ActionType,
  ASSIGNED_POD_ADD,
  ASSIGNED_POD_DELETE,
  type ClusterEventWithHint,
  EventResource,
  event,
  NODE_ADD,
} from './framework/events.ts';
import { type Diagnosis, FitError, NO_NODES_MESSAGE, newDiagnosis } from './framework/fit-error.ts';
import { Framework, PREFILTER_EXCLUDED_MESSAGE } from './framework/framework.ts';
import type { NodeScore, QueuedPodInfo } from './framework/interface.ts';
import { mergeRegistries, type Registry } from './framework/registry.ts';
import { Code, isRejected, newStatus, type Status } from './framework/status.ts';
import { REASON_SCHEDULER_ERROR, REASON_UNSCHEDULABLE, type SchedulerHost } from './host.ts';
import { inTreeRegistry } from './plugins/registry.ts';
import { SchedulingQueue } from './queue/scheduling-queue.ts';
import type { Node, Pod, PodDisruptionBudget } from './types.ts';
import { DEFAULT_SCHEDULER_NAME, isTerminating, podKey, podUid } from './types.ts';

export const SCHEDULED_MESSAGE = (pod: Pod, node: string): string =>
  `Successfully assigned ${podKey(pod)} to ${node}`;

/** Longest run of back-to-back scheduling cycles before the loop yields to timers and I/O. */
const SCHEDULING_SLICE_MS = 20;

/** How often expired assumed pods are dropped (upstream's cleanAssumedPeriod). */
export const ASSUMED_POD_CLEANUP_INTERVAL_MS = 1000;

export interface SchedulerOptions {
  host: SchedulerHost;
  config?: SchedulerConfig;
  clock?: Clock;
  /** Out-of-tree plugins, merged with the in-tree registry. */
  registry?: Registry;
  /** Random in [0,1) for tie-breaks and preemption sampling. */
  random?: () => number;
  /** Called with errors the loop swallowed (logging is the wiring's business). */
  onError?: (err: unknown, pod: Pod) => void;
}

export interface ScheduleResult {
  nodeName: string;
  evaluatedNodes: number;
  feasibleNodes: number;
}

export class Scheduler {
  readonly cache: SchedulerCache;
  readonly queue: SchedulingQueue;
  readonly profiles = new Map<string, Framework>();
  readonly #host: SchedulerHost;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #config: SchedulerConfig;
  readonly #pdbs = new Map<string, PodDisruptionBudget>();
  readonly #bindings = new Set<Promise<void>>();
  readonly #onError: (err: unknown, pod: Pod) => void;
  #nextStartNodeIndex = 0;

  constructor(opts: SchedulerOptions) {
    this.#host = opts.host;
    this.#clock = opts.clock ?? systemClock;
    this.#random = opts.random ?? Math.random;
    this.#config = opts.config ?? {};
    this.#onError = opts.onError ?? (() => {});
    this.cache = new SchedulerCache({ clock: this.#clock });
    const registry = opts.registry ? mergeRegistries(inTreeRegistry(), opts.registry) : inTreeRegistry();
    // The queue is the nominator every framework reads; frameworks are built after it exists.
    let queue: SchedulingQueue | undefined;
    const handle = {
      snapshot: this.cache,
      clock: this.#clock,
      host: this.#host,
      nominator: { nominatedPodsForNode: (n: string) => queue?.nominatedPodsForNode(n) ?? [] },
      pdbs: () => [...this.#pdbs.values()],
      random: this.#random,
    };
    for (const p of this.#config.profiles?.length ? this.#config.profiles : [DEFAULT_PROFILE])
      this.profiles.set(p.schedulerName, new Framework(p, registry, handle));
    const first = [...this.profiles.values()][0];
    const events = new Map<string, ClusterEventWithHint[]>();
    for (const fw of this.profiles.values()) for (const [k, v] of fw.eventsByPlugin()) events.set(k, v);
    queue = new SchedulingQueue({
      clock: this.#clock,
      less: (a, b) => first.queueSort.less(a, b),
      preEnqueue: (pod) => this.#profileFor(pod)?.runPreEnqueuePlugins(pod),
      eventsByPlugin: events,
      initialBackoffMs: (this.#config.podInitialBackoffSeconds ?? 1) * 1000,
      maxBackoffMs: (this.#config.podMaxBackoffSeconds ?? 10) * 1000,
    });
    this.queue = queue;
  }

  #profileFor(pod: Pod): Framework | undefined {
    return this.profiles.get(pod.spec?.schedulerName || DEFAULT_SCHEDULER_NAME);
  }

  /** Whether this scheduler is responsible for an unscheduled pod. */
  responsibleFor(pod: Pod): boolean {
    return this.#profileFor(pod) !== undefined;
  }

  // ── Informer callbacks (the wiring calls these) ──
  onNodeAdd(node: Node): void {
    this.cache.addNode(node);
    this.queue.moveAllToActiveOrBackoff(NODE_ADD, undefined, node);
  }

  onNodeUpdate(old: Node, node: Node): void {
    this.cache.updateNode(node);
    const action = nodeUpdateAction(old, node);
    if (action)
      this.queue.moveAllToActiveOrBackoff(event(EventResource.Node, action, 'NodeUpdate'), old, node);
  }

  onNodeDelete(node: Node): void {
    this.cache.removeNode(node.metadata?.name ?? '');
  }

  onPodAdd(pod: Pod): void {
    if (pod.spec?.nodeName) {
      this.cache.addPod(pod);
      this.queue.deleteNominatedPodIfExists(pod);
      this.queue.moveAllToActiveOrBackoff(ASSIGNED_POD_ADD, undefined, pod);
      return;
    }
    if (this.responsibleFor(pod) && !isTerminating(pod)) this.queue.add(pod);
  }

  onPodUpdate(old: Pod, pod: Pod): void {
    if (pod.spec?.nodeName) {
      if (!old.spec?.nodeName) this.queue.delete(pod);
      this.cache.updatePod(old, pod);
      this.queue.deleteNominatedPodIfExists(pod);
      const action = assignedPodUpdateAction(old, pod);
      this.queue.moveAllToActiveOrBackoff(
        event(EventResource.AssignedPod, action, 'AssignedPodUpdate'),
        old,
        pod,
      );
      return;
    }
    if (!this.responsibleFor(pod)) return;
    if (isTerminating(pod)) this.queue.delete(pod);
    else this.queue.update(old, pod);
  }

  onPodDelete(pod: Pod): void {
    if (pod.spec?.nodeName || this.cache.hasPod(pod)) {
      this.cache.removePod(pod);
      this.queue.moveAllToActiveOrBackoff(ASSIGNED_POD_DELETE, pod, undefined);
    }
    for (const fw of this.profiles.values()) fw.getWaitingPod(podUid(pod))?.reject('', 'pod deleted');
    this.queue.delete(pod);
  }

  onNamespace(name: string, labels: Record<string, string> | undefined): void {
    if (labels) this.cache.setNamespace(name, labels);
    else this.cache.removeNamespace(name);
    this.queue.moveAllToActiveOrBackoff(
      event(EventResource.Namespace, ActionType.Add | ActionType.UpdateOther, 'NamespaceChange'),
    );
  }

  /** A claim, volume or class changed: pods VolumeBinding rejected may fit now. */
  onStorage(resource: EventResource, action: number): void {
    this.queue.moveAllToActiveOrBackoff(event(resource, action, `${resource}Change`));
  }

  onPdb(pdb: PodDisruptionBudget, deleted = false): void {
    const key = `${pdb.metadata?.namespace}/${pdb.metadata?.name}`;
    if (deleted) this.#pdbs.delete(key);
    else this.#pdbs.set(key, pdb);
  }

  // ── The loop ──
  /** Runs until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    this.queue.run();
    let timer: unknown;
    const cleanup = () => {
      // Expired assumed pods free their node: pods waiting on those resources may fit now.
      if (this.cache.cleanupExpired().length > 0) this.queue.moveAllToActiveOrBackoff(ASSIGNED_POD_DELETE);
      timer = this.#clock.setTimeout(cleanup, ASSUMED_POD_CLEANUP_INTERVAL_MS);
    };
    timer = this.#clock.setTimeout(cleanup, ASSUMED_POD_CLEANUP_INTERVAL_MS);
    signal.addEventListener(
      'abort',
      () => {
        this.#clock.clearTimeout(timer);
        this.queue.close();
      },
      { once: true },
    );
    // pop() resolves at once while pods are queued, so back-to-back cycles would run as one chain
    // of microtasks and starve the event loop: in `skiff up` that is the API server's own requests,
    // the bindings' answers, the agents' status updates and Lease renewals. After a slice of
    // cycles the loop lets timers and I/O in.
    let sliceStart = performance.now();
    for (;;) {
      const q = await this.queue.pop(signal);
      if (!q) break;
      this.scheduleOne(q);
      if (performance.now() - sliceStart >= SCHEDULING_SLICE_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
      }
    }
    await this.waitForBindings();
  }

  /** Settles when every binding cycle started so far has finished. */
  async waitForBindings(): Promise<void> {
    while (this.#bindings.size > 0) await Promise.allSettled([...this.#bindings]);
  }

  /** One pod's scheduling cycle (synchronous); its binding cycle runs in the background. */
  scheduleOne(q: QueuedPodInfo): void {
    const pod = q.pod;
    const fw = this.#profileFor(pod);
    if (!fw || isTerminating(pod) || this.cache.hasPod(pod)) {
      this.queue.done(pod);
      return;
    }
    const cycle = this.queue.schedulingCycle;
    const state = new CycleState();
    let result: ScheduleResult;
    try {
      result = this.schedulePod(fw, state, pod);
    } catch (err) {
      if (err instanceof FitError) {
        let nominated: string | undefined;
        // PostFilter runs whether PreFilter or Filter rejected the pod, as upstream.
        if (fw.postFilter.length > 0) nominated = this.#runPostFilter(fw, state, pod, err);
        this.#fail(
          q,
          cycle,
          REASON_UNSCHEDULABLE,
          err.describe(),
          err.diagnosis.unschedulablePlugins,
          nominated,
        );
      } else {
        this.#onError(err, pod);
        this.#fail(
          q,
          cycle,
          REASON_SCHEDULER_ERROR,
          err instanceof Error ? err.message : String(err),
          [],
          undefined,
        );
      }
      return;
    }
    const nodeName = result.nodeName;
    const assumed: Pod = { ...pod, spec: { ...pod.spec!, nodeName } };
    this.cache.assumePod(assumed);
    this.queue.deleteNominatedPodIfExists(pod);
    const reserve = fw.runReservePluginsReserve(state, assumed, nodeName);
    if (reserve) {
      fw.runReservePluginsUnreserve(state, assumed, nodeName);
      this.cache.forgetPod(assumed);
      this.#failStatus(q, cycle, reserve);
      return;
    }
    const permit = fw.runPermitPlugins(state, assumed, nodeName);
    if (permit && permit.code !== Code.Wait) {
      fw.runReservePluginsUnreserve(state, assumed, nodeName);
      this.cache.forgetPod(assumed);
      this.#failStatus(q, cycle, permit);
      return;
    }
    const p = this.#bindingCycle(fw, state, q, assumed, nodeName, cycle);
    this.#bindings.add(p);
    void p.finally(() => this.#bindings.delete(p));
  }

  /** Runs preemption; returns the node it nominated ('' clears), undefined when it said nothing. */
  #runPostFilter(fw: Framework, state: CycleState, pod: Pod, err: FitError): string | undefined {
    const statuses = new Map(err.diagnosis.nodeToStatus);
    if (err.diagnosis.absentNodesStatus)
      for (const ni of this.cache.list())
        if (!statuses.has(ni.name)) statuses.set(ni.name, err.diagnosis.absentNodesStatus);
    const { result, status } = fw.runPostFilterPlugins(state, pod, statuses);
    if (status.code !== Code.Success && status.reasons.length) err.diagnosis.postFilterMsg = status.message();
    return result?.nominatedNodeName;
  }

  async #bindingCycle(
    fw: Framework,
    state: CycleState,
    q: QueuedPodInfo,
    assumed: Pod,
    nodeName: string,
    cycle: number,
  ): Promise<void> {
    const undo = (s: Status) => {
      fw.runReservePluginsUnreserve(state, assumed, nodeName);
      this.cache.forgetPod(assumed);
      // The resources it held are free again: pods waiting on them may fit now.
      this.queue.moveAllToActiveOrBackoff(ASSIGNED_POD_DELETE, assumed, undefined);
      this.#failStatus(q, cycle, s);
    };
    const permit = await fw.waitOnPermit(assumed);
    const failed =
      permit ??
      (await fw.runPreBindPlugins(state, assumed, nodeName)) ??
      (await fw.runBindPlugins(state, assumed, nodeName));
    if (failed) {
      undo(failed);
      return;
    }
    this.cache.finishBinding(assumed);
    this.queue.done(q.pod);
    this.#host.scheduled(q.pod, nodeName, SCHEDULED_MESSAGE(q.pod, nodeName));
    fw.runPostBindPlugins(state, assumed, nodeName);
  }

  #failStatus(q: QueuedPodInfo, cycle: number, s: Status): void {
    const rejected = isRejected(s);
    this.#fail(
      q,
      cycle,
      rejected ? REASON_UNSCHEDULABLE : REASON_SCHEDULER_ERROR,
      s.message(),
      rejected && s.plugin ? [s.plugin] : [],
      undefined,
    );
  }

  #fail(
    q: QueuedPodInfo,
    cycle: number,
    reason: string,
    message: string,
    plugins: Iterable<string>,
    nominatedNodeName: string | undefined,
  ): void {
    // Deleted while we were working on it: nothing to requeue or report.
    if (this.queue.whereIs(q.pod) !== 'inFlight') return;
    if (nominatedNodeName) this.queue.addNominatedPod(newPodInfo(q.pod), nominatedNodeName);
    else if (nominatedNodeName === '') this.queue.deleteNominatedPodIfExists(q.pod);
    this.queue.addUnschedulable(q, cycle, plugins);
    this.#host.failed(q.pod, {
      reason,
      message,
      ...(nominatedNodeName !== undefined ? { nominatedNodeName } : {}),
    });
  }

  /** Filter and score: the chosen node, or a FitError explaining every rejection. */
  schedulePod(fw: Framework, state: CycleState, pod: Pod): ScheduleResult {
    const all = this.cache.list();
    if (all.length === 0) throw new Error(NO_NODES_MESSAGE);
    const { feasible, diagnosis, rejected } = this.#findNodesThatFit(fw, state, pod, all);
    if (feasible.length === 0) throw new FitError(all.length, diagnosis);
    if (feasible.length === 1)
      return {
        nodeName: feasible[0].name,
        evaluatedNodes: 1 + rejected,
        feasibleNodes: 1,
      };
    const pre = fw.runPreScorePlugins(state, pod, feasible);
    if (pre) throw new Error(pre.message());
    const { totals, status } = fw.runScorePlugins(state, pod, feasible);
    if (status) throw new Error(status.message());
    return {
      nodeName: this.selectHost(totals),
      evaluatedNodes: feasible.length + rejected,
      feasibleNodes: feasible.length,
    };
  }

  #findNodesThatFit(
    fw: Framework,
    state: CycleState,
    pod: Pod,
    all: readonly NodeInfo[],
  ): { feasible: NodeInfo[]; diagnosis: Diagnosis; rejected: number } {
    const diagnosis = newDiagnosis();
    const pre = fw.runPreFilterPlugins(state, pod, all);
    if (pre.status) {
      if (!isRejected(pre.status)) throw new Error(pre.status.message());
      diagnosis.preFilterMsg = pre.status.message();
      diagnosis.absentNodesStatus = pre.status;
      if (pre.status.plugin) diagnosis.unschedulablePlugins.add(pre.status.plugin);
      return { feasible: [], diagnosis, rejected: 0 };
    }
    // A node nominated by an earlier preemption is tried first: the room was made for this pod.
    const nominated = pod.status?.nominatedNodeName;
    if (nominated) {
      const ni = this.cache.get(nominated);
      if (ni && (!pre.nodeNames || pre.nodeNames.has(nominated))) {
        const s = fw.runFilterPluginsWithNominatedPods(state, pod, ni);
        if (!s) return { feasible: [ni], diagnosis, rejected: 0 };
      }
    }
    let nodes = all;
    if (pre.nodeNames) {
      nodes = all.filter((n) => pre.nodeNames!.has(n.name));
      diagnosis.absentNodesStatus = newStatus(
        Code.UnschedulableAndUnresolvable,
        PREFILTER_EXCLUDED_MESSAGE(pre.narrowedBy),
      );
    }
    const n = nodes.length;
    const want = numFeasibleNodesToFind(
      fw.profile.percentageOfNodesToScore ?? this.#config.percentageOfNodesToScore,
      n,
    );
    const feasible: NodeInfo[] = [];
    // Rejections go to the diagnosis map only if no node fits (a FitError reports them); when
    // some node fits, only their number is used, so the per-node Map.set is skipped.
    const rejectedNodes: NodeInfo[] = [];
    const rejectedStatuses: Status[] = [];
    const start = n === 0 ? 0 : this.#nextStartNodeIndex % n;
    let processed = 0;
    for (let i = 0; i < n && feasible.length < want; i++) {
      const ni = nodes[(start + i) % n];
      processed++;
      const s = fw.runFilterPluginsWithNominatedPods(state, pod, ni);
      if (s === undefined) {
        feasible.push(ni);
        continue;
      }
      if (s.code === Code.Error) throw new Error(s.message());
      rejectedNodes.push(ni);
      rejectedStatuses.push(s);
      if (s.plugin) diagnosis.unschedulablePlugins.add(s.plugin);
    }
    this.#nextStartNodeIndex = n === 0 ? 0 : (start + processed) % n;
    if (feasible.length === 0)
      for (let i = 0; i < rejectedNodes.length; i++)
        diagnosis.nodeToStatus.set(rejectedNodes[i].name, rejectedStatuses[i]);
    return { feasible, diagnosis, rejected: rejectedNodes.length };
  }

  /** The highest total; ties broken uniformly at random (reservoir sampling, as upstream). */
  selectHost(totals: readonly NodeScore[]): string {
    let best = totals[0];
    let ties = 1;
    for (let i = 1; i < totals.length; i++) {
      const t = totals[i];
      if (t.score > best.score) {
        best = t;
        ties = 1;
      } else if (t.score === best.score) {
        ties++;
        if (Math.floor(this.#random() * ties) === 0) best = t;
      }
    }
    return best.name;
  }
}

function nodeUpdateAction(old: Node, node: Node): number {
  const j = (v: unknown) => JSON.stringify(v ?? null);
  let a = 0;
  if (j(old.status?.allocatable) !== j(node.status?.allocatable)) a |= ActionType.UpdateNodeAllocatable;
  if (j(old.metadata?.labels) !== j(node.metadata?.labels)) a |= ActionType.UpdateNodeLabel;
  if (
    j(old.spec?.taints) !== j(node.spec?.taints) ||
    !!old.spec?.unschedulable !== !!node.spec?.unschedulable
  )
    a |= ActionType.UpdateNodeTaint;
  if (j(old.status?.conditions) !== j(node.status?.conditions)) a |= ActionType.UpdateNodeCondition;
  if (j(old.metadata?.annotations) !== j(node.metadata?.annotations)) a |= ActionType.UpdateNodeAnnotation;
  return a;
}

function assignedPodUpdateAction(old: Pod, pod: Pod): number {
  let a = 0;
  if (JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(pod.metadata?.labels ?? {}))
    a |= ActionType.UpdatePodLabel;
  // PodInfos are memoized per pod object: the cache has built (or will build) both anyway.
  const before = newPodInfo(old).requests;
  const after = newPodInfo(pod).requests;
  if (after.milliCPU < before.milliCPU || after.memory < before.memory) a |= ActionType.UpdatePodScaleDown;
  return a || ActionType.UpdateOther;
}
