// CNI network configurations for a node's pods, pure: `loopback` for lo, `bridge` (gateway on the
// bridge, hairpin so a pod reaches itself through a Service) with `host-local` IPAM
// over the node's pod CIDR, and `portmap` for hostPorts. Chained by hand (prevResult), since the
// agent runs the plugin binaries itself.

export const CNI_VERSION = '1.0.0';
export const DEFAULT_NETWORK_NAME = 'skiff';
export const DEFAULT_BRIDGE = 'skiff0';
export const DEFAULT_CNI_BIN_DIR = '/usr/lib/cni';
/** Linux interface names are at most 15 bytes (IFNAMSIZ - 1). */
const MAX_IFNAME = 15;

export interface NetworkOptions {
  networkName?: string;
  bridge?: string;
  /** The node's pod CIDR, e.g. `10.42.0.0/24`. */
  podCidr: string;
  /** host-local's data directory (under our state dir, so nothing is left in /var/lib/cni). */
  ipamDataDir: string;
  mtu?: number;
}

export interface PortMapping {
  hostPort: number;
  containerPort: number;
  protocol?: 'tcp' | 'udp' | 'sctp';
  hostIP?: string;
}

export class CniConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CniConfigError';
  }
}

/** Splits `a.b.c.d/n`; refuses anything but IPv4 networks with a usable host range. */
export function parseIpv4Cidr(cidr: string): { network: number; prefix: number } {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!m) throw new CniConfigError(`pod CIDR ${cidr} is not an IPv4 CIDR`);
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 30)
    throw new CniConfigError(`pod CIDR ${cidr} is invalid or too small`);
  const addr = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return { network: (addr & mask) >>> 0, prefix };
}

export function formatIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 0xff).join('.');
}

/** The first host address of the CIDR: the bridge's (and pods' gateway) address. */
export function gatewayFor(cidr: string): string {
  return formatIpv4(parseIpv4Cidr(cidr).network + 1);
}

export function loopbackConfig(name: string) {
  return { cniVersion: CNI_VERSION, name, type: 'loopback' };
}

export function bridgeConfig(opts: NetworkOptions) {
  const bridge = opts.bridge ?? DEFAULT_BRIDGE;
  if (bridge.length > MAX_IFNAME)
    throw new CniConfigError(`bridge name ${bridge} is longer than ${MAX_IFNAME}`);
  const { network, prefix } = parseIpv4Cidr(opts.podCidr);
  return {
    cniVersion: CNI_VERSION,
    name: opts.networkName ?? DEFAULT_NETWORK_NAME,
    type: 'bridge',
    bridge,
    isGateway: true,
    // Masquerading is ours (pod-masquerade.ts): the plugin's per-pod CNI-<hash> chains leak.
    ipMasq: false,
    hairpinMode: true,
    ...(opts.mtu ? { mtu: opts.mtu } : {}),
    ipam: {
      type: 'host-local',
      dataDir: opts.ipamDataDir,
      ranges: [[{ subnet: `${formatIpv4(network)}/${prefix}`, gateway: gatewayFor(opts.podCidr) }]],
      routes: [{ dst: '0.0.0.0/0' }],
    },
  };
}

export function portmapConfig(name: string, mappings: PortMapping[]) {
  return {
    cniVersion: CNI_VERSION,
    name,
    type: 'portmap',
    capabilities: { portMappings: true },
    // SNAT so hostPorts work from the node itself (127.0.0.1) and hairpinned from the same pod.
    snat: true,
    runtimeConfig: {
      portMappings: mappings.map((m) => ({
        hostPort: m.hostPort,
        containerPort: m.containerPort,
        protocol: m.protocol ?? 'tcp',
        ...(m.hostIP ? { hostIP: m.hostIP } : {}),
      })),
    },
  };
}
