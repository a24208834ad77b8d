// The agent's HTTPS API (the kubelet's port 10250), called by the API server for `kubectl logs`,
// `exec`, `port-forward` and `top`:
//
//   GET  /healthz
//   GET  /containerLogs/{ns}/{pod}/{container}?follow&previous&tailLines&sinceSeconds&sinceTime&timestamps&limitBytes
//   GET  /stats/summary
//   upgrade /exec/{ns}/{pod}/{container}?command=…&stdin&stdout&stderr&tty   (WebSocket v5/v4, SPDY/3.1)
//   upgrade /attach/{ns}/{pod}/{container}?stdout&stderr                       (output only: the CRI log, live)
//   upgrade /portForward/{ns}/{pod}                                          (SPDY/3.1, SPDY-over-WebSocket)
//
// Clients must present a certificate from the cluster CA whose subject is allowed (the API server's
// kubelet-client certificate); node and user certificates from the same CA are refused.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { Logger } from '../../util/log.ts';
import { nodeHttp } from '../../util/node-builtins.ts';
import type { ContainerRuntime } from '../runtime/types.ts';
import { attachProcess } from './attach-process.ts';
import { serveContainerLogs } from './container-logs.ts';
import { type ExecLauncher, runcExecLauncher } from './exec-process.ts';
import { containerAttempts, type PodLookup, podIpFromNetns, runtimePodLookup } from './pod-lookup.ts';
import { type Dialer, servePortForward, tcpDialer } from './port-forward.ts';
import { parseCommandOptions, serveRemoteCommand, UpgradeRefused } from './remote-command.ts';
import { StatsCollector } from './stats-summary.ts';
import { AgentHttpError, refuseUpgrade, sendStatus } from './status-response.ts';

export { type ExecLauncher, hostExecLauncher, runcExecLauncher } from './exec-process.ts';
export type { PodLookup, PodRef } from './pod-lookup.ts';
export type { Summary } from './stats-summary.ts';

/** The kubelet's port. */
export const DEFAULT_AGENT_PORT = 10250;
/** Subject CN of the API server's client certificate towards agents (kube-apiserver-kubelet-client upstream). */
export const APISERVER_CLIENT_CN = 'kube-apiserver-kubelet-client';

export interface AgentServerOptions {
  runtime: ContainerRuntime;
  /** Pod → sandbox (and pod IP) on this node; default: read from the runtime's sandboxes. */
  podLookup?: PodLookup;
  port?: number;
  host?: string;
  /** Without TLS the server speaks plain HTTP (protocol tests only). */
  tls?: { cert: string; key: string; clientCa: string };
  /** Certificate subjects (CN) allowed in; default the API server's kubelet-client name. */
  allowedClients?: string[];
  log?: Logger;
  nodeName?: string;
  /** cgroup parent of pods (the runtime's `cgroupRoot`), for /stats/summary. */
  cgroupRoot?: string;
  /** How exec processes start; default `runc exec` under the runtime's runc root. */
  exec?: ExecLauncher;
  /** How port-forward reaches a pod port; default a TCP dial to the pod IP. */
  dialer?: (pod: { sandboxId: string; podIP?: string }) => Promise<Dialer>;
}

export interface AgentServer {
  port: number;
  stop(): Promise<void>;
}

