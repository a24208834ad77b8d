// Pod defaulting as upstream's core/v1 defaults: `defaultPodSpec` is what every pod template gets
// (Deployments, Jobs, …); `defaultPod` adds what only real Pods get — SetDefaults_Pod and the
// admission plugins skiff has no separate plugin for yet (ServiceAccount, DefaultTolerationSeconds,
// Priority).
import type { KObject } from '../../object.ts';
import { canonicalizeResourceList } from './resource-list.ts';

export const DEFAULT_TERMINATION_GRACE_SECONDS = 30;
export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';
export const TERMINATION_MESSAGE_PATH = '/dev/termination-log';
export const DEFAULT_SERVICE_ACCOUNT = 'default';
/** 0644: what secret, configMap, downwardAPI and projected volumes default their files to. */
export const DEFAULT_VOLUME_MODE = 0o644;
export const DEFAULT_TOKEN_EXPIRATION_SECONDS = 3600;
/** DefaultTolerationSeconds admission: how long pods stay on a not-ready/unreachable node. */
export const DEFAULT_NODE_TOLERATION_SECONDS = 300;
export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
/** Priority admission: pods without a class, and the two built-in system classes. */
export const DEFAULT_PRIORITY = 0;
export const SYSTEM_PRIORITY_CLASSES: Record<string, number> = {
  'system-cluster-critical': 2_000_000_000,
  'system-node-critical': 2_000_001_000,
};
export const PREEMPT_LOWER_PRIORITY = 'PreemptLowerPriority';

const PROBE_DEFAULTS = { timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 };
export const VOLUME_SOURCES = [
  'hostPath',
  'emptyDir',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'secret',
  'nfs',
  'iscsi',
  'glusterfs',
  'persistentVolumeClaim',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'downwardAPI',
  'fc',
  'azureFile',
  'configMap',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'projected',
  'portworxVolume',
  'scaleIO',
  'storageos',
  'csi',
  'ephemeral',
  'image',
];

/** SetDefaults_PodSpec and everything nested in it (containers, volumes, probes). */
export function defaultPodSpec(spec: KObject): void {
  spec.dnsPolicy ||= 'ClusterFirst';
  spec.restartPolicy ||= 'Always';
  spec.securityContext ??= {};
  spec.terminationGracePeriodSeconds ??= DEFAULT_TERMINATION_GRACE_SECONDS;
  spec.schedulerName ||= DEFAULT_SCHEDULER_NAME;
  // v1's deprecated serviceAccount mirrors serviceAccountName (conversion does this upstream).
  if (!spec.serviceAccountName && spec.serviceAccount) spec.serviceAccountName = spec.serviceAccount;
  if (spec.serviceAccountName) spec.serviceAccount = spec.serviceAccountName;
  for (const c of asList(spec.initContainers)) defaultContainer(c);
  for (const c of asList(spec.containers)) defaultContainer(c);
  for (const c of asList(spec.ephemeralContainers)) defaultContainer(c);
  for (const v of asList(spec.volumes)) defaultVolume(v);
}

/** What only Pods get (not templates): SetDefaults_Pod plus the create-time admission defaults. */
export function defaultPod(pod: KObject): void {
  pod.spec ??= {};
  const spec = pod.spec;
  // Limits without requests: the requests are the limits.
  for (const c of [...asList(spec.containers), ...asList(spec.initContainers)]) {
    const limits = c.resources?.limits;
    if (limits && typeof limits === 'object') {
      c.resources.requests ??= {};
      for (const [k, v] of Object.entries(limits))
        if (!(k in c.resources.requests)) c.resources.requests[k] = v;
    }
  }
  spec.enableServiceLinks ??= true;
  if (spec.hostNetwork) {
    for (const c of [...asList(spec.containers), ...asList(spec.initContainers)]) {
      for (const p of asList(c.ports)) if (!p.hostPort) p.hostPort = p.containerPort;
    }
  }
  spec.serviceAccountName ||= spec.serviceAccount || DEFAULT_SERVICE_ACCOUNT;
  defaultPodSpec(spec);
  spec.tolerations = withDefaultTolerations(asList(spec.tolerations));
  if (spec.priority === undefined) {
    const cls = spec.priorityClassName;
    if (!cls) spec.priority = DEFAULT_PRIORITY;
    else if (cls in SYSTEM_PRIORITY_CLASSES) spec.priority = SYSTEM_PRIORITY_CLASSES[cls];
  }
  spec.preemptionPolicy ??= PREEMPT_LOWER_PRIORITY;
}

