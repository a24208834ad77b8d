// IPv4 CIDR arithmetic for the service range. Pure.

export interface Ipv4Range {
  base: number;
  size: number;
  cidr: string;
}

export function parseCidr(cidr: string): Ipv4Range {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
  if (!m) throw new Error(`invalid IPv4 CIDR ${cidr}`);
  const bits = Number(m[5]);
  if (bits < 8 || bits > 30) throw new Error(`service CIDR ${cidr} must be between /8 and /30`);
  const ip = ipToInt(`${m[1]}.${m[2]}.${m[3]}.${m[4]}`);
  const size = 2 ** (32 - bits);
  return { base: ip - (ip % size), size, cidr };
}

export function ipToInt(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return Number.NaN;
  return ((parts[0] * 256 + parts[1]) * 256 + parts[2]) * 256 + parts[3];
}

export function intToIp(n: number): string {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** Offset of ip in range, or -1; network and broadcast addresses are never allocatable. */
export function offsetOf(r: Ipv4Range, ip: string): number {
  const n = ipToInt(ip);
  if (Number.isNaN(n)) return -1;
  const off = n - r.base;
  return off > 0 && off < r.size - 1 ? off : -1;
}

/** Upstream reserves a low band for statically chosen IPs; dynamic allocation prefers above it. */
export const staticBand = (r: Ipv4Range): number => Math.min(Math.max(16, Math.floor(r.size / 16)), 256);
