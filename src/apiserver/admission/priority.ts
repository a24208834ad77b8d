// Priority admission: a pod's priorityClassName resolves to its integer priority (and the class's
// preemptionPolicy); a pod without one gets the globalDefault class if there is one. Unknown
// classes and hand-written priorities that disagree are refused with upstream's messages.
import type { KObject } from '../../api/object.ts';
import type { AdmissionAttributes, AdmissionPlugin } from '../registry/admission.ts';
import { admissionForbidden, isCorePod } from './forbidden.ts';

export const SYSTEM_PRIORITY_CLASSES: Record<string, number> = {
  'system-cluster-critical': 2_000_000_000,
  'system-node-critical': 2_000_001_000,
};

/** PriorityClasses from the watch cache. */
export interface PriorityClassSource {
  get(name: string): KObject | undefined;
  all(): Iterable<KObject>;
}

export class PriorityAdmission implements AdmissionPlugin {
  readonly name = 'Priority';
  readonly #classes: PriorityClassSource;

  constructor(classes: PriorityClassSource) {
    this.#classes = classes;
  }

  admit(a: AdmissionAttributes): void {
    if (a.operation !== 'CREATE' || a.subresource || !isCorePod(a) || !a.obj) return;
    a.obj.spec ??= {};
    const spec: KObject = a.obj.spec;
    let value: number | undefined;
    let policy: string | undefined;
    const name: string | undefined = spec.priorityClassName || undefined;
    if (name) {
      const system = SYSTEM_PRIORITY_CLASSES[name];
      const pc = system === undefined ? this.#classes.get(name) : undefined;
      if (system === undefined && !pc)
        throw admissionForbidden(a, `no PriorityClass with name ${name} was found`);
      value = system ?? pc?.value;
      policy = pc?.preemptionPolicy;
    } else {
      const def = globalDefault(this.#classes.all());
      if (def) {
        spec.priorityClassName = def.metadata?.name;
        value = def.value;
        policy = def.preemptionPolicy;
      } else value = 0;
    }
    if (spec.priority !== undefined && spec.priority !== null && spec.priority !== value) {
      throw admissionForbidden(
        a,
        `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${value} from the given PriorityClass name`,
      );
    }
    spec.priority = value;
    if (policy) {
      if (spec.preemptionPolicy && spec.preemptionPolicy !== policy) {
        throw admissionForbidden(
          a,
          `the string value of PreemptionPolicy (${spec.preemptionPolicy}) must not be provided in pod spec; priority admission controller computed ${policy} from the given PriorityClass name`,
        );
      }
      spec.preemptionPolicy = policy;
    }
  }
}

/** The globalDefault class with the highest value (upstream picks the highest if several). */
function globalDefault(all: Iterable<KObject>): KObject | undefined {
  let best: KObject | undefined;
  for (const pc of all)
    if (pc.globalDefault === true && (!best || (pc.value ?? 0) > (best.value ?? 0))) best = pc;
  return best;
}
