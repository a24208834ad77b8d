// GET (get, list) and watch for any kind, served from the watch cache: consistent reads wait for
// the cache to catch up with storage; paginated continuations and exact-revision reads go to
// storage at the snapshot revision.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, badRequest, expired, timeout } from '../../api/errors.ts';
import type { KindDef } from '../../api/kinds/types.ts';
import { isStorageError } from '../../storage/types.ts';
import type { CacheManager } from '../cache/cache-manager.ts';
import { decodeStored, type Entry } from '../cache/entry.ts';
import type { CacheEventType, CacheWatcher, ResourceCache } from '../cache/resource-cache.ts';
import type { ObjectFormat } from '../http/negotiate.ts';
import { sendJson } from '../http/respond.ts';
import type { ResourceStore } from '../registry/resource-store.ts';
import { decodeContinue, encodeContinue } from './continue-token.ts';
import { buildFilter, type ObjectFilter } from './filter.ts';
import { parseIncludeObject, tableRow, toTable } from './table.ts';

/** How long a read with a future resourceVersion waits for the cache (upstream: 3 s, then 504). */
export const FRESHNESS_WAIT_MS = 3_000;
/** A watch whose client stops reading is dropped past this many unsent bytes. */
export const MAX_WATCH_BACKLOG_BYTES = 8 * 1024 * 1024;
/** Bookmarks keep informers' resourceVersion fresh (upstream sends about one a minute). */
export const BOOKMARK_INTERVAL_MS = 60_000;
/** Default watch lifetime when the client gives no timeoutSeconds (upstream: 30–60 min). */
export const DEFAULT_WATCH_SECONDS = 1800;
/** Storage page size for continuations and exact reads (filtered pages may need several). */
const STORAGE_PAGE = 1000;

export interface ReadDeps {
  caches: CacheManager;
  onWatch?: (delta: 1 | -1, resource: string) => void;
}

function parseRv(s: string | null): number | undefined {
  if (s === null || s === '') return undefined;
  if (!/^\d+$/.test(s)) throw badRequest(`invalid resource version: ${JSON.stringify(s)}`);
  return Number(s);
}

function parseLimit(s: string | null): number {
  if (s === null || s === '') return 0;
  const n = Number(s);
  if (!Number.isInteger(n) || n < 0) throw badRequest(`invalid limit: ${JSON.stringify(s)}`);
  return n;
}

async function freshCache(
  deps: ReadDeps,
  store: ResourceStore,
  rv: number | undefined,
  consistent: boolean,
): Promise<ResourceCache> {
  const cache = await store.cache();
  if (consistent) {
    await deps.caches.sync(FRESHNESS_WAIT_MS);
  } else if (rv !== undefined && rv > 0 && !(await deps.caches.waitFor(rv, FRESHNESS_WAIT_MS))) {
    throw tooLargeRv(rv, deps.caches.revision);
  }
  return cache;
}

const tooLargeRv = (rv: number, cur: number): ApiError => {
  const e = timeout(`Too large resource version: ${rv}, current: ${cur}`);
  return new ApiError(504, 'Timeout', e.message, {
    causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
    retryAfterSeconds: 1,
  });
};

export async function handleGet(
  deps: ReadDeps,
  store: ResourceStore,
  namespace: string,
  name: string,
  query: URLSearchParams,
  format: ObjectFormat,
  res: ServerResponse,
): Promise<void> {
  const rv = parseRv(query.get('resourceVersion'));
  const cache = await freshCache(deps, store, rv, rv === undefined);
  // A cache miss is confirmed against storage (which throws NotFound), never answered from a stale cache.
  const entry = cache.items.get(store.key(namespace, name)) ?? (await store.getStored(namespace, name));
  if (format.kind === 'table') {
    const t = toTable(
      store.kind,
      [entry],
      { resourceVersion: entry.obj.metadata?.resourceVersion },
      {
        includeObject: parseIncludeObject(query.get('includeObject')),
        version: format.version,
      },
    );
    sendJson(res, 200, t, format.contentType);
    return;
  }
  sendJson(res, 200, store.entryJson(entry));
}

