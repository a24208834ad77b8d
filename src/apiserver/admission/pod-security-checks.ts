// The Pod Security Standards checks (k8s.io/pod-security-admission/policy) for the baseline and
// restricted levels, each returning upstream's forbidden reason and detail. Checks run in upstream's
// order (baseline, then restricted; by check id within a level) so messages read the same.
import type { KObject } from '../../api/object.ts';

export type Level = 'privileged' | 'baseline' | 'restricted';

export interface Violation {
  reason: string;
  detail: string;
}

type Check = (spec: KObject, meta: KObject) => Violation | undefined;

const joinQuote = (items: readonly string[]): string => (items.length ? `"${items.join('", "')}"` : '');
const pluralize = (one: string, many: string, n: number): string => (n === 1 ? one : many);
const containersPhrase = (names: string[]): string =>
  `${pluralize('container', 'containers', names.length)} ${joinQuote(names)}`;
const list = (v: unknown): KObject[] => (Array.isArray(v) ? (v as KObject[]) : []);
const allContainers = (spec: KObject): KObject[] => [
  ...list(spec.initContainers),
  ...list(spec.containers),
  ...list(spec.ephemeralContainers),
];
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
const names = (cs: KObject[]): string[] => cs.map((c) => String(c.name ?? ''));

/** Capabilities a container may add at the baseline level (the runtime's default set). */
const BASELINE_CAPABILITIES = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);
/** Sysctls safe to set at the baseline level. */
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
]);
/** Volume types allowed at the restricted level. */
const RESTRICTED_VOLUME_TYPES = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
  'image',
]);

const capabilitiesBaseline: Check = (spec) => {
  const bad: string[] = [];
  const caps = new Set<string>();
  for (const c of allContainers(spec)) {
    const added = strs(c.securityContext?.capabilities?.add);
    const forbidden = added.filter((x) => !BASELINE_CAPABILITIES.has(x));
    if (forbidden.length) {
      bad.push(c.name);
      for (const x of forbidden) caps.add(x);
    }
  }
  if (!bad.length) return undefined;
  return {
    reason: 'non-default capabilities',
    detail: `${containersPhrase(bad)} must not include ${joinQuote([...caps].sort())} in securityContext.capabilities.add`,
  };
};

const hostNamespaces: Check = (spec) => {
  const set = ['hostNetwork', 'hostPID', 'hostIPC'].filter((f) => spec[f] === true).map((f) => `${f}=true`);
  return set.length ? { reason: 'host namespaces', detail: set.join(', ') } : undefined;
};

const hostPathVolumes: Check = (spec) => {
  const bad = list(spec.volumes)
    .filter((v) => v.hostPath)
    .map((v) => String(v.name));
  return bad.length
    ? {
        reason: 'hostPath volumes',
        detail: `${pluralize('volume', 'volumes', bad.length)} ${joinQuote(bad)}`,
      }
    : undefined;
};

const hostPorts: Check = (spec) => {
  const bad: string[] = [];
  const ports: string[] = [];
  for (const c of allContainers(spec)) {
    const used = list(c.ports)
      .filter((p) => p.hostPort)
      .map((p) => String(p.hostPort));
    if (used.length) {
      bad.push(c.name);
      ports.push(...used);
    }
  }
  if (!bad.length) return undefined;
  return {
    reason: 'hostPort',
    detail: `${containersPhrase(bad)} ${pluralize('uses', 'use', bad.length)} ${pluralize('hostPort', 'hostPorts', ports.length)} ${ports.join(', ')}`,
  };
};

const privileged: Check = (spec) => {
  const bad = names(allContainers(spec).filter((c) => c.securityContext?.privileged === true));
  return bad.length
    ? {
        reason: 'privileged',
        detail: `${containersPhrase(bad)} must not set securityContext.privileged=true`,
      }
    : undefined;
};

const procMount: Check = (spec) => {
  const bad = allContainers(spec).filter((c) => {
    const p = c.securityContext?.procMount;
    return p !== undefined && p !== 'Default';
  });
  if (!bad.length) return undefined;
  const values = [...new Set(bad.map((c) => String(c.securityContext.procMount)))];
  return {
    reason: 'procMount',
    detail: `${containersPhrase(names(bad))} must not set securityContext.procMount to ${joinQuote(values)}`,
  };
};

const seccompBaseline: Check = (spec) => {
  const setters: string[] = [];
  if (spec.securityContext?.seccompProfile?.type === 'Unconfined') setters.push('pod');
  const bad = names(
    allContainers(spec).filter((c) => c.securityContext?.seccompProfile?.type === 'Unconfined'),
  );
  if (bad.length) setters.push(containersPhrase(bad));
  return setters.length
    ? {
        reason: 'seccompProfile',
        detail: `${setters.join(' and ')} must not set securityContext.seccompProfile.type to "Unconfined"`,
      }
    : undefined;
};

const sysctls: Check = (spec) => {
  const bad = list(spec.securityContext?.sysctls)
    .map((s) => String(s.name))
    .filter((n) => !SAFE_SYSCTLS.has(n));
  return bad.length ? { reason: 'forbidden sysctls', detail: bad.join(', ') } : undefined;
};

const allowPrivilegeEscalation: Check = (spec) => {
  const bad = names(allContainers(spec).filter((c) => c.securityContext?.allowPrivilegeEscalation !== false));
  return bad.length
    ? {
        reason: 'allowPrivilegeEscalation != false',
        detail: `${containersPhrase(bad)} must set securityContext.allowPrivilegeEscalation=false`,
      }
    : undefined;
};

