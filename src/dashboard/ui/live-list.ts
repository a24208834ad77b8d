// A list kept current by a watch: list once, then apply each event; on a 410 (history compacted)
// or a dropped connection, list again. When the tab's watch budget is spent the list is re-read
// every POLL_MS instead. The view re-renders from `items` after every change.
import { type Api, ApiFailure, type KObj } from './api.ts';
import { POLL_MS, type WatchBudget, watchBudget } from './watch-budget.ts';
import type { WatchEvent } from './watch-stream.ts';

/** Pause before re-listing after a broken watch, so a down server is not hammered. */
export const RELIST_DELAY_MS = 1000;
const GONE = 410;

const keyOf = (o: KObj) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/** Applies one watch event to the map; returns false for events that change nothing. */
export function applyEvent(items: Map<string, KObj>, ev: WatchEvent): boolean {
  switch (ev.type) {
    case 'ADDED':
    case 'MODIFIED':
      items.set(keyOf(ev.object), ev.object);
      return true;
    case 'DELETED':
      return items.delete(keyOf(ev.object));
    default:
      return false;
  }
}

export interface LiveListOptions {
  onChange(items: KObj[]): void;
  onError?(err: Error): void;
  delay?: (ms: number, signal: AbortSignal) => Promise<void>;
  budget?: WatchBudget;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });

/** Runs until the signal aborts. */
export async function runLiveList(
  api: Api,
  path: string,
  signal: AbortSignal,
  o: LiveListOptions,
): Promise<void> {
  const delay = o.delay ?? sleep;
  const budget = o.budget ?? watchBudget;
  while (!signal.aborted) {
    let release: (() => void) | undefined;
    try {
      const list = await api.list(path, signal);
      const items = new Map(list.items.map((i) => [keyOf(i), i]));
      o.onChange(sorted(items));
      release = budget.tryAcquire();
      if (!release) {
        await delay(POLL_MS, signal);
        continue;
      }
      let rv = list.metadata.resourceVersion ?? '0';
      for await (const ev of api.watch(path, rv, signal)) {
        if (ev.type === 'ERROR') {
          const code = (ev.object as unknown as { code?: number }).code;
          throw new ApiFailure(
            code ?? 500,
            '',
            String((ev.object as unknown as { message?: string }).message),
          );
        }
        if (ev.object.metadata?.resourceVersion) rv = ev.object.metadata.resourceVersion;
        if (applyEvent(items, ev)) o.onChange(sorted(items));
      }
    } catch (err) {
      if (signal.aborted) return;
      // A compacted history is routine; anything else is worth showing.
      if (!(err instanceof ApiFailure && err.code === GONE)) o.onError?.(err as Error);
    } finally {
      release?.();
    }
    await delay(RELIST_DELAY_MS, signal);
  }
}

function sorted(items: Map<string, KObj>): KObj[] {
  return [...items.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
}
