// The control-plane components of the all-in-one process — controller manager and scheduler —
// each talking to this process's API server through the loopback client under its own identity
// (DESIGN.md §1: never around authn/authz/admission).
//
//   mintControlPlaneTokens()          before the ApiServer exists: random per-process bearer
//     └─► tokens table ─► authenticator  tokens, never written anywhere
//   startControlPlane(api, tokens)    after the API server is ready; returns at once, loads each
//     ├─► controller manager          component lazily (its own bundle chunk) and campaigns for
//     └─► scheduler                   its Lease in kube-system
//   stop()                            scheduler, then controllers (reverse start order)
import { randomBytes, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { TokenTable } from '../apiserver/authn/bearer-token.ts';
import type { UserInfo } from '../apiserver/registry/context.ts';
import { loopbackClient, type RestClient } from '../client/index.ts';
import type { ControllerManagerOptions } from '../controllers/manager.ts';
import type { ControllerOptions } from '../controllers/types.ts';
import type { Logger } from '../util/log.ts';

/** The users upstream's components run as; RBAC's default bindings name them. */
export const SCHEDULER_USER = 'system:kube-scheduler';
export const CONTROLLER_MANAGER_USER = 'system:kube-controller-manager';
/** `--disable` names. */
export const DISABLE_SCHEDULER = 'scheduler';
export const DISABLE_CONTROLLERS = 'controllers';
/** Upstream's Lease names (kube-system). */
export const CONTROLLER_MANAGER_LEASE = 'kube-controller-manager';
export const LEASE_NAMESPACE = 'kube-system';
/** 256 bits: guessing is hopeless, and the token only ever travels in-process. */
const TOKEN_BYTES = 32;

export interface ControlPlaneTokens {
  scheduler: string;
  controllers: string;
  /** Register with the authenticator (merge with --token-auth-file's table). */
  table: TokenTable;
}

export function mintControlPlaneTokens(): ControlPlaneTokens {
  const scheduler = randomBytes(TOKEN_BYTES).toString('base64url');
  const controllers = randomBytes(TOKEN_BYTES).toString('base64url');
  // Group-less: RBAC's default bindings grant these users what their components need.
  const user = (username: string): UserInfo => ({ username, groups: [] });
  return {
    scheduler,
    controllers,
    table: new Map([
      [scheduler, user(SCHEDULER_USER)],
      [controllers, user(CONTROLLER_MANAGER_USER)],
    ]),
  };
}

export interface ControlPlaneOptions {
  /** The API server's request entry (ApiServer.handle, bound). */
  handler: Parameters<typeof loopbackClient>[0];
  tokens: ControlPlaneTokens;
  /** Component names not to run: `scheduler`, `controllers`. */
  disable: ReadonlySet<string>;
  log: Logger;
  /** Controller tuning (kube-controller-manager flags). */
  controllerOptions?: Partial<ControllerOptions>;
  /** Cluster facts controllers need: the root CA they publish, the CSR signing pair, the cluster CIDR. */
  cluster?: ControllerManagerOptions['cluster'];
}

export interface ControlPlane {
  /** Settles once every enabled component has been started (or failed to start). */
  readonly started: Promise<void>;
  stop(): Promise<void>;
}

interface Component {
  name: string;
  client: RestClient;
  stop(): Promise<void>;
}

/** Starts the enabled components in the background; returns at once. */
export function startControlPlane(opts: ControlPlaneOptions): ControlPlane {
  const { handler, tokens, disable, log } = opts;
  const running: Component[] = [];
  let stopping = false;
  const client = (token: string, agent: string) =>
    loopbackClient(handler, { bearerToken: token, userAgent: `skiff/${agent}` });

  const startControllers = async (): Promise<void> => {
    const { startControllerManager } = await import('../controllers/manager.ts');
    if (stopping) return;
    const c = client(tokens.controllers, 'kube-controller-manager');
    const cm = startControllerManager({
      client: c,
      log: log.child('controllers'),
      options: opts.controllerOptions,
      cluster: opts.cluster,
      leaderElection: {
        identity: `${hostname()}_${randomUUID()}`,
        namespace: LEASE_NAMESPACE,
        name: CONTROLLER_MANAGER_LEASE,
      },
    });
    running.push({ name: 'controllers', client: c, stop: () => cm.stop() });
  };
  const startScheduler = async (): Promise<void> => {
    const { startScheduler } = await import('../scheduler/wiring/start-scheduler.ts');
    if (stopping) return;
    const c = client(tokens.scheduler, 'kube-scheduler');
    const s = startScheduler({ client: c, log: log.child('scheduler') });
    running.push({ name: 'scheduler', client: c, stop: () => s.stop() });
  };

  const started = (async () => {
    // In order: a component's failure to load is logged, and does not keep the other down.
    for (const [name, start] of [
      [DISABLE_CONTROLLERS, startControllers],
      [DISABLE_SCHEDULER, startScheduler],
    ] as const) {
      if (disable.has(name)) continue;
      try {
        await start();
      } catch (err) {
        log.error('component failed to start', { component: name, err: String(err) });
      }
    }
  })();

  let stopped: Promise<void> | undefined;
  return {
    started,
    stop: () => {
      stopped ??= (async () => {
        stopping = true;
        await started;
        for (const c of running.reverse()) {
          try {
            await c.stop();
          } catch (err) {
            log.warn('component did not stop cleanly', { component: c.name, err: String(err) });
          }
          c.client.close();
        }
      })();
      return stopped;
    },
  };
}
