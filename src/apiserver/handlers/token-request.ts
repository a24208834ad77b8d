// TokenRequest (`POST …/serviceaccounts/<name>/token`, `kubectl create token`): mint a service-account
// JWT for a set of audiences and a lifetime, optionally bound to a Pod, Secret or Node so that the
// token dies with that object. Validation and messages follow upstream's TokenREST.
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  ApiError,
  badRequest,
  fieldInvalid,
  fieldNotSupported,
  invalid,
  notFound,
} from '../../api/errors.ts';
import type { KObject } from '../../api/object.ts';
import type { ServiceAccountTokens } from '../authn/service-account-token.ts';
import { decodeObjectBody, expectObject, readBody } from '../http/body.ts';
import { sendJson } from '../http/respond.ts';
import type { RequestContext } from '../registry/context.ts';
import type { ResourceStore } from '../registry/resource-store.ts';
import type { WriteDeps } from './write.ts';

const GROUP = 'authentication.k8s.io';
export const DEFAULT_TOKEN_SECONDS = 3600;
/** upstream: tokens shorter than 10 minutes would churn; longer than 2^32 s overflow. */
export const MIN_TOKEN_SECONDS = 600;
export const MAX_TOKEN_SECONDS = 2 ** 32;
const BINDABLE = ['Pod', 'Secret', 'Node'];

export interface TokenRequestDeps {
  tokens: ServiceAccountTokens;
  /** Read an object (consistent): pods, secrets, nodes. */
  getObject(
    resource: 'pods' | 'secrets' | 'nodes',
    namespace: string,
    name: string,
  ): Promise<KObject | undefined>;
}

export async function handleTokenRequest(
  deps: WriteDeps,
  td: TokenRequestDeps,
  serviceAccounts: ResourceStore,
  namespace: string,
  name: string,
  req: IncomingMessage,
  res: ServerResponse,
  _ctx: RequestContext,
): Promise<void> {
  const body = expectObject(decodeObjectBody(req, await readBody(req), deps.protobuf)) as KObject;
  const spec: KObject = { ...(body.spec ?? {}) };
  spec.expirationSeconds ??= DEFAULT_TOKEN_SECONDS;
  if (!Array.isArray(spec.audiences) || spec.audiences.length === 0) spec.audiences = td.tokens.apiAudiences;
  const seconds = Number(spec.expirationSeconds);
  if (seconds < MIN_TOKEN_SECONDS)
    throw invalid(
      'TokenRequest',
      name,
      [fieldInvalid('spec.expirationSeconds', seconds, 'may not specify a duration less than 10 minutes')],
      GROUP,
    );
  if (seconds > MAX_TOKEN_SECONDS)
    throw invalid(
      'TokenRequest',
      name,
      [
        fieldInvalid(
          'spec.expirationSeconds',
          seconds,
          'may not specify a duration larger than 2^32 seconds',
        ),
      ],
      GROUP,
    );
  const sa = (await serviceAccounts.get(namespace, name)).obj;
  const ref: KObject | undefined = spec.boundObjectRef ?? undefined;
  let pod: { name: string; uid: string } | undefined;
  let node: { name: string; uid: string } | undefined;
  let secret: { name: string; uid: string } | undefined;
  if (ref) {
    if (!BINDABLE.includes(String(ref.kind)))
      throw invalid(
        'TokenRequest',
        name,
        [fieldNotSupported('spec.boundObjectRef.kind', ref.kind ?? '', BINDABLE)],
        GROUP,
      );
    const resource = ref.kind === 'Pod' ? 'pods' : ref.kind === 'Secret' ? 'secrets' : 'nodes';
    const obj = await td.getObject(resource, ref.kind === 'Node' ? '' : namespace, String(ref.name ?? ''));
    if (!obj) throw notFound(resource, String(ref.name ?? ''));
    const uid = obj.metadata?.uid ?? '';
    if (ref.uid && ref.uid !== uid)
      throw new ApiError(
        409,
        'Conflict',
        `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`,
      );
    spec.boundObjectRef = { kind: ref.kind, apiVersion: ref.apiVersion ?? 'v1', name: ref.name, uid };
    if (ref.kind === 'Pod') {
      if ((obj.spec?.serviceAccountName ?? 'default') !== name)
        throw badRequest(
          `cannot bind token for serviceaccount ${JSON.stringify(name)} to pod running with different serviceaccount name.`,
        );
      pod = { name: String(ref.name), uid };
      const nodeName = obj.spec?.nodeName;
      const n = nodeName ? await td.getObject('nodes', '', nodeName) : undefined;
      if (n) node = { name: nodeName, uid: n.metadata?.uid ?? '' };
    } else if (ref.kind === 'Secret') secret = { name: String(ref.name), uid };
    else node = { name: String(ref.name), uid };
  }
  const issued = await td.tokens.issue({
    namespace,
    serviceAccount: { name, uid: sa.metadata?.uid ?? '' },
    audiences: spec.audiences,
    expirationSeconds: seconds,
    pod,
    node,
    secret,
  });
  sendJson(res, 201, {
    kind: 'TokenRequest',
    apiVersion: `${GROUP}/v1`,
    metadata: { name, namespace, creationTimestamp: null },
    spec,
    status: {
      token: issued.token,
      expirationTimestamp: new Date(issued.expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    },
  });
}
