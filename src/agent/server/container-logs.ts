// GET /containerLogs/{namespace}/{pod}/{container}: the kubelet's log endpoint, read from the CRI
// log file conmon writes. `previous` reads the attempt before the newest; `follow` keeps the
// response open until the container exits (or the client goes away).
import type { ServerResponse } from 'node:http';
import { parseRfc3339Nano, readCriLog } from '../runtime/cri-log.ts';
import type { ContainerRuntime, ContainerStatus } from '../runtime/types.ts';
import { containerAttempts, type PodLookup } from './pod-lookup.ts';
import { AgentHttpError } from './status-response.ts';

const NS_PER_SECOND = 1_000_000_000n;
const NS_PER_MS = 1_000_000n;

export interface LogQuery {
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  tailLines?: number;
  limitBytes?: number;
  /** ns since epoch */
  sinceNs?: bigint;
}

export function parseLogQuery(q: URLSearchParams, now = Date.now()): LogQuery {
  const bool = (n: string) => q.get(n) === 'true' || q.get(n) === '1';
  const int = (n: string, min: number): number | undefined => {
    const v = q.get(n);
    if (v === null || v === '') return undefined;
    const x = Number(v);
    if (!Number.isInteger(x) || x < min) throw new AgentHttpError(400, `${n}: must be an integer >= ${min}`);
    return x;
  };
  const sinceSeconds = int('sinceSeconds', 1);
  const sinceTime = q.get('sinceTime');
  if (sinceSeconds !== undefined && sinceTime)
    throw new AgentHttpError(400, 'at most one of sinceTime or sinceSeconds may be specified');
  let sinceNs: bigint | undefined;
  if (sinceSeconds !== undefined) sinceNs = BigInt(now) * NS_PER_MS - BigInt(sinceSeconds) * NS_PER_SECOND;
  else if (sinceTime) {
    try {
      sinceNs = parseRfc3339Nano(sinceTime);
    } catch {
      throw new AgentHttpError(400, `sinceTime: invalid RFC 3339 time ${JSON.stringify(sinceTime)}`);
    }
  }
  return {
    follow: bool('follow'),
    previous: bool('previous'),
    timestamps: bool('timestamps'),
    tailLines: int('tailLines', 0),
    limitBytes: int('limitBytes', 1),
    sinceNs,
  };
}

/** The container whose log is asked for, with the kubelet's messages when there is none. */
export async function logContainer(
  runtime: ContainerRuntime,
  lookup: PodLookup,
  namespace: string,
  pod: string,
  container: string,
  previous: boolean,
): Promise<ContainerStatus> {
  const ref = await lookup(namespace, pod);
  if (!ref)
    throw new AgentHttpError(404, `pod "${pod}" in namespace "${namespace}" is not running on this node`);
  const attempts = await containerAttempts(runtime, ref.sandboxId, container);
  if (previous) {
    const prev = attempts.find((c, i) => i > 0 && c.state === 'exited');
    if (!prev)
      throw new AgentHttpError(400, `previous terminated container "${container}" in pod "${pod}" not found`);
    return prev;
  }
  const cur = attempts[0];
  if (!cur) throw new AgentHttpError(400, `container "${container}" in pod "${pod}" is waiting to start`);
  return cur;
}

export async function serveContainerLogs(
  runtime: ContainerRuntime,
  lookup: PodLookup,
  parts: { namespace: string; pod: string; container: string },
  q: URLSearchParams,
  res: ServerResponse,
): Promise<void> {
  const query = parseLogQuery(q);
  const ctr = await logContainer(
    runtime,
    lookup,
    parts.namespace,
    parts.pod,
    parts.container,
    query.previous,
  );
  const ac = new AbortController();
  res.on('close', () => ac.abort());
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
  const follow = query.follow && !query.previous;
  const reader = readCriLog(ctr.logPath, {
    follow,
    tailLines: query.tailLines,
    sinceNs: query.sinceNs,
    timestamps: query.timestamps,
    limitBytes: query.limitBytes,
    signal: ac.signal,
    isDone: async () => {
      const s = await runtime.containerStatus(ctr.id);
      return !s || s.state === 'exited' || s.state === 'unknown';
    },
  });
  for await (const chunk of reader) {
    if (!res.write(chunk)) await new Promise<void>((r) => res.once('drain', r).once('close', r));
    if (ac.signal.aborted) break;
  }
  res.end();
}
