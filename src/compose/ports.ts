// `ports:` and `expose:` entries in every compose form, expanded to one mapping per container port:
// `"3000"`, `"3000-3005"`, `"8000:80"`, `"9090-9091:8080-8081"`, `"127.0.0.1:8001:8001"`,
// `"[::1]:6001:6001"`, `"6060:6060/udp"`, numbers, and the long form `{target, published, …}`.
import type { Json } from './types.ts';

export interface PortMapping {
  target: number;
  /** Host port; undefined when compose would pick one (short form without a host part). */
  published?: number;
  hostIp?: string;
  protocol: 'TCP' | 'UDP' | 'SCTP';
  name?: string;
  appProtocol?: string;
}

const SHORT = /^(?:(\[[^\]]+\]|[^:[\]]+):)??(?:(\d+(?:-\d+)?)?:)?(\d+(?:-\d+)?)(?:\/(\w+))?$/;

function range(spec: string): number[] {
  const [a, b = a] = spec.split('-').map(Number);
  if (!(a >= 0 && b >= a && b <= 65535)) throw new RangeError(`invalid port range ${spec}`);
  return Array.from({ length: b - a + 1 }, (_, i) => a + i);
}

function protocolOf(p: unknown): PortMapping['protocol'] {
  const up = String(p ?? 'tcp').toUpperCase();
  if (up !== 'TCP' && up !== 'UDP' && up !== 'SCTP') throw new RangeError(`unsupported protocol ${p}`);
  return up;
}

/** One `ports:` entry as mappings. Throws RangeError on a malformed entry. */
export function parsePort(entry: Json): PortMapping[] {
  if (typeof entry === 'number') return [{ target: entry, protocol: 'TCP' }];
  if (typeof entry === 'string') {
    const m = SHORT.exec(entry.trim());
    if (!m) throw new RangeError(`invalid port ${JSON.stringify(entry)}`);
    const [, ip, host, container, proto] = m;
    const targets = range(container);
    const hosts = host ? range(host) : undefined;
    if (hosts && hosts.length !== targets.length && hosts.length !== 1) {
      throw new RangeError(`port ranges differ in length in ${JSON.stringify(entry)}`);
    }
    const hostIp = ip?.replace(/^\[|\]$/g, '');
    return targets.map((target, i) => ({
      target,
      ...(hosts ? { published: hosts.length === 1 ? hosts[0] : hosts[i] } : {}),
      ...(hostIp ? { hostIp } : {}),
      protocol: protocolOf(proto),
    }));
  }
  if (entry && typeof entry === 'object' && !Array.isArray(entry)) {
    const targets = range(String(entry.target ?? ''));
    const hosts = entry.published === undefined ? undefined : range(String(entry.published));
    return targets.map((target, i) => ({
      target,
      ...(hosts ? { published: hosts.length === 1 ? hosts[0] : hosts[i] } : {}),
      ...(entry.host_ip ? { hostIp: String(entry.host_ip) } : {}),
      protocol: protocolOf(entry.protocol),
      ...(entry.name ? { name: String(entry.name) } : {}),
      ...(entry.app_protocol ? { appProtocol: String(entry.app_protocol) } : {}),
    }));
  }
  throw new RangeError(`invalid port ${JSON.stringify(entry)}`);
}

/** An `expose:` entry (`"3000"`, `"8000-8010/udp"`, 3000): container ports only. */
export function parseExpose(entry: Json): PortMapping[] {
  const m = /^(\d+(?:-\d+)?)(?:\/(\w+))?$/.exec(String(entry).trim());
  if (!m) throw new RangeError(`invalid expose ${JSON.stringify(entry)}`);
  return range(m[1]).map((target) => ({ target, protocol: protocolOf(m[2]) }));
}

/** Merge identity of a ports entry across files (compose: ip, published, target, protocol). */
export function portKey(entry: Json): string {
  try {
    return parsePort(entry)
      .map((p) => `${p.hostIp ?? ''}:${p.published ?? ''}:${p.target}/${p.protocol}`)
      .join(',');
  } catch {
    return JSON.stringify(entry);
  }
}
