// The three probe mechanisms: exec in the container, HTTP GET to the pod IP, TCP connect.
import { connect } from 'node:net';
import type { Probe } from 'kubernetes-types/core/v1.d.ts';
import { nodeHttp } from '../../util/node-builtins.ts';
import type { ContainerRuntime } from '../runtime/types.ts';
import type { ProbeOutcome } from './probe-worker.ts';

/** Response body bytes the kubelet keeps for the failure message. */
const MAX_BODY = 10 * 1024;

export interface ProbeTarget {
  runtime: ContainerRuntime;
  containerId: string;
  podIP: string;
  /** Named ports of the container (port: "http" → 8080). */
  ports: Record<string, number>;
}

const portOf = (p: number | string, t: ProbeTarget): number =>
  typeof p === 'number' ? p : (t.ports[p] ?? Number(p));

export async function runProbe(probe: Probe, t: ProbeTarget, timeoutMs: number): Promise<ProbeOutcome> {
  if (probe.exec) {
    const r = await t.runtime.exec(t.containerId, probe.exec.command ?? [], { timeoutMs });
    if (r.timedOut) return { ok: false, message: `command timed out after ${timeoutMs / 1000}s` };
    const out = Buffer.concat([r.stdout, r.stderr]).toString().slice(0, MAX_BODY);
    return { ok: r.exitCode === 0, message: out };
  }
  if (probe.httpGet) {
    const g = probe.httpGet;
    const host = g.host ?? t.podIP;
    const port = portOf(g.port, t);
    const headers = Object.fromEntries((g.httpHeaders ?? []).map((h) => [h.name, h.value]));
    return httpProbe(
      `${(g.scheme ?? 'HTTP').toLowerCase()}://${host}:${port}${g.path ?? '/'}`,
      headers,
      timeoutMs,
    );
  }
  if (probe.tcpSocket) {
    const port = portOf(probe.tcpSocket.port, t);
    return tcpProbe(probe.tcpSocket.host ?? t.podIP, port, timeoutMs);
  }
  return { ok: false, message: 'probe has no handler' };
}

function httpProbe(url: string, headers: Record<string, string>, timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const req = nodeHttp.request(
      url,
      { timeout: timeoutMs, headers: { 'User-Agent': 'kube-probe/1.32', ...headers } },
      (res) => {
        res.resume();
        const code = res.statusCode ?? 0;
        res.on('end', () =>
          resolve(
            code >= 200 && code < 400
              ? { ok: true, message: '' }
              : { ok: false, message: `HTTP probe failed with statuscode: ${code}` },
          ),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error(`Get "${url}": context deadline exceeded`)));
    req.on('error', (err) => resolve({ ok: false, message: err.message }));
    req.end();
  });
}

function tcpProbe(host: string, port: number, timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const s = connect({ host, port, timeout: timeoutMs });
    s.on('connect', () => {
      s.destroy();
      resolve({ ok: true, message: '' });
    });
    s.on('timeout', () => {
      s.destroy();
      resolve({ ok: false, message: `dial tcp ${host}:${port}: i/o timeout` });
    });
    s.on('error', (err) => resolve({ ok: false, message: `dial tcp ${host}:${port}: ${err.message}` }));
  });
}
