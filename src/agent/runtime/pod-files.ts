// The per-pod files bind-mounted into every container of a sandbox, as the kubelet writes them:
// /etc/hosts (localhost entries, the pod's own name, hostAliases), /etc/resolv.conf, /etc/hostname.

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

/** The kubelet's ndots for cluster lookups: `web` and `web.default` try the search list first. */
const CLUSTER_NDOTS = 'ndots:5';

export interface ClusterDnsDefaults {
  /** Cluster DNS Service IPs (10.43.0.10). */
  nameservers: string[];
  /** Default cluster.local. */
  clusterDomain?: string;
  /** The node's own search domains, appended after the cluster ones as the kubelet does. */
  hostSearches?: string[];
}

/** dnsPolicy ClusterFirst for a pod in `namespace` (used when the caller passes no dns). */
export function clusterFirstDns(namespace: string, d: ClusterDnsDefaults): DnsConfig {
  const domain = d.clusterDomain ?? 'cluster.local';
  const searches = [`${namespace}.svc.${domain}`, `svc.${domain}`, domain, ...(d.hostSearches ?? [])];
  return { nameservers: [...d.nameservers], searches: [...new Set(searches)], options: [CLUSTER_NDOTS] };
}
