// IPv4 CIDR arithmetic for ipBlock peers: iptables has no "in A but not in B" match without ipset,
// so `cidr` minus its `except` list is turned into the equivalent list of disjoint CIDRs.
import { isIPv4 } from 'node:net';

export interface Cidr {
  /** Network address as an unsigned 32-bit number. */
  base: number;
  prefix: number;
}

const maskOf = (prefix: number): number => (prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0);

export function ipToNumber(ip: string): number {
  return ip.split('.').reduce((n, o) => ((n << 8) | Number(o)) >>> 0, 0);
}

export function numberToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 0xff).join('.');
}

/** `10.0.0.0/8` (host bits cleared) or a bare address as /32; undefined for anything else (IPv6 too). */
export function parseCidr(text: string): Cidr | undefined {
  const [ip, len] = text.split('/');
  if (!isIPv4(ip)) return undefined;
  const prefix = len === undefined ? 32 : Number(len);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > 32) return undefined;
  return { base: (ipToNumber(ip) & maskOf(prefix)) >>> 0, prefix };
}

export const formatCidr = (c: Cidr): string => `${numberToIp(c.base)}/${c.prefix}`;

export const cidrContains = (outer: Cidr, inner: Cidr): boolean =>
  inner.prefix >= outer.prefix && (inner.base & maskOf(outer.prefix)) >>> 0 === outer.base;

export const ipInCidr = (ip: string, c: Cidr): boolean =>
  isIPv4(ip) && (ipToNumber(ip) & maskOf(c.prefix)) >>> 0 === c.base;

/** `block` minus every `except` range, as disjoint CIDRs (at most 32 per except). */
export function subtractCidrs(block: Cidr, excepts: readonly Cidr[]): Cidr[] {
  let parts = [block];
  for (const ex of excepts) {
    const next: Cidr[] = [];
    for (const p of parts) {
      if (cidrContains(ex, p)) continue; // wholly removed
      if (!cidrContains(p, ex)) {
        next.push(p); // disjoint (CIDRs either nest or do not overlap)
        continue;
      }
      // Walk down from p to ex, keeping the sibling half at every level.
      let cur = p;
      while (cur.prefix < ex.prefix) {
        const prefix = cur.prefix + 1;
        const low: Cidr = { base: cur.base, prefix };
        const high: Cidr = { base: (cur.base | (1 << (32 - prefix))) >>> 0, prefix };
        const [toward, sibling] = cidrContains(low, ex) ? [low, high] : [high, low];
        next.push(sibling);
        cur = toward;
      }
    }
    parts = next;
  }
  return parts.sort((a, b) => a.base - b.base || a.prefix - b.prefix);
}
