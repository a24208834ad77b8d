// Names of every iptables chain skiff owns, and how per-service chain names are derived.
// All chains start with SKIFF- so cleanup can find them without any state of ours.
import { createHash } from 'node:crypto';

export const CHAIN_PREFIX = 'SKIFF-';
export const SERVICES_CHAIN = 'SKIFF-SERVICES';
export const EXTERNAL_SERVICES_CHAIN = 'SKIFF-EXTERNAL-SERVICES';
export const NODEPORTS_CHAIN = 'SKIFF-NODEPORTS';
export const POSTROUTING_CHAIN = 'SKIFF-POSTROUTING';
export const MARK_MASQ_CHAIN = 'SKIFF-MARK-MASQ';
export const FORWARD_CHAIN = 'SKIFF-FORWARD';
export const FIREWALL_CHAIN = 'SKIFF-FIREWALL';

export const SVC_PREFIX = 'SKIFF-SVC-';
export const SVL_PREFIX = 'SKIFF-SVL-';
export const EXT_PREFIX = 'SKIFF-EXT-';
export const SEP_PREFIX = 'SKIFF-SEP-';

/** kube-proxy keeps 16 base32 characters of the hash: short enough for iptables' 28-char chain names. */
const HASH_CHARS = 16;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 of the first bytes of `buf`, enough to yield `chars` characters. */
function base32Prefix(buf: Buffer, chars: number): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of buf) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
      if (out.length === chars) return out;
    }
    value &= (1 << bits) - 1;
  }
  return out;
}

function hash16(text: string): string {
  return base32Prefix(createHash('sha256').update(text).digest(), HASH_CHARS);
}

/** `servicePortName` is upstream's ServicePortName string: `ns/name` or `ns/name:port`. */
export const serviceChain = (servicePortName: string, protocol: string): string =>
  SVC_PREFIX + hash16(servicePortName + protocol);
export const localServiceChain = (servicePortName: string, protocol: string): string =>
  SVL_PREFIX + hash16(servicePortName + protocol);
export const externalChain = (servicePortName: string, protocol: string): string =>
  EXT_PREFIX + hash16(servicePortName + protocol);
/** `endpoint` is `ip:port`. */
export const endpointChain = (servicePortName: string, protocol: string, endpoint: string): string =>
  SEP_PREFIX + hash16(servicePortName + protocol + endpoint);

/** Chains holding per-service rules (created and deleted with their service). */
export const isPerServiceChain = (chain: string): boolean =>
  chain.startsWith(SVC_PREFIX) ||
  chain.startsWith(SVL_PREFIX) ||
  chain.startsWith(EXT_PREFIX) ||
  chain.startsWith(SEP_PREFIX);

export type Table = 'nat' | 'filter';

/** A rule in a built-in chain that sends traffic into one of ours; inserted once, at the top. */
export interface JumpRule {
  table: Table;
  chain: string;
  /** Match arguments, without `-j`. */
  args: readonly string[];
  target: string;
}

const NEW_CONN = ['-m', 'conntrack', '--ctstate', 'NEW'];
const comment = (text: string): string[] => ['-m', 'comment', '--comment', text];

/** The same set kube-proxy ensures, renamed; order matters only within one built-in chain. */
export const JUMP_RULES: readonly JumpRule[] = [
  {
    table: 'filter',
    chain: 'INPUT',
    args: [...NEW_CONN, ...comment('skiff externally-visible service portals')],
    target: EXTERNAL_SERVICES_CHAIN,
  },
  {
    table: 'filter',
    chain: 'INPUT',
    args: comment('skiff firewall for localhost nodeports'),
    target: FIREWALL_CHAIN,
  },
  {
    table: 'filter',
    chain: 'FORWARD',
    args: [...NEW_CONN, ...comment('skiff externally-visible service portals')],
    target: EXTERNAL_SERVICES_CHAIN,
  },
  {
    table: 'filter',
    chain: 'FORWARD',
    args: [...NEW_CONN, ...comment('skiff service portals')],
    target: SERVICES_CHAIN,
  },
  { table: 'filter', chain: 'FORWARD', args: comment('skiff forwarding rules'), target: FORWARD_CHAIN },
  {
    table: 'filter',
    chain: 'OUTPUT',
    args: [...NEW_CONN, ...comment('skiff service portals')],
    target: SERVICES_CHAIN,
  },
  { table: 'nat', chain: 'PREROUTING', args: comment('skiff service portals'), target: SERVICES_CHAIN },
  { table: 'nat', chain: 'OUTPUT', args: comment('skiff service portals'), target: SERVICES_CHAIN },
  { table: 'nat', chain: 'POSTROUTING', args: comment('skiff postrouting rules'), target: POSTROUTING_CHAIN },
];

/** The fixed chains each table always has. */
export const FILTER_BASE_CHAINS = [
  SERVICES_CHAIN,
  EXTERNAL_SERVICES_CHAIN,
  FORWARD_CHAIN,
  FIREWALL_CHAIN,
] as const;
export const NAT_BASE_CHAINS = [SERVICES_CHAIN, NODEPORTS_CHAIN, POSTROUTING_CHAIN, MARK_MASQ_CHAIN] as const;
