// NamespaceLifecycle: the system namespaces cannot be deleted. (Creates in a missing or
// terminating namespace are refused by the ResourceStore itself, with upstream's messages.)
import type { AdmissionAttributes, AdmissionPlugin } from '../registry/admission.ts';
import { admissionForbidden } from './forbidden.ts';

export const IMMORTAL_NAMESPACES = new Set(['default', 'kube-system', 'kube-public']);

export class NamespaceLifecycle implements AdmissionPlugin {
  readonly name = 'NamespaceLifecycle';

  validate(a: AdmissionAttributes): void {
    if (a.operation !== 'DELETE' || a.kind.group !== '' || a.kind.kind !== 'Namespace') return;
    if (IMMORTAL_NAMESPACES.has(a.name)) throw admissionForbidden(a, 'this namespace may not be deleted');
  }
}
