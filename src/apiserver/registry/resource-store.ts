// The generic registry for one kind: create/get/list/update/delete/watch over the storage backend
// and the watch cache, with upstream's rules for names, uid, generation, status split, finalizers,
// graceful deletion, preconditions and optimistic concurrency. Kind-specific behaviour comes from
// the KindDef (defaults/validation) and admission plugins; nothing here knows about one kind,
// except the few upstream special cases named where they happen (pod graceful delete).
import {
  type ApiError,
  alreadyExists,
  badRequest,
  conflict,
  type FieldError,
  fieldRequired,
  invalid,
  notFound,
  OBJECT_MODIFIED,
} from '../../api/errors.ts';
import type { KindDef } from '../../api/kinds/types.ts';
import { apiVersionOf, type KObject } from '../../api/object.ts';
import type { ListOptions, ListResult, StorageBackend } from '../../storage/types.ts';
import { isStorageError } from '../../storage/types.ts';
import type { CacheManager } from '../cache/cache-manager.ts';
import { decodeStored, type Entry, encodeForStorage } from '../cache/entry.ts';
import type { ResourceCache } from '../cache/resource-cache.ts';
import { trackUpdate } from '../managedfields/field-manager.ts';
import { schemaOfKind } from '../patch/schema.ts';
import { namespacePrefix, objectKey, resourceId, resourcePrefix } from '../storage-keys.ts';
import type { AdmissionAttributes, AdmissionChain, Operation } from './admission.ts';
import type { RequestContext } from './context.ts';
import { deepClone, deepEqual, generateName, newUid, nowTimestamp, specPart } from './object-meta.ts';

/** How often an update that lost a CAS race is retried before 409 (patch and internal updates). */
const MAX_UPDATE_RETRIES = 5;

export type MetaValidator = (obj: KObject, kind: KindDef) => FieldError[];
export type MetaUpdateValidator = (obj: KObject, old: KObject) => FieldError[];

export interface StoreDeps {
  backend: StorageBackend;
  caches: CacheManager;
  admission: AdmissionChain;
  validateMeta: MetaValidator;
  validateMetaUpdate: MetaUpdateValidator;
  /** Namespaced creates need their namespace to exist and not be terminating. */
  namespaceLookup?: (name: string) => Promise<KObject | undefined>;
  now?: () => number;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: string[];
}

/** How a write treats metadata.managedFields. */
export interface WriteOptions {
  /** Server-side apply already computed them: store them as given instead of tracking this write. */
  managedFieldsComputed?: boolean;
}

export interface DeleteOutcome {
  obj: KObject;
  /** True when the object is gone; false when it is only marked (finalizers, graceful pods). */
  deleted: boolean;
}

export class ResourceStore {
  readonly kind: KindDef;
  readonly #d: StoreDeps;
  readonly #id: string;

  constructor(kind: KindDef, deps: StoreDeps) {
    this.kind = kind;
    this.#d = deps;
    this.#id = resourceId(kind.group, kind.plural);
  }

  get apiVersion(): string {
    return apiVersionOf(this.kind.group, this.kind.version);
  }

  key(namespace: string, name: string): string {
    return objectKey(this.kind.group, this.kind.plural, this.kind.namespaced ? namespace : '', name);
  }

  prefix(namespace: string): string {
    return this.kind.namespaced
      ? namespacePrefix(this.kind.group, this.kind.plural, namespace)
      : resourcePrefix(this.kind.group, this.kind.plural);
  }

  cache(): Promise<ResourceCache> {
    return this.#d.caches.get(this.#id, resourcePrefix(this.kind.group, this.kind.plural));
  }

