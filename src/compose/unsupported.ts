// Every compose key is either mapped or warned about. This file is the "warned" half: service and
// top-level keys with no sound Kubernetes mapping, each with the reason a user reads.

export const BUILD_MESSAGE = 'images are not built: build the image and use `skiff image import`';

/** Service keys the converter does not map, and why. */
export const UNSUPPORTED_SERVICE_KEYS: Record<string, string> = {
  attach: 'log attachment is a client concern: use `kubectl logs`',
  build: BUILD_MESSAGE,
  blkio_config: 'block IO weights and limits have no pod field',
  cgroup: 'pods always get a private cgroup namespace',
  cgroup_parent: 'the node agent places pods in its own cgroup hierarchy',
  container_name: 'pod names are generated; reach the service by its Service name',
  cpu_count: 'Windows-only CPU count: use deploy.resources',
  cpu_percent: 'Windows-only CPU percentage: use deploy.resources',
  cpu_shares: 'relative CPU weight has no pod field: use deploy.resources.reservations.cpus',
  cpu_quota: 'CFS quota has no pod field: use deploy.resources.limits.cpus',
  cpu_period: 'CFS period has no pod field',
  cpu_rt_period: 'real-time scheduling has no pod field',
  cpu_rt_runtime: 'real-time scheduling has no pod field',
  cpuset: "CPU pinning is the node's CPU manager policy, not a pod field",
  credential_spec: 'Windows gMSA credential specs are not supported',
  develop: 'watch/sync development mode is a compose client feature',
  device_cgroup_rules: 'device cgroup rules have no pod field',
  devices: 'host devices need a device plugin; they are not passed through',
  domainname: 'the pod domain comes from its subdomain and the cluster domain',
  external_links: 'external containers are not reachable by link name: use a Service of type ExternalName',
  gpus: 'GPUs need a device plugin resource (e.g. nvidia.com/gpu) in deploy.resources',
  init: 'no init process is injected: use an image with tini or similar',
  ipc: 'IPC namespace sharing between services is not supported',
  isolation: 'Windows isolation modes are not supported',
  label_file: 'label files are not read: use labels',
  links: 'links are not needed (services reach each other by service name); link aliases are not created',
  logging: "logs go to the node agent's CRI log files: use `kubectl logs`",
  mac_address: 'pod MAC addresses are assigned by the network plugin',
  mem_swappiness: 'swap tuning has no pod field',
  memswap_limit: 'swap limits have no pod field',
  models: 'AI model runners are not supported',
  oom_kill_disable: 'the OOM killer cannot be disabled for a pod',
  oom_score_adj: "the OOM score follows the pod's QoS class",
  pid: 'PID namespace modes are not supported (pods in one service share nothing with others)',
  pids_limit: 'PID limits are a node setting, not a pod field',
  provider: 'provider services are managed by external tools, not the cluster',
  pull_refresh_after: 'image refresh schedules are not supported: use pull_policy',
  runtime: "the OCI runtime is the node agent's (use a RuntimeClass)",
  stop_signal: 'pods are stopped with SIGTERM then SIGKILL',
  storage_opt: 'storage driver options have no pod field',
  ulimits: 'ulimits have no pod field',
  use_api_socket: 'the Docker API socket does not exist on skiff nodes',
  uts: 'UTS namespace modes are not supported',
  userns_mode: 'user namespace modes are not supported',
  volumes_from: "volumes are not shared between services' pods: mount the same named volume instead",
};

/** Service keys the converter maps (possibly with warnings on some of their forms). */
export const MAPPED_SERVICE_KEYS = new Set([
  'annotations',
  'cap_add',
  'cap_drop',
  'command',
  'configs',
  'cpus',
  'depends_on',
  'deploy',
  'dns',
  'dns_opt',
  'dns_search',
  'entrypoint',
  'env_file',
  'environment',
  'expose',
  'extends',
  'extra_hosts',
  'group_add',
  'healthcheck',
  'hostname',
  'image',
  'labels',
  'mem_limit',
  'mem_reservation',
  'network_mode',
  'networks',
  'platform',
  'ports',
  'post_start',
  'pre_stop',
  'privileged',
  'profiles',
  'pull_policy',
  'read_only',
  'restart',
  'scale',
  'secrets',
  'security_opt',
  'shm_size',
  'stdin_open',
  'stop_grace_period',
  'sysctls',
  'tmpfs',
  'tty',
  'user',
  'volumes',
  'working_dir',
]);

/** Top-level keys with no mapping. */
export const UNSUPPORTED_TOP_KEYS: Record<string, string> = {
  include: 'included projects are not loaded: pass their files with -f instead',
  models: 'AI model runners are not supported',
};

/** `deploy` keys mapped; the others are warned about. */
export const MAPPED_DEPLOY_KEYS = new Set(['mode', 'replicas', 'resources', 'restart_policy', 'labels']);
export const DEPLOY_MESSAGES: Record<string, string> = {
  endpoint_mode: 'Services always get a virtual IP (dnsrr has no equivalent)',
  placement: 'placement constraints and preferences are not translated to node affinity',
  rollback_config: 'rollbacks are `kubectl rollout undo`',
  update_config: 'rolling updates use the Deployment defaults (25% surge/unavailable)',
};

/** Top-level network keys mapped (membership becomes NetworkPolicies); the rest are warned about. */
export const MAPPED_NETWORK_KEYS = new Set(['name', 'external', 'labels', 'driver']);
/** Top-level volume keys mapped to a PersistentVolumeClaim. */
export const MAPPED_VOLUME_KEYS = new Set(['name', 'external', 'labels', 'driver']);
/** Top-level config/secret keys mapped to a ConfigMap/Secret. */
export const MAPPED_CONFIG_KEYS = new Set(['name', 'file', 'content', 'environment', 'external', 'labels']);
