// The selector PodTopologySpread's system default constraints spread a pod by (upstream's
// helper.DefaultSelector): the union of the selectors of the Services that select the pod, and of
// the ReplicationController, ReplicaSet or StatefulSet that controls it. They all match the pod,
// so merging their labels cannot conflict.

import type { KObject } from '../../api/object.ts';
import type { LabelSelectorObject } from '../../api/selectors/index.ts';
import { labelSelectorFromObject, matchesLabels } from '../../api/selectors/index.ts';
import type { Lister } from '../../client/index.ts';
import type { Pod } from '../types.ts';
import { podLabels, podNamespace } from '../types.ts';

export interface SpreadListers {
  services: Lister<KObject>;
  replicationControllers: Lister<KObject>;
  replicaSets: Lister<KObject>;
  statefulSets: Lister<KObject>;
}

type Expression = NonNullable<LabelSelectorObject['matchExpressions']>[number];

export function defaultSpreadSelector(listers: SpreadListers, pod: Pod): LabelSelectorObject | undefined {
  const ns = podNamespace(pod);
  const labels = podLabels(pod);
  const matchLabels: Record<string, string> = {};
  const matchExpressions: Expression[] = [];
  for (const svc of listers.services.namespace(ns).list()) {
    const sel = svc.spec?.selector as Record<string, string> | undefined;
    // A Service without a selector selects nothing (its endpoints are managed by hand).
    if (!sel || Object.keys(sel).length === 0) continue;
    if (Object.entries(sel).every(([k, v]) => labels[k] === v)) Object.assign(matchLabels, sel);
  }
  const owner = pod.metadata?.ownerReferences?.find((r) => r.controller);
  if (owner) {
    const key = `${ns}/${owner.name}`;
    const group = owner.apiVersion.includes('/') ? owner.apiVersion.split('/')[0] : '';
    if (group === '' && owner.kind === 'ReplicationController') {
      const sel = listers.replicationControllers.get(key)?.spec?.selector as
        | Record<string, string>
        | undefined;
      if (sel) Object.assign(matchLabels, sel);
    } else if (group === 'apps' && (owner.kind === 'ReplicaSet' || owner.kind === 'StatefulSet')) {
      const lister = owner.kind === 'ReplicaSet' ? listers.replicaSets : listers.statefulSets;
      const sel = lister.get(key)?.spec?.selector as LabelSelectorObject | undefined;
      if (sel && matchesLabels(labelSelectorFromObject(sel), labels)) {
        Object.assign(matchLabels, sel.matchLabels ?? {});
        matchExpressions.push(...(sel.matchExpressions ?? []));
      }
    }
  }
  if (Object.keys(matchLabels).length === 0 && matchExpressions.length === 0) return undefined;
  return { matchLabels, ...(matchExpressions.length ? { matchExpressions } : {}) };
}
