// A StorageBackend wrapper that encrypts the values of configured resources on write and decrypts
// them on every read path (get, list, watch events, delete results), so everything above storage —
// the watch cache included — sees plaintext and the store holds only ciphertext.
import type { KeyValue, StorageBackend, WatchEvent, WatchStream } from '../../storage/types.ts';
import { REGISTRY_PREFIX } from '../storage-keys.ts';
import { type EncryptionConfig, transformersFor } from './config.ts';
import { ENC_PREFIX, type Transformer } from './providers.ts';

export function encryptingBackend(b: StorageBackend, config: EncryptionConfig): StorageBackend {
  /** `/registry/core/secrets/ns/x` → transformers of core secrets (memoised per resource). */
  const memo = new Map<string, Transformer[] | undefined>();
  const forKey = (key: string): Transformer[] | undefined => {
    if (!key.startsWith(REGISTRY_PREFIX)) return undefined;
    const [groupSeg, resource] = key.slice(REGISTRY_PREFIX.length).split('/', 2);
    const id = `${groupSeg}/${resource}`;
    if (!memo.has(id)) memo.set(id, transformersFor(config, groupSeg === 'core' ? '' : groupSeg, resource));
    return memo.get(id);
  };
  const encrypt = (key: string, value: string): string => {
    const t = forKey(key);
    return t ? t[0].encrypt(value, key) : value;
  };
  const decrypt = (key: string, value: string): string => {
    if (!value.startsWith(ENC_PREFIX)) return value;
    const t = forKey(key) ?? [];
    const match = t.find((x) => x.prefix && value.startsWith(x.prefix));
    if (!match) throw new Error(`no configured encryption provider can read ${key}`);
    return match.decrypt(value, key);
  };
  const kv = (k: KeyValue): KeyValue => ({ ...k, value: decrypt(k.key, k.value) });
  const ev = (e: WatchEvent): WatchEvent => ({
    ...e,
    value: decrypt(e.key, e.value),
    ...(e.prevValue !== undefined ? { prevValue: decrypt(e.key, e.prevValue) } : {}),
  });
  return {
    name: b.name,
    async get(key, o) {
      const r = await b.get(key, o);
      return r.kv ? { ...r, kv: kv(r.kv) } : r;
    },
    async list(prefix, o) {
      const r = await b.list(prefix, o);
      return { ...r, kvs: r.kvs.map(kv) };
    },
    count: (p) => b.count(p),
    async create(key, value, o) {
      return { ...(await b.create(key, encrypt(key, value), o)), value };
    },
    async update(key, value, rev, o) {
      return { ...(await b.update(key, encrypt(key, value), rev, o)), value };
    },
    async delete(key, o) {
      const r = await b.delete(key, o);
      return { ...r, prev: kv(r.prev) };
    },
    watch(prefix, from, o): WatchStream {
      const inner = b.watch(prefix, from, o);
      return {
        close: () => inner.close(),
        async *[Symbol.asyncIterator]() {
          for await (const batch of inner) yield batch.map(ev);
        },
      };
    },
    currentRevision: () => b.currentRevision(),
    compact: (r) => b.compact(r),
    close: () => b.close(),
  };
}
