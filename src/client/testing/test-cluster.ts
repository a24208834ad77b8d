// A real API server in the test process (memory storage, every built-in kind, plain HTTP on
// 127.0.0.1, bearer-token authentication) for the client's integration tests, with clients over
// both transports. Only tests import this file.
import { randomBytes } from 'node:crypto';
import { createAuthenticator } from '../../apiserver/authn/index.ts';
import type { ApiServer } from '../../apiserver/server.ts';
import { memoryApiServer } from '../../apiserver/testing/memory-api-server.ts';
import type { StorageBackend } from '../../storage/types.ts';
import { httpTransport } from '../https-transport.ts';
import { loopbackTransport } from '../loopback-transport.ts';
import { NAMESPACES } from '../resource.ts';
import { RestClient, type RestClientOptions } from '../rest.ts';
import type { Transport } from '../transport.ts';

export interface TestCluster {
  api: ApiServer;
  backend: StorageBackend;
  /** `http://127.0.0.1:<port>` */
  server: string;
  /** A token the server maps to a cluster admin. */
  token: string;
  /** The user name that token authenticates as. */
  username: string;
  /** A client over the network (plain HTTP + token). */
  http(opts?: Omit<RestClientOptions, 'transport'>): RestClient;
  /** A client over the loopback transport (same token). */
  loopback(opts?: Omit<RestClientOptions, 'transport'>): RestClient;
  /** Wraps a transport the test wants to interfere with. */
  client(transport: Transport, opts?: Omit<RestClientOptions, 'transport'>): RestClient;
  stop(): Promise<void>;
}

export const TEST_USER = 'system:skiff-test-admin';

export async function startTestCluster(namespaces: string[] = ['default']): Promise<TestCluster> {
  const token = randomBytes(16).toString('hex');
  const { api, backend } = memoryApiServer({
    authenticator: createAuthenticator({
      tokens: new Map([[token, { username: TEST_USER, groups: ['system:masters'] }]]),
    }),
  });
  const { port } = await api.listen(0, '127.0.0.1');
  const server = `http://127.0.0.1:${port}`;
  const clients: RestClient[] = [];
  const track = (c: RestClient): RestClient => {
    clients.push(c);
    return c;
  };
  const cluster: TestCluster = {
    api,
    backend,
    server,
    token,
    username: TEST_USER,
    http: (opts) => track(new RestClient({ ...opts, transport: httpTransport({ server, token }) })),
    loopback: (opts) =>
      track(
        new RestClient({
          ...opts,
          transport: loopbackTransport({ handler: (req, res) => api.handle(req, res), bearerToken: token }),
        }),
      ),
    client: (transport, opts) => track(new RestClient({ ...opts, transport })),
    stop: async () => {
      for (const c of clients) c.close();
      await api.close();
      await backend.close();
    },
  };
  const admin = cluster.http();
  for (const name of namespaces) await admin.resource(NAMESPACES).create({ metadata: { name } });
  return cluster;
}
