// The client library's public surface, and the three ways to get a client: a kubeconfig file, a
// pod's in-cluster credentials, or the all-in-one process's loopback to its own API server.
import { httpTransport } from './https-transport.ts';
import { type ClusterConnection, inClusterConnection, loadKubeconfig } from './kubeconfig.ts';
import { loopbackTransport, type RequestHandler } from './loopback-transport.ts';
import { RestClient, type RestClientOptions } from './rest.ts';

export interface ClientOptions extends Omit<RestClientOptions, 'transport'> {
  userAgent?: string;
  /** Concurrent requests to the API server (default 64); watches have a pool of their own. */
  maxSockets?: number;
}

/** A client for the kubeconfig's current (or named) context. */
export async function clientFromKubeconfig(
  path: string,
  opts: ClientOptions & { context?: string } = {},
): Promise<RestClient> {
  return clientForConnection(await loadKubeconfig(path, opts.context), opts);
}

export function clientForConnection(conn: ClusterConnection, opts: ClientOptions = {}): RestClient {
  const { userAgent, maxSockets, ...rest } = opts;
  return new RestClient({ ...rest, transport: httpTransport(conn, { userAgent, maxSockets }) });
}

/** A client inside a pod (service-account token, cluster CA, KUBERNETES_SERVICE_HOST). */
export function inClusterClient(opts: ClientOptions = {}): RestClient {
  return clientForConnection(inClusterConnection(), opts);
}

/** A client that calls the API server's handler in-process (see loopback-transport.ts). */
export function loopbackClient(
  handler: RequestHandler,
  opts: ClientOptions & { bearerToken?: string } = {},
): RestClient {
  return new RestClient({
    ...opts,
    transport: loopbackTransport({ handler, bearerToken: opts.bearerToken, userAgent: opts.userAgent }),
  });
}

export { isAlreadyExists, isConflict, isGone, isNotFound, statusToError } from './errors.ts';
export {
  EventRecorder,
  type EventRecorderOptions,
  type EventType,
  type ObjectReference,
  referenceTo,
} from './events.ts';
export { fieldIndexFunc, Indexer, type IndexFunc, NAMESPACE_INDEX, objectKey, splitKey } from './indexer.ts';
export {
  DeletedFinalStateUnknown,
  deepFreeze,
  type EventHandler,
  type InformerOptions,
  type ListerWatcher,
  SharedInformer,
  stripManagedFields,
} from './informer.ts';
export {
  type ClusterConnection,
  inClusterConnection,
  loadKubeconfig,
  resolveKubeconfig,
} from './kubeconfig.ts';
export { type LeaderElectionOptions, LeaderElector } from './leader-election.ts';
export { Lister, NamespaceLister } from './lister.ts';
export type {
  DeleteOptions,
  GetOptions,
  ListOptions,
  PatchOptions,
  PatchType,
  WatchOptions,
  WriteOptions,
} from './options.ts';
export {
  CONFIGMAPS,
  EVENTS,
  LEASES,
  NAMESPACES,
  NODES,
  PODS,
  type ResourceRef,
  refOf,
  resourcePath,
} from './resource.ts';
export { type LogOptions, type ObjectList, ResourceClient } from './resource-client.ts';
export { RestClient, type RestClientOptions } from './rest.ts';
export { type InformerForOptions, SharedInformerFactory } from './shared-informer-factory.ts';
export type { Transport, TransportRequest, TransportResponse } from './transport.ts';
export { Watch, type WatchEvent } from './watch.ts';
