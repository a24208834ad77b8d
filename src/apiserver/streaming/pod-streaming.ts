// pods/log, pods/exec, pods/attach, pods/portforward and nodes/proxy: validate against the pod
// (upstream's messages), find its node's agent, and proxy. Called by the API server after
// authentication and authorization.
//
//   GET  …/pods/x/log?container=c&follow=…      ─► GET  https://<node>:<port>/containerLogs/ns/x/c?…
//   (upgrade) …/pods/x/exec?container=c&command=…  ─► (upgrade) /exec/ns/x/c?command=…
//   (upgrade) …/pods/x/attach?container=c&…         ─► (upgrade) /attach/ns/x/c?…
//   (upgrade) …/pods/x/portforward                  ─► (upgrade) /portForward/ns/x
//   GET  /api/v1/nodes/n/proxy/<path>               ─► GET  /<path>
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { ApiError, badRequest } from '../../api/errors.ts';
import type { KObject } from '../../api/object.ts';
import { nodeAgentAddress, podNodeName, resolveContainer } from './agent-location.ts';
import { type AgentClientTls, proxyGet, proxyUpgrade } from './agent-proxy.ts';

export interface StreamingDeps {
  /** The pod, or a NotFound ApiError. */
  getPod(namespace: string, name: string): Promise<KObject>;
  getNode(name: string): Promise<KObject>;
  agentTls(): AgentClientTls | undefined;
}

/** Query parameters of pods/log the agent understands (PodLogOptions). */
const LOG_PARAMS = [
  'follow',
  'previous',
  'tailLines',
  'sinceSeconds',
  'sinceTime',
  'timestamps',
  'limitBytes',
];
/** Query parameters of exec/attach passed on (container moves into the path). */
const COMMAND_PARAMS = ['command', 'stdin', 'stdout', 'stderr', 'tty'];
/** Subresources served by an upgraded connection. */
export const UPGRADE_SUBRESOURCES = ['exec', 'attach', 'portforward'];
/** Agent path segment per subresource. */
const AGENT_PATHS: Record<string, string> = { exec: 'exec', attach: 'attach', portforward: 'portForward' };

function pick(q: URLSearchParams, names: string[]): string {
  const out = new URLSearchParams();
  for (const n of names) for (const v of q.getAll(n)) out.append(n, v);
  const s = out.toString();
  return s ? `?${s}` : '';
}

const seg = (s: string) => encodeURIComponent(s);

export async function handlePodLog(
  deps: StreamingDeps,
  namespace: string,
  name: string,
  q: URLSearchParams,
  res: ServerResponse,
): Promise<void> {
  validateLogQuery(q);
  const pod = await deps.getPod(namespace, name);
  const container = resolveContainer(pod, q.get('container'));
  const nodeName = (pod as { spec?: { nodeName?: string } }).spec?.nodeName;
  if (!nodeName) {
    // Not scheduled yet: nothing was logged (upstream answers an empty body too).
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end();
    return;
  }
  const agent = nodeAgentAddress(await deps.getNode(nodeName));
  const path = `/containerLogs/${seg(namespace)}/${seg(name)}/${seg(container)}${pick(q, LOG_PARAMS)}`;
  await proxyGet(agent, path, deps.agentTls(), res).catch((err: Error) => {
    throw agentUnreachable(nodeName, err);
  });
}

function validateLogQuery(q: URLSearchParams): void {
  const int = (n: string, min: number) => {
    const v = q.get(n);
    if (v !== null && (!/^-?\d+$/.test(v) || Number(v) < min))
      throw badRequest(`${n}: Invalid value: ${JSON.stringify(v)}: must be greater than or equal to ${min}`);
  };
  int('tailLines', 0);
  int('limitBytes', 1);
  int('sinceSeconds', 1);
  if (q.get('sinceSeconds') !== null && q.get('sinceTime') !== null)
    throw badRequest('at most one of `sinceTime` or `sinceSeconds` may be specified');
}

/** Relays an exec/attach/portforward upgrade to the pod's agent. Throws ApiError before any byte is written. */
export async function handlePodUpgrade(
  deps: StreamingDeps,
  subresource: string,
  namespace: string,
  name: string,
  q: URLSearchParams,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
): Promise<void> {
  const pod = await deps.getPod(namespace, name);
  const nodeName = podNodeName(pod);
  let path: string;
  if (subresource === 'portforward') {
    path = `/portForward/${seg(namespace)}/${seg(name)}${pick(q, ['ports'])}`;
  } else {
    const container = resolveContainer(pod, q.get('container'));
    path = `/${AGENT_PATHS[subresource]}/${seg(namespace)}/${seg(name)}/${seg(container)}${pick(q, COMMAND_PARAMS)}`;
  }
  const agent = nodeAgentAddress(await deps.getNode(nodeName));
  await proxyUpgrade(agent, path, deps.agentTls(), req, socket, head).catch((err: Error) => {
    throw agentUnreachable(nodeName, err);
  });
}

/** nodes/{name}/proxy/{path}: a GET on the node's agent. */
export async function handleNodeProxy(
  deps: StreamingDeps,
  nodeName: string,
  rest: string,
  q: URLSearchParams,
  res: ServerResponse,
): Promise<void> {
  const agent = nodeAgentAddress(await deps.getNode(nodeName));
  const query = q.toString();
  await proxyGet(agent, `/${rest}${query ? `?${query}` : ''}`, deps.agentTls(), res).catch((err: Error) => {
    throw agentUnreachable(nodeName, err);
  });
}

const agentUnreachable = (node: string, err: Error) =>
  new ApiError(500, 'InternalError', `error dialing backend: node ${node}: ${err.message}`);

/** A refused upgrade: the Status as a complete HTTP response on the raw socket. */
export function writeUpgradeError(socket: Duplex, status: { code: number }, body: string): void {
  if (socket.destroyed) return;
  socket.end(
    `HTTP/1.1 ${status.code} ${REASON_PHRASES[status.code] ?? 'Error'}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

const REASON_PHRASES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};