function withDefaultTolerations(tolerations: KObject[]): KObject[] {
  const tolerates = (taint: string) =>
    tolerations.some((t) => (t.key === taint || !t.key) && (t.effect === 'NoExecute' || !t.effect));
  const out = [...tolerations];
  for (const taint of [TAINT_NOT_READY, TAINT_UNREACHABLE]) {
    if (!tolerates(taint)) {
      out.push({
        key: taint,
        operator: 'Exists',
        effect: 'NoExecute',
        tolerationSeconds: DEFAULT_NODE_TOLERATION_SECONDS,
      });
    }
  }
  return out;
}

export function defaultContainer(c: KObject): void {
  c.imagePullPolicy ||= imageTag(c.image) === 'latest' ? 'Always' : 'IfNotPresent';
  c.terminationMessagePath ||= TERMINATION_MESSAGE_PATH;
  c.terminationMessagePolicy ||= 'File';
  c.resources ??= {};
  if (c.resources.limits) c.resources.limits = canonicalizeResourceList(c.resources.limits);
  if (c.resources.requests) c.resources.requests = canonicalizeResourceList(c.resources.requests);
  for (const p of asList(c.ports)) p.protocol ||= 'TCP';
  for (const e of asList(c.env)) defaultEnvSource(e.valueFrom);
  for (const probe of [c.livenessProbe, c.readinessProbe, c.startupProbe]) {
    if (probe && typeof probe === 'object') defaultProbe(probe);
  }
  for (const hook of [c.lifecycle?.postStart, c.lifecycle?.preStop]) {
    if (hook?.httpGet) defaultHttpGet(hook.httpGet);
  }
}

function defaultEnvSource(from: KObject | undefined): void {
  if (!from) return;
  if (from.fieldRef) from.fieldRef.apiVersion ||= 'v1';
  if (from.resourceFieldRef) from.resourceFieldRef.divisor ??= '0';
}

function defaultProbe(probe: KObject): void {
  for (const [k, v] of Object.entries(PROBE_DEFAULTS)) if (!probe[k]) probe[k] = v;
  if (probe.httpGet) defaultHttpGet(probe.httpGet);
}

function defaultHttpGet(h: KObject): void {
  h.path ||= '/';
  h.scheme ||= 'HTTP';
}

export function defaultVolume(v: KObject): void {
  if (!VOLUME_SOURCES.some((s) => v[s] !== undefined && v[s] !== null)) v.emptyDir = {};
  for (const s of ['secret', 'configMap', 'downwardAPI', 'projected']) {
    if (v[s] && typeof v[s] === 'object') v[s].defaultMode ??= DEFAULT_VOLUME_MODE;
  }
  for (const item of asList(v.downwardAPI?.items)) if (item.fieldRef) item.fieldRef.apiVersion ||= 'v1';
  for (const src of asList(v.projected?.sources)) {
    if (src.serviceAccountToken)
      src.serviceAccountToken.expirationSeconds ??= DEFAULT_TOKEN_EXPIRATION_SECONDS;
    for (const item of asList(src.downwardAPI?.items)) if (item.fieldRef) item.fieldRef.apiVersion ||= 'v1';
  }
  if (v.hostPath && typeof v.hostPath === 'object') v.hostPath.type ??= '';
}

/**
 * The tag an image reference names (`latest` when it names neither tag nor digest), as
 * upstream's ParseImageName; '' for a digest-only or unparsable reference.
 */
export function imageTag(image: unknown): string {
  if (typeof image !== 'string' || image === '' || /\s/.test(image)) return '';
  const at = image.indexOf('@');
  const name = at >= 0 ? image.slice(0, at) : image;
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  const tag = colon > slash ? name.slice(colon + 1) : '';
  const repo = colon > slash ? name.slice(0, colon) : name;
  // Repository paths are lower case; a reference that is not parses as an error upstream.
  const path =
    repo.includes('/') && /[.:]|^localhost$/.test(repo.split('/')[0])
      ? repo.slice(repo.indexOf('/') + 1)
      : repo;
  if (path === '' || /[A-Z]/.test(path)) return '';
  if (tag) return tag;
  return at >= 0 ? '' : 'latest';
}

export const asList = (v: unknown): KObject[] => (Array.isArray(v) ? (v as KObject[]) : []);
