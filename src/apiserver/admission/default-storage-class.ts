// DefaultStorageClass admission: a PersistentVolumeClaim created without spec.storageClassName
// gets the cluster's default StorageClass (annotation storageclass.kubernetes.io/is-default-class
// "true"; with several, the newest wins, as upstream since 1.26). An explicit "" stays "".
import type { KObject } from '../../api/object.ts';
import type { AdmissionAttributes, AdmissionPlugin } from '../registry/admission.ts';

export const ANN_DEFAULT_CLASS = 'storageclass.kubernetes.io/is-default-class';

export class DefaultStorageClass implements AdmissionPlugin {
  readonly name = 'DefaultStorageClass';
  readonly #classes: () => Iterable<KObject>;

  constructor(classes: () => Iterable<KObject>) {
    this.#classes = classes;
  }

  admit(a: AdmissionAttributes): void {
    if (a.operation !== 'CREATE' || a.subresource || !a.obj) return;
    if (a.kind.group !== '' || a.kind.plural !== 'persistentvolumeclaims') return;
    a.obj.spec ??= {};
    const spec: KObject = a.obj.spec;
    if (spec.storageClassName !== undefined && spec.storageClassName !== null) return;
    const def = defaultClass(this.#classes());
    if (def) spec.storageClassName = def;
  }
}

export function defaultClass(classes: Iterable<KObject>): string | undefined {
  let best: KObject | undefined;
  for (const c of classes) {
    if (c.metadata?.annotations?.[ANN_DEFAULT_CLASS] !== 'true') continue;
    const t = c.metadata?.creationTimestamp ?? '';
    const bt = best?.metadata?.creationTimestamp ?? '';
    if (!best || t > bt || (t === bt && (c.metadata?.name ?? '') < (best.metadata?.name ?? ''))) best = c;
  }
  return best?.metadata?.name;
}
