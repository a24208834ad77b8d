// One profile's plugins, instantiated once, and the runners for each extension point. The
// scheduling cycle calls these in order; plugins never call each other.
import type { NodeInfo } from '../cache/node-info.ts';
import type { PodInfo } from '../cache/pod-info.ts';
import type { Pod } from '../types.ts';
import { podPriority, podUid } from '../types.ts';
import {
  type ExtensionPoint,
  type ProfileConfig,
  pluginArgs,
  profilePluginNames,
  resolvePoint,
} from './config.ts';
import type { CycleState } from './cycle-state.ts';
import type { ClusterEventWithHint } from './events.ts';
import {
  type BindPlugin,
  type FilterPlugin,
  type FrameworkRunner,
  type Handle,
  hasEvents,
  isBind,
  isFilter,
  isPermit,
  isPostBind,
  isPostFilter,
  isPreBind,
  isPreEnqueue,
  isPreFilter,
  isPreScore,
  isQueueSort,
  isReserve,
  isScore,
  MAX_NODE_SCORE,
  MIN_NODE_SCORE,
  type NodeScore,
  type NodeToStatus,
  type PermitPlugin,
  type Plugin,
  type PostBindPlugin,
  type PostFilterPlugin,
  type PostFilterResult,
  type PreBindPlugin,
  type PreEnqueuePlugin,
  type PreFilterPlugin,
  type PreScorePlugin,
  type QueueSortPlugin,
  type ReservePlugin,
  type ScorePlugin,
} from './interface.ts';
import type { Registry } from './registry.ts';
import { RegistryError } from './registry.ts';
import { Code, errorStatus, isRejected, isSkip, newStatus, Status } from './status.ts';
import { WaitingPod } from './waiting-pod.ts';

const CHECKS: Record<ExtensionPoint, (p: Plugin) => boolean> = {
  preEnqueue: isPreEnqueue,
  queueSort: isQueueSort,
  preFilter: isPreFilter,
  filter: isFilter,
  postFilter: isPostFilter,
  preScore: isPreScore,
  score: isScore,
  reserve: isReserve,
  permit: isPermit,
  preBind: isPreBind,
  bind: isBind,
  postBind: isPostBind,
};

/** The status preemption and the message use for nodes a PreFilter result excluded. */
export const PREFILTER_EXCLUDED_MESSAGE = (plugins: string[]): string =>
  `node(s) didn't satisfy plugin(s) [${plugins.join(' ')}]`;

export class Framework implements FrameworkRunner {
  readonly profile: ProfileConfig;
  readonly plugins = new Map<string, Plugin>();
  readonly preEnqueue: PreEnqueuePlugin[];
  readonly queueSort: QueueSortPlugin;
  readonly preFilter: PreFilterPlugin[];
  readonly filter: FilterPlugin[];
  /** Filter plugins not skipped, per cycle state (its skip set is fixed once PreFilter ran). */
  readonly #activeFilters = new WeakMap<CycleState, FilterPlugin[]>();
  readonly postFilter: PostFilterPlugin[];
  readonly preScore: PreScorePlugin[];
  readonly score: { plugin: ScorePlugin; weight: number }[];
  readonly reserve: ReservePlugin[];
  readonly permit: PermitPlugin[];
  readonly preBind: PreBindPlugin[];
  readonly bind: BindPlugin[];
  readonly postBind: PostBindPlugin[];
  readonly #handle: Handle;
  readonly #waiting = new Map<string, WaitingPod>();

