// The per-pod files bind-mounted into every container of a sandbox, as the kubelet writes them:
// /etc/hosts (localhost entries, the pod's own name, hostAliases), /etc/resolv.conf, /etc/hostname.

import type { PodDNSConfig, PodSpec } from 'kubernetes-types/core/v1.d.ts';
import { formatResolvConf, podResolvConf, type ResolvConf } from '../../util/resolv-conf.ts';
import type { DnsConfig } from './types.ts';

const HOSTS_HEADER = `# Kubernetes-managed hosts file.
127.0.0.1\tlocalhost
::1\tlocalhost ip6-localhost ip6-loopback
fe00::0\tip6-localnet
fe00::0\tip6-mcastprefix
fe00::1\tip6-allnodes
fe00::2\tip6-allrouters
`;

export function hostsFile(opts: {
  hostname: string;
  podIps?: string[];
  hostAliases?: { ip: string; hostnames: string[] }[];
}): string {
  let out = HOSTS_HEADER;
  for (const ip of opts.podIps ?? []) out += `${ip}\t${opts.hostname}\n`;
  if (opts.hostAliases?.length) {
    out += '\n# Entries added by HostAliases.\n';
    for (const a of opts.hostAliases) out += `${a.ip}\t${a.hostnames.join('\t')}\n`;
  }
  return out;
}

export function resolvConf(dns: DnsConfig): string {
  const lines: string[] = [];
  if (dns.searches?.length) lines.push(`search ${dns.searches.join(' ')}`);
  for (const ns of dns.nameservers) lines.push(`nameserver ${ns}`);
  if (dns.options?.length) lines.push(`options ${dns.options.join(' ')}`);
  return `${lines.join('\n')}\n`;
}

export interface ClusterDnsDefaults {
  /** Cluster DNS Service IPs (10.43.0.10). */
  nameservers: string[];
  /** Default cluster.local. */
  clusterDomain?: string;
  /**
   * The node's resolv.conf (kubelet --resolv-conf), as the network start-up read it: its resolvers
   * for dnsPolicy Default, its search domains after the cluster ones. Absent: /etc/resolv.conf.
   */
  host?: ResolvConf;
}

/** What of a pod decides its resolver configuration. */
export interface SandboxDns {
  namespace: string;
  hostNetwork: boolean;
  dnsPolicy?: string;
  dnsConfig?: PodDNSConfig;
}

/**
 * The sandbox's resolv.conf as the kubelet computes it (util/resolv-conf.ts): dnsPolicy
 * ClusterFirst (Default on the host network), ClusterFirstWithHostNet, Default or None, then
 * dnsConfig merged in. `host` is the node's resolv.conf: its resolvers for Default, its search
 * domains after the cluster ones.
 */
export function sandboxResolvConf(
  pod: SandboxDns,
  cluster: ClusterDnsDefaults | undefined,
  host: ResolvConf,
): string {
  const spec: PodSpec = {
    containers: [],
    hostNetwork: pod.hostNetwork,
    ...(pod.dnsPolicy ? { dnsPolicy: pod.dnsPolicy } : {}),
    ...(pod.dnsConfig ? { dnsConfig: pod.dnsConfig } : {}),
  };
  const conf = podResolvConf(
    { metadata: { namespace: pod.namespace }, spec },
    {
      clusterDNS: cluster?.nameservers ?? [],
      ...(cluster?.clusterDomain ? { clusterDomain: cluster.clusterDomain } : {}),
      host,
    },
  );
  return formatResolvConf(conf);
}
