// Service ClusterIP and NodePort allocation as admission: each allocated IP or port is a record
// in storage created with compare-and-swap, so two API servers on one etcd can never hand out the
// same address. Records are released when a Service stops using them; `repair()` on start fixes
// leaks from crashes (records without a Service, Services without records).
import { randomInt } from 'node:crypto';
import { ApiError } from '../../api/errors.ts';
import type { KObject } from '../../api/object.ts';
import type { StorageBackend } from '../../storage/types.ts';
import { isStorageError } from '../../storage/types.ts';
import type { AdmissionAttributes, AdmissionPlugin } from '../registry/admission.ts';
import { type Ipv4Range, intToIp, offsetOf, parseCidr, staticBand } from './ip-range.ts';

export const DEFAULT_SERVICE_CIDR = '10.43.0.0/16';
export const DEFAULT_NODEPORT_RANGE: [number, number] = [30000, 32767];
const IP_PREFIX = '/registry/skiff.io/serviceipallocations/';
const PORT_PREFIX = '/registry/skiff.io/nodeportallocations/';
/** Random probes before falling back to a scan of the whole range. */
const RANDOM_TRIES = 32;

interface Claims {
  ips: string[];
  ports: number[];
}

const NODEPORT_TYPES = new Set(['NodePort', 'LoadBalancer']);

export class ServiceAllocator implements AdmissionPlugin {
  readonly name = 'ServiceAllocation';
  readonly #backend: StorageBackend;
  readonly #range: Ipv4Range;
  readonly #ports: [number, number];
  readonly #claimed = new WeakMap<AdmissionAttributes, Claims>();

  constructor(
    backend: StorageBackend,
    opts: { serviceCidr?: string; nodePortRange?: [number, number] } = {},
  ) {
    this.#backend = backend;
    this.#range = parseCidr(opts.serviceCidr ?? DEFAULT_SERVICE_CIDR);
    this.#ports = opts.nodePortRange ?? DEFAULT_NODEPORT_RANGE;
  }

  get range(): Ipv4Range {
    return this.#range;
  }

