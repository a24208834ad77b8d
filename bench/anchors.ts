// What each figure is compared with beyond its own goal: the Kubernetes SLOs and published
// numbers of the tools skiff sets out to beat. Only figures with a public source are listed.

export interface Anchor {
  text: string;
  source: string;
}

const K3S_PROFILE = 'https://docs.k3s.io/reference/resource-profiling';
const K8S_SLO = 'https://github.com/kubernetes/community/blob/master/sig-scalability/slos/slos.md';

/** Keyed by `<suite>.<metric>`. */
export const ANCHORS: Record<string, Anchor> = {
  'api.idle_rss_mb': { text: 'k3s server + agent: 1428 MB min RAM (v1.26.5, SQLite)', source: K3S_PROFILE },
  'pods.agent_rss_mb': { text: 'k3s agent: 275 MB min RAM', source: K3S_PROFILE },
  'api.write_p99_ms_100qps': { text: 'SLO: mutating API call p99 ≤ 1 s', source: K8S_SLO },
  'api.list_10k_pods_ms': { text: 'SLO: cluster LIST p99 ≤ 30 s', source: K8S_SLO },
  'pods.startup_p99_ms': { text: 'SLO: pod startup p99 ≤ 5 s', source: K8S_SLO },
  'scale.mutating_p99_ms': { text: 'SLO: ≤ 1 s', source: K8S_SLO },
  'scale.read_p99_ms': { text: 'SLO: ≤ 1 s', source: K8S_SLO },
  'scale.startup_p99_ms': { text: 'SLO: ≤ 5 s', source: K8S_SLO },
  'scale.list_pods_ms': { text: 'SLO: ≤ 30 s', source: K8S_SLO },
};
