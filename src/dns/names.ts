// Name helpers for the cluster zone: dashed IPs (CoreDNS's endpoint/pod names) and reverse names.
import { isIPv4, isIPv6 } from 'node:net';

export { DEFAULT_CLUSTER_DOMAIN } from '../util/resolv-conf.ts';

/** Lowercase, no trailing dot: the form every lookup key uses. */
export const canonical = (name: string): string => name.toLowerCase().replace(/\.$/, '');

/** `10.42.0.5` → `10-42-0-5`; IPv6 `1234:abcd::1` → `1234-abcd--1`, like CoreDNS. */
export const dashedIP = (ip: string): string =>
  isIPv4(ip) ? ip.replaceAll('.', '-') : ip.replaceAll(':', '-');

/** `10-42-0-5` → `10.42.0.5` if it is a dashed IPv4 address. */
export function undashIPv4(label: string): string | undefined {
  const ip = label.replaceAll('-', '.');
  return isIPv4(ip) ? ip : undefined;
}

/** `5.0.42.10.in-addr.arpa` → `10.42.0.5` (IPv4 reverse names only). */
export function reverseToIPv4(name: string): string | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\.in-addr\.arpa$/.exec(canonical(name));
  if (!m) return undefined;
  const ip = `${m[4]}.${m[3]}.${m[2]}.${m[1]}`;
  // isIPv4 rejects leading zeros ("02"), which CoreDNS also treats as no such name.
  return isIPv4(ip) ? ip : undefined;
}

export const isIP = (s: string): boolean => isIPv4(s) || isIPv6(s);
