// Informer events → the Scheduler's on* callbacks. Nodes, namespaces and PDBs are registered
// before pods, so a replayed cache hands the scheduler its nodes before the pods bound to them.
// Unchanged objects (re-lists, resyncs: same resourceVersion) are not passed on.
import type { KObject } from '../../api/object.ts';
import type { SharedInformer } from '../../client/index.ts';
import { DeletedFinalStateUnknown } from '../../client/index.ts';
import type { Disposable } from '../../util/disposable.ts';
import { ActionType, EventResource } from '../framework/events.ts';
import type { Scheduler } from '../scheduler.ts';
import type { NodeObject, PdbObject, PodObject } from './resources.ts';

export interface SchedulerInformers {
  nodes: SharedInformer<NodeObject>;
  pods: SharedInformer<PodObject>;
  namespaces: SharedInformer<KObject>;
  pdbs: SharedInformer<PdbObject>;
  /** PersistentVolumeClaims, PersistentVolumes, StorageClasses (VolumeBinding's events). */
  storage?: {
    claims: SharedInformer<KObject>;
    volumes: SharedInformer<KObject>;
    classes: SharedInformer<KObject>;
  };
}

const unwrap = <T extends KObject>(o: T | DeletedFinalStateUnknown<T>): T =>
  o instanceof DeletedFinalStateUnknown ? o.obj : o;

const same = (a: KObject, b: KObject): boolean =>
  a === b || (!!a.metadata?.resourceVersion && a.metadata.resourceVersion === b.metadata?.resourceVersion);

/** Registers the scheduler's handlers (replaying cached objects); dispose to detach. */
export function feedScheduler(s: Scheduler, inf: SchedulerInformers): Disposable {
  const regs: Disposable[] = [
    inf.nodes.addEventHandler({
      onAdd: (n) => s.onNodeAdd(n),
      onUpdate: (old, n) => {
        if (!same(old, n)) s.onNodeUpdate(old, n);
      },
      onDelete: (n) => s.onNodeDelete(unwrap(n)),
    }),
    inf.namespaces.addEventHandler({
      onAdd: (ns) => s.onNamespace(ns.metadata?.name ?? '', ns.metadata?.labels ?? {}),
      onUpdate: (old, ns) => {
        if (!same(old, ns)) s.onNamespace(ns.metadata?.name ?? '', ns.metadata?.labels ?? {});
      },
      onDelete: (ns) => s.onNamespace(unwrap(ns).metadata?.name ?? '', undefined),
    }),
    inf.pdbs.addEventHandler({
      onAdd: (p) => s.onPdb(p),
      onUpdate: (_old, p) => s.onPdb(p),
      onDelete: (p) => s.onPdb(unwrap(p), true),
    }),
    inf.pods.addEventHandler({
      onAdd: (p) => s.onPodAdd(p),
      onUpdate: (old, p) => {
        if (!same(old, p)) s.onPodUpdate(old, p);
      },
      onDelete: (p) => s.onPodDelete(unwrap(p)),
    }),
  ];
  if (inf.storage) {
    const kinds: [SharedInformer<KObject>, EventResource][] = [
      [inf.storage.claims, EventResource.PersistentVolumeClaim],
      [inf.storage.volumes, EventResource.PersistentVolume],
      [inf.storage.classes, EventResource.StorageClass],
    ];
    for (const [informer, resource] of kinds)
      regs.push(
        informer.addEventHandler({
          onAdd: () => s.onStorage(resource, ActionType.Add),
          onUpdate: (old, o) => {
            if (!same(old, o)) s.onStorage(resource, ActionType.UpdateOther);
          },
          onDelete: () => s.onStorage(resource, ActionType.Delete),
        }),
      );
  }
  return {
    dispose: () => {
      for (const r of regs) void r.dispose();
    },
  };
}
