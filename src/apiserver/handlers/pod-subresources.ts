// pods/binding (the scheduler's write) and pods/eviction (drain's), as upstream.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, badRequest, conflict } from '../../api/errors.ts';
import { selectorMatches } from '../../api/kinds/label-selector.ts';
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
  pdbs?: ResourceStore,
): Promise<void> {
  const body = expectObject(decodeObjectBody(req, await readBody(req), deps.protobuf)) as KObject;
  if (body.metadata?.name && body.metadata.name !== name) {
    throw badRequest(`name in URL does not match name in Eviction object`);
  }
  const opts = (body.deleteOptions ?? {}) as DeleteOptions;
  if (pdbs) await checkDisruptionBudget(pods, pdbs, namespace, name, ctx);
  await pods.delete(namespace, name, opts, ctx);
  sendJson(res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
}

// --- PodDisruptionBudgets for evictions (lifecycle controllers; upstream registry/core/pod/storage/eviction.go)

export const EVICTION_BLOCKED_MESSAGE = "Cannot evict pod as it would violate the pod's disruption budget.";
const DISRUPTION_BUDGET_CAUSE = 'DisruptionBudget';
/** How soon kubectl drain may retry while a budget has not been processed yet. */
const UNPROCESSED_RETRY_SECONDS = 10;

const budgetBlocked = (message: string, retryAfterSeconds: number): ApiError =>
  new ApiError(429, 'TooManyRequests', EVICTION_BLOCKED_MESSAGE, {
    ...(retryAfterSeconds ? { retryAfterSeconds } : {}),
    causes: [{ reason: DISRUPTION_BUDGET_CAUSE, message }],
  });

const isPodReady = (pod: KObject): boolean =>
  (pod.status?.conditions ?? []).some((c: KObject) => c.type === 'Ready' && c.status === 'True');

/**
 * Admits an eviction against the pod's budget: terminal, pending or already-terminating pods pass;
 * more than one budget is refused; otherwise the budget must allow a disruption, which is taken
 * from its status (a CAS update, retried on conflicts) and the pod recorded in disruptedPods.
 */
async function checkDisruptionBudget(
  pods: ResourceStore,
  pdbs: ResourceStore,
  namespace: string,
  name: string,
  ctx: RequestContext,
): Promise<void> {
  const pod = (await pods.get(namespace, name)).obj;
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || pod.metadata?.deletionTimestamp)
    return;
  const cache = await pdbs.cache();
  const prefix = pdbs.prefix(namespace);
  const matching: KObject[] = [];
  for (const [key, e] of cache.items) {
    if (key.startsWith(prefix) && selectorMatches(e.obj.spec?.selector, pod.metadata?.labels))
      matching.push(e.obj);
  }
  if (matching.length === 0) return;
  if (matching.length > 1) {
    throw new ApiError(
      500,
      'InternalError',
      'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.',
    );
  }
  const pdbName = matching[0].metadata!.name!;
  const take = (pdb: KObject): KObject => {
    const st = pdb.status ?? {};
    if ((st.observedGeneration ?? 0) < (pdb.metadata?.generation ?? 0)) {
      throw budgetBlocked(
        `The disruption budget ${pdbName} is still being processed by the server.`,
        UNPROCESSED_RETRY_SECONDS,
      );
    }
    const allowed = st.disruptionsAllowed ?? 0;
    if (allowed < 0) throw new ApiError(403, 'Forbidden', 'pdb disruptions allowed is negative');
    // An unhealthy pod may go without using up a disruption: always (AlwaysAllow), or while the
    // budget is met (IfHealthyBudget, the default).
    if (!isPodReady(pod)) {
      if (pdb.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow') return pdb;
      if ((st.currentHealthy ?? 0) >= (st.desiredHealthy ?? 0) && (st.desiredHealthy ?? 0) > 0) return pdb;
    }
    if (allowed === 0) {
      throw budgetBlocked(
        `The disruption budget ${pdbName} needs ${st.desiredHealthy ?? 0} healthy pods and has ${st.currentHealthy ?? 0} currently`,
        0,
      );
    }
    pdb.status = {
      ...st,
      disruptionsAllowed: allowed - 1,
      disruptedPods: { ...(st.disruptedPods ?? {}), [name]: nowTimestamp() },
    };
    return pdb;
  };
  if (ctx.dryRun) {
    take(structuredClone((await pdbs.get(namespace, pdbName)).obj));
    return;
  }
  await pdbs.guaranteedUpdate(namespace, pdbName, ctx, take, 'status');
}
// --- end PodDisruptionBudgets for evictions
