// A compose service's container: image, entrypoint/command, environment, working_dir, user,
// tty/stdin, ports, resources, security settings, hooks and probes.
import type { KObject } from '../api/object.ts';
import { compareQuantities, parseQuantity } from '../api/quantity.ts';
import { ComposeConvertError, type ConvertContext } from './context.ts';
import { probesFor } from './healthcheck.ts';
import { toDnsLabel } from './names.ts';
import { isMap } from './normalize.ts';
import type { PortMapping } from './ports.ts';
import { splitShellWords } from './shell-words.ts';
import type { ComposeService, Json, JsonMap } from './types.ts';
import { cpuQuantity, sizeQuantity } from './units.ts';
import { BUILD_MESSAGE } from './unsupported.ts';

/** NodePorts are only allocated from this range (k3s's default, ours too). */
export const NODE_PORT_MIN = 30000;
export const NODE_PORT_MAX = 32767;
export const isNodePort = (p: number): boolean => p >= NODE_PORT_MIN && p <= NODE_PORT_MAX;

const PULL_POLICIES: Record<string, string> = {
  always: 'Always',
  never: 'Never',
  missing: 'IfNotPresent',
  if_not_present: 'IfNotPresent',
};
const NO_NEW_PRIVILEGES = /^no-new-privileges(?:[:=]true)?$/;
const SECCOMP_UNCONFINED = /^seccomp[:=]unconfined$/;
const UID_GID = /^(\d+)(?::(\d+))?$/;
const CONTAINER_PORT_NAME_MAX = 15;

