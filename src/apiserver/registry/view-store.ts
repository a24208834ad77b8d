// A served version without storage of its own (autoscaling/v1 HPAs over the stored v2 objects):
// every write is converted to the stored version and goes through that version's registry
// (its defaults, validation, admission, managedFields); every object read is converted back.
// Keys, prefix and watch cache are the stored resource's, so both versions see the same objects.
//
//   v1 body ──toStored──► stored ResourceStore (v2) ──► storage
//   v1 reply ◄─fromStored── stored object / cache entry (converted JSON memoized per entry)
import type { ConversionDef, KindDef } from '../../api/kinds/types.ts';
import type { KObject } from '../../api/object.ts';
import type { Entry } from '../cache/entry.ts';
import type { RequestContext } from './context.ts';
import {
  type DeleteOptions,
  type DeleteOutcome,
  ResourceStore,
  type StoreDeps,
  type WriteOptions,
} from './resource-store.ts';

export class ViewStore extends ResourceStore {
  readonly stored: ResourceStore;
  readonly #conv: ConversionDef;
  /** Converted JSON per cache entry: entries are immutable, so one conversion serves every reader. */
  readonly #json = new WeakMap<Entry, string>();

  constructor(kind: KindDef, stored: ResourceStore, deps: StoreDeps) {
    super(kind, deps);
    if (!kind.viewOf) throw new Error(`${kind.kind} ${kind.version} is not a view`);
    this.stored = stored;
    this.#conv = kind.viewOf;
  }

  #out(obj: KObject): KObject {
    return this.#conv.fromStored(this.stored.present(obj));
  }

  override present(obj: KObject): KObject {
    return obj.apiVersion === this.apiVersion ? obj : this.#out(obj);
  }

  override entryJson(e: Entry): string {
    let json = this.#json.get(e);
    if (json === undefined) {
      json = JSON.stringify(this.#out(e.obj));
      this.#json.set(e, json);
    }
    return json;
  }

  override entryObject(e: Entry): KObject {
    return this.#out(e.obj);
  }

  override async create(namespace: string, input: KObject, ctx: RequestContext, opts?: WriteOptions) {
    return this.#out(await this.stored.create(namespace, this.#conv.toStored(input), ctx, opts));
  }

  override async update(
    namespace: string,
    name: string,
    input: KObject,
    ctx: RequestContext,
    subresource = '',
    opts?: WriteOptions,
  ) {
    return this.#out(
      await this.stored.update(namespace, name, this.#conv.toStored(input), ctx, subresource, opts),
    );
  }

  override async guaranteedUpdate(
    namespace: string,
    name: string,
    ctx: RequestContext,
    mutate: (cur: KObject) => KObject | Promise<KObject>,
    subresource = '',
    opts?: WriteOptions,
  ) {
    const updated = await this.stored.guaranteedUpdate(
      namespace,
      name,
      ctx,
      async (cur) => this.#conv.toStored(await mutate(this.#out(cur))),
      subresource,
      opts,
    );
    return this.#out(updated);
  }

  override async delete(
    namespace: string,
    name: string,
    opts: DeleteOptions,
    ctx: RequestContext,
  ): Promise<DeleteOutcome> {
    const out = await this.stored.delete(namespace, name, opts, ctx);
    return { ...out, obj: this.#out(out.obj) };
  }
}
