// VolumeBinding, the part that decides feasibility: a pod's PersistentVolumeClaims must exist and
// not be going away; a bound claim's volume pins the pod to the nodes its node affinity allows
// (a local-path volume lives on one node); an unbound claim waits for its volume unless its class
// binds on first consumer, when the volume controller provisions it where the pod lands.
// (Upstream's plugin also assumes and binds volumes in Reserve/PreBind; here the volume
// controller binds after scheduling, so those points are not needed.)
import type { NodeInfo } from '../../cache/node-info.ts';
import { ImmutableState } from '../../framework/cycle-state.ts';
import { ActionType, EventResource, event } from '../../framework/events.ts';
import type { EnqueueExtensions, FilterPlugin, PreFilterPlugin } from '../../framework/interface.ts';
import { Code, newStatus, type Status } from '../../framework/status.ts';
import type { VolumeSource } from '../../host.ts';
import type { NodeSelectorTerm, Pod } from '../../types.ts';
import { anyTermMatches } from '../helpers/node-selector.ts';

export const NAME = 'VolumeBinding';
export const REASON_NODE_CONFLICT = 'node(s) had volume node affinity conflict';
export const REASON_UNBOUND_IMMEDIATE = 'pod has unbound immediate PersistentVolumeClaims';
export const WAIT_FOR_FIRST_CONSUMER = 'WaitForFirstConsumer';
const STATE_KEY = `PreFilter${NAME}`;
const CONFLICT = newStatus(Code.UnschedulableAndUnresolvable, REASON_NODE_CONFLICT);

function claimNames(pod: Pod): string[] {
  const out: string[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    if (v.persistentVolumeClaim?.claimName) out.push(v.persistentVolumeClaim.claimName);
    // A generic ephemeral volume's claim is named <pod>-<volume>.
    else if (v.ephemeral) out.push(`${pod.metadata?.name}-${v.name}`);
  }
  return out;
}

export const newVolumeBinding = (
  volumes: VolumeSource | undefined,
): PreFilterPlugin & FilterPlugin & EnqueueExtensions => ({
  name: NAME,
  preFilter(state, pod) {
    const names = claimNames(pod);
    if (!volumes || names.length === 0) return { status: newStatus(Code.Skip) };
    const ns = pod.metadata?.namespace ?? 'default';
    const affinities: NodeSelectorTerm[][] = [];
    for (const name of names) {
      const claim = volumes.claim(ns, name);
      if (!claim)
        return {
          status: newStatus(Code.UnschedulableAndUnresolvable, `persistentvolumeclaim "${name}" not found`),
        };
      if (claim.metadata?.deletionTimestamp)
        return {
          status: newStatus(
            Code.UnschedulableAndUnresolvable,
            `persistentvolumeclaim "${name}" is being deleted`,
          ),
        };
      const volumeName = claim.spec?.volumeName;
      if (volumeName) {
        const pv = volumes.volume(volumeName);
        if (!pv)
          return {
            status: newStatus(
              Code.UnschedulableAndUnresolvable,
              `pvc ${name}: persistentvolume "${volumeName}" not found`,
            ),
          };
        const terms = pv.spec?.nodeAffinity?.required?.nodeSelectorTerms;
        if (terms?.length) affinities.push(terms);
        continue;
      }
      const cls = claim.spec?.storageClassName
        ? volumes.storageClass(claim.spec.storageClassName)
        : undefined;
      if (cls?.volumeBindingMode !== WAIT_FOR_FIRST_CONSUMER)
        return { status: newStatus(Code.UnschedulableAndUnresolvable, REASON_UNBOUND_IMMEDIATE) };
    }
    if (affinities.length === 0) return { status: newStatus(Code.Skip) };
    state.write(STATE_KEY, new ImmutableState(affinities));
    return undefined;
  },
  filter(state, _pod, ni: NodeInfo): Status | undefined {
    const affinities = state.read<ImmutableState<NodeSelectorTerm[][]>>(STATE_KEY)?.value ?? [];
    for (const terms of affinities) if (!anyTermMatches(terms, ni.node)) return CONFLICT;
    return undefined;
  },
  events: () => [
    {
      event: event(
        EventResource.PersistentVolumeClaim,
        ActionType.Add | ActionType.UpdateOther,
        'PersistentVolumeClaimChange',
      ),
    },
    {
      event: event(
        EventResource.PersistentVolume,
        ActionType.Add | ActionType.UpdateOther,
        'PersistentVolumeChange',
      ),
    },
    {
      event: event(EventResource.StorageClass, ActionType.Add | ActionType.UpdateOther, 'StorageClassChange'),
    },
    { event: event(EventResource.Node, ActionType.Add | ActionType.UpdateNodeLabel, 'NodeChange') },
  ],
});