/** Kubernetes expands `$(VAR)` in command, args and env values; compose does not: escape it. */
export const escapeK8sExpansion = (s: string): string => s.replace(/\$\(/g, '$$$$(');

function argv(value: Json | undefined, key: string, ctx: ConvertContext, svc: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  const words = Array.isArray(value) ? value.map(String) : splitShellWords(String(value));
  if (words.length === 0 || (words.length === 1 && words[0] === '')) {
    // An empty entrypoint/command resets the image's in compose; Kubernetes cannot clear it.
    ctx.warn(svc, key, `an empty ${key} cannot clear the image's default: the image default is used`);
    return undefined;
  }
  return words.map(escapeK8sExpansion);
}

const truthy = (v: Json | undefined): boolean => v === true || v === 'true';

/** Image name for the service; a build-only service gets compose's default tag `<project>-<service>`. */
export function imageOf(ctx: ConvertContext, svc: ComposeService): string {
  const raw = svc.raw;
  if (typeof raw.image === 'string' && raw.image) return raw.image;
  if (raw.build !== undefined) return `${ctx.project.name}-${svc.name}`;
  throw new ComposeConvertError(`service ${svc.name} has neither image nor build`);
}

export function buildContainer(ctx: ConvertContext, svc: ComposeService, ports: PortMapping[]): KObject {
  const raw = svc.raw;
  const warn = (key: string, msg: string) => ctx.warn(svc.name, key, msg);
  const c: KObject = { name: toDnsLabel(svc.name), image: imageOf(ctx, svc) };
  if (raw.build !== undefined) warn('build', BUILD_MESSAGE);

  const command = argv(raw.entrypoint, 'entrypoint', ctx, svc.name);
  const args = argv(raw.command, 'command', ctx, svc.name);
  if (command) c.command = command;
  if (args) c.args = args;
  if (typeof raw.working_dir === 'string' && raw.working_dir) c.workingDir = raw.working_dir;
  if (svc.environment.length) {
    c.env = svc.environment.map(([name, value]) => ({ name, value: escapeK8sExpansion(value) }));
  }

  if (truthy(raw.tty)) c.tty = true;
  if (truthy(raw.stdin_open)) c.stdin = true;

  const policy = raw.pull_policy;
  if (typeof policy === 'string') {
    if (PULL_POLICIES[policy]) c.imagePullPolicy = PULL_POLICIES[policy];
    else if (policy === 'build') warn('pull_policy', BUILD_MESSAGE);
    else warn('pull_policy', `pull policy ${policy} has no equivalent: the cluster default is used`);
  }

  const containerPorts = portsOf(ports);
  if (containerPorts.length) c.ports = containerPorts;

  const resources = resourcesOf(ctx, svc);
  if (resources) c.resources = resources;

  const security = securityOf(ctx, svc);
  if (Object.keys(security).length) c.securityContext = security;

  const lifecycle: KObject = {};
  for (const [key, hook] of [
    ['post_start', 'postStart'],
    ['pre_stop', 'preStop'],
  ] as const) {
    const hooks = raw[key];
    if (!Array.isArray(hooks) || hooks.length === 0) continue;
    const first = hooks[0] as JsonMap;
    const extra = Object.keys(first).filter((k) => k !== 'command');
    if (hooks.length > 1 || extra.length) {
      warn(key, 'only the command of the first hook is kept (a container has one handler per hook)');
    }
    const cmd = argv(first.command, key, ctx, svc.name);
    if (cmd) lifecycle[hook] = { exec: { command: cmd } };
  }
  if (Object.keys(lifecycle).length) c.lifecycle = lifecycle;

  const probes = probesFor(raw.healthcheck, warn);
  if (probes) Object.assign(c, probes);
  return c;
}

/** Container ports: one per target/protocol; a published port outside the NodePort range is a hostPort. */
function portsOf(ports: PortMapping[]): KObject[] {
  const out: KObject[] = [];
  for (const p of ports) {
    const hostPort = p.published !== undefined && !isNodePort(p.published) ? p.published : undefined;
    const same = out.find((x) => x.containerPort === p.target && x.protocol === p.protocol);
    if (same && (hostPort === undefined || same.hostPort === hostPort)) continue;
    const port: KObject = { containerPort: p.target, protocol: p.protocol };
    if (hostPort !== undefined) {
      port.hostPort = hostPort;
      if (p.hostIp) port.hostIP = p.hostIp;
    }
    const name = p.name && p.name.length <= CONTAINER_PORT_NAME_MAX ? toDnsLabel(p.name) : undefined;
    if (name && /[a-z]/.test(name) && !out.some((x) => x.name === name)) port.name = name;
    out.push(port);
  }
  return out;
}

function resourcesOf(ctx: ConvertContext, svc: ComposeService): KObject | undefined {
  const raw = svc.raw;
  const warn = (key: string, msg: string) => ctx.warn(svc.name, key, msg);
  const deploy = isMap(raw.deploy ?? null) ? (raw.deploy as JsonMap) : {};
  const res = isMap(deploy.resources ?? null) ? (deploy.resources as JsonMap) : {};
  const limits = isMap(res.limits ?? null) ? (res.limits as JsonMap) : {};
  const reservations = isMap(res.reservations ?? null) ? (res.reservations as JsonMap) : {};
  const out: { limits: Record<string, string>; requests: Record<string, string> } = {
    limits: {},
    requests: {},
  };
  const set = (side: 'limits' | 'requests', name: 'cpu' | 'memory', v: Json | undefined, key: string) => {
    if (v === undefined || v === null || out[side][name] !== undefined) return;
    try {
      out[side][name] = name === 'cpu' ? cpuQuantity(v) : sizeQuantity(v);
    } catch (e) {
      warn(key, `${(e as Error).message}: ignored`);
    }
  };
  set('limits', 'cpu', limits.cpus, 'deploy.resources.limits.cpus');
  set('limits', 'memory', limits.memory, 'deploy.resources.limits.memory');
  set('requests', 'cpu', reservations.cpus, 'deploy.resources.reservations.cpus');
  set('requests', 'memory', reservations.memory, 'deploy.resources.reservations.memory');
  // Compose v2 files put them on the service.
  set('limits', 'cpu', raw.cpus, 'cpus');
  set('limits', 'memory', raw.mem_limit, 'mem_limit');
  set('requests', 'memory', raw.mem_reservation, 'mem_reservation');
  if (limits.pids !== undefined) warn('deploy.resources.limits.pids', 'PID limits are a node setting');
  for (const k of Object.keys(reservations)) {
    if (k !== 'cpus' && k !== 'memory')
      warn(`deploy.resources.reservations.${k}`, 'needs a device plugin: ignored');
  }
  for (const name of ['cpu', 'memory'] as const) {
    const [req, lim] = [out.requests[name], out.limits[name]];
    if (
      req !== undefined &&
      lim !== undefined &&
      compareQuantities(parseQuantity(req), parseQuantity(lim)) > 0
    ) {
      warn(
        `deploy.resources.reservations.${name === 'cpu' ? 'cpus' : 'memory'}`,
        `${req} exceeds the limit ${lim}: dropped`,
      );
      delete out.requests[name];
    }
  }
  const result: KObject = {};
  if (Object.keys(out.limits).length) result.limits = out.limits;
  if (Object.keys(out.requests).length) result.requests = out.requests;
  return Object.keys(result).length ? result : undefined;
}

const capName = (c: string): string => c.toUpperCase().replace(/^CAP_/, '');

function securityOf(ctx: ConvertContext, svc: ComposeService): KObject {
  const raw = svc.raw;
  const warn = (key: string, msg: string) => ctx.warn(svc.name, key, msg);
  const sc: KObject = {};
  const privileged = truthy(raw.privileged);
  if (privileged) sc.privileged = true;
  if (truthy(raw.read_only)) sc.readOnlyRootFilesystem = true;
  const add = Array.isArray(raw.cap_add) ? raw.cap_add.map((c) => capName(String(c))) : [];
  const drop = Array.isArray(raw.cap_drop) ? raw.cap_drop.map((c) => capName(String(c))) : [];
  if (add.length || drop.length) {
    sc.capabilities = { ...(add.length ? { add } : {}), ...(drop.length ? { drop } : {}) };
  }
  if (typeof raw.user === 'string' && raw.user) {
    const m = UID_GID.exec(raw.user);
    if (m) {
      sc.runAsUser = Number(m[1]);
      if (m[2] !== undefined) sc.runAsGroup = Number(m[2]);
    } else {
      warn(
        'user',
        `user ${raw.user} is a name: Kubernetes needs a numeric uid[:gid]; the image's user is used`,
      );
    }
  }
  (Array.isArray(raw.security_opt) ? raw.security_opt : []).forEach((o, i) => {
    const opt = String(o);
    if (NO_NEW_PRIVILEGES.test(opt)) {
      // Upstream rejects allowPrivilegeEscalation=false together with privileged.
      if (privileged) warn(`security_opt[${i}]`, 'no-new-privileges conflicts with privileged: ignored');
      else sc.allowPrivilegeEscalation = false;
    } else if (SECCOMP_UNCONFINED.test(opt)) sc.seccompProfile = { type: 'Unconfined' };
    else warn(`security_opt[${i}]`, `${opt} has no equivalent: ignored`);
  });
  return sc;
}
