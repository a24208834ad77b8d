// Fetches the ConfigMaps and Secrets a container's env refers to, so buildEnv can stay synchronous
// and pure. A missing object is simply absent (buildEnv decides whether that is an error).
import type { ConfigMap, Container, Pod, Secret } from 'kubernetes-types/core/v1.d.ts';
import type { KObject } from '../api/object.ts';
import { CONFIGMAPS, isNotFound, type RestClient } from '../client/index.ts';
import type { ConfigSource } from './container-env.ts';

const SECRETS = { group: '', version: 'v1', resource: 'secrets', namespaced: true, kind: 'Secret' };

export function referencedNames(c: Container): { configMaps: Set<string>; secrets: Set<string> } {
  const configMaps = new Set<string>();
  const secrets = new Set<string>();
  for (const f of c.envFrom ?? []) {
    if (f.configMapRef?.name) configMaps.add(f.configMapRef.name);
    if (f.secretRef?.name) secrets.add(f.secretRef.name);
  }
  for (const e of c.env ?? []) {
    if (e.valueFrom?.configMapKeyRef?.name) configMaps.add(e.valueFrom.configMapKeyRef.name);
    if (e.valueFrom?.secretKeyRef?.name) secrets.add(e.valueFrom.secretKeyRef.name);
  }
  return { configMaps, secrets };
}

async function getOrUndefined(client: RestClient, ref: typeof SECRETS, ns: string, name: string) {
  try {
    return await client.resource<KObject>(ref, ns).get(name);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** ConfigMaps and Secrets the pod's volumes (including projected sources) refer to. */
export function volumeNames(pod: Pod): { configMaps: Set<string>; secrets: Set<string> } {
  const configMaps = new Set<string>();
  const secrets = new Set<string>();
  for (const v of pod.spec?.volumes ?? []) {
    if (v.configMap?.name) configMaps.add(v.configMap.name);
    if (v.secret?.secretName) secrets.add(v.secret.secretName);
    for (const s of v.projected?.sources ?? []) {
      if (s.configMap?.name) configMaps.add(s.configMap.name);
      if (s.secret?.name) secrets.add(s.secret.name);
    }
  }
  return { configMaps, secrets };
}

/** Fetches everything the pod's containers (env) and volumes refer to. */
export async function loadConfigSource(client: RestClient, pod: Pod): Promise<ConfigSource> {
  const namespace = pod.metadata?.namespace ?? 'default';
  const cms = new Map<string, ConfigMap>();
  const secrets = new Map<string, Secret>();
  const all = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map(referencedNames);
  all.push(volumeNames(pod));
  for (const names of all) {
    for (const n of names.configMaps) {
      const o = await getOrUndefined(client, CONFIGMAPS as typeof SECRETS, namespace, n);
      if (o) cms.set(n, o as ConfigMap);
    }
    for (const n of names.secrets) {
      const o = await getOrUndefined(client, SECRETS, namespace, n);
      if (o) secrets.set(n, o as Secret);
    }
  }
  return {
    configMap: (ns, name) => (ns === namespace ? cms.get(name) : undefined),
    secret: (ns, name) => (ns === namespace ? secrets.get(name) : undefined),
  };
}
