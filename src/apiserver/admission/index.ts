// The admission plugins skiff runs, in kube-apiserver's order (NamespaceLifecycle, LimitRanger,
// ServiceAccount, NodeRestriction, Priority, PodSecurity, …, ResourceQuota last so it counts what
// the others defaulted). Plugins read the apiserver's watch caches through WatchedResources.
import type { KObject } from '../../api/object.ts';
import { EscalationCheck } from '../authz/escalation.ts';
import type { AuthorizationChain } from '../authz/index.ts';
import type { WatchedResource } from '../authz/watched-resource.ts';
import type { AdmissionPlugin } from '../registry/admission.ts';
import { CsrRequester } from './csr-requester.ts';
import { DefaultStorageClass } from './default-storage-class.ts';
import { LimitRanger } from './limit-ranger.ts';
import { NamespaceLifecycle } from './namespace-lifecycle.ts';
import { NodeRestriction } from './node-restriction.ts';
import { PodSecurityAdmission } from './pod-security.ts';
import { PriorityAdmission } from './priority.ts';
import { ResourceQuotaAdmission } from './resource-quota.ts';
import { ServiceAccountAdmission } from './service-account.ts';

export interface SecurityAdmissionDeps {
  watched(group: string, resource: string): WatchedResource;
  /** Absent: authorization is off, so no escalation checks either. */
  authz?: AuthorizationChain;
  objects(group: string, plural: string, namespace: string): Promise<KObject[]>;
  writeQuotaStatus(namespace: string, name: string, status: KObject): Promise<void>;
  onError(err: unknown): void;
}

export interface SecurityPlugins {
  /** Run before the built-in allocation plugins. */
  before: AdmissionPlugin[];
  /** Run after them (ResourceQuota last). */
  after: AdmissionPlugin[];
  quota: ResourceQuotaAdmission;
}

function inNamespace(w: WatchedResource, namespace: string): KObject[] {
  const out: KObject[] = [];
  for (const e of w.items()) if (e.namespace === namespace) out.push(e.obj);
  return out;
}

export function securityAdmission(d: SecurityAdmissionDeps): SecurityPlugins {
  const sas = d.watched('', 'serviceaccounts');
  const limitRanges = d.watched('', 'limitranges');
  const quotas = d.watched('', 'resourcequotas');
  const namespaces = d.watched('', 'namespaces');
  const classes = d.watched('scheduling.k8s.io', 'priorityclasses');
  const storageClasses = d.watched('storage.k8s.io', 'storageclasses');
  const quota = new ResourceQuotaAdmission({
    quotas: (ns) => inNamespace(quotas, ns),
    objects: d.objects,
    writeStatus: d.writeQuotaStatus,
    onError: d.onError,
  });
  const before: AdmissionPlugin[] = [
    new NamespaceLifecycle(),
    new LimitRanger((ns) => inNamespace(limitRanges, ns)),
    new ServiceAccountAdmission(sas),
    new NodeRestriction(),
    new CsrRequester(),
    new PriorityAdmission({
      get: (name) => classes.get('', name)?.obj,
      all: () => [...classes.items()].map((e) => e.obj),
    }),
    new PodSecurityAdmission((name) => namespaces.get('', name)?.obj),
    new DefaultStorageClass(() => [...storageClasses.items()].map((e) => e.obj)),
  ];
  const after: AdmissionPlugin[] = [];
  if (d.authz) after.push(new EscalationCheck(d.authz, d.authz.rbac));
  after.push(quota);
  return { before, after, quota };
}