  #now(): number {
    return this.#d.now?.() ?? Date.now();
  }

  #notFound(name: string): ApiError {
    return notFound(this.kind.plural, name, this.kind.group);
  }

  /** Stamp apiVersion/kind for the version being served. */
  present(obj: KObject): KObject {
    return { apiVersion: this.apiVersion, kind: this.kind.kind, ...withoutTypeMeta(obj) };
  }

  /** A cache entry's JSON as this version serves it (a view version converts; see view-store.ts). */
  entryJson(e: Entry): string {
    return e.json;
  }

  /** A cache entry's object as this version serves it. */
  entryObject(e: Entry): KObject {
    return e.obj;
  }

  backendList(prefix: string, opts: ListOptions): Promise<ListResult> {
    return this.#d.backend.list(prefix, opts);
  }

  /** Read straight from storage (consistent, with the row's revision). */
  async getStored(namespace: string, name: string): Promise<Entry> {
    return (await this.#readStored(namespace, name)).entry;
  }

  /** The stored entry and its raw value (a second decode is a cheaper private copy than a clone). */
  async #readStored(namespace: string, name: string): Promise<{ entry: Entry; value: string }> {
    const key = this.key(namespace, name);
    const { kv } = await this.#d.backend.get(key);
    if (!kv) throw this.#notFound(name);
    return { entry: decodeStored(key, kv.value, kv.modRevision), value: kv.value };
  }

  /** Read from the cache after it caught up with storage; falls back to storage. */
  async get(namespace: string, name: string): Promise<Entry> {
    const cache = await this.cache();
    if (await this.#d.caches.sync(CONSISTENT_READ_WAIT_MS)) {
      const e = cache.items.get(this.key(namespace, name));
      if (!e) throw this.#notFound(name);
      return e;
    }
    return this.getStored(namespace, name);
  }

  async create(
    namespace: string,
    input: KObject,
    ctx: RequestContext,
    opts: WriteOptions = {},
  ): Promise<KObject> {
    const obj = deepClone(input);
    obj.metadata ??= {};
    const meta = obj.metadata;
    if (this.kind.namespaced) {
      if (meta.namespace && namespace && meta.namespace !== namespace) {
        throw badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      meta.namespace = namespace || meta.namespace;
      if (!meta.namespace)
        throw badRequest('the namespace of the object must be set for a namespaced resource');
    } else {
      delete meta.namespace;
    }
    if (!meta.name && meta.generateName) meta.name = generateName(meta.generateName);
    if (!meta.name) {
      throw invalid(
        this.kind.kind,
        '',
        [fieldRequired('metadata.name', 'name or generateName is required')],
        this.kind.group,
      );
    }
    meta.uid = newUid();
    meta.creationTimestamp = nowTimestamp(this.#now());
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.selfLink;
    if (meta.generateName === '') delete meta.generateName;
    if (this.kind.bumpsGeneration) meta.generation = 1;
    else delete meta.generation;
    if (this.kind.hasStatus) prepareStatusForCreate(this.kind, obj);
    obj.apiVersion = this.apiVersion;
    obj.kind = this.kind.kind;

    if (this.kind.namespaced) await this.#checkNamespace(meta.namespace!, 'CREATE');
    const managed = opts.managedFieldsComputed
      ? { fields: input.metadata?.managedFields }
      : this.#trackFields(undefined, obj, ctx, '');
    const attrs = this.#attrs('CREATE', '', meta.namespace ?? '', meta.name, obj, undefined, ctx);
    await this.#d.admission.admit(attrs);
    this.kind.defaults(obj);
    setManagedFields(meta, managed);
    this.#validate(obj, undefined);
    await this.#d.admission.validate(attrs);
    if (ctx.dryRun) return obj;
    const key = this.key(meta.namespace ?? '', meta.name);
    try {
      const kv = await this.#d.backend.create(key, encodeForStorage(obj), ttlOf(this.kind, obj));
      meta.resourceVersion = String(kv.modRevision);
    } catch (err) {
      await this.#d.admission.aborted(attrs);
      if (isStorageError(err, 'KeyExists')) throw alreadyExists(this.kind.plural, meta.name, this.kind.group);
      throw err;
    }
    await this.#d.admission.committed(attrs);
    return obj;
  }

  async #checkNamespace(namespace: string, op: Operation): Promise<void> {
    const lookup = this.#d.namespaceLookup;
    if (!lookup || this.kind.kind === 'Namespace') return;
    const ns = await lookup(namespace);
    if (!ns) throw notFound('namespaces', namespace);
    if (op === 'CREATE' && ns.metadata?.deletionTimestamp) {
      throw forbiddenTerminating(namespace, this.kind);
    }
  }

  #attrs(
    operation: Operation,
    subresource: string,
    namespace: string,
    name: string,
    obj: KObject | undefined,
    old: KObject | undefined,
    ctx: RequestContext,
  ): AdmissionAttributes {
    return { operation, kind: this.kind, subresource, namespace, name, obj, old, ctx };
  }

  #validate(obj: KObject, old: KObject | undefined): void {
    const errs = [...this.#d.validateMeta(obj, this.kind), ...this.kind.validate(obj)];
    if (old) errs.push(...this.#d.validateMetaUpdate(obj, old), ...this.kind.validateUpdate(obj, old));
    if (errs.length) throw invalid(this.kind.kind, obj.metadata?.name ?? '', errs, this.kind.group);
  }

  /**
   * Replace an object (PUT, or the end of a patch). `subresource` 'status' writes only status;
   * '' writes everything but status (for kinds with a status subresource).
   * With input.metadata.resourceVersion set, the write is conditional on it (409 otherwise).
   */
  async update(
    namespace: string,
    name: string,
    input: KObject,
    ctx: RequestContext,
    subresource = '',
    opts: WriteOptions = {},
  ): Promise<KObject> {
    const cur = await this.getStored(namespace, name);
    return this.#updateFrom(cur, input, ctx, subresource, opts);
  }

  /** `owned`: input is already a private copy (guaranteedUpdate's), so it is not cloned again. */
  async #updateFrom(
    cur: Entry,
    input: KObject,
    ctx: RequestContext,
    subresource: string,
    opts: WriteOptions = {},
    owned = false,
  ): Promise<KObject> {
    const own = <T>(v: T): T => (owned ? v : deepClone(v));
    const name = cur.name;
    const old = cur.obj;
    const inMeta = input.metadata ?? {};
    if (inMeta.name && inMeta.name !== name) {
      throw badRequest(
        `the name of the object (${inMeta.name}) does not match the name on the URL (${name})`,
      );
    }
    if (this.kind.namespaced && inMeta.namespace && inMeta.namespace !== old.metadata?.namespace) {
      throw badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    if (inMeta.resourceVersion && inMeta.resourceVersion !== old.metadata?.resourceVersion) {
      throw conflict(this.kind.plural, name, OBJECT_MODIFIED, this.kind.group);
    }
    if (inMeta.uid && inMeta.uid !== old.metadata?.uid) {
      throw conflict(
        this.kind.plural,
        name,
        `Precondition failed: UID in precondition: ${inMeta.uid}, UID in object meta: ${old.metadata?.uid}`,
        this.kind.group,
      );
    }
    let obj: KObject;
    if (subresource === 'status') {
      obj = deepClone(old);
      obj.status = own(input.status);
      if (this.kind.kind === CSR_KIND && obj.status) {
        // Issuing is not approving: /status keeps the Approved and Denied conditions as they were.
        obj.status.conditions = keepConditions(obj.status.conditions, old.status?.conditions, APPROVAL_TYPES);
      }
    } else if (subresource === 'approval') {
      // CSR approval: only the conditions change, and a signer's Failed condition stays.
      obj = deepClone(old);
      obj.status = {
        ...(obj.status ?? {}),
        conditions: keepConditions(own(input.status?.conditions ?? []), old.status?.conditions, SIGNER_TYPES),
      };
    } else if (subresource === 'finalize') {
      obj = deepClone(old);
      obj.spec = { ...(obj.spec ?? {}), finalizers: own(input.spec?.finalizers ?? []) };
    } else if (subresource === 'binding') {
      // Internal: the binding subresource sets spec.nodeName and the PodScheduled condition.
      obj = own(input);
    } else {
      obj = own(input);
      obj.metadata = { ...own(inMeta) };
      if (this.kind.hasStatus) {
        if (old.status === undefined) delete obj.status;
        else obj.status = deepClone(old.status);
      }
    }
    const meta = obj.metadata!;
    const oldMeta = old.metadata ?? {};
    // System-owned metadata survives any update.
    meta.name = name;
    if (this.kind.namespaced) meta.namespace = oldMeta.namespace;
    meta.uid = oldMeta.uid;
    meta.creationTimestamp = oldMeta.creationTimestamp;
    setOrDelete(meta, 'deletionTimestamp', oldMeta.deletionTimestamp);
    setOrDelete(meta, 'deletionGracePeriodSeconds', oldMeta.deletionGracePeriodSeconds);
    setOrDelete(meta, 'generation', oldMeta.generation);
    delete meta.resourceVersion;
    delete meta.selfLink;
    obj.apiVersion = this.apiVersion;
    obj.kind = this.kind.kind;
    // Subresource writes rebuild obj from old: computed managedFields come from the input.
    const managed = opts.managedFieldsComputed
      ? { fields: inMeta.managedFields }
      : this.#trackFields(old, obj, ctx, subresource);
    // A terminating object may lose finalizers but not gain new ones (upstream forbids additions).
    const attrs = this.#attrs('UPDATE', subresource, oldMeta.namespace ?? '', name, obj, old, ctx);
    await this.#d.admission.admit(attrs);
    this.kind.defaults(obj);
    setManagedFields(meta, managed);
    if (this.kind.bumpsGeneration && subresource === '' && specPart(obj) !== specPart(old)) {
      meta.generation = (oldMeta.generation ?? 0) + 1;
    }
    this.#validate(obj, subresource === 'binding' ? undefined : old);
    await this.#d.admission.validate(attrs);
    const unchanged = deepEqual(withoutRv(obj), withoutRv(old));
    // Removing the last finalizer of an object being deleted completes the delete.
    const finishDelete =
      !!meta.deletionTimestamp && !hasFinalizers(this.kind, obj) && !isGracefulPending(this.kind, obj);
    if (ctx.dryRun) return { ...obj, metadata: { ...meta, resourceVersion: oldMeta.resourceVersion } };
    if (unchanged && !finishDelete) return old;
    if (finishDelete) {
      try {
        const res = await this.#d.backend.delete(cur.key, { expectedRevision: cur.rv });
        meta.resourceVersion = String(res.revision);
        await this.#d.admission.committed(
          this.#attrs('DELETE', '', oldMeta.namespace ?? '', name, undefined, obj, ctx),
        );
        return obj;
      } catch (err) {
        throw mapWriteError(err, this.kind, name);
      }
    }
    try {
      const kv = await this.#d.backend.update(cur.key, encodeForStorage(obj), cur.rv, ttlOf(this.kind, obj));
      meta.resourceVersion = String(kv.modRevision);
    } catch (err) {
      await this.#d.admission.aborted(attrs);
      throw mapWriteError(err, this.kind, name);
    }
    await this.#d.admission.committed(attrs);
    return obj;
  }

  /**
   * Read-modify-write with retries on CAS conflicts (patches, scale, internal updates). `mutate`
   * gets a private copy of the current object and returns the desired one; a resourceVersion it
   * leaves in metadata makes the write conditional (a precondition from the client). What it returns
   * is written as is, not copied again (a binding is one clone, not two): nothing else may hold it.
   */
  async guaranteedUpdate(
    namespace: string,
    name: string,
    ctx: RequestContext,
    mutate: (cur: KObject) => KObject | Promise<KObject>,
    subresource = '',
    opts: WriteOptions = {},
  ): Promise<KObject> {
    for (let attempt = 0; ; attempt++) {
      const { entry: cur, value } = await this.#readStored(namespace, name);
      const desired = await mutate(decodeStored(cur.key, value, cur.rv).obj);
      const pinned = desired.metadata?.resourceVersion !== cur.obj.metadata?.resourceVersion;
      try {
        return await this.#updateFrom(cur, desired, ctx, subresource, opts, true);
      } catch (err) {
        const retriable = (err as ApiError).reason === 'Conflict' && !pinned && attempt < MAX_UPDATE_RETRIES;
        if (!retriable) throw err;
      }
    }
  }

  // --- managed fields (server-side apply's ownership records) ----------------------------------

  /**
   * managedFields for a create/update/patch by ctx.fieldManager, computed on the defaulted object
   * before admission (upstream attributes admission's own changes to nobody). Writes without a
   * field manager (internal ones) keep what the object carries.
   */
  #trackFields(
    old: KObject | undefined,
    obj: KObject,
    ctx: RequestContext,
    subresource: string,
  ): ManagedFieldsUpdate {
    if (ctx.fieldManager === undefined) return KEEP_MANAGED_FIELDS;
    const probe = deepClone(obj);
    this.kind.defaults(probe);
    const k = this.kind;
    const scope = {
      group: k.group,
      version: k.version,
      kind: k.kind,
      schema: schemaOfKind(k.group, k.version, k.kind),
      subresource,
      hasStatus: k.hasStatus,
    };
    return { fields: trackUpdate(scope, old, probe, ctx.fieldManager, nowTimestamp(this.#now())) };
  }

  async delete(
    namespace: string,
    name: string,
    opts: DeleteOptions,
    ctx: RequestContext,
  ): Promise<DeleteOutcome> {
    for (let attempt = 0; ; attempt++) {
      const cur = await this.getStored(namespace, name);
      try {
        return await this.#deleteFrom(cur, opts, ctx);
      } catch (err) {
        if (
          (err as ApiError).reason !== 'Conflict' ||
          opts.preconditions?.resourceVersion ||
          attempt >= MAX_UPDATE_RETRIES
        )
          throw err;
      }
    }
  }

  async #deleteFrom(cur: Entry, opts: DeleteOptions, ctx: RequestContext): Promise<DeleteOutcome> {
    const old = cur.obj;
    const name = cur.name;
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== old.metadata?.uid) {
      throw conflict(
        this.kind.plural,
        name,
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata?.uid}`,
        this.kind.group,
      );
    }
    if (pre?.resourceVersion && pre.resourceVersion !== old.metadata?.resourceVersion) {
      throw conflict(
        this.kind.plural,
        name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${old.metadata?.resourceVersion}`,
        this.kind.group,
      );
    }
    const attrs = this.#attrs('DELETE', '', old.metadata?.namespace ?? '', name, undefined, old, ctx);
    await this.#d.admission.validate(attrs);
    const obj = deepClone(old);
    const meta = obj.metadata!;
    const finalizers = new Set(meta.finalizers ?? []);
    const policy = opts.propagationPolicy ?? (opts.orphanDependents ? 'Orphan' : undefined);
    if (policy === 'Foreground') finalizers.add(FOREGROUND_FINALIZER);
    if (policy === 'Orphan') finalizers.add(ORPHAN_FINALIZER);
    const grace = this.#gracePeriod(obj, opts);
    const alreadyDeleting = !!meta.deletionTimestamp;
    if (finalizers.size > 0 || grace > 0 || hasFinalizers(this.kind, obj)) {
      // Only mark: finalizers (or the node, for a graceful pod) finish the delete later.
      if (alreadyDeleting) {
        const shorter = grace < (meta.deletionGracePeriodSeconds ?? Number.POSITIVE_INFINITY);
        if (!shorter || finalizers.size > 0) {
          if (ctx.dryRun || (meta.finalizers?.length ?? 0) === finalizers.size)
            return { obj: old, deleted: false };
        }
      }
      const now = this.#now();
      meta.deletionTimestamp = nowTimestamp(now + grace * 1000);
      meta.deletionGracePeriodSeconds = grace;
      if (finalizers.size > 0) meta.finalizers = [...finalizers];
      if (this.kind.kind === 'Namespace') obj.status = { ...(obj.status ?? {}), phase: 'Terminating' };
      if (ctx.dryRun) return { obj, deleted: false };
      try {
        const kv = await this.#d.backend.update(cur.key, encodeForStorage(obj), cur.rv);
        meta.resourceVersion = String(kv.modRevision);
      } catch (err) {
        throw mapWriteError(err, this.kind, name);
      }
      return { obj, deleted: false };
    }
    if (ctx.dryRun) return { obj: old, deleted: true };
    try {
      const res = await this.#d.backend.delete(cur.key, { expectedRevision: cur.rv });
      meta.resourceVersion = String(res.revision);
    } catch (err) {
      throw mapWriteError(err, this.kind, name);
    }
    await this.#d.admission.committed(attrs);
    return { obj, deleted: true };
  }

  /** Pods bound to a node get a grace period (the node stops them, then deletes with 0). */
  #gracePeriod(obj: KObject, opts: DeleteOptions): number {
    if (this.kind.kind !== 'Pod' || this.kind.group !== '') return 0;
    if (!obj.spec?.nodeName) return 0;
    if (obj.status?.phase === 'Succeeded' || obj.status?.phase === 'Failed') return 0;
    const g = opts.gracePeriodSeconds ?? obj.spec?.terminationGracePeriodSeconds ?? DEFAULT_POD_GRACE_SECONDS;
    return Math.max(0, g);
  }
}

