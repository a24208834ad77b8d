// Small helpers for the conformance suite: read a watch with a deadline, wait for a condition.
import { setTimeout as sleep } from 'node:timers/promises';
import type { WatchEvent, WatchStream } from '../types.ts';

/** Reads events from a watch until `done` says so; fails when the deadline passes first. */
export async function readUntil(
  stream: WatchStream,
  done: (events: WatchEvent[]) => boolean,
  timeoutMs: number,
): Promise<WatchEvent[]> {
  const events: WatchEvent[] = [];
  if (done(events)) return events;
  const it = stream[Symbol.asyncIterator]();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = deadline - Date.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), Math.max(left, 0));
    });
    const r = await Promise.race([it.next(), timeout]).finally(() => clearTimeout(timer));
    if (r === 'timeout') {
      throw new Error(
        `watch: condition not met within ${timeoutMs} ms; got ${events.length} events: ${formatEvents(events)}`,
      );
    }
    if (r.done) throw new Error(`watch ended early after ${events.length} events: ${formatEvents(events)}`);
    events.push(...r.value);
    if (done(events)) return events;
  }
}

/** Reads exactly n events (fails on more arriving in the same batch, or on a timeout). */
export async function readEvents(stream: WatchStream, n: number, timeoutMs: number): Promise<WatchEvent[]> {
  return readUntil(stream, (evs) => evs.length >= n, timeoutMs);
}

/** The error a watch ends with (fails when it yields events or ends normally instead). */
export async function watchError(stream: WatchStream, timeoutMs: number): Promise<unknown> {
  try {
    await readUntil(stream, () => false, timeoutMs);
  } catch (err) {
    return err;
  }
  throw new Error('unreachable');
}

export async function eventually(
  check: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(50);
  }
  throw new Error(`${what}: not true within ${timeoutMs} ms`);
}

export function formatEvents(events: WatchEvent[]): string {
  return events.map((e) => `${e.type}:${e.key}@${e.revision}`).join(' ');
}
