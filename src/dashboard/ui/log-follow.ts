// Following a container's log from the pod view. The log exists only once the container has
// started, and a follow ends when that container exits; so the view keys its stream on the
// container's current attempt (its containerID) — a restart or a late start opens a new stream —
// and reconnects after a network failure instead of sitting at "Waiting for output…" forever.
import type { Api, KObj } from './api.ts';
import { KINDS, pathFor } from './resources.ts';

/** Lines of history requested before following. */
export const LOG_TAIL = 500;
/** The most the view keeps (older text scrolls out). */
export const LOG_KEEP_CHARS = 512 * 1024;
/** Pause before reconnecting a stream that failed (server restart, agent unreachable). */
export const LOG_RETRY_MS = 2000;

export interface ContainerAttempt {
  /** The running or last-run container's ID; absent until the runtime created it. */
  id?: string;
  /** Why it has not started (ContainerCreating, ErrImagePull, …), when it has not. */
  waiting?: string;
  /** Running now: a shell can be exec'd into it. */
  running: boolean;
}

interface ContainerStatus {
  name: string;
  containerID?: string;
  state?: { waiting?: { reason?: string }; running?: unknown };
}

/** The attempt of `container` the pod's status reports (init containers included). */
export function containerAttempt(pod: KObj, container: string): ContainerAttempt {
  const all: ContainerStatus[] = [
    ...(pod.status?.initContainerStatuses ?? []),
    ...(pod.status?.containerStatuses ?? []),
  ];
  const st = all.find((c) => c.name === container);
  const waiting = st?.state?.waiting ? (st.state.waiting.reason ?? 'Waiting') : undefined;
  const running = !!st?.state?.running && !pod.metadata.deletionTimestamp;
  if (st?.containerID)
    return waiting ? { id: st.containerID, waiting, running } : { id: st.containerID, running };
  return { waiting: waiting ?? (pod.spec?.nodeName ? 'ContainerCreating' : 'Pending'), running };
}

export interface FollowCallbacks {
  /** The whole text to show (replaced on a reconnect: the server sends the tail again). */
  text(all: string): void;
  /** A failure to show until the next data arrives; '' clears it. */
  error(message: string): void;
  describe(err: unknown): string;
}

/**
 * Follows one container attempt's log until `signal` aborts or the stream ends (the container
 * exited), retrying failed connections every `retryMs`.
 */
export async function followLog(
  api: Api,
  target: { namespace: string; pod: string; container: string },
  cb: FollowCallbacks,
  signal: AbortSignal,
  retryMs = LOG_RETRY_MS,
): Promise<void> {
  const q = new URLSearchParams({ follow: 'true', container: target.container, tailLines: String(LOG_TAIL) });
  const path = `${pathFor(KINDS.Pod, target.namespace, target.pod, 'log')}?${q}`;
  while (!signal.aborted) {
    let text = '';
    try {
      for await (const chunk of api.stream(path, signal)) {
        if (!text) cb.error('');
        text = (text + chunk).slice(-LOG_KEEP_CHARS);
        cb.text(text);
      }
      return;
    } catch (e) {
      if (signal.aborted) return;
      cb.error(cb.describe(e));
    }
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, retryMs);
      signal.addEventListener('abort', () => {
        clearTimeout(t);
        resolve();
      });
    });
  }
}
