// Admission: plugins that may change (mutate) or refuse (validate) a write before it is stored,
// run in order after authentication and authorization, like kube-apiserver's chain.
import type { KindDef } from '../../api/kinds/types.ts';
import type { KObject } from '../../api/object.ts';
import type { RequestContext } from './context.ts';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE';

export interface AdmissionAttributes {
  operation: Operation;
  kind: KindDef;
  subresource: string;
  namespace: string;
  name: string;
  /** The object being written (mutable for mutating plugins); undefined for DELETE. */
  obj: KObject | undefined;
  old: KObject | undefined;
  ctx: RequestContext;
}

export interface AdmissionPlugin {
  readonly name: string;
  /** Mutating phase: may change attrs.obj. */
  admit?(attrs: AdmissionAttributes): Promise<void> | void;
  /** Validating phase: may only refuse (throw an ApiError). */
  validate?(attrs: AdmissionAttributes): Promise<void> | void;
  /** After a successful write (not on dry runs): release or commit side resources. */
  committed?(attrs: AdmissionAttributes): Promise<void> | void;
  /** The write failed after admit: undo side effects of admit (e.g. release an allocated IP). */
  aborted?(attrs: AdmissionAttributes): Promise<void> | void;
}

export class AdmissionChain {
  readonly #plugins: AdmissionPlugin[];

  constructor(plugins: AdmissionPlugin[]) {
    this.#plugins = plugins;
  }

  async admit(attrs: AdmissionAttributes): Promise<void> {
    for (const p of this.#plugins) await p.admit?.(attrs);
  }

  async validate(attrs: AdmissionAttributes): Promise<void> {
    for (const p of this.#plugins) await p.validate?.(attrs);
  }

  async committed(attrs: AdmissionAttributes): Promise<void> {
    for (const p of this.#plugins) await p.committed?.(attrs);
  }

  async aborted(attrs: AdmissionAttributes): Promise<void> {
    for (const p of this.#plugins) await p.aborted?.(attrs);
  }
}
