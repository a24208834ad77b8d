// Scheduler configuration: profiles keyed by spec.schedulerName, each with plugins enabled or
// disabled per extension point (or at multiPoint: every point a plugin implements) and score
// weights; plus the adaptive share of nodes to examine per pod.
import { DEFAULT_SCHEDULER_NAME } from '../types.ts';

export const EXTENSION_POINTS = [
  'preEnqueue',
  'queueSort',
  'preFilter',
  'filter',
  'postFilter',
  'preScore',
  'score',
  'reserve',
  'permit',
  'preBind',
  'bind',
  'postBind',
] as const;
export type ExtensionPoint = (typeof EXTENSION_POINTS)[number];

export interface PluginRef {
  name: string;
  /** Score weight; 0 or absent means 1. */
  weight?: number;
}

export interface PluginSet {
  enabled?: PluginRef[];
  /** `*` disables every default plugin of the set. */
  disabled?: { name: string }[];
}

export type Plugins = { multiPoint?: PluginSet } & { [P in ExtensionPoint]?: PluginSet };

export interface PluginConfig {
  name: string;
  args: unknown;
}

export interface ProfileConfig {
  schedulerName: string;
  plugins?: Plugins;
  pluginConfig?: PluginConfig[];
  /** Overrides the global percentage for this profile. */
  percentageOfNodesToScore?: number;
}

export interface SchedulerConfig {
  profiles?: ProfileConfig[];
  /** 0 or absent: adaptive (50% at 0 nodes, falling 1% per 125 nodes, floor 5%). */
  percentageOfNodesToScore?: number;
  /** Default 1 s, upstream's. */
  podInitialBackoffSeconds?: number;
  /** Default 10 s, upstream's. */
  podMaxBackoffSeconds?: number;
}

/** Upstream's default plugin set and weights, in its order (of the volume plugins, VolumeBinding). */
export const DEFAULT_MULTI_POINT: readonly PluginRef[] = [
  { name: 'SchedulingGates' },
  { name: 'PrioritySort' },
  { name: 'NodeUnschedulable' },
  { name: 'NodeName' },
  { name: 'TaintToleration', weight: 3 },
  { name: 'NodeAffinity', weight: 2 },
  { name: 'NodePorts' },
  { name: 'NodeResourcesFit', weight: 1 },
  { name: 'VolumeBinding' },
  { name: 'PodTopologySpread', weight: 2 },
  { name: 'InterPodAffinity', weight: 2 },
  { name: 'DefaultPreemption' },
  { name: 'NodeResourcesBalancedAllocation', weight: 1 },
  { name: 'ImageLocality', weight: 1 },
  { name: 'DefaultBinder' },
];

export const DEFAULT_PROFILE: ProfileConfig = { schedulerName: DEFAULT_SCHEDULER_NAME };

/** Below this many nodes every node is examined. */
export const MIN_FEASIBLE_NODES_TO_FIND = 100;
/** The adaptive percentage never drops below this. */
export const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;
/** Adaptive percentage: 50% minus one point per this many nodes. */
const ADAPTIVE_BASE_PERCENTAGE = 50;
const ADAPTIVE_NODES_PER_POINT = 125;

/** How many feasible nodes to find before scoring stops looking (upstream's numFeasibleNodesToFind). */
export function numFeasibleNodesToFind(percentage: number | undefined, numAllNodes: number): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
  let pct = percentage ?? 0;
  if (pct <= 0) {
    pct = ADAPTIVE_BASE_PERCENTAGE - Math.trunc(numAllNodes / ADAPTIVE_NODES_PER_POINT);
    if (pct < MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND) pct = MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND;
  }
  if (pct >= 100) return numAllNodes;
  const n = Math.trunc((numAllNodes * pct) / 100);
  return Math.max(n, MIN_FEASIBLE_NODES_TO_FIND);
}

export interface ResolvedPlugin {
  name: string;
  weight: number;
}

/**
 * The ordered plugin list for one extension point: plugins enabled explicitly at the point keep
 * their order and come first, then the multiPoint ones (defaults merged with the profile's
 * multiPoint) not disabled at the point. `implementsPoint` filters multiPoint plugins to those
 * implementing the point.
 */
export function resolvePoint(
  profile: ProfileConfig,
  point: ExtensionPoint,
  implementsPoint: (name: string) => boolean,
): ResolvedPlugin[] {
  const multi = resolveMultiPoint(profile);
  const set = profile.plugins?.[point];
  const disabled = new Set((set?.disabled ?? []).map((d) => d.name));
  const out: ResolvedPlugin[] = [];
  const seen = new Set<string>();
  for (const p of set?.enabled ?? []) {
    if (seen.has(p.name)) continue;
    seen.add(p.name);
    const fromMulti = multi.find((m) => m.name === p.name);
    out.push({ name: p.name, weight: p.weight || fromMulti?.weight || 1 });
  }
  for (const m of multi) {
    if (seen.has(m.name) || disabled.has(m.name) || disabled.has('*')) continue;
    if (!implementsPoint(m.name)) continue;
    seen.add(m.name);
    out.push(m);
  }
  return out;
}

function resolveMultiPoint(profile: ProfileConfig): ResolvedPlugin[] {
  const set = profile.plugins?.multiPoint;
  const disabled = new Set((set?.disabled ?? []).map((d) => d.name));
  const out: ResolvedPlugin[] = disabled.has('*')
    ? []
    : DEFAULT_MULTI_POINT.filter((p) => !disabled.has(p.name)).map((p) => ({
        name: p.name,
        weight: p.weight ?? 1,
      }));
  for (const p of set?.enabled ?? []) {
    const existing = out.find((o) => o.name === p.name);
    if (existing) existing.weight = p.weight || existing.weight;
    else out.push({ name: p.name, weight: p.weight || 1 });
  }
  return out;
}

/** Every plugin name a profile could instantiate. */
export function profilePluginNames(profile: ProfileConfig): Set<string> {
  const names = new Set(resolveMultiPoint(profile).map((p) => p.name));
  for (const point of EXTENSION_POINTS)
    for (const p of profile.plugins?.[point]?.enabled ?? []) names.add(p.name);
  return names;
}

export function pluginArgs(profile: ProfileConfig, name: string): unknown {
  return profile.pluginConfig?.find((c) => c.name === name)?.args;
}
