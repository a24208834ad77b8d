// Pod IPs handed out from the node's pod CIDR (IPv4), the way host-local IPAM does: the network and
// gateway addresses are skipped, released addresses are reused lowest first.

/** .0 is the network, .1 the bridge/gateway on a real node. */
const FIRST_HOST_OFFSET = 2;

const toInt = (ip: string): number => ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
const toIp = (n: number): string => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

export class IpPool {
  readonly #base: number;
  readonly #size: number;
  readonly #used = new Set<number>();

  constructor(cidr: string) {
    const m = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(cidr);
    const bits = m ? Number(m[2]) : Number.NaN;
    if (!m || bits > 30 || m[1].split('.').some((o) => Number(o) > 255)) {
      throw new RangeError(`invalid IPv4 pod CIDR ${JSON.stringify(cidr)}`);
    }
    this.#size = 2 ** (32 - bits);
    this.#base = toInt(m[1]) - (toInt(m[1]) % this.#size);
  }

  /** The lowest free address; throws when the range is exhausted. */
  allocate(): string {
    // The broadcast address (last) is never handed out.
    for (let off = FIRST_HOST_OFFSET; off < this.#size - 1; off++) {
      if (!this.#used.has(off)) {
        this.#used.add(off);
        return toIp(this.#base + off);
      }
    }
    throw new RangeError('pod CIDR exhausted');
  }

  release(ip: string): void {
    this.#used.delete(toInt(ip) - this.#base);
  }
}

/** FNV-1a, so a node's default CIDR is stable across restarts. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** Third octets from here up, so derived CIDRs stay clear of nodeipam's allocations (from .0 up). */
const DERIVED_OCTET_BASE = 128;
const DERIVED_OCTETS = 128;

/** A /24 inside the cluster CIDR 10.42.0.0/16, derived from the node name. */
export const derivedPodCidr = (nodeName: string): string =>
  `10.42.${DERIVED_OCTET_BASE + (fnv1a(nodeName) % DERIVED_OCTETS)}.0/24`;
