// Typed-enough access to one resource: the REST verbs, subresources and watches, with the
// namespace bound once (`client.resource(PODS, 'default')`) or taken from the object written.
// Without a namespace, list/watch/deleteCollection span all namespaces.
import type { Readable } from 'node:stream';
import type { Status } from '../api/errors.ts';
import type { KObject } from '../api/object.ts';
import {
  type DeleteOptions,
  deleteBody,
  type GetOptions,
  type ListOptions,
  listQuery,
  PATCH_CONTENT_TYPES,
  type PatchOptions,
  type PatchType,
  type WatchOptions,
  type WriteOptions,
  writeQuery,
} from './options.ts';
import { apiVersionOfRef, qualifiedName, type ResourceRef, resourcePath } from './resource.ts';
import type { RestClient } from './rest.ts';
import { Watch } from './watch.ts';

export interface ObjectList<T extends KObject = KObject> {
  apiVersion?: string;
  kind?: string;
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  items: T[];
}

export interface LogOptions {
  container?: string;
  follow?: boolean;
  previous?: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  limitBytes?: number;
  timestamps?: boolean;
  signal?: AbortSignal;
}

/** Page size of listAll, as client-go's pager and informers use. */
export const DEFAULT_PAGE_SIZE = 500;

export class ResourceClient<T extends KObject = KObject> {
  readonly ref: ResourceRef;
  /** The bound namespace; undefined: all namespaces for collections, the object's for writes. */
  readonly namespace: string | undefined;
  readonly #rest: RestClient;

  constructor(rest: RestClient, ref: ResourceRef, namespace?: string) {
    this.#rest = rest;
    this.ref = ref;
    this.namespace = ref.namespaced && namespace ? namespace : undefined;
  }

