// The range allocator's bookkeeping (upstream pkg/controller/nodeipam/ipam/cidrset): the cluster
// CIDR cut into equal node subnets, one bit each, handed out round-robin from the last allocation
// so a subnet freed by a deleted node is not immediately given to the next one.

export const CIDR_RANGE_FULL =
  'CIDR allocation failed; there are no remaining CIDRs left to allocate in the accepted range';
const IPV4_BITS = 32;
/** Upstream refuses more than 2^16 subnets per set (the bitmap would be too large). */
const MAX_SUBNET_BITS = 16;

export class CidrSet {
  readonly #base: number;
  readonly #prefix: number;
  readonly #mask: number;
  readonly #used: Uint8Array;
  #next = 0;
  #allocated = 0;

  constructor(clusterCidr: string, nodeMaskSize: number) {
    const { base, prefix } = parseIpv4Cidr(clusterCidr);
    if (!Number.isInteger(nodeMaskSize) || nodeMaskSize < prefix || nodeMaskSize > IPV4_BITS) {
      throw new RangeError(`node CIDR mask size ${nodeMaskSize} does not fit in ${clusterCidr}`);
    }
    if (nodeMaskSize - prefix > MAX_SUBNET_BITS) {
      throw new RangeError(`node CIDR mask size ${nodeMaskSize} is too large for ${clusterCidr}`);
    }
    this.#base = base;
    this.#prefix = prefix;
    this.#mask = nodeMaskSize;
    this.#used = new Uint8Array(2 ** (nodeMaskSize - prefix));
  }

  get size(): number {
    return this.#used.length;
  }

  get allocated(): number {
    return this.#allocated;
  }

  /** The next free subnet, or throws when the range is exhausted. */
  allocateNext(): string {
    const n = this.#used.length;
    for (let i = 0; i < n; i++) {
      const idx = (this.#next + i) % n;
      if (!this.#used[idx]) {
        this.#used[idx] = 1;
        this.#allocated++;
        this.#next = (idx + 1) % n;
        return this.#cidrAt(idx);
      }
    }
    throw new RangeError(CIDR_RANGE_FULL);
  }

  /** Marks a subnet used (a node that already has one); false if it is not one of this set's. */
  occupy(cidr: string): boolean {
    const idx = this.#indexOf(cidr);
    if (idx === undefined) return false;
    if (!this.#used[idx]) {
      this.#used[idx] = 1;
      this.#allocated++;
    }
    return true;
  }

  release(cidr: string): void {
    const idx = this.#indexOf(cidr);
    if (idx === undefined || !this.#used[idx]) return;
    this.#used[idx] = 0;
    this.#allocated--;
  }

  #cidrAt(idx: number): string {
    const ip = (this.#base + idx * 2 ** (IPV4_BITS - this.#mask)) >>> 0;
    return `${intToIpv4(ip)}/${this.#mask}`;
  }

  #indexOf(cidr: string): number | undefined {
    let parsed: { base: number; prefix: number };
    try {
      parsed = parseIpv4Cidr(cidr);
    } catch {
      return undefined;
    }
    if (parsed.prefix !== this.#mask) return undefined;
    const offset = parsed.base - this.#base;
    const step = 2 ** (IPV4_BITS - this.#mask);
    if (offset < 0 || offset % step !== 0) return undefined;
    const idx = offset / step;
    return idx < this.#used.length ? idx : undefined;
  }
}

const IPV4_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function parseIpv4Cidr(cidr: string): { base: number; prefix: number } {
  const [ip, bits, ...rest] = cidr.split('/');
  const m = IPV4_RE.exec(ip ?? '');
  const prefix = Number(bits);
  if (!m || rest.length || !/^\d{1,2}$/.test(bits ?? '') || prefix > IPV4_BITS) {
    throw new RangeError(`invalid IPv4 CIDR ${JSON.stringify(cidr)}`);
  }
  const octets = m.slice(1).map(Number);
  if (octets.some((o) => o > 255)) throw new RangeError(`invalid IPv4 CIDR ${JSON.stringify(cidr)}`);
  const ipInt = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  const hostBits = IPV4_BITS - prefix;
  // Masked to the network address, as Go's net.ParseCIDR does.
  const base = hostBits === IPV4_BITS ? 0 : (ipInt - (ipInt % 2 ** hostBits)) >>> 0;
  return { base, prefix };
}

export const intToIpv4 = (n: number): string =>
  [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
