// pods/binding (the scheduler's write) and pods/eviction (drain's), as upstream.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, badRequest, conflict } from '../../api/errors.ts';
import type { KObject } from '../../api/object.ts';
import { decodeObjectBody, expectObject, readBody } from '../http/body.ts';
import { sendJson } from '../http/respond.ts';
import type { RequestContext } from '../registry/context.ts';
import { nowTimestamp } from '../registry/object-meta.ts';
import type { DeleteOptions, ResourceStore } from '../registry/resource-store.ts';
import type { WriteDeps } from './write.ts';

export async function handleBinding(
  deps: WriteDeps,
  pods: ResourceStore,
  namespace: string,
  name: string,
  req: IncomingMessage,
  res: ServerResponse,
  ctx: RequestContext,
): Promise<void> {
  const body = expectObject(decodeObjectBody(req, await readBody(req), deps.protobuf)) as KObject;
  const target = body.target;
  if (!target?.name) {
    throw new ApiError(422, 'Invalid', `Binding "${name}" is invalid: target.name: Required value`, {
      name,
      kind: 'Binding',
      causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'target.name' }],
    });
  }
  if (target.kind && target.kind !== 'Node')
    throw badRequest(`binding target kind must be Node, not ${target.kind}`);
  if (body.metadata?.name && body.metadata.name !== name) {
    throw badRequest(
      `the name of the binding (${body.metadata.name}) does not match the name on the URL (${name})`,
    );
  }
  await pods.guaranteedUpdate(
    namespace,
    name,
    ctx,
    (pod) => {
      if (pod.metadata?.deletionTimestamp) {
        throw conflict('pods', name, 'pod is being deleted, cannot be assigned to a host');
      }
      if (pod.spec?.nodeName) {
        throw conflict('pods', name, `pod ${name} is already assigned to node "${pod.spec.nodeName}"`);
      }
      const uid = body.metadata?.uid;
      if (uid && uid !== pod.metadata?.uid)
        throw conflict('pods', name, 'the UID in the binding does not match the pod');
      pod.spec.nodeName = target.name;
      const annotations = body.metadata?.annotations;
      if (annotations)
        pod.metadata = { ...pod.metadata, annotations: { ...pod.metadata?.annotations, ...annotations } };
      pod.status ??= {};
      const conditions: KObject[] = (pod.status.conditions ?? []).filter(
        (c: KObject) => c.type !== 'PodScheduled',
      );
      conditions.push({
        type: 'PodScheduled',
        status: 'True',
        lastProbeTime: null,
        lastTransitionTime: nowTimestamp(),
      });
      pod.status.conditions = conditions;
      return pod;
    },
    'binding',
  );
  sendJson(res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
}

export async function handleEviction(
  deps: WriteDeps,
  pods: ResourceStore,
  namespace: string,
  name: string,
  req: IncomingMessage,
  res: ServerResponse,
  ctx: RequestContext,
): Promise<void> {
  const body = expectObject(decodeObjectBody(req, await readBody(req), deps.protobuf)) as KObject;
  if (body.metadata?.name && body.metadata.name !== name) {
    throw badRequest(`name in URL does not match name in Eviction object`);
  }
  // PodDisruptionBudgets are checked here once the disruption controller maintains their status.
  const opts = (body.deleteOptions ?? {}) as DeleteOptions;
  await pods.delete(namespace, name, opts, ctx);
  sendJson(res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
}