  /** The same resource bound to another namespace. */
  inNamespace(namespace: string): ResourceClient<T> {
    return new ResourceClient<T>(this.#rest, this.ref, namespace);
  }

  get(name: string, opts: GetOptions = {}): Promise<T> {
    const query = new URLSearchParams();
    if (opts.resourceVersion !== undefined) query.set('resourceVersion', opts.resourceVersion);
    return this.#rest.json<T>({ method: 'GET', path: this.#objectPath(name), query, signal: opts.signal });
  }

  list(opts: ListOptions = {}): Promise<ObjectList<T>> {
    return this.#rest.json<ObjectList<T>>({
      method: 'GET',
      path: resourcePath(this.ref, this.namespace),
      query: listQuery(opts),
      signal: opts.signal,
    });
  }

  /**
   * Every page of a list in one result. Pages come from one snapshot (the continue token carries
   * it), so the first page's resourceVersion is the whole list's.
   */
  async listAll(opts: ListOptions = {}): Promise<ObjectList<T>> {
    const first = await this.list({ limit: DEFAULT_PAGE_SIZE, ...opts });
    const items = [...first.items];
    let cont = first.metadata.continue;
    while (cont) {
      const page = await this.list({ ...opts, continue: cont, resourceVersion: undefined });
      items.push(...page.items);
      cont = page.metadata.continue;
    }
    return { ...first, metadata: { resourceVersion: first.metadata.resourceVersion }, items };
  }

  /** Opens a watch; resolves once the server accepted it (a refused watch throws ApiError). */
  async watch(opts: WatchOptions = {}): Promise<Watch<T>> {
    opts.signal?.throwIfAborted();
    // The watch owns its own controller; the caller's signal (often long-lived and shared by many
    // successive watches) is linked only while this watch lives, so no listeners pile up on it.
    const abort = new AbortController();
    const onAbort = (): void => abort.abort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const unlink = (): void => opts.signal?.removeEventListener('abort', onAbort);
    try {
      const res = await this.#rest.send({
        method: 'GET',
        path: resourcePath(this.ref, this.namespace),
        query: listQuery(opts, true),
        signal: abort.signal,
      });
      return new Watch<T>(res.body, abort, unlink);
    } catch (err) {
      unlink();
      throw err;
    }
  }

  create(obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.#rest.json<T>({
      method: 'POST',
      path: resourcePath(this.ref, this.#namespaceOf(obj)),
      query: writeQuery(opts),
      body: this.#typed(obj),
      signal: opts.signal,
    });
  }

  /** PUT of the whole object; metadata.resourceVersion, when set, makes it compare-and-swap. */
  update(obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.#put(obj, undefined, opts);
  }

  /** PUT to the status subresource: only status changes are kept. */
  updateStatus(obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.#put(obj, 'status', opts);
  }

  patch(
    name: string,
    type: PatchType,
    patch: unknown,
    opts: PatchOptions & { subresource?: string; namespace?: string } = {},
  ): Promise<T> {
    if (type === 'apply' && !opts.fieldManager) {
      throw new TypeError('server-side apply needs a fieldManager');
    }
    return this.#rest.json<T>({
      method: 'PATCH',
      path: this.#objectPath(name, opts.subresource, opts.namespace),
      query: writeQuery(opts),
      body: patch,
      contentType: PATCH_CONTENT_TYPES[type],
      signal: opts.signal,
    });
  }

  /** Server-side apply of a (partial) object; JSON is valid YAML, so it goes as is. */
  apply(obj: T, opts: PatchOptions & { fieldManager: string; subresource?: string }): Promise<T> {
    const name = obj.metadata?.name;
    if (!name) throw new TypeError(`apply needs metadata.name on the ${qualifiedName(this.ref)} object`);
    return this.patch(name, 'apply', this.#typed(obj), { ...opts, namespace: this.#namespaceOf(obj) });
  }

  /** Deletes one object: the object (still present with finalizers or grace) or a success Status. */
  delete(name: string, opts: DeleteOptions = {}): Promise<T | Status> {
    return this.#rest.json<T | Status>({
      method: 'DELETE',
      path: this.#objectPath(name),
      body: deleteBody(opts),
      signal: opts.signal,
    });
  }

  deleteCollection(opts: ListOptions & DeleteOptions = {}): Promise<ObjectList<T> | Status> {
    return this.#rest.json<ObjectList<T> | Status>({
      method: 'DELETE',
      path: resourcePath(this.ref, this.namespace),
      query: listQuery(opts),
      body: deleteBody(opts),
      signal: opts.signal,
    });
  }

  getSubresource<R = KObject>(name: string, subresource: string, opts: GetOptions = {}): Promise<R> {
    return this.#rest.json<R>({
      method: 'GET',
      path: this.#objectPath(name, subresource),
      signal: opts.signal,
    });
  }

  /** POST to a subresource: pods/binding, pods/eviction. */
  createSubresource<R = KObject>(
    name: string,
    subresource: string,
    body: unknown,
    opts: WriteOptions = {},
  ): Promise<R> {
    return this.#rest.json<R>({
      method: 'POST',
      path: this.#objectPath(name, subresource),
      query: writeQuery(opts),
      body,
      signal: opts.signal,
    });
  }

  /** PUT to a subresource: scale, status. */
  updateSubresource<R = KObject>(
    name: string,
    subresource: string,
    body: unknown,
    opts: WriteOptions = {},
  ): Promise<R> {
    return this.#rest.json<R>({
      method: 'PUT',
      path: this.#objectPath(name, subresource),
      query: writeQuery(opts),
      body,
      signal: opts.signal,
    });
  }

  getScale(name: string): Promise<KObject> {
    return this.getSubresource(name, 'scale');
  }

  updateScale(name: string, scale: KObject, opts: WriteOptions = {}): Promise<KObject> {
    return this.updateSubresource(name, 'scale', scale, opts);
  }

  /** Binds a pod to a node (the scheduler's write). */
  bind(name: string, nodeName: string, opts: WriteOptions = {}): Promise<Status> {
    return this.createSubresource<Status>(
      name,
      'binding',
      {
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { name, ...(this.namespace ? { namespace: this.namespace } : {}) },
        target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
      },
      opts,
    );
  }

  /** Evicts a pod through the eviction subresource (honours PodDisruptionBudgets). */
  evict(name: string, deleteOptions: DeleteOptions = {}, opts: WriteOptions = {}): Promise<Status> {
    const d = deleteBody(deleteOptions);
    return this.createSubresource<Status>(
      name,
      'eviction',
      {
        apiVersion: 'policy/v1',
        kind: 'Eviction',
        metadata: { name, ...(this.namespace ? { namespace: this.namespace } : {}) },
        ...(d ? { deleteOptions: JSON.parse(d) } : {}),
      },
      opts,
    );
  }

  /** A pod's log as text (without follow). */
  async log(name: string, opts: LogOptions = {}): Promise<string> {
    return this.#rest.text(this.#logRequest(name, opts));
  }

  /** A pod's log as a stream (with follow it stays open until aborted or the container ends). */
  async logStream(name: string, opts: LogOptions = {}): Promise<Readable> {
    return (await this.#rest.send(this.#logRequest(name, opts))).body;
  }

  #logRequest(name: string, opts: LogOptions) {
    const query = new URLSearchParams();
    if (opts.container) query.set('container', opts.container);
    if (opts.follow) query.set('follow', 'true');
    if (opts.previous) query.set('previous', 'true');
    if (opts.tailLines !== undefined) query.set('tailLines', String(opts.tailLines));
    if (opts.sinceSeconds !== undefined) query.set('sinceSeconds', String(opts.sinceSeconds));
    if (opts.limitBytes !== undefined) query.set('limitBytes', String(opts.limitBytes));
    if (opts.timestamps) query.set('timestamps', 'true');
    return {
      method: 'GET',
      path: this.#objectPath(name, 'log'),
      query,
      accept: 'text/plain, */*',
      signal: opts.signal,
    };
  }

  #put(obj: T, subresource: string | undefined, opts: WriteOptions): Promise<T> {
    const name = obj.metadata?.name;
    if (!name) throw new TypeError(`update needs metadata.name on the ${qualifiedName(this.ref)} object`);
    return this.#rest.json<T>({
      method: 'PUT',
      path: resourcePath(this.ref, this.#namespaceOf(obj), name, subresource),
      query: writeQuery(opts),
      body: this.#typed(obj),
      signal: opts.signal,
    });
  }

  #objectPath(name: string, subresource?: string, namespace?: string): string {
    const ns = namespace ?? this.namespace;
    if (this.ref.namespaced && !ns) {
      throw new TypeError(`${qualifiedName(this.ref)} "${name}": a namespace is required`);
    }
    return resourcePath(this.ref, ns, name, subresource);
  }

  #namespaceOf(obj: KObject): string | undefined {
    if (!this.ref.namespaced) return undefined;
    const ns = this.namespace ?? obj.metadata?.namespace;
    if (!ns) throw new TypeError(`${qualifiedName(this.ref)}: a namespace is required`);
    return ns;
  }

  /** Fills apiVersion and kind when the caller left them out (the server requires them). */
  #typed(obj: T): T {
    if (obj.apiVersion && obj.kind) return obj;
    return {
      ...obj,
      apiVersion: obj.apiVersion ?? apiVersionOfRef(this.ref),
      kind: obj.kind ?? this.ref.kind,
    };
  }
}