/** Consistent reads wait this long for the cache to catch up before reading storage directly. */
export const CONSISTENT_READ_WAIT_MS = 3_000;
export const FOREGROUND_FINALIZER = 'foregroundDeletion';
export const ORPHAN_FINALIZER = 'orphan';
const DEFAULT_POD_GRACE_SECONDS = 30;

function prepareStatusForCreate(kind: KindDef, obj: KObject): void {
  // Status is owned by controllers; a create starts from an empty status, except where upstream
  // initialises it (pods start Pending, namespaces Active).
  delete obj.status;
  if (kind.group === '' && kind.kind === 'Pod') obj.status = { phase: 'Pending' };
  if (kind.group === '' && kind.kind === 'Namespace') obj.status = { phase: 'Active' };
}

/** Metadata finalizers, and for namespaces also spec.finalizers (the namespace controller's). */
function hasFinalizers(kind: KindDef, obj: KObject): boolean {
  if ((obj.metadata?.finalizers?.length ?? 0) > 0) return true;
  return kind.group === '' && kind.kind === 'Namespace' && (obj.spec?.finalizers?.length ?? 0) > 0;
}

function isGracefulPending(kind: KindDef, obj: KObject): boolean {
  return kind.group === '' && kind.kind === 'Pod' && (obj.metadata?.deletionGracePeriodSeconds ?? 0) > 0;
}