export async function startAgentServer(o: AgentServerOptions): Promise<AgentServer> {
  const lookup = o.podLookup ?? runtimePodLookup(o.runtime);
  const stats = new StatsCollector(o.runtime, { nodeName: o.nodeName ?? 'node', cgroupRoot: o.cgroupRoot });
  const launcher = o.exec ?? defaultLauncher(o.runtime);
  const allowed = new Set(o.allowedClients ?? [APISERVER_CLIENT_CN]);
  const dialer =
    o.dialer ??
    (async (pod: { sandboxId: string; podIP?: string }) => {
      const ip = pod.podIP ?? (await podIpFromNetns(o.runtime, pod.sandboxId));
      if (!ip) throw new AgentHttpError(400, 'pod has no IP address');
      return tcpDialer(ip);
    });

  const authorized = (req: IncomingMessage): boolean => {
    if (!o.tls) return true;
    const sock = req.socket as TLSSocket;
    if (!sock.authorized) return false;
    const cn = sock.getPeerCertificate()?.subject?.CN;
    return typeof cn === 'string' && allowed.has(cn);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'https://agent');
    const seg = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    try {
      if (!authorized(req)) throw new AgentHttpError(401, 'Unauthorized');
      if (seg[0] === 'healthz' && seg.length === 1) {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end('ok');
        return;
      }
      if (req.method !== 'GET') throw new AgentHttpError(405, `${req.method} is not allowed`);
      if (seg[0] === 'containerLogs' && seg.length === 4) {
        await serveContainerLogs(
          o.runtime,
          lookup,
          { namespace: seg[1]!, pod: seg[2]!, container: seg[3]! },
          url.searchParams,
          res,
        );
        return;
      }
      if (seg[0] === 'stats' && seg[1] === 'summary' && seg.length === 2) {
        const body = JSON.stringify(await stats.summary());
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
        res.end(body);
        return;
      }
      if (['exec', 'attach', 'portForward'].includes(seg[0] ?? ''))
        throw new AgentHttpError(400, 'Upgrade request required');
      throw new AgentHttpError(404, `${url.pathname} not found`);
    } catch (err) {
      if (err instanceof AgentHttpError) sendStatus(res, err.code, err.message);
      else {
        o.log?.error('agent request failed', { path: url.pathname, err: String(err) });
        sendStatus(res, 500, String(err));
      }
    }
  };

  const upgrade = async (req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> => {
    socket.on('error', () => {});
    const url = new URL(req.url ?? '/', 'https://agent');
    const seg = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    try {
      if (!authorized(req)) throw new AgentHttpError(401, 'Unauthorized');
      const [what, namespace, pod, container] = seg;
      if (what === 'exec' && seg.length === 4) {
        const opts = parseCommandOptions(url.searchParams);
        if (opts.command.length === 0) throw new AgentHttpError(400, 'you must specify at least one command');
        if (!opts.stdin && !opts.stdout && !opts.stderr)
          throw new AgentHttpError(400, 'you must specify at least 1 of stdin, stdout, stderr');
        const ctr = await runningContainer(namespace!, pod!, container!);
        serveRemoteCommand(req, socket, head, opts, () =>
          launcher({ containerId: ctr, command: opts.command, tty: opts.tty }),
        );
        return;
      }
      if (what === 'portForward' && seg.length === 3) {
        const ref = await lookup(namespace!, pod!);
        if (!ref)
          throw new AgentHttpError(
            404,
            `pod "${pod}" in namespace "${namespace}" is not running on this node`,
          );
        servePortForward(req, socket, head, await dialer(ref));
        return;
      }
      if (what === 'attach' && seg.length === 4) {
        const opts = parseCommandOptions(url.searchParams);
        if (opts.tty || opts.stdin)
          throw new AgentHttpError(400, `container ${container} does not have stdin or a TTY to attach to`);
        const ctr = await runningContainer(namespace!, pod!, container!);
        const status = await o.runtime.containerStatus(ctr);
        serveRemoteCommand(req, socket, head, opts, () => attachProcess(o.runtime, ctr, status!.logPath));
        return;
      }
      throw new AgentHttpError(404, `${url.pathname} not found`);
    } catch (err) {
      if (err instanceof AgentHttpError || err instanceof UpgradeRefused)
        refuseUpgrade(socket, err instanceof AgentHttpError ? err.code : err.status, err.message);
      else {
        o.log?.error('agent upgrade failed', { path: url.pathname, err: String(err) });
        refuseUpgrade(socket, 500, String(err));
      }
    }
  };

  const runningContainer = async (namespace: string, pod: string, container: string): Promise<string> => {
    const ref = await lookup(namespace, pod);
    if (!ref)
      throw new AgentHttpError(404, `pod "${pod}" in namespace "${namespace}" is not running on this node`);
    const cur = (await containerAttempts(o.runtime, ref.sandboxId, container))[0];
    if (cur?.state !== 'running')
      throw new AgentHttpError(400, `container "${container}" in pod "${pod}" is not running`);
    return cur.id;
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse) => void handle(req, res);
  const server: Server = o.tls
    ? createHttpsServer(
        {
          cert: o.tls.cert,
          key: o.tls.key,
          ca: o.tls.clientCa,
          requestCert: true,
          rejectUnauthorized: false,
        },
        onRequest,
      )
    : nodeHttp.createServer(onRequest);
  server.on(
    'upgrade',
    (req: IncomingMessage, socket: Duplex, head: Buffer) => void upgrade(req, socket, head),
  );
  // Log follows and exec sessions are long-lived.
  server.requestTimeout = 0;
  server.timeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? DEFAULT_AGENT_PORT, o.host ?? '0.0.0.0', () => resolve());
  });
  const sockets = new Set<Duplex>();
  server.on('connection', (s: Duplex) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('secureConnection', (s: Duplex) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  o.log?.info('agent server listening', { port: (server.address() as AddressInfo).port });
  return {
    port: (server.address() as AddressInfo).port,
    stop: async () => {
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function defaultLauncher(runtime: ContainerRuntime): ExecLauncher {
  const root = (runtime as { runc?: { root?: string; path?: string } }).runc;
  if (!root?.root)
    return () => {
      throw new AgentHttpError(400, 'this container runtime does not support interactive exec');
    };
  return runcExecLauncher(root.root, root.path);
}
