// The Node authorizer (upstream's plugin/pkg/auth/authorizer/node): a node (user
// `system:node:<name>` in group system:nodes) may do what NODE_RULES allow, but may read a Secret,
// ConfigMap or PersistentVolumeClaim — or mint a service-account token — only when a pod bound to
// it references that object. The graph is derived from the pods watch cache, rebuilt after pods
// changed and only when a node asks.
import type { KObject } from '../../api/object.ts';
import type { UserInfo } from '../registry/context.ts';
import { NODE_RULES, NODES_GROUP } from './default-policy.ts';
import { rulesAllow } from './rule-match.ts';
import { ALLOW, type Authorizer, type AuthzAttributes, type AuthzResult, NO_OPINION } from './types.ts';
import type { ObjectSource } from './watched-resource.ts';

export const NODE_USER_PREFIX = 'system:node:';
/** Resources whose reads follow the node → pod → object graph. */
const GRAPH_RESOURCES = new Set(['secrets', 'configmaps', 'persistentvolumeclaims']);

/** The node a user is, or undefined when it is not a node identity. */
export function nodeNameOf(user: UserInfo): string | undefined {
  if (!user.username.startsWith(NODE_USER_PREFIX) || !user.groups.includes(NODES_GROUP)) return undefined;
  const name = user.username.slice(NODE_USER_PREFIX.length);
  return name || undefined;
}

export class NodeAuthorizer implements Authorizer {
  readonly #pods: ObjectSource;
  #builtAt = -1;
  /** node → `resource/namespace/name` of everything its pods reference. */
  #graph = new Map<string, Set<string>>();

  constructor(pods: ObjectSource) {
    this.#pods = pods;
  }

  authorize(a: AuthzAttributes): AuthzResult {
    const node = nodeNameOf(a.user);
    if (!node) return NO_OPINION;
    if (a.resourceRequest && a.apiGroup === '') {
      const graphed =
        (GRAPH_RESOURCES.has(a.resource) && !a.subresource) ||
        (a.resource === 'serviceaccounts' && a.subresource === 'token');
      if (graphed) {
        const verbOk = a.subresource === 'token' ? a.verb === 'create' : a.verb === 'get';
        if (!verbOk || !a.name)
          return { decision: 'noOpinion', reason: 'can only get individual resources of this type' };
        if (this.#references(node, a.resource, a.namespace, a.name)) return ALLOW;
        return {
          decision: 'noOpinion',
          reason: `no relationship found between node '${node}' and this object`,
        };
      }
    }
    return rulesAllow(a, NODE_RULES) ? ALLOW : NO_OPINION;
  }

  #references(node: string, resource: string, namespace: string, name: string): boolean {
    if (this.#builtAt !== this.#pods.version) {
      this.#builtAt = this.#pods.version;
      const graph = new Map<string, Set<string>>();
      for (const e of this.#pods.items()) {
        const n = e.obj.spec?.nodeName;
        if (!n) continue;
        let refs = graph.get(n);
        if (!refs) {
          refs = new Set();
          graph.set(n, refs);
        }
        podReferences(e.obj, refs);
      }
      this.#graph = graph;
    }
    return this.#graph.get(node)?.has(`${resource}/${namespace}/${name}`) ?? false;
  }
}

/** Everything a pod makes its node read: volumes, env, envFrom, pull secrets, its service account. */
export function podReferences(pod: KObject, out: Set<string>): void {
  const ns = pod.metadata?.namespace ?? '';
  const add = (resource: string, name: unknown) => {
    if (typeof name === 'string' && name) out.add(`${resource}/${ns}/${name}`);
  };
  const spec = pod.spec ?? {};
  add('serviceaccounts', spec.serviceAccountName);
  for (const s of list(spec.imagePullSecrets)) add('secrets', s.name);
  for (const v of list(spec.volumes)) {
    add('secrets', v.secret?.secretName);
    add('configmaps', v.configMap?.name);
    add('persistentvolumeclaims', v.persistentVolumeClaim?.claimName);
    add('secrets', v.csi?.nodePublishSecretRef?.name);
    for (const src of list(v.projected?.sources)) {
      add('secrets', src.secret?.name);
      add('configmaps', src.configMap?.name);
    }
  }
  for (const c of [
    ...list(spec.initContainers),
    ...list(spec.containers),
    ...list(spec.ephemeralContainers),
  ]) {
    for (const e of list(c.env)) {
      add('secrets', e.valueFrom?.secretKeyRef?.name);
      add('configmaps', e.valueFrom?.configMapKeyRef?.name);
    }
    for (const e of list(c.envFrom)) {
      add('secrets', e.secretRef?.name);
      add('configmaps', e.configMapRef?.name);
    }
  }
}

const list = (v: unknown): KObject[] => (Array.isArray(v) ? (v as KObject[]) : []);