function ttlOf(kind: KindDef, _obj: KObject): { ttlSeconds?: number } | undefined {
  // Events expire like upstream's --event-ttl (1 h).
  if (kind.kind === 'Event') return { ttlSeconds: EVENT_TTL_SECONDS };
  return undefined;
}
const EVENT_TTL_SECONDS = 3600;

function mapWriteError(err: unknown, kind: KindDef, name: string): unknown {
  if (isStorageError(err, 'Conflict')) return conflict(kind.plural, name, OBJECT_MODIFIED, kind.group);
  if (isStorageError(err, 'NotFound')) return notFound(kind.plural, name, kind.group);
  return err;
}

function forbiddenTerminating(namespace: string, kind: KindDef): ApiError {
  const msg = `${kind.plural}${kind.group ? `.${kind.group}` : ''} is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`;
  return new ApiErrorCtor(403, 'Forbidden', msg, { kind: kind.plural, group: kind.group || undefined });
}

import { ApiError as ApiErrorCtor } from '../../api/errors.ts';
import { APPROVAL_TYPES, CSR_KIND, keepConditions, SIGNER_TYPES } from './csr-conditions.ts';

function withoutTypeMeta(obj: KObject): KObject {
  const { apiVersion: _a, kind: _k, ...rest } = obj;
  return rest;
}

function withoutRv(obj: KObject): KObject {
  const { resourceVersion: _rv, ...meta } = obj.metadata ?? {};
  return { ...obj, metadata: meta };
}

/** New managedFields for a write, or KEEP_MANAGED_FIELDS to store what the object carries. */
type ManagedFieldsUpdate = { fields: unknown[] | undefined } | typeof KEEP_MANAGED_FIELDS;
const KEEP_MANAGED_FIELDS = Symbol('keep managedFields');

function setManagedFields(meta: Record<string, unknown>, update: ManagedFieldsUpdate): void {
  if (update === KEEP_MANAGED_FIELDS) return;
  setOrDelete(meta, 'managedFields', update.fields);
}

function setOrDelete(meta: Record<string, unknown>, key: string, value: unknown): void {
  if (value === undefined) delete meta[key];
  else meta[key] = value;
}
