// `depends_on` as init containers, through nothing but cluster DNS and TCP:
//  - service_started / service_healthy: a small init container (option waitImage) loops until the
//    dependency's Service accepts a TCP connection on its first port (`nc -z`, or where busybox is
//    built without -z, as Debian's is, `nc … -e true`: connect, then exit 0); Services route only
//    to ready pods, and a healthcheck is the readiness probe, so "accepts" means "healthy" when the
//    dependency has one. A dependency without ports has a headless Service, whose name resolves
//    only while a ready pod exists: the loop waits for `nslookup` instead.
//  - service_completed_successfully: the one-shot dependency runs *as an init container* of each
//    dependent pod (same image, command, environment, mounts). A pod cannot observe another pod's
//    exit status without API access, but its own init containers must exit 0 before its app
//    starts: the guarantee compose gives. See README.md for the trade-off.
import type { KObject } from '../api/object.ts';
import type { ConvertContext } from './context.ts';
import { toServiceName } from './names.ts';
import type { PortMapping } from './ports.ts';
import type { ComposeService } from './types.ts';

/** Seconds between attempts of a wait loop (short: waits are on the critical path of `up`). */
export const WAIT_RETRY_SECONDS = 2;
/** nc's connect timeout, seconds. */
export const WAIT_CONNECT_TIMEOUT_SECONDS = 2;
const INIT_NAME_MAX = 63;

export interface Dependency {
  service: ComposeService;
  ports: PortMapping[];
}

const initName = (prefix: string, svc: string): string =>
  `${prefix}-${toServiceName(svc)}`.slice(0, INIT_NAME_MAX).replace(/-+$/, '');

/** The init container waiting for a long-running dependency. */
export function waitContainer(ctx: ConvertContext, dep: Dependency): KObject {
  const host = toServiceName(dep.service.name);
  const fqdn = `${host}.${ctx.namespace}.svc.cluster.local`;
  const port = dep.ports[0];
  const probe =
    port && port.protocol === 'TCP'
      ? `{ nc -z -w ${WAIT_CONNECT_TIMEOUT_SECONDS} ${host} ${port.target} || nc -w ${WAIT_CONNECT_TIMEOUT_SECONDS} ${host} ${port.target} -e true; } 2>/dev/null`
      : `nslookup ${fqdn} >/dev/null 2>&1`;
  const what = port && port.protocol === 'TCP' ? `${host}:${port.target}` : fqdn;
  return {
    name: initName('wait-for', dep.service.name),
    image: ctx.waitImage,
    command: ['sh', '-c', `until ${probe}; do echo "waiting for ${what}"; sleep ${WAIT_RETRY_SECONDS}; done`],
  };
}

/** A one-shot dependency's container reshaped for initContainers (no probes, hooks or host ports). */
export function inlineContainer(dep: ComposeService, app: KObject): KObject {
  const { readinessProbe: _r, livenessProbe: _l, startupProbe: _s, lifecycle: _h, ports: _p, ...rest } = app;
  return { ...rest, name: initName('run', dep.name) };
}
