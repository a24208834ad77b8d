// ServiceAccount admission: a pod without a service account runs as `default`, and unless the pod
// or its service account opts out (automountServiceAccountToken: false) it gets upstream's
// projected `kube-api-access-<5 chars>` volume — a bound token, the cluster CA (ConfigMap
// kube-root-ca.crt) and the namespace — mounted read-only in every container. A pod without
// imagePullSecrets takes its service account's.
import { randomInt } from 'node:crypto';
import type { KObject } from '../../api/object.ts';
import type { ObjectLookup } from '../authn/service-account-token.ts';
import type { AdmissionAttributes, AdmissionPlugin } from '../registry/admission.ts';
import { isCorePod } from './forbidden.ts';

export const DEFAULT_SERVICE_ACCOUNT = 'default';
export const TOKEN_VOLUME_PREFIX = 'kube-api-access-';
export const TOKEN_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
/** 3600 s plus upstream's 7 s of jitter headroom: the kubelet refreshes the token well before. */
export const PROJECTED_TOKEN_EXPIRATION_SECONDS = 3607;
const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';
/** upstream's utilrand alphabet: no vowels (no words), no confusable characters. */
const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const SUFFIX_LENGTH = 5;
const DEFAULT_MODE = 0o644;

export class ServiceAccountAdmission implements AdmissionPlugin {
  readonly name = 'ServiceAccount';
  readonly #serviceAccounts: ObjectLookup;

  constructor(serviceAccounts: ObjectLookup) {
    this.#serviceAccounts = serviceAccounts;
  }

  admit(a: AdmissionAttributes): void {
    if (a.operation !== 'CREATE' || a.subresource || !isCorePod(a) || !a.obj) return;
    const pod = a.obj;
    if (pod.metadata?.annotations?.[MIRROR_POD_ANNOTATION] !== undefined) return;
    pod.spec ??= {};
    const spec: KObject = pod.spec;
    spec.serviceAccountName ||= spec.serviceAccount || DEFAULT_SERVICE_ACCOUNT;
    const sa = this.#serviceAccounts.get(a.namespace, spec.serviceAccountName)?.obj;
    // A pod naming no pull secrets gets its service account's (by name, as upstream copies them).
    const saPullSecrets = Array.isArray(sa?.imagePullSecrets) ? (sa.imagePullSecrets as KObject[]) : [];
    if (!(Array.isArray(spec.imagePullSecrets) && spec.imagePullSecrets.length) && saPullSecrets.length) {
      spec.imagePullSecrets = saPullSecrets.map((r) => ({ name: r?.name }));
    }
    const automount = spec.automountServiceAccountToken ?? sa?.automountServiceAccountToken ?? true;
    if (automount === false) return;
    mountToken(spec);
  }
}

export function mountToken(spec: KObject): void {
  const volumes: KObject[] = Array.isArray(spec.volumes) ? spec.volumes : [];
  const containers = [spec.initContainers, spec.containers].flatMap((l) =>
    Array.isArray(l) ? (l as KObject[]) : [],
  );
  // A pod that already mounts something at the token path keeps it (upstream does the same).
  const mountsPath = (c: KObject) =>
    (Array.isArray(c.volumeMounts) ? (c.volumeMounts as KObject[]) : []).some(
      (m) => m.mountPath === TOKEN_MOUNT_PATH,
    );
  const existing = volumes.find((v) => String(v.name ?? '').startsWith(TOKEN_VOLUME_PREFIX));
  const name = existing?.name ?? `${TOKEN_VOLUME_PREFIX}${randomSuffix()}`;
  if (!existing) {
    volumes.push({
      name,
      projected: {
        defaultMode: DEFAULT_MODE,
        sources: [
          { serviceAccountToken: { expirationSeconds: PROJECTED_TOKEN_EXPIRATION_SECONDS, path: 'token' } },
          { configMap: { name: ROOT_CA_CONFIGMAP, items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
          {
            downwardAPI: {
              items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }],
            },
          },
        ],
      },
    });
    spec.volumes = volumes;
  }
  for (const c of containers) {
    if (mountsPath(c)) continue;
    c.volumeMounts = [
      ...(Array.isArray(c.volumeMounts) ? c.volumeMounts : []),
      { name, readOnly: true, mountPath: TOKEN_MOUNT_PATH },
    ];
  }
}

function randomSuffix(): string {
  let s = '';
  for (let i = 0; i < SUFFIX_LENGTH; i++) s += SUFFIX_ALPHABET[randomInt(SUFFIX_ALPHABET.length)];
  return s;
}