  constructor(profile: ProfileConfig, registry: Registry, handle: Omit<Handle, 'framework'>) {
    this.profile = profile;
    this.#handle = { ...handle, framework: () => this };
    for (const name of profilePluginNames(profile)) {
      const factory = registry.get(name);
      if (!factory) throw new RegistryError(`plugin "${name}" does not exist`);
      this.plugins.set(name, factory(pluginArgs(profile, name), this.#handle));
    }
    const at = <T extends Plugin>(point: ExtensionPoint): { plugin: T; weight: number }[] =>
      resolvePoint(profile, point, (n) => CHECKS[point](this.plugins.get(n)!)).map((r) => {
        const plugin = this.plugins.get(r.name);
        if (!plugin || !CHECKS[point](plugin))
          throw new RegistryError(`plugin "${r.name}" does not extend ${point} plugin`);
        return { plugin: plugin as T, weight: r.weight };
      });
    const only = <T extends Plugin>(point: ExtensionPoint): T[] => at<T>(point).map((x) => x.plugin);
    this.preEnqueue = only('preEnqueue');
    const sorts = only<QueueSortPlugin>('queueSort');
    if (sorts.length !== 1)
      throw new RegistryError(`profile ${profile.schedulerName}: exactly one queueSort plugin required`);
    this.queueSort = sorts[0];
    this.preFilter = only('preFilter');
    this.filter = only('filter');
    this.postFilter = only('postFilter');
    this.preScore = only('preScore');
    this.score = at<ScorePlugin>('score');
    this.reserve = only('reserve');
    this.permit = only('permit');
    this.preBind = only('preBind');
    this.bind = only('bind');
    if (this.bind.length === 0)
      throw new RegistryError(`profile ${profile.schedulerName}: at least one bind plugin required`);
    this.postBind = only('postBind');
  }

  get handle(): Handle {
    return this.#handle;
  }

  /** Events each plugin declared, keyed by plugin name. */
  eventsByPlugin(): Map<string, ClusterEventWithHint[]> {
    const out = new Map<string, ClusterEventWithHint[]>();
    for (const [name, p] of this.plugins) if (hasEvents(p)) out.set(name, p.events());
    return out;
  }

  runPreEnqueuePlugins(pod: Pod): Status | undefined {
    for (const p of this.preEnqueue) {
      const s = p.preEnqueue(pod);
      if (s && s.code !== Code.Success) return s.withPlugin(p.name);
    }
    return undefined;
  }

  /** Narrowed node names (undefined: all) and the first rejecting status. */
  runPreFilterPlugins(
    state: CycleState,
    pod: Pod,
    nodes: readonly NodeInfo[],
  ): { nodeNames?: Set<string>; status?: Status; narrowedBy: string[] } {
    this.#activeFilters.delete(state);
    let nodeNames: Set<string> | undefined;
    const narrowedBy: string[] = [];
    for (const p of this.preFilter) {
      let r: ReturnType<PreFilterPlugin['preFilter']>;
      try {
        r = p.preFilter(state, pod, nodes);
      } catch (err) {
        return { status: errorStatus(err).withPlugin(p.name), narrowedBy };
      }
      const s = r?.status;
      if (isSkip(s)) {
        state.skipFilterPlugins.add(p.name);
        continue;
      }
      if (s && s.code !== Code.Success) return { status: s.withPlugin(p.name), narrowedBy };
      if (r?.nodeNames) {
        narrowedBy.push(p.name);
        nodeNames = nodeNames
          ? new Set([...nodeNames].filter((n) => r.nodeNames!.has(n)))
          : new Set(r.nodeNames);
        if (nodeNames.size === 0) {
          const msg = PREFILTER_EXCLUDED_MESSAGE(narrowedBy);
          return { status: newStatus(Code.UnschedulableAndUnresolvable, msg).withPlugin(p.name), narrowedBy };
        }
      }
    }
    return { nodeNames, narrowedBy };
  }

  runPreFilterExtensionAddPod(
    state: CycleState,
    pod: Pod,
    toAdd: PodInfo,
    nodeInfo: NodeInfo,
  ): Status | undefined {
    for (const p of this.preFilter) {
      if (state.skipFilterPlugins.has(p.name)) continue;
      const ext = p.preFilterExtensions?.();
      const s = ext?.addPod(state, pod, toAdd, nodeInfo);
      if (s && s.code !== Code.Success) return s.withPlugin(p.name);
    }
    return undefined;
  }

  runPreFilterExtensionRemovePod(
    state: CycleState,
    pod: Pod,
    toRemove: PodInfo,
    nodeInfo: NodeInfo,
  ): Status | undefined {
    for (const p of this.preFilter) {
      if (state.skipFilterPlugins.has(p.name)) continue;
      const ext = p.preFilterExtensions?.();
      const s = ext?.removePod(state, pod, toRemove, nodeInfo);
      if (s && s.code !== Code.Success) return s.withPlugin(p.name);
    }
    return undefined;
  }

  /** The first failing filter's status (with its plugin), or undefined when the node fits. */
  runFilterPlugins(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status | undefined {
    let active = this.#activeFilters.get(state);
    if (active === undefined) {
      // PreFilter has settled which plugins skip; Filter runs once per node examined.
      active = this.filter.filter((p) => !state.skipFilterPlugins.has(p.name));
      this.#activeFilters.set(state, active);
    }
    for (const p of active) {
      let s: Status | undefined;
      try {
        s = p.filter(state, pod, nodeInfo);
      } catch (err) {
        s = errorStatus(err);
      }
      if (s !== undefined && s.code !== Code.Success) return s.withPlugin(p.name);
    }
    return undefined;
  }

  /**
   * Filter with pods nominated to this node (equal or higher priority) counted as present, then
   * again without them: the pod must fit both ways, since nominated pods may or may not land.
   */
  runFilterPluginsWithNominatedPods(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status | undefined {
    const nominated = this.#handle.nominator.nominatedPodsForNode(nodeInfo.name);
    if (nominated.length > 0) {
      const prio = podPriority(pod);
      const uid = podUid(pod);
      let withState: CycleState | undefined;
      let withNode: NodeInfo | undefined;
      for (const pi of nominated) {
        if (podPriority(pi.pod) < prio || podUid(pi.pod) === uid) continue;
        if (!withNode || !withState) {
          withNode = nodeInfo.clone();
          withState = state.clone();
        }
        withNode.addPod(pi);
        const s = this.runPreFilterExtensionAddPod(withState, pod, pi, withNode);
        if (s) return s;
      }
      if (withNode && withState) {
        const s = this.runFilterPlugins(withState, pod, withNode);
        if (s) return s;
      }
    }
    return this.runFilterPlugins(state, pod, nodeInfo);
  }

  /** Upstream's merging: the first success or unresolvable result wins; rejections accumulate. */
  runPostFilterPlugins(
    state: CycleState,
    pod: Pod,
    statuses: NodeToStatus,
  ): { result?: PostFilterResult; status: Status } {
    let result: PostFilterResult | undefined;
    const reasons: string[] = [];
    let rejector: string | undefined;
    for (const p of this.postFilter) {
      let out: ReturnType<PostFilterPlugin['postFilter']>;
      try {
        out = p.postFilter(state, pod, statuses);
      } catch (err) {
        return { status: errorStatus(err).withPlugin(p.name) };
      }
      const s = out.status;
      if (s === undefined || s.code === Code.Success)
        return { result: out.result, status: new Status(Code.Success) };
      if (s.code === Code.UnschedulableAndUnresolvable)
        return { result: out.result, status: s.withPlugin(p.name) };
      if (!isRejected(s)) return { status: s.withPlugin(p.name) };
      if (out.result) result = out.result;
      reasons.push(...s.reasons);
      rejector ??= p.name;
    }
    const status = new Status(Code.Unschedulable, reasons);
    if (rejector) status.withPlugin(rejector);
    return { result, status };
  }

  runPreScorePlugins(state: CycleState, pod: Pod, nodes: readonly NodeInfo[]): Status | undefined {
    for (const p of this.preScore) {
      let s: Status | undefined;
      try {
        s = p.preScore(state, pod, nodes);
      } catch (err) {
        s = errorStatus(err);
      }
      if (isSkip(s)) {
        state.skipScorePlugins.add(p.name);
        continue;
      }
      if (s && s.code !== Code.Success) return s.withPlugin(p.name);
    }
    return undefined;
  }

  /** Weighted, normalized totals per node, in the order of `nodes`. */
  runScorePlugins(
    state: CycleState,
    pod: Pod,
    nodes: readonly NodeInfo[],
  ): { totals: NodeScore[]; status?: Status } {
    const totals: NodeScore[] = nodes.map((n) => ({ name: n.name, score: 0 }));
    // One buffer serves every plugin in turn: its scores are folded into the totals before the
    // next plugin writes (per-plugin arrays were most of this loop's garbage).
    const scores: NodeScore[] = nodes.map((n) => ({ name: n.name, score: 0 }));
    for (const { plugin, weight } of this.score) {
      if (state.skipScorePlugins.has(plugin.name)) continue;
      for (let i = 0; i < nodes.length; i++) {
        let r: number | Status;
        try {
          r = plugin.score(state, pod, nodes[i]);
        } catch (err) {
          r = errorStatus(err);
        }
        if (r instanceof Status) return { totals, status: r.withPlugin(plugin.name) };
        scores[i].name = nodes[i].name;
        scores[i].score = r;
      }
      const ns = plugin.normalizeScore?.(state, pod, scores);
      if (ns && ns.code !== Code.Success) return { totals, status: ns.withPlugin(plugin.name) };
      for (let i = 0; i < scores.length; i++) {
        const v = scores[i].score;
        if (v > MAX_NODE_SCORE || v < MIN_NODE_SCORE) {
          const msg = `plugin "${plugin.name}" returns an invalid score ${v}, it should in the range of [${MIN_NODE_SCORE}, ${MAX_NODE_SCORE}] after normalizing`;
          return { totals, status: newStatus(Code.Error, msg).withPlugin(plugin.name) };
        }
        totals[i].score += v * weight;
      }
    }
    return { totals };
  }

  runReservePluginsReserve(state: CycleState, pod: Pod, nodeName: string): Status | undefined {
    for (const p of this.reserve) {
      let s: Status | undefined;
      try {
        s = p.reserve(state, pod, nodeName);
      } catch (err) {
        s = errorStatus(err);
      }
      if (s && s.code !== Code.Success) return s.withPlugin(p.name);
    }
    return undefined;
  }

  /** In reverse order, as upstream, so later plugins undo first. */
  runReservePluginsUnreserve(state: CycleState, pod: Pod, nodeName: string): void {
    for (let i = this.reserve.length - 1; i >= 0; i--) this.reserve[i].unreserve(state, pod, nodeName);
  }

  /** Success, a rejection, or Wait (the pod is parked until allowed, rejected or timed out). */
  runPermitPlugins(state: CycleState, pod: Pod, nodeName: string): Status | undefined {
    const waits = new Map<string, number>();
    for (const p of this.permit) {
      const r = p.permit(state, pod, nodeName);
      const s = r.status;
      if (s === undefined || s.code === Code.Success) continue;
      if (s.code === Code.Wait) {
        waits.set(p.name, r.timeoutMs ?? MAX_PERMIT_TIMEOUT_MS);
        continue;
      }
      return s.withPlugin(p.name);
    }
    if (waits.size === 0) return undefined;
    this.#waiting.set(podUid(pod), new WaitingPod(pod, waits, this.#handle.clock));
    return newStatus(Code.Wait, 'one or more plugins asked to wait');
  }

  getWaitingPod(uid: string): WaitingPod | undefined {
    return this.#waiting.get(uid);
  }

  async waitOnPermit(pod: Pod): Promise<Status | undefined> {
    const uid = podUid(pod);
    const wp = this.#waiting.get(uid);
    if (!wp) return undefined;
    try {
      return await wp.done;
    } finally {
      this.#waiting.delete(uid);
    }
  }

  async runPreBindPlugins(state: CycleState, pod: Pod, nodeName: string): Promise<Status | undefined> {
    for (const p of this.preBind) {
      let s: Status | undefined;
      try {
        s = await p.preBind(state, pod, nodeName);
      } catch (err) {
        s = errorStatus(err);
      }
      if (s && s.code !== Code.Success) return s.withPlugin(p.name);
    }
    return undefined;
  }

  async runBindPlugins(state: CycleState, pod: Pod, nodeName: string): Promise<Status | undefined> {
    let last: Status | undefined;
    for (const p of this.bind) {
      let s: Status | undefined;
      try {
        s = await p.bind(state, pod, nodeName);
      } catch (err) {
        s = errorStatus(err);
      }
      if (isSkip(s)) {
        last = s;
        continue;
      }
      if (s && s.code !== Code.Success) return s.withPlugin(p.name);
      return undefined;
    }
    return last;
  }

  runPostBindPlugins(state: CycleState, pod: Pod, nodeName: string): void {
    for (const p of this.postBind) p.postBind(state, pod, nodeName);
  }
}

/** Upstream caps a Permit wait at 15 minutes. */
export const MAX_PERMIT_TIMEOUT_MS = 15 * 60 * 1000;
