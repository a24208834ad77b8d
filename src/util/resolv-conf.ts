// A pod's /etc/resolv.conf, computed the way the kubelet does from dnsPolicy, dnsConfig, the
// cluster DNS settings and the node's own resolv.conf (which is also how the wiring finds the
// upstream resolvers for forwarding). In util/ because both the node agent (pod sandboxes) and the
// cluster DNS (src/dns) use it.
import type { Pod } from 'kubernetes-types/core/v1.d.ts';

/** The kubelet's --cluster-domain default. */
export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';

/** The kubelet's options for cluster DNS: names with fewer than 5 dots try the search list first. */
export const CLUSTER_DNS_OPTIONS = ['ndots:5'];
/** glibc reads at most 3 nameservers; the kubelet trims to that. */
export const MAX_NAMESERVERS = 3;
/** The kubelet's search-list limits (MaxDNSSearchPaths, MaxDNSSearchListChars). */
export const MAX_SEARCH_PATHS = 32;
export const MAX_SEARCH_CHARS = 2048;

export interface ResolvConf {
  nameservers: string[];
  searches: string[];
  options: string[];
}

/** Parses resolv.conf text (nameserver, search/domain, options lines; comments ignored). */
export function parseResolvConf(text: string): ResolvConf {
  const out: ResolvConf = { nameservers: [], searches: [], options: [] };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const [key, ...fields] = line.split(/\s+/);
    if (key === 'nameserver' && fields[0]) out.nameservers.push(fields[0]);
    // The last search or domain line wins, as in glibc.
    else if (key === 'search' || key === 'domain')
      out.searches = fields.map((f) => f.replace(/\.$/, '')).filter(Boolean);
    else if (key === 'options') out.options.push(...fields);
  }
  return out;
}

export interface PodDnsContext {
  /** The cluster DNS service IPs (kubelet --cluster-dns). */
  clusterDNS: readonly string[];
  clusterDomain?: string;
  /** The node's resolv.conf, for dnsPolicy Default and the host search domains. */
  host: ResolvConf;
}

const unique = (xs: readonly string[]): string[] => [...new Set(xs)];

/** Later options replace earlier ones of the same name (`ndots:2` replaces `ndots:5`). */
function mergeOptions(
  base: readonly string[],
  extra: readonly { name?: string; value?: string }[],
): string[] {
  const m = new Map<string, string | undefined>();
  for (const o of base) {
    const i = o.indexOf(':');
    m.set(i === -1 ? o : o.slice(0, i), i === -1 ? undefined : o.slice(i + 1));
  }
  for (const o of extra) if (o.name) m.set(o.name, o.value || undefined);
  return [...m].map(([k, v]) => (v === undefined ? k : `${k}:${v}`));
}

function fitSearches(searches: string[]): string[] {
  const out: string[] = [];
  let chars = 0;
  for (const s of searches.slice(0, MAX_SEARCH_PATHS)) {
    chars += s.length + (out.length > 0 ? 1 : 0);
    if (chars > MAX_SEARCH_CHARS) break;
    out.push(s);
  }
  return out;
}

/** The resolver configuration for `pod`. */
export function podResolvConf(pod: Pod, ctx: PodDnsContext): ResolvConf {
  const domain = ctx.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN;
  const policy = pod.spec?.dnsPolicy ?? 'ClusterFirst';
  const ns = pod.metadata?.namespace ?? 'default';
  let kind: 'cluster' | 'host' | 'none' =
    policy === 'None'
      ? 'none'
      : policy === 'ClusterFirstWithHostNet' || (policy === 'ClusterFirst' && !pod.spec?.hostNetwork)
        ? 'cluster'
        : 'host';
  // Without a cluster DNS address the kubelet falls back to the node's resolvers.
  if (kind === 'cluster' && ctx.clusterDNS.length === 0) kind = 'host';

  let conf: ResolvConf;
  if (kind === 'cluster')
    conf = {
      nameservers: [...ctx.clusterDNS],
      searches: unique([`${ns}.svc.${domain}`, `svc.${domain}`, domain, ...ctx.host.searches]),
      options: [...CLUSTER_DNS_OPTIONS],
    };
  else if (kind === 'host')
    conf = {
      nameservers: [...ctx.host.nameservers],
      searches: [...ctx.host.searches],
      options: [...ctx.host.options],
    };
  else conf = { nameservers: [], searches: [], options: [] };

  const extra = pod.spec?.dnsConfig;
  if (extra) {
    conf.nameservers = unique([...conf.nameservers, ...(extra.nameservers ?? [])]);
    conf.searches = unique([...conf.searches, ...(extra.searches ?? [])]);
    conf.options = mergeOptions(conf.options, extra.options ?? []);
  }
  conf.nameservers = conf.nameservers.slice(0, MAX_NAMESERVERS);
  conf.searches = fitSearches(conf.searches);
  return conf;
}

/** resolv.conf text: nameservers, then search, then options (the order container runtimes write). */
export function formatResolvConf(conf: ResolvConf): string {
  let text = '';
  for (const ns of conf.nameservers) text += `nameserver ${ns}\n`;
  if (conf.searches.length > 0) text += `search ${conf.searches.join(' ')}\n`;
  if (conf.options.length > 0) text += `options ${conf.options.join(' ')}\n`;
  return text;
}
