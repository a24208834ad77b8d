// The in-tree plugins by name. Of the volume plugins only VolumeBinding's feasibility part is built.
import type { PluginFactory } from '../framework/interface.ts';
import type { Registry } from '../framework/registry.ts';
import * as binder from './defaultbinder/default-binder.ts';
import * as preemption from './defaultpreemption/default-preemption.ts';
import * as image from './imagelocality/image-locality.ts';
import * as ipa from './interpodaffinity/inter-pod-affinity.ts';
import * as affinity from './nodeaffinity/node-affinity.ts';
import * as nodeName from './nodename/node-name.ts';
import * as ports from './nodeports/node-ports.ts';
import * as balanced from './noderesources/balanced-allocation.ts';
import * as fit from './noderesources/fit.ts';
import * as unschedulable from './nodeunschedulable/node-unschedulable.ts';
import * as spread from './podtopologyspread/pod-topology-spread.ts';
import * as sort from './prioritysort/priority-sort.ts';
import * as gates from './schedulinggates/scheduling-gates.ts';
import * as taints from './tainttoleration/taint-toleration.ts';
import * as volumes from './volumebinding/volume-binding.ts';

const entries: [string, PluginFactory][] = [
  [gates.NAME, () => gates.newSchedulingGates()],
  [sort.NAME, () => sort.newPrioritySort()],
  [unschedulable.NAME, () => unschedulable.newNodeUnschedulable()],
  [nodeName.NAME, () => nodeName.newNodeName()],
  [taints.NAME, () => taints.newTaintToleration()],
  [affinity.NAME, () => affinity.newNodeAffinity()],
  [ports.NAME, () => ports.newNodePorts()],
  [volumes.NAME, (_args, h) => volumes.newVolumeBinding(h.host?.volumes)],
  [fit.NAME, (args) => fit.newNodeResourcesFit(args)],
  [balanced.NAME, (args) => balanced.newBalancedAllocation(args)],
  [image.NAME, (_args, h) => image.newImageLocality(h.snapshot)],
  [spread.NAME, (args, h) => spread.newPodTopologySpread(args, h)],
  [ipa.NAME, (args, h) => ipa.newInterPodAffinity(args, h.snapshot)],
  [preemption.NAME, (args, h) => preemption.newDefaultPreemption(args, h)],
  [binder.NAME, (_args, h) => binder.newDefaultBinder(h.host)],
];

export const inTreeRegistry = (): Registry => new Map(entries);