  #isService(a: AdmissionAttributes): boolean {
    return a.kind.group === '' && a.kind.kind === 'Service' && a.subresource === '';
  }

  async admit(a: AdmissionAttributes): Promise<void> {
    if (!this.#isService(a) || !a.obj || a.operation === 'DELETE') return;
    const svc = a.obj;
    svc.spec ??= {};
    const spec = svc.spec;
    const claims: Claims = { ips: [], ports: [] };
    this.#claimed.set(a, claims);
    const oldSpec = a.old?.spec ?? {};
    const type = spec.type ?? 'ClusterIP';
    const dry = a.ctx.dryRun;
    try {
      if (type === 'ExternalName') {
        delete spec.clusterIP;
        delete spec.clusterIPs;
      } else if (spec.clusterIP !== 'None') {
        const want: string = spec.clusterIP || spec.clusterIPs?.[0] || '';
        const had: string = oldSpec.clusterIP && oldSpec.clusterIP !== 'None' ? oldSpec.clusterIP : '';
        if ((!want && had) || (want && want === had)) {
          spec.clusterIP = had; // an update keeps its address (changing it is refused by validation)
        } else {
          const ip = want ? await this.#claimIp(want, svc, dry) : await this.#allocateIp(svc, dry);
          if (!dry) claims.ips.push(ip);
          spec.clusterIP = ip;
        }
        spec.clusterIPs = [spec.clusterIP];
      } else {
        spec.clusterIPs = ['None'];
      }
      if (NODEPORT_TYPES.has(type)) {
        const oldPorts = new Set<number>(
          (oldSpec.ports ?? []).map((p: KObject) => p.nodePort).filter(Boolean),
        );
        for (let i = 0; i < (spec.ports ?? []).length; i++) {
          const p = spec.ports[i];
          if (p.nodePort && oldPorts.has(p.nodePort)) continue;
          const port = p.nodePort
            ? await this.#claimPort(p.nodePort, svc, i, dry)
            : await this.#allocatePort(svc, dry);
          if (!dry) claims.ports.push(port);
          p.nodePort = port;
        }
      } else {
        for (const p of spec.ports ?? []) delete p.nodePort;
      }
    } catch (err) {
      await this.aborted(a);
      throw err;
    }
  }

  async aborted(a: AdmissionAttributes): Promise<void> {
    const claims = this.#claimed.get(a);
    if (!claims) return;
    this.#claimed.delete(a);
    await this.#release(claims.ips, claims.ports);
  }

  async committed(a: AdmissionAttributes): Promise<void> {
    if (!this.#isService(a) || a.ctx.dryRun) return;
    this.#claimed.delete(a);
    if (a.operation === 'CREATE') return;
    // Release what the old object held and the new one (none, on delete) no longer does.
    const held = usage(a.old);
    const still = usage(a.operation === 'DELETE' ? undefined : a.obj);
    await this.#release(
      held.ips.filter((ip) => !still.ips.includes(ip)),
      held.ports.filter((p) => !still.ports.includes(p)),
    );
  }

  async #release(ips: string[], ports: number[]): Promise<void> {
    for (const ip of ips) await this.#backend.delete(IP_PREFIX + ip).catch(() => {});
    for (const p of ports) await this.#backend.delete(PORT_PREFIX + p).catch(() => {});
  }

  async #claimIp(ip: string, svc: KObject, dry: boolean): Promise<string> {
    if (offsetOf(this.#range, ip) < 0) {
      throw invalidIp(
        svc,
        ip,
        `provided IP is not in the valid range. The range of valid IPs is ${this.#range.cidr}`,
      );
    }
    if (dry) return ip;
    try {
      await this.#backend.create(IP_PREFIX + ip, ownerOf(svc));
      return ip;
    } catch (err) {
      if (isStorageError(err, 'KeyExists')) throw invalidIp(svc, ip, 'provided IP is already allocated');
      throw err;
    }
  }

  async #allocateIp(svc: KObject, dry: boolean): Promise<string> {
    const r = this.#range;
    const lo = staticBand(r);
    const hi = r.size - 1; // exclusive: broadcast
    const tryOffset = async (off: number): Promise<string | undefined> => {
      const ip = intToIp(r.base + off);
      if (dry) {
        const { kv } = await this.#backend.get(IP_PREFIX + ip);
        return kv ? undefined : ip;
      }
      try {
        await this.#backend.create(IP_PREFIX + ip, ownerOf(svc));
        return ip;
      } catch (err) {
        if (isStorageError(err, 'KeyExists')) return undefined;
        throw err;
      }
    };
    if (hi > lo) {
      for (let i = 0; i < RANDOM_TRIES; i++) {
        const ip = await tryOffset(randomInt(lo, hi));
        if (ip) return ip;
      }
    }
    for (let off = 1; off < hi; off++) {
      const ip = await tryOffset(off);
      if (ip) return ip;
    }
    throw new ApiError(
      500,
      'InternalError',
      `Internal error occurred: failed to allocate a serviceIP: range is full`,
    );
  }

  async #claimPort(port: number, svc: KObject, index: number, dry: boolean): Promise<number> {
    const [lo, hi] = this.#ports;
    if (port < lo || port > hi) {
      throw invalidPort(
        svc,
        index,
        port,
        `provided port is not in the valid range. The range of valid ports is ${lo}-${hi}`,
      );
    }
    if (dry) return port;
    try {
      await this.#backend.create(PORT_PREFIX + port, ownerOf(svc));
      return port;
    } catch (err) {
      if (isStorageError(err, 'KeyExists'))
        throw invalidPort(svc, index, port, 'provided port is already allocated');
      throw err;
    }
  }

  async #allocatePort(svc: KObject, dry: boolean): Promise<number> {
    const [lo, hi] = this.#ports;
    const tryPort = async (p: number): Promise<boolean> => {
      if (dry) return !(await this.#backend.get(PORT_PREFIX + p)).kv;
      try {
        await this.#backend.create(PORT_PREFIX + p, ownerOf(svc));
        return true;
      } catch (err) {
        if (isStorageError(err, 'KeyExists')) return false;
        throw err;
      }
    };
    for (let i = 0; i < RANDOM_TRIES; i++) {
      const p = randomInt(lo, hi + 1);
      if (await tryPort(p)) return p;
    }
    for (let p = lo; p <= hi; p++) if (await tryPort(p)) return p;
    throw new ApiError(
      500,
      'InternalError',
      'Internal error occurred: failed to allocate a nodePort: range is full',
    );
  }

  /** On start: drop records no Service uses; record what Services use but no record holds. */
  async repair(services: KObject[]): Promise<{ released: number; restored: number }> {
    const usedIps = new Map<string, KObject>();
    const usedPorts = new Map<number, KObject>();
    for (const s of services) {
      const u = usage(s);
      for (const ip of u.ips) usedIps.set(ip, s);
      for (const p of u.ports) usedPorts.set(p, s);
    }
    let released = 0;
    let restored = 0;
    const ipRecs = await this.#backend.list(IP_PREFIX);
    for (const kv of ipRecs.kvs) {
      const ip = kv.key.slice(IP_PREFIX.length);
      if (!usedIps.has(ip)) {
        await this.#backend.delete(kv.key).catch(() => {});
        released++;
      }
      usedIps.delete(ip);
    }
    for (const [ip, s] of usedIps) {
      if (offsetOf(this.#range, ip) < 0) continue;
      await this.#backend.create(IP_PREFIX + ip, ownerOf(s)).catch(() => {});
      restored++;
    }
    const portRecs = await this.#backend.list(PORT_PREFIX);
    for (const kv of portRecs.kvs) {
      const p = Number(kv.key.slice(PORT_PREFIX.length));
      if (!usedPorts.has(p)) {
        await this.#backend.delete(kv.key).catch(() => {});
        released++;
      }
      usedPorts.delete(p);
    }
    for (const [p, s] of usedPorts) {
      await this.#backend.create(PORT_PREFIX + p, ownerOf(s)).catch(() => {});
      restored++;
    }
    return { released, restored };
  }
}

function usage(svc: KObject | undefined): Claims {
  const ips: string[] = [];
  const ports: number[] = [];
  const spec = svc?.spec;
  if (!spec) return { ips, ports };
  if (spec.clusterIP && spec.clusterIP !== 'None') ips.push(spec.clusterIP);
  for (const p of spec.ports ?? []) if (p.nodePort) ports.push(p.nodePort);
  return { ips, ports };
}

const ownerOf = (svc: KObject): string =>
  JSON.stringify({ namespace: svc.metadata?.namespace, name: svc.metadata?.name });

function invalidIp(svc: KObject, ip: string, why: string): ApiError {
  const name = svc.metadata?.name ?? '';
  const detail = `Invalid value: []string{"${ip}"}: failed to allocate IP ${ip}: ${why}`;
  return new ApiError(422, 'Invalid', `Service "${name}" is invalid: spec.clusterIPs: ${detail}`, {
    name,
    kind: 'Service',
    causes: [{ reason: 'FieldValueInvalid', message: detail, field: 'spec.clusterIPs' }],
  });
}

function invalidPort(svc: KObject, index: number, port: number, why: string): ApiError {
  const name = svc.metadata?.name ?? '';
  const field = `spec.ports[${index}].nodePort`;
  const detail = `Invalid value: ${port}: ${why}`;
  return new ApiError(422, 'Invalid', `Service "${name}" is invalid: ${field}: ${detail}`, {
    name,
    kind: 'Service',
    causes: [{ reason: 'FieldValueInvalid', message: detail, field }],
  });
}