interface Page {
  entries: Entry[];
  rv: number;
  continueKey?: string;
  remaining?: number;
}

export async function listEntries(
  deps: ReadDeps,
  store: ResourceStore,
  filter: ObjectFilter,
  query: URLSearchParams,
): Promise<Page> {
  const limit = parseLimit(query.get('limit'));
  const cont = query.get('continue');
  const rvParam = parseRv(query.get('resourceVersion'));
  const match = query.get('resourceVersionMatch');
  if (match && match !== 'Exact' && match !== 'NotOlderThan') {
    throw badRequest(
      `resourceVersionMatch: Unsupported value: "${match}": supported values: "Exact", "NotOlderThan"`,
    );
  }
  if (match && rvParam === undefined)
    throw badRequest('resourceVersionMatch is forbidden unless resourceVersion is provided');
  if (cont) {
    if (rvParam !== undefined && rvParam !== 0)
      throw badRequest('specifying resource version is not allowed when using continue');
    const tok = decodeContinue(cont);
    return listFromStorage(store, filter, tok.rv, tok.start, limit);
  }
  if (match === 'Exact' && rvParam) return listFromStorage(store, filter, rvParam, undefined, limit);
  const cache = await freshCache(deps, store, rvParam, rvParam === undefined);
  const keys = cache.sortedKeys();
  const prefix = store.prefix(filter.namespace);
  let i = lowerBound(keys, prefix);
  const out: Entry[] = [];
  for (; i < keys.length; i++) {
    const k = keys[i];
    if (!k.startsWith(prefix)) break;
    const e = cache.items.get(k)!;
    if (!filter.matches(e.obj)) continue;
    if (limit && out.length === limit) {
      return { entries: out, rv: cache.rv, continueKey: k };
    }
    out.push(e);
  }
  return { entries: out, rv: cache.rv };
}

async function listFromStorage(
  store: ResourceStore,
  filter: ObjectFilter,
  rv: number,
  start: string | undefined,
  limit: number,
): Promise<Page> {
  const prefix = store.prefix(filter.namespace);
  const out: Entry[] = [];
  let startKey = start;
  for (;;) {
    let page: Awaited<ReturnType<typeof store.backendList>>;
    try {
      page = await store.backendList(prefix, { revision: rv, startKey, limit: STORAGE_PAGE });
    } catch (err) {
      if (isStorageError(err, 'Compacted')) {
        throw expired(
          'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
        );
      }
      throw err;
    }
    for (const kv of page.kvs) {
      const e = decodeStored(kv.key, kv.value, kv.modRevision);
      if (!filter.matches(e.obj)) continue;
      if (limit && out.length === limit) return { entries: out, rv: page.revision, continueKey: kv.key };
      out.push(e);
    }
    if (!page.more || page.kvs.length === 0) return { entries: out, rv: page.revision };
    startKey = `${page.kvs[page.kvs.length - 1].key}\u0000`;
  }
}

function lowerBound(keys: string[], target: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid] < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export async function handleList(
  deps: ReadDeps,
  store: ResourceStore,
  namespace: string,
  query: URLSearchParams,
  format: ObjectFormat,
  res: ServerResponse,
): Promise<void> {
  const filter = buildFilter(store.kind, namespace, query);
  const page = await listEntries(deps, store, filter, query);
  const listMeta: Record<string, unknown> = { resourceVersion: String(page.rv) };
  if (page.continueKey) listMeta.continue = encodeContinue({ rv: page.rv, start: page.continueKey });
  if (format.kind === 'table') {
    const t = toTable(store.kind, page.entries, listMeta, {
      includeObject: parseIncludeObject(query.get('includeObject')),
      version: format.version,
    });
    sendJson(res, 200, t, format.contentType);
    return;
  }
  // Items are concatenated from each entry's cached JSON: a 10k-object list is one string join.
  const head = `{"kind":${JSON.stringify(store.kind.listKind)},"apiVersion":${JSON.stringify(store.apiVersion)},"metadata":${JSON.stringify(listMeta)},"items":[`;
  const body = `${head}${page.entries.map((e) => store.entryJson(e)).join(',')}]}`;
  sendJson(res, 200, body);
}