const capabilitiesRestricted: Check = (spec) => {
  const missingDrop: string[] = [];
  const adding: string[] = [];
  const caps = new Set<string>();
  for (const c of allContainers(spec)) {
    const capabilities = c.securityContext?.capabilities;
    if (!capabilities) {
      missingDrop.push(c.name);
      continue;
    }
    if (!strs(capabilities.drop).includes('ALL')) missingDrop.push(c.name);
    const forbidden = strs(capabilities.add).filter((x) => x !== 'NET_BIND_SERVICE');
    if (forbidden.length) {
      adding.push(c.name);
      for (const x of forbidden) caps.add(x);
    }
  }
  const details: string[] = [];
  if (missingDrop.length)
    details.push(`${containersPhrase(missingDrop)} must set securityContext.capabilities.drop=["ALL"]`);
  if (adding.length)
    details.push(
      `${containersPhrase(adding)} must not include ${joinQuote([...caps].sort())} in securityContext.capabilities.add`,
    );
  return details.length ? { reason: 'unrestricted capabilities', detail: details.join('; ') } : undefined;
};

const restrictedVolumes: Check = (spec) => {
  const bad: string[] = [];
  const types = new Set<string>();
  for (const v of list(spec.volumes)) {
    const type = Object.keys(v).find((k) => k !== 'name');
    if (type && !RESTRICTED_VOLUME_TYPES.has(type)) {
      bad.push(String(v.name));
      types.add(type);
    }
  }
  if (!bad.length) return undefined;
  const t = [...types].sort();
  return {
    reason: 'restricted volume types',
    detail: `${pluralize('volume', 'volumes', bad.length)} ${joinQuote(bad)} ${pluralize('uses', 'use', bad.length)} restricted volume ${pluralize('type', 'types', t.length)} ${joinQuote(t)}`,
  };
};

const runAsNonRoot: Check = (spec) => {
  const setters: string[] = [];
  let podNonRoot = false;
  const podValue = spec.securityContext?.runAsNonRoot;
  if (podValue === false) setters.push('pod');
  else if (podValue === true) podNonRoot = true;
  const explicit: string[] = [];
  const implicit: string[] = [];
  for (const c of allContainers(spec)) {
    const v = c.securityContext?.runAsNonRoot;
    if (v === false) explicit.push(c.name);
    else if (v === undefined && !podNonRoot) implicit.push(c.name);
  }
  if (explicit.length) setters.push(containersPhrase(explicit));
  if (setters.length)
    return {
      reason: 'runAsNonRoot != true',
      detail: `${setters.join(' and ')} must not set securityContext.runAsNonRoot=false`,
    };
  if (implicit.length)
    return {
      reason: 'runAsNonRoot != true',
      detail: `pod or ${containersPhrase(implicit)} must set securityContext.runAsNonRoot=true`,
    };
  return undefined;
};

const runAsUser: Check = (spec) => {
  const setters: string[] = [];
  if (spec.securityContext?.runAsUser === 0) setters.push('pod');
  const bad = names(allContainers(spec).filter((c) => c.securityContext?.runAsUser === 0));
  if (bad.length) setters.push(containersPhrase(bad));
  return setters.length
    ? { reason: 'runAsUser=0', detail: `${setters.join(' and ')} must not set runAsUser=0` }
    : undefined;
};

const seccompRestricted: Check = (spec) => {
  const ok = (t: unknown) => t === 'RuntimeDefault' || t === 'Localhost';
  const podType = spec.securityContext?.seccompProfile?.type;
  const setters: string[] = [];
  if (podType !== undefined && !ok(podType)) setters.push('pod');
  const explicit: string[] = [];
  const implicit: string[] = [];
  const badValues = new Set<string>();
  if (podType !== undefined && !ok(podType)) badValues.add(String(podType));
  for (const c of allContainers(spec)) {
    const t = c.securityContext?.seccompProfile?.type;
    if (t !== undefined && !ok(t)) {
      explicit.push(c.name);
      badValues.add(String(t));
    } else if (t === undefined && !ok(podType)) implicit.push(c.name);
  }
  if (explicit.length) setters.push(containersPhrase(explicit));
  if (setters.length)
    return {
      reason: 'seccompProfile',
      detail: `${setters.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote([...badValues].sort())}`,
    };
  if (implicit.length)
    return {
      reason: 'seccompProfile',
      detail: `pod or ${containersPhrase(implicit)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`,
    };
  return undefined;
};

const BASELINE_CHECKS: Check[] = [
  capabilitiesBaseline,
  hostNamespaces,
  hostPathVolumes,
  hostPorts,
  privileged,
  procMount,
  seccompBaseline,
  sysctls,
];
const RESTRICTED_CHECKS: Check[] = [
  allowPrivilegeEscalation,
  capabilitiesRestricted,
  restrictedVolumes,
  runAsNonRoot,
  runAsUser,
  seccompRestricted,
];

/** Every violation of a pod spec against a level, in upstream's order. */
export function evaluatePodSpec(level: Level, spec: KObject, meta: KObject = {}): Violation[] {
  if (level === 'privileged') return [];
  const checks = level === 'restricted' ? [...BASELINE_CHECKS, ...RESTRICTED_CHECKS] : BASELINE_CHECKS;
  const out: Violation[] = [];
  for (const check of checks) {
    const v = check(spec, meta);
    if (v) out.push(v);
  }
  return out;
}

/** `host namespaces (hostNetwork=true), privileged (container "c" must not …)` */
export const formatViolations = (vs: Violation[]): string =>
  vs.map((v) => `${v.reason} (${v.detail})`).join(', ');
