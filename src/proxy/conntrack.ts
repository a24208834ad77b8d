// UDP has no connection teardown: conntrack keeps sending a flow to the endpoint it was first
// NATed to, even after that endpoint is gone. Like kube-proxy, delete those flows after a sync.
import type { UdpTarget } from './render.ts';
import { type CommandRunner, commandRunner, MISSING_BINARY_CODE } from './run-command.ts';

/** One `conntrack -D` filter. */
export type ConntrackDeletion =
  /** Flows to a service IP (cluster/external) NATed to an endpoint that is gone. */
  | { kind: 'nat'; origDst: string; port: number; endpointIP: string }
  /** Flows to a NodePort NATed to an endpoint that is gone. */
  | { kind: 'nodeport-nat'; nodePort: number; endpointIP: string }
  /** Flows to a service IP that had no endpoints (blackholed) now that it has some. */
  | { kind: 'service'; origDst: string; port: number }
  | { kind: 'nodeport'; nodePort: number };

/** What to delete going from one sync's UDP services to the next's. */
export function staleUdpFlows(
  prev: ReadonlyMap<string, UdpTarget>,
  next: ReadonlyMap<string, UdpTarget>,
): ConntrackDeletion[] {
  const out: ConntrackDeletion[] = [];
  for (const [name, old] of prev) {
    const cur = next.get(name);
    const still = new Set(cur?.endpointIPs ?? []);
    for (const ip of old.endpointIPs) {
      if (still.has(ip)) continue;
      for (const dst of [old.clusterIP, ...old.externalIPs])
        out.push({ kind: 'nat', origDst: dst, port: old.port, endpointIP: ip });
      if (old.nodePort) out.push({ kind: 'nodeport-nat', nodePort: old.nodePort, endpointIP: ip });
    }
  }
  for (const [name, cur] of next) {
    const old = prev.get(name);
    if (cur.endpointIPs.length === 0 || (old && old.endpointIPs.length > 0)) continue;
    // Had none (or is new): flows created while REJECTing would otherwise stick.
    for (const dst of [cur.clusterIP, ...cur.externalIPs])
      out.push({ kind: 'service', origDst: dst, port: cur.port });
    if (cur.nodePort) out.push({ kind: 'nodeport', nodePort: cur.nodePort });
  }
  return out;
}

/** `conntrack` arguments for one deletion. */
export function conntrackArgs(d: ConntrackDeletion): string[] {
  const base = ['conntrack', '-D', '-p', 'udp'];
  switch (d.kind) {
    case 'nat':
      return [...base, '--orig-dst', d.origDst, '--dport', String(d.port), '--dst-nat', d.endpointIP];
    case 'nodeport-nat':
      return [...base, '--dport', String(d.nodePort), '--dst-nat', d.endpointIP];
    case 'service':
      return [...base, '--orig-dst', d.origDst, '--dport', String(d.port)];
    case 'nodeport':
      return [...base, '--dport', String(d.nodePort)];
  }
}

export interface ConntrackCleaner {
  delete(deletions: readonly ConntrackDeletion[]): Promise<void>;
}

/** conntrack exits 1 with "0 flow entries have been deleted" when nothing matched: not an error. */
const NOTHING_DELETED = /0 flow entries/;

export class ExecConntrackCleaner implements ConntrackCleaner {
  readonly #run: CommandRunner;
  readonly #onMissing: () => void;
  #missing = false;

  constructor(opts: { prefix?: readonly string[]; run?: CommandRunner; onMissing?: () => void } = {}) {
    this.#run = opts.run ?? commandRunner(opts.prefix);
    this.#onMissing = opts.onMissing ?? (() => {});
  }

  async delete(deletions: readonly ConntrackDeletion[]): Promise<void> {
    for (const d of deletions) {
      if (this.#missing) return;
      const r = await this.#run(conntrackArgs(d));
      if (r.code === MISSING_BINARY_CODE) {
        // Without the Debian `conntrack` package stale UDP flows simply age out (nf_conntrack_udp_timeout).
        this.#missing = true;
        this.#onMissing();
        return;
      }
      if (r.code !== 0 && !NOTHING_DELETED.test(r.stderr))
        throw new Error(`${conntrackArgs(d).join(' ')} failed: ${r.stderr.trim()}`);
    }
  }
}