export async function handleWatch(
  deps: ReadDeps,
  store: ResourceStore,
  namespace: string,
  query: URLSearchParams,
  format: ObjectFormat,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const filter = buildFilter(store.kind, namespace, query);
  const rvParam = parseRv(query.get('resourceVersion'));
  const fromRv = rvParam === undefined || rvParam === 0 ? undefined : rvParam;
  const cache = await store.cache();
  if (fromRv === undefined) await deps.caches.sync(FRESHNESS_WAIT_MS);
  else if (!(await deps.caches.waitFor(fromRv, FRESHNESS_WAIT_MS)))
    throw tooLargeRv(fromRv, deps.caches.revision);
  const bookmarks = query.get('allowWatchBookmarks') === 'true';
  const tSec = query.get('timeoutSeconds');
  const timeoutSec = tSec && /^\d+$/.test(tSec) ? Number(tSec) : DEFAULT_WATCH_SECONDS;
  const includeObject = parseIncludeObject(query.get('includeObject'));
  const kind: KindDef = store.kind;

  res.writeHead(200, {
    'Content-Type': format.kind === 'table' ? format.contentType : 'application/json',
    'Cache-Control': 'no-cache, private',
    'Transfer-Encoding': 'chunked',
  });
  res.flushHeaders(); // informers block until the headers arrive (kubectl rollout status / wait)
  req.socket.setTimeout(0);
  req.socket.setNoDelay(true);

  let first = true;
  let lastRv = cache.rv;
  let ended = false;
  const encode = (type: CacheEventType, e: Entry): string => {
    if (format.kind === 'table') {
      const t = {
        kind: 'Table',
        apiVersion: `meta.k8s.io/${format.version}`,
        metadata: { resourceVersion: String(e.rv) },
        columnDefinitions: first ? kind.table.columns.map((c) => ({ format: '', ...c })) : [],
        rows: [tableRow(kind, e, { includeObject, version: format.version })],
      };
      first = false;
      return `{"type":"${type}","object":${JSON.stringify(t)}}\n`;
    }
    return `{"type":"${type}","object":${store.entryJson(e)}}\n`;
  };
  const end = (): void => {
    if (ended) return;
    ended = true;
    cache.removeWatcher(watcher);
    clearTimeout(timer);
    clearInterval(bookmarkTimer);
    deps.onWatch?.(-1, store.kind.plural);
    res.end();
  };
  const writeLine = (line: string): void => {
    if (ended) return;
    res.write(line);
    if (res.writableLength > MAX_WATCH_BACKLOG_BYTES) {
      // The client is not reading: drop it rather than grow memory without bound.
      end();
      res.destroy();
    }
  };
  const watcher: CacheWatcher = {
    matches: (e) => filter.matches(e.obj),
    send: (type, e) => {
      lastRv = e.rv;
      writeLine(encode(type, e));
    },
    progress: (rv) => {
      lastRv = rv;
    },
    terminate: (reason) => {
      writeLine(errorEvent(expired(`watch closed: ${reason}`)));
      end();
    },
  };
  deps.onWatch?.(1, store.kind.plural);
  const timer = setTimeout(end, timeoutSec * 1000);
  const bookmarkTimer = bookmarks
    ? setInterval(() => {
        writeLine(
          `{"type":"BOOKMARK","object":{"kind":${JSON.stringify(kind.kind)},"apiVersion":${JSON.stringify(store.apiVersion)},"metadata":{"resourceVersion":"${lastRv}"}}}\n`,
        );
      }, BOOKMARK_INTERVAL_MS)
    : undefined;
  bookmarkTimer?.unref();
  req.on('close', end);
  res.on('error', end);
  if (!cache.addWatcher(watcher, fromRv)) {
    writeLine(errorEvent(expired(`too old resource version: ${fromRv} (${cache.oldestRv})`)));
    end();
  }
}

function errorEvent(err: ApiError): string {
  return `{"type":"ERROR","object":${JSON.stringify(err.toStatus())}}\n`;
}
