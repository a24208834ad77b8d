// Upstream RealPodControl (controller_utils.go): pods built from an owner's template, carrying the
// template's labels, annotations and finalizers, a generateName of `<owner>-`, and the controller
// reference; created and deleted through the API with the owner's events recorded.
import type { KObject, OwnerReference } from '../../api/object.ts';
import { type EventRecorder, isNotFound, PODS, type RestClient } from '../../client/index.ts';

export const REASON_SUCCESSFUL_CREATE = 'SuccessfulCreate';
export const REASON_FAILED_CREATE = 'FailedCreate';
export const REASON_SUCCESSFUL_DELETE = 'SuccessfulDelete';
export const REASON_FAILED_DELETE = 'FailedDelete';

/** Upstream caps generated name prefixes so the random suffix still fits in 63 characters. */
const MAX_GENERATE_NAME_PREFIX = 58;

export const generateNamePrefix = (ownerName: string): string => {
  const prefix = `${ownerName}-`;
  return prefix.length > MAX_GENERATE_NAME_PREFIX ? prefix.slice(0, MAX_GENERATE_NAME_PREFIX) : prefix;
};

/** A pod object (not yet created) from a PodTemplateSpec. */
export function podFromTemplate(template: KObject, namespace: string, ref?: OwnerReference): KObject {
  const t = structuredClone(template ?? {}) as KObject;
  const meta = t.metadata ?? {};
  const pod: KObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      namespace,
      labels: meta.labels ?? {},
      annotations: meta.annotations ?? {},
      ...(meta.finalizers ? { finalizers: meta.finalizers } : {}),
      ...(ref ? { ownerReferences: [ref] } : {}),
    },
    spec: t.spec ?? {},
  };
  return pod;
}

export class PodControl {
  readonly #client: RestClient;
  readonly #recorder: EventRecorder;

  constructor(client: RestClient, recorder: EventRecorder) {
    this.#client = client;
    this.#recorder = recorder;
  }

  /** Creates a pod for the owner; records SuccessfulCreate/FailedCreate on the owner. */
  async create(owner: KObject, pod: KObject): Promise<KObject> {
    const ns = owner.metadata!.namespace!;
    try {
      const created = await this.#client.resource(PODS, ns).create(pod);
      this.#recorder.event(
        owner,
        'Normal',
        REASON_SUCCESSFUL_CREATE,
        `Created pod: ${created.metadata!.name}`,
      );
      return created;
    } catch (err) {
      this.#recorder.event(
        owner,
        'Warning',
        REASON_FAILED_CREATE,
        `Error creating: ${(err as Error).message}`,
      );
      throw err;
    }
  }

  /** Deletes a pod of the owner; a pod already gone counts as deleted (returns false). */
  async delete(owner: KObject, pod: KObject): Promise<boolean> {
    const name = pod.metadata!.name!;
    try {
      await this.#client.resource(PODS, pod.metadata!.namespace!).delete(name);
      this.#recorder.event(owner, 'Normal', REASON_SUCCESSFUL_DELETE, `Deleted pod: ${name}`);
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      this.#recorder.event(
        owner,
        'Warning',
        REASON_FAILED_DELETE,
        `Error deleting: ${(err as Error).message}`,
      );
      throw err;
    }
  }
}
