// NodeRestriction: a node identity (system:node:<name>) may only change its own Node and Lease,
// only write status for pods bound to it, only create mirror pods bound to itself and only delete
// pods bound to it — the writes the Node authorizer lets through are narrowed here, with upstream's
// messages.

import { nodeNameOf } from '../authz/node-authorizer.ts';
import type { AdmissionAttributes, AdmissionPlugin } from '../registry/admission.ts';
import { admissionForbidden } from './forbidden.ts';

const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';
const NODE_LEASE_NAMESPACE = 'kube-node-lease';

export class NodeRestriction implements AdmissionPlugin {
  readonly name = 'NodeRestriction';

  validate(a: AdmissionAttributes): void {
    const node = nodeNameOf(a.ctx.user);
    if (!node) return;
    const target = a.obj ?? a.old;
    const { group, plural } = a.kind;
    if (group === '' && plural === 'nodes') {
      if (a.name !== node)
        throw admissionForbidden(a, `node "${node}" is not allowed to modify node "${a.name}"`);
      return;
    }
    if (group === 'coordination.k8s.io' && plural === 'leases') {
      if (a.namespace !== NODE_LEASE_NAMESPACE || a.name !== node) {
        throw admissionForbidden(a, `can only access node lease with the same name as the requesting node`);
      }
      return;
    }
    if (group === '' && plural === 'pods') {
      const bound = a.old?.spec?.nodeName ?? target?.spec?.nodeName;
      if (a.operation === 'CREATE' && !a.subresource) {
        if (target?.metadata?.annotations?.[MIRROR_POD_ANNOTATION] === undefined)
          throw admissionForbidden(
            a,
            `pod does not have "${MIRROR_POD_ANNOTATION}" annotation, node "${node}" can only create mirror pods`,
          );
        if (target?.spec?.nodeName !== node)
          throw admissionForbidden(a, `node "${node}" can only create pods with spec.nodeName set to itself`);
        return;
      }
      if (a.subresource === 'status' && bound !== node)
        throw admissionForbidden(
          a,
          `node "${node}" can only update pod status for pods with spec.nodeName set to itself`,
        );
      if (a.operation === 'DELETE' && bound !== node)
        throw admissionForbidden(a, `node "${node}" can only delete pods with spec.nodeName set to itself`);
    }
  }
}
