// The PersistentVolume controller (upstream's `persistentvolume-binder`) with skiff's local-path
// provisioner in it (k3s ships one too): claims bind to matching volumes; a claim of a class whose
// provisioner is `skiff.dev/local-path` gets a hostPath volume on the node of the first pod that
// uses it (WaitForFirstConsumer, as k3s's local-path), pinned there by node affinity. A volume
// whose claim is gone is Released, and deleted when its reclaim policy says Delete (the node
// agent removes a deleted local-path volume's directory).
//
//   PVC / PV / pod(bound) / StorageClass events ─► queue(claim key) ─► syncClaim
//   PV events ─► syncVolume (release, reclaim)
import type { PersistentVolume, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.d.ts';
import { findKind } from '../../api/kinds/index.ts';
import type { KObject } from '../../api/object.ts';
import {
  DeletedFinalStateUnknown,
  isConflict,
  isNotFound,
  objectKey,
  PODS,
  refOf,
  type SharedInformer,
} from '../../client/index.ts';
import { runWorkers, WorkQueue } from '../../util/workqueue.ts';
import type { Controller, ControllerContext, ControllerFactory } from '../types.ts';
import {
  ANN_BIND_COMPLETED,
  ANN_BOUND_BY_CONTROLLER,
  ANN_DEFAULT_CLASS,
  ANN_PROVISIONED_BY,
  ANN_SELECTED_NODE,
  bestMatch,
  classOfClaim,
  localPathVolume,
} from './matching.ts';

/** The StorageClass fields used here (kubernetes-types' storage path trips the import rule). */
interface StorageClass {
  metadata?: { name?: string; annotations?: Record<string, string> };
  provisioner: string;
  parameters?: Record<string, string>;
  reclaimPolicy?: string;
  volumeBindingMode?: string;
}

export const PV_CONTROLLER = 'persistentvolume-binder';
export const LOCAL_PATH_PROVISIONER = 'skiff.dev/local-path';
/** Where local-path volumes live on a node unless the class's `path` parameter says otherwise. */
export const DEFAULT_LOCAL_PATH_ROOT = '/var/lib/skiff/storage';
const RESYNC_MS = 15_000;

const ref = (plural: string, group = '') => refOf(findKind(group, plural)!);
const PVCS = ref('persistentvolumeclaims');
const PVS = ref('persistentvolumes');
const CLASSES = ref('storageclasses', 'storage.k8s.io');

export class VolumeController implements Controller {
  readonly name = PV_CONTROLLER;
  readonly #ctx: ControllerContext;
  readonly #claims: SharedInformer;
  readonly #volumes: SharedInformer;
  readonly #classes: SharedInformer;
  readonly #pods: SharedInformer;
  readonly #queue: WorkQueue<string>;
  readonly #recorder;

  constructor(ctx: ControllerContext) {
    this.#ctx = ctx;
    this.#queue = new WorkQueue<string>({ clock: ctx.clock });
    this.#recorder = ctx.recorder(PV_CONTROLLER);
    this.#claims = ctx.informers.informerFor(PVCS);
    this.#volumes = ctx.informers.informerFor(PVS);
    this.#classes = ctx.informers.informerFor(CLASSES);
    this.#pods = ctx.informers.informerFor(PODS);
    const claim = (o: KObject) => this.#queue.add(objectKey(o));
    this.#claims.addEventHandler({
      onAdd: claim,
      onUpdate: (_, o) => claim(o),
      // A deleted claim releases its volume.
      onDelete: (o) => {
        const c = (o instanceof DeletedFinalStateUnknown ? o.obj : o) as PersistentVolumeClaim;
        if (c.spec?.volumeName) this.#queue.add(`pv:${c.spec.volumeName}`);
      },
    });
    const volume = (o: KObject) => {
      const r = (o as PersistentVolume).spec?.claimRef;
      if (r?.namespace && r.name) this.#queue.add(`${r.namespace}/${r.name}`);
      // A free volume may be what a waiting claim needs (its event may have come first).
      else this.#requeueUnbound();
      this.#queue.add(`pv:${o.metadata?.name}`);
    };
    this.#volumes.addEventHandler({
      onAdd: volume,
      onUpdate: (_, o) => volume(o),
      onDelete: () => undefined,
    });
    const pod = (o: KObject) => {
      const p = o as Pod;
      if (!p.spec?.nodeName) return;
      for (const v of p.spec.volumes ?? [])
        if (v.persistentVolumeClaim)
          this.#queue.add(`${p.metadata?.namespace}/${v.persistentVolumeClaim.claimName}`);
    };
    this.#pods.addEventHandler({ onAdd: pod, onUpdate: (_, o) => pod(o) });
    this.#classes.addEventHandler({
      onAdd: () => this.#requeueUnbound(),
      onUpdate: () => this.#requeueUnbound(),
    });
  }

  #requeueUnbound(): void {
    for (const c of this.#claims.lister.list())
      if (!(c as PersistentVolumeClaim).spec?.volumeName) this.#queue.add(objectKey(c));
  }

  async run(signal: AbortSignal): Promise<void> {
    const synced = await Promise.all(
      [this.#claims, this.#volumes, this.#classes, this.#pods].map((i) => i.waitForSync(signal)),
    );
    if (!synced.every(Boolean)) return;
    const resync = async () => {
      while (!signal.aborted) {
        await this.#ctx.clock.sleep(RESYNC_MS, signal);
        this.#requeueUnbound();
        for (const v of this.#volumes.lister.list()) this.#queue.add(`pv:${v.metadata?.name}`);
      }
    };
    signal.addEventListener('abort', () => this.#queue.shutDown(), { once: true });
    await Promise.all([
      resync(),
      runWorkers(this.#queue, this.#ctx.options.workers, (key) => this.sync(key), {
        onError: (key, err) => this.#ctx.log.warn('volume sync failed', { key, error: String(err) }),
      }),
    ]);
  }

  async sync(key: string): Promise<void> {
    if (key.startsWith('pv:')) return this.#syncVolume(key.slice(3));
    const claim = this.#claims.lister.get(key) as PersistentVolumeClaim | undefined;
    if (!claim || claim.metadata?.deletionTimestamp) return;
    if (claim.spec?.volumeName) return this.#syncBoundClaim(claim);
    const pvs = this.#volumes.lister.list() as PersistentVolume[];
    const pv = bestMatch(pvs, claim);
    if (pv) return this.#bind(pv, claim);
    const cls = this.#classFor(claim);
    if (!cls) {
      if (!claim.spec?.storageClassName)
        this.#event(
          claim,
          'Normal',
          'FailedBinding',
          'no persistent volumes available for this claim and no storage class is set',
        );
      return;
    }
    if (cls.provisioner !== LOCAL_PATH_PROVISIONER) {
      this.#event(
        claim,
        'Normal',
        'ExternalProvisioning',
        `Waiting for a volume to be created either by the external provisioner '${cls.provisioner}' or manually by the system administrator.`,
      );
      return;
    }
    const node = claim.metadata?.annotations?.[ANN_SELECTED_NODE] ?? this.#consumerNode(claim);
    if (!node) {
      if (cls.volumeBindingMode === 'WaitForFirstConsumer')
        this.#event(
          claim,
          'Normal',
          'WaitForFirstConsumer',
          'waiting for first consumer to be created before binding',
        );
      return;
    }
    const volume = localPathVolume(claim, {
      node,
      root: cls.parameters?.path ?? DEFAULT_LOCAL_PATH_ROOT,
      provisioner: LOCAL_PATH_PROVISIONER,
      reclaimPolicy: cls.reclaimPolicy ?? 'Delete',
    });
    const api = this.#ctx.client.resource(PVS);
    let created: PersistentVolume;
    try {
      created = (await api.create(volume as KObject)) as PersistentVolume;
      this.#event(
        claim,
        'Normal',
        'ProvisioningSucceeded',
        `Successfully provisioned volume ${volume.metadata?.name}`,
      );
    } catch (err) {
      if (!isConflict(err) && (err as { reason?: string }).reason !== 'AlreadyExists') throw err;
      created = (await api.get(volume.metadata!.name!)) as PersistentVolume;
    }
    await this.#bind(created, claim);
  }

  /** The class a claim asks for; a claim without one gets the default class (admission's job upstream). */
  #classFor(claim: PersistentVolumeClaim): StorageClass | undefined {
    const classes = this.#classes.lister.list() as unknown as StorageClass[];
    const name = claim.spec?.storageClassName;
    if (name !== undefined && name !== null) return classes.find((c) => c.metadata?.name === name);
    return undefined;
  }

  /** The node of a scheduled pod that mounts the claim. */
  #consumerNode(claim: PersistentVolumeClaim): string | undefined {
    const ns = claim.metadata?.namespace;
    for (const p of this.#pods.lister.list() as Pod[]) {
      if (p.metadata?.namespace !== ns || !p.spec?.nodeName) continue;
      if (p.spec.volumes?.some((v) => v.persistentVolumeClaim?.claimName === claim.metadata?.name))
        return p.spec.nodeName;
    }
    return undefined;
  }

  /** Binds both sides from fresh copies (informer copies lag the writes this very sync makes). */
  async #bind(pv: PersistentVolume, claim: PersistentVolumeClaim): Promise<void> {
    const { name, namespace, uid } = claim.metadata as { name: string; namespace: string; uid: string };
    const pvs = this.#ctx.client.resource(PVS);
    const claims = this.#ctx.client.resource(PVCS, namespace);
    let volume = (await pvs.get(pv.metadata!.name!)) as PersistentVolume;
    if (volume.spec?.claimRef?.uid !== uid) {
      volume = (await pvs.update({
        ...volume,
        metadata: {
          ...volume.metadata,
          annotations: { ...volume.metadata?.annotations, [ANN_BOUND_BY_CONTROLLER]: 'yes' },
        },
        spec: {
          ...volume.spec,
          claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace, name, uid },
        },
      } as KObject)) as PersistentVolume;
    }
    if (volume.status?.phase !== 'Bound')
      volume = (await pvs.updateStatus({
        ...volume,
        status: { ...volume.status, phase: 'Bound' },
      } as KObject)) as PersistentVolume;
    let current = (await claims.get(name)) as PersistentVolumeClaim;
    if (current.metadata?.uid !== uid) return;
    if (current.spec?.volumeName !== volume.metadata?.name) {
      current = (await claims.update({
        ...current,
        metadata: {
          ...current.metadata,
          annotations: {
            ...current.metadata?.annotations,
            [ANN_BIND_COMPLETED]: 'yes',
            [ANN_BOUND_BY_CONTROLLER]: 'yes',
          },
        },
        spec: { ...current.spec, volumeName: volume.metadata?.name },
      } as KObject)) as PersistentVolumeClaim;
    }
    if (current.status?.phase !== 'Bound')
      await claims.updateStatus({
        ...current,
        status: { phase: 'Bound', accessModes: volume.spec?.accessModes, capacity: volume.spec?.capacity },
      } as KObject);
  }

  async #syncBoundClaim(claim: PersistentVolumeClaim): Promise<void> {
    const pv = this.#volumes.lister.get(claim.spec!.volumeName!) as PersistentVolume | undefined;
    const claims = this.#ctx.client.resource(PVCS, claim.metadata!.namespace!);
    if (!pv) {
      if (claim.status?.phase !== 'Lost') {
        await claims.updateStatus({ ...claim, status: { ...claim.status, phase: 'Lost' } } as KObject);
        this.#event(
          claim,
          'Warning',
          'ClaimLost',
          'Bound claim has lost its PersistentVolume. Data on the volume is lost!',
        );
      }
      return;
    }
    if (pv.spec?.claimRef?.uid && pv.spec.claimRef.uid !== claim.metadata?.uid) {
      if (claim.status?.phase !== 'Lost')
        await claims.updateStatus({ ...claim, status: { ...claim.status, phase: 'Lost' } } as KObject);
      return;
    }
    if (!pv.spec?.claimRef || pv.status?.phase !== 'Bound' || claim.status?.phase !== 'Bound')
      await this.#bind(pv, claim);
  }

  async #syncVolume(name: string): Promise<void> {
    const pv = this.#volumes.lister.get(name) as PersistentVolume | undefined;
    if (!pv || pv.metadata?.deletionTimestamp) return;
    const pvs = this.#ctx.client.resource(PVS);
    const r = pv.spec?.claimRef;
    if (!r) {
      if (pv.status?.phase !== 'Available')
        await pvs.updateStatus({ ...pv, status: { phase: 'Available' } } as KObject);
      return;
    }
    if (!r.uid) return; // pre-bound by a user: the claim side binds it
    const claim = this.#claims.lister.get(`${r.namespace}/${r.name}`) as PersistentVolumeClaim | undefined;
    if (claim && claim.metadata?.uid === r.uid) return;
    // Confirm with the API server: the cache may not have the claim yet.
    try {
      const live = (await this.#ctx.client
        .resource(PVCS, r.namespace!)
        .get(r.name!)) as PersistentVolumeClaim;
      if (live.metadata?.uid === r.uid) return;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    if (pv.spec?.persistentVolumeReclaimPolicy === 'Delete') {
      await pvs.delete(name).catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
      return;
    }
    if (pv.status?.phase !== 'Released')
      await pvs.updateStatus({ ...pv, status: { ...pv.status, phase: 'Released' } } as KObject);
  }

  #event(obj: PersistentVolumeClaim, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.#recorder.event(obj as KObject, type, reason, message);
  }
}

export { ANN_DEFAULT_CLASS, ANN_PROVISIONED_BY };
export const volumeControllerFactory: ControllerFactory = (ctx) => new VolumeController(ctx);
