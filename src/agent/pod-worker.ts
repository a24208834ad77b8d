// One worker per pod, driving the runtime toward the pod's spec. Each sync is level-triggered: it
// re-reads the runtime's state (sandbox, containers) and the latest pod, does the next step(s)
// and writes the status. Syncs never overlap; a kick during a sync runs one more afterwards.
//
//   sandbox (+ pod network) → images → init containers in order → containers
//   exited container → restartPolicy → CrashLoopBackOff wait or a new attempt
//   started container → postStart hook (failure kills it; restartPolicy decides)
//   deletionTimestamp → stop containers (preStop hook, then the rest of the grace) → remove sandbox + network → delete pod (grace 0)
import type { Container, Pod, Secret } from 'kubernetes-types/core/v1.d.ts';
import type { KObject } from '../api/object.ts';
import {
  type EventRecorder,
  isConflict,
  isNotFound,
  type ObjectReference,
  PODS,
  type RestClient,
} from '../client/index.ts';
import type { Clock, Timer } from '../util/clock.ts';
import type { Logger } from '../util/log.ts';
import type { PodNetwork } from './cni/pod-network.ts';
import { loadConfigSource } from './config-source.ts';
import {
  buildEnv,
  type ConfigSource,
  ContainerConfigError,
  REASON_CREATE_CONTAINER_CONFIG_ERROR,
} from './container-env.ts';
import { containerResources } from './container-resources.ts';
import { backoffKey, backoffMessage, type CrashBackoff, formatGoDuration } from './crash-backoff.ts';
import { ensureImage, REASON_ERR_IMAGE_PULL, REASON_IMAGE_PULL_BACKOFF } from './image-pull.ts';
import {
  graceAfterHook,
  POST_START_TIMEOUT_MS,
  REASON_FAILED_POST_START,
  REASON_FAILED_PRE_STOP,
  runLifecycleHandler,
} from './lifecycle-hooks.ts';
import { computePodStatus, type ObservedContainer } from './pod-status.ts';
import { ContainerProbes, unhealthyMessage } from './probes/container-probes.ts';
import { runProbe } from './probes/probe-handlers.ts';
import type { ImageService } from './runtime/images/image-service.ts';
import { keyringFromSecrets, type PullSecretKeyring } from './runtime/images/pull-secrets.ts';
import type { BindMount } from './runtime/oci-spec.ts';
import { newId } from './runtime/runc-runtime.ts';
import {
  type ContainerRuntime,
  type ContainerStatus,
  isRuntimeError,
  type SandboxStatus,
} from './runtime/types.ts';
import { securityOptions } from './security-context.ts';
import type { StartSlots } from './start-slots.ts';
import {
  ClaimNotReadyError,
  type ClaimVolume,
  mountTimeoutMessage,
  resolveClaims,
  VOLUME_MOUNT_TIMEOUT_MS,
} from './volumes/claims.ts';
import type { FieldContext } from './volumes/field-ref.ts';
import type { LocalPathJanitor } from './volumes/local-path-janitor.ts';
import {
  containerMounts,
  REASON_FAILED_MOUNT,
  readOnlyVolumes,
  setUpVolumes,
  tearDownVolumes,
  VolumeError,
} from './volumes/pod-volumes.ts';

export const DEFAULT_GRACE_SECONDS = 30;
/** Retry of a failed volume set-up (e.g. its ConfigMap does not exist yet). */
export const VOLUME_RETRY_MS = 2_000;
/** How often a pod waiting for its claims to be bound looks again. */
export const CLAIM_RETRY_MS = 1_000;
export const REASON_CRASH_LOOP = 'CrashLoopBackOff';
export const REASON_CREATE_CONTAINER_ERROR = 'CreateContainerError';
/** Retry of a container whose creation failed (the kubelet retries on its next sync). */
export const CREATE_RETRY_MS = 10_000;
export const LABEL_CONTAINER_NAME = 'io.kubernetes.container.name';
export const LABEL_POD_UID = 'io.kubernetes.pod.uid';

const SECRETS = { group: '', version: 'v1', resource: 'secrets', namespaced: true, kind: 'Secret' };
/** The kubelet's event when a pod names a pull secret it cannot read; it pulls without it. */
const REASON_FAILED_PULL_SECRET = 'FailedToRetrieveImagePullSecret';

export interface WorkerDeps {
  client: RestClient;
  runtime: ContainerRuntime;
  images: ImageService;
  /** undefined when the node has no pod CIDR (host-network pods only). */
  network: PodNetwork | undefined;
  recorder: EventRecorder;
  crashBackoff: CrashBackoff;
  imageBackoff: CrashBackoff;
  clock: Clock;
  nodeName: string;
  hostIP: string;
  allocatable: () => Record<string, string>;
  log: Logger;
  /** Prepended to sandbox IDs (so netns names are `skiff-<prefix>…`; tests scope host objects). */
  sandboxIdPrefix?: string;
  /** Where pod volumes live: <podsDir>/<uid>/volumes/<name>. */
  podsDir: string;
  /** Max processes per container (kubelet's --pod-max-pids); absent or ≤ 0 = unlimited. */
  pidsLimit?: number;
  /** Limits how many pods start at once (absent: no limit). */
  startSlots?: StartSlots;
  /** Told about local-path volumes mounted here, so their directories go when they are deleted. */
  localPaths?: LocalPathJanitor;
  /** How long a pod waits for its claims before each FailedMount event (default: the kubelet's). */
  volumeMountTimeoutMs?: number;
}

/** What the worker acts on: spec and deletion, not status. */
const desiredOf = (p: Pod): string =>
  JSON.stringify([p.spec, p.metadata?.deletionTimestamp, p.metadata?.deletionGracePeriodSeconds]);

type Waiting = { reason: string; message?: string };

/** Probe and hook ports may name a container port ("http" → 8080). */
const namedPorts = (c: Container): Record<string, number> =>
  Object.fromEntries((c.ports ?? []).filter((p) => p.name).map((p) => [p.name, p.containerPort]));

export class PodWorker {
  readonly uid: string;
  readonly #d: WorkerDeps;
  #pod: Pod;
  /** Set once the pod object is gone (deleted with grace 0 or force-deleted). */
  #gone = false;
  #running: Promise<void> | undefined;
  #again = false;
  #timer: Timer | undefined;
  #waiting = new Map<string, Waiting>();
  /** Container IDs whose exit was already counted in the crash backoff. */
  #counted = new Set<string>();
  #lastStatus = '';
  /** Probes per running container ID. */
  #probes = new Map<string, ContainerProbes>();
  #finished = false;
  /** The pod's sandbox once found: a direct lookup instead of listing every sandbox per sync. */
  #sandboxId: string | undefined;
  /** Claim volumes once resolved (a bound claim's volume and path do not change). */
  #claims: Map<string, ClaimVolume> | undefined;
  /** Since when the pod has been waiting for its claims (FailedMount after the mount timeout). */
  #claimWaitSince: number | undefined;

  constructor(deps: WorkerDeps, pod: Pod) {
    this.#d = deps;
    this.#pod = pod;
    this.uid = pod.metadata?.uid ?? '';
  }

  get finished(): boolean {
    return this.#finished;
  }

  /** What the pod's events refer to (a container's add its fieldPath). */
  eventRef(): ObjectReference {
    const m = this.#pod.metadata ?? {};
    return { kind: 'Pod', apiVersion: 'v1', name: m.name, namespace: m.namespace, uid: m.uid };
  }

  /** A newer pod object; our own status writes coming back through the watch do not re-sync. */
  update(pod: Pod): void {
    const changed = desiredOf(pod) !== desiredOf(this.#pod);
    this.#pod = pod;
    if (changed) this.kick();
  }

  /** The pod object vanished (force delete): clean up without writing to the API. */
  gone(): void {
    this.#gone = true;
    this.kick();
  }

  kick(): void {
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#loop().finally(() => {
      this.#running = undefined;
    });
  }

  /** Waits for the current sync (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  stop(): void {
    this.#timer?.cancel();
    for (const p of this.#probes.values()) p.stop();
    this.#finished = true;
  }

  #kickAfter(ms: number): void {
    this.#timer?.cancel();
    this.#timer = this.#d.clock.setTimer(ms, () => this.kick());
  }

  async #loop(): Promise<void> {
    do {
      this.#again = false;
      if (this.#finished) return;
      try {
        await this.#sync();
      } catch (err) {
        this.#d.log.warn('pod sync failed', { pod: this.#podKey(), err: String(err) });
        this.#kickAfter(1000);
      }
    } while (this.#again);
  }

  #podKey(): string {
    return `${this.#pod.metadata?.namespace}/${this.#pod.metadata?.name}`;
  }

  /** The pod's imagePullSecrets as a keyring; missing ones are reported and skipped, as the kubelet does. */
  async #pullSecrets(): Promise<PullSecretKeyring | undefined> {
    const names = (this.#pod.spec?.imagePullSecrets ?? []).flatMap((r) => (r.name ? [r.name] : []));
    if (names.length === 0) return undefined;
    const ns = this.#pod.metadata?.namespace ?? 'default';
    const secrets: Secret[] = [];
    const missing: string[] = [];
    for (const name of names) {
      try {
        secrets.push((await this.#d.client.resource<KObject>(SECRETS, ns).get(name)) as Secret);
      } catch (err) {
        if (!isNotFound(err)) throw err;
        missing.push(name);
      }
    }
    if (missing.length > 0) {
      this.#event(
        'Warning',
        REASON_FAILED_PULL_SECRET,
        `Unable to retrieve some image pull secrets (${missing.join(', ')}); attempting to pull the image may not succeed.`,
      );
    }
    return keyringFromSecrets(secrets, (secret, why) =>
      this.#d.log.warn('image pull secret skipped', { pod: this.#podKey(), secret, why }),
    );
  }

  #event(type: 'Normal' | 'Warning', reason: string, message: string, container?: string): void {
    this.#d.recorder.event(
      { ...this.eventRef(), ...(container ? { fieldPath: `spec.containers{${container}}` } : {}) },
      type,
      reason,
      message,
    );
  }

  async #sandbox() {
    if (this.#sandboxId) {
      const known = await this.#d.runtime.sandboxStatus(this.#sandboxId);
      if (known) return known;
    }
    const [found] = await this.#d.runtime.listSandboxes({ podUid: this.uid });
    this.#sandboxId = found?.id;
    return found;
  }

  async #sync(): Promise<void> {
    if (this.#gone || this.#pod.metadata?.deletionTimestamp) return this.#terminate();
    const sb = await this.#sandbox();
    if (sb || !this.#d.startSlots) return this.#syncPod(sb);
    // A new pod: its start-up takes one of the node's start slots.
    const release = await this.#d.startSlots.acquire();
    try {
      await this.#syncPod(await this.#sandbox());
    } finally {
      release();
    }
  }

  async #syncPod(existing: SandboxStatus | undefined): Promise<void> {
    const pod = this.#pod;
    let sb = existing;
    if (!this.#claims) {
      try {
        this.#claims = await resolveClaims(this.#d.client, pod);
        this.#claimWaitSince = undefined;
        for (const c of this.#claims.values()) await this.#d.localPaths?.remember(c.pv);
      } catch (err) {
        if (!(err instanceof ClaimNotReadyError)) throw err;
        // A pod already running (agent restart) keeps going; the volume set-up reports the gap.
        if (!sb) return this.#waitForClaims(err);
      }
    }
    const hostNetwork = pod.spec?.hostNetwork === true;
    if (!sb) {
      const id = `${this.#d.sandboxIdPrefix ?? ''}${newId()}`;
      let netnsPath: string | undefined;
      let podIps: string[] = [];
      if (!hostNetwork) {
        if (!this.#d.network) throw new Error('node has no pod CIDR for pod networking');
        const net = await this.#d.network.setUp(id);
        netnsPath = net.netnsPath;
        podIps = [net.ip];
      }
      await this.#d.runtime.createSandbox({
        id,
        podUid: this.uid,
        name: pod.metadata?.name ?? '',
        namespace: pod.metadata?.namespace ?? '',
        hostname: pod.spec?.hostname ?? pod.metadata?.name ?? '',
        ...(netnsPath ? { netnsPath } : {}),
        podIps,
        ...(pod.spec?.dnsPolicy ? { dnsPolicy: pod.spec.dnsPolicy } : {}),
        ...(pod.spec?.dnsConfig ? { dnsConfig: pod.spec.dnsConfig } : {}),
        ...(pod.spec?.hostAliases?.length
          ? {
              hostAliases: pod.spec.hostAliases.map((a) => ({
                ip: a.ip ?? '',
                hostnames: a.hostnames ?? [],
              })),
            }
          : {}),
      });
      sb = await this.#sandbox();
      if (!sb) throw new Error('sandbox vanished after creation');
    }
    const podIPs = hostNetwork
      ? [this.#d.hostIP]
      : [(await this.#d.network?.get(sb.id))?.ip ?? ''].filter(Boolean);
    const all = await this.#d.runtime.listContainers({ sandboxId: sb.id });
    const byName = (name: string) =>
      all.filter((c) => c.labels[LABEL_CONTAINER_NAME] === name).sort((a, b) => b.attempt - a.attempt);
    const ctx: FieldContext = {
      pod,
      nodeName: this.#d.nodeName,
      podIPs,
      hostIPs: [this.#d.hostIP],
      allocatable: this.#d.allocatable(),
    };

    const src = await loadConfigSource(this.#d.client, pod);
    let volumes: Map<string, string>;
    try {
      volumes = await setUpVolumes(this.#d.podsDir, pod, ctx, src, this.#claims);
    } catch (err) {
      if (!(err instanceof VolumeError)) throw err;
      this.#event('Warning', REASON_FAILED_MOUNT, err.message);
      this.#kickAfter(VOLUME_RETRY_MS);
      return this.#writeStatus(sb.id, podIPs);
    }
    const start = (c: Container, cur: ContainerStatus | undefined) =>
      this.#startOrWait(sb.id, c, cur, ctx, src, volumes);

    const policy = pod.spec?.restartPolicy ?? 'Always';
    const init = pod.spec?.initContainers ?? [];
    let initDone = true;
    for (const c of init) {
      const [cur] = byName(c.name);
      if (cur?.state === 'exited' && cur.exitCode === 0) continue;
      initDone = false;
      if (cur?.state === 'running' || cur?.state === 'created') break;
      if (cur?.state === 'exited' && policy === 'Never') break;
      await start(c, cur);
      break;
    }
    if (initDone) {
      for (const c of pod.spec?.containers ?? []) {
        const [cur] = byName(c.name);
        if (cur?.state === 'running' || cur?.state === 'created') {
          this.#waiting.delete(c.name);
          continue;
        }
        if (cur?.state === 'exited') {
          const restart = policy === 'Always' || (policy === 'OnFailure' && cur.exitCode !== 0);
          if (!restart) {
            this.#waiting.delete(c.name);
            continue;
          }
        }
        await start(c, cur);
      }
    }
    await this.#syncProbes(sb.id, podIPs[0] ?? '');
    await this.#writeStatus(sb.id, podIPs);
  }

  /**
   * As the kubelet's volume manager: no sandbox until every claim is bound, containers shown in
   * ContainerCreating, and a FailedMount event each time the wait reaches the mount timeout.
   */
  async #waitForClaims(err: ClaimNotReadyError): Promise<void> {
    const now = this.#d.clock.now();
    this.#claimWaitSince ??= now;
    const timeout = this.#d.volumeMountTimeoutMs ?? VOLUME_MOUNT_TIMEOUT_MS;
    if (now - this.#claimWaitSince >= timeout) {
      this.#event('Warning', REASON_FAILED_MOUNT, mountTimeoutMessage(err.volumes));
      this.#claimWaitSince = now;
    }
    this.#d.log.debug('waiting for persistent volume claims', { pod: this.#podKey(), why: err.message });
    this.#kickAfter(CLAIM_RETRY_MS);
    await this.#writeStatus(undefined, []);
  }

  /** Probes run for running containers only; a container that stopped loses its probes. */
  async #syncProbes(sandboxId: string, podIP: string): Promise<void> {
    const running = new Map(
      (await this.#d.runtime.listContainers({ sandboxId }))
        .filter((c) => c.state === 'running')
        .map((c) => [c.id, c]),
    );
    for (const [id, p] of this.#probes) {
      if (running.has(id)) continue;
      p.stop();
      this.#probes.delete(id);
    }
    for (const [id, rc] of running) {
      if (this.#probes.has(id)) continue;
      const name = rc.labels[LABEL_CONTAINER_NAME] ?? rc.name;
      const spec = this.#pod.spec?.containers.find((c) => c.name === name);
      if (!spec || !(spec.readinessProbe || spec.livenessProbe || spec.startupProbe)) continue;
      const ports = namedPorts(spec);
      const target = { runtime: this.#d.runtime, containerId: id, podIP, ports };
      this.#probes.set(
        id,
        new ContainerProbes({
          container: spec,
          clock: this.#d.clock,
          run: (kind, ms) => {
            const probe =
              kind === 'readiness'
                ? spec.readinessProbe
                : kind === 'liveness'
                  ? spec.livenessProbe
                  : spec.startupProbe;
            return runProbe(probe ?? {}, target, ms);
          },
          onChange: () => {
            this.#lastStatus = '';
            this.kick();
          },
          onUnhealthy: (kind, msg) => this.#event('Warning', 'Unhealthy', unhealthyMessage(kind, msg), name),
          onKill: (kind) => {
            this.#event(
              'Normal',
              'Killing',
              `Container ${name} failed ${kind} probe, will be restarted`,
              name,
            );
            const grace =
              spec.livenessProbe?.terminationGracePeriodSeconds ??
              this.#pod.spec?.terminationGracePeriodSeconds ??
              DEFAULT_GRACE_SECONDS;
            this.#killContainer(id, spec, podIP, grace)
              .catch((err: unknown) => this.#d.log.warn('probe kill failed', { id, err: String(err) }))
              .finally(() => this.kick());
          },
        }),
      );
    }
  }

  /** Starts a container (first attempt or a restart) unless a back-off says to wait. */
  async #startOrWait(
    sandboxId: string,
    c: Container,
    cur: ContainerStatus | undefined,
    ctx: FieldContext,
    src: ConfigSource,
    volumes: Map<string, string>,
  ) {
    const key = backoffKey(this.uid, c.name);
    if (cur?.state === 'exited') {
      if (!this.#counted.has(cur.id)) {
        this.#counted.add(cur.id);
        this.#d.crashBackoff.recordExit(
          key,
          cur.startedAt?.getTime() ?? 0,
          cur.finishedAt?.getTime() ?? this.#d.clock.now(),
        );
      }
      const wait = this.#d.crashBackoff.remaining(key);
      if (wait > 0) {
        const delay = this.#d.crashBackoff.currentDelay(key);
        const m = this.#pod.metadata ?? {};
        const msg = backoffMessage(delay, c.name, m.name ?? '', m.namespace ?? '', this.uid);
        this.#waiting.set(c.name, { reason: REASON_CRASH_LOOP, message: msg });
        this.#event('Warning', 'BackOff', 'Back-off restarting failed container', c.name);
        this.#kickAfter(wait);
        return;
      }
    }
    const imgKey = `image/${key}`;
    const imgWait = this.#d.imageBackoff.remaining(imgKey);
    if (imgWait > 0) {
      this.#waiting.set(c.name, {
        reason: REASON_IMAGE_PULL_BACKOFF,
        message: `Back-off pulling image "${c.image}"`,
      });
      this.#event('Normal', 'BackOff', `Back-off pulling image "${c.image}"`, c.name);
      this.#kickAfter(imgWait);
      return;
    }
    const pulled = await ensureImage(
      this.#d.images,
      c,
      () => this.#event('Normal', 'Pulling', `Pulling image "${c.image}"`, c.name),
      await this.#pullSecrets(),
    );
    if (pulled.kind === 'failed') {
      const now = this.#d.clock.now();
      this.#d.imageBackoff.recordExit(imgKey, now, now);
      this.#waiting.set(c.name, { reason: pulled.reason, message: pulled.message });
      this.#event('Warning', 'Failed', pulled.message, c.name);
      if (pulled.reason === REASON_ERR_IMAGE_PULL)
        this.#event('Warning', 'Failed', `Error: ${pulled.reason}`, c.name);
      this.#kickAfter(this.#d.imageBackoff.remaining(imgKey));
      return;
    }
    this.#d.imageBackoff.forget(imgKey);
    if (pulled.pulled) {
      this.#event(
        'Normal',
        'Pulled',
        `Successfully pulled image "${c.image}" in ${formatGoDuration(pulled.ms)}`,
        c.name,
      );
    } else {
      this.#event('Normal', 'Pulled', `Container image "${c.image}" already present on machine`, c.name);
    }
    let env: { name: string; value: string }[];
    let mounts: BindMount[];
    try {
      env = buildEnv(c, ctx, src);
      mounts = containerMounts(c, volumes, readOnlyVolumes(this.#pod));
    } catch (err) {
      if (!(err instanceof ContainerConfigError) && !(err instanceof VolumeError)) throw err;
      this.#waiting.set(c.name, { reason: REASON_CREATE_CONTAINER_CONFIG_ERROR, message: err.message });
      this.#event('Warning', 'Failed', `Error: ${err.message}`, c.name);
      this.#kickAfter(10_000);
      return;
    }
    const attempt = cur ? cur.attempt + 1 : 0;
    const id = await this.#d.runtime
      .createContainer({
        sandboxId,
        name: c.name,
        attempt,
        image: pulled.image,
        ...(c.command ? { command: c.command } : {}),
        ...(c.args ? { args: c.args } : {}),
        env,
        mounts,
        ...(c.workingDir ? { workingDir: c.workingDir } : {}),
        resources: containerResources(c, this.#d.pidsLimit),
        security: securityOptions(this.#pod, c),
        labels: { [LABEL_CONTAINER_NAME]: c.name, [LABEL_POD_UID]: this.uid },
      })
      .catch((err: unknown) => {
        // The kubelet's CreateContainerError: the spec cannot be run as given (e.g. an unknown
        // capability, a user the image lacks); retried, as a later spec update may fix it.
        if (!isRuntimeError(err, 'InvalidConfig') && !isRuntimeError(err, 'CreateFailed')) throw err;
        this.#waiting.set(c.name, { reason: REASON_CREATE_CONTAINER_ERROR, message: err.message });
        this.#event('Warning', 'Failed', `Error: ${err.message}`, c.name);
        this.#kickAfter(CREATE_RETRY_MS);
        return undefined;
      });
    if (id === undefined) return;
    this.#event('Normal', 'Created', `Created container ${c.name}`, c.name);
    await this.#d.runtime.startContainer(id);
    this.#event('Normal', 'Started', `Started container ${c.name}`, c.name);
    this.#waiting.delete(c.name);
    if (c.lifecycle?.postStart) await this.#postStart(id, c, ctx.podIPs[0] ?? '');
    // Keep only the newest exited attempt: it is lastState; older ones are garbage.
    if (cur) {
      const older = (await this.#d.runtime.listContainers({ sandboxId })).filter(
        (x) => x.labels[LABEL_CONTAINER_NAME] === c.name && x.attempt < cur.attempt,
      );
      for (const o of older) await this.#d.runtime.removeContainer(o.id);
    }
  }

  /** `sandboxId` undefined: the pod has no sandbox yet (nothing runs). */
  async #writeStatus(sandboxId: string | undefined, podIPs: string[]): Promise<void> {
    const all = sandboxId === undefined ? [] : await this.#d.runtime.listContainers({ sandboxId });
    const observe = (c: Container, isInit: boolean): ObservedContainer => {
      const mine = all
        .filter((x) => x.labels[LABEL_CONTAINER_NAME] === c.name)
        .sort((a, b) => b.attempt - a.attempt);
      const [current, previous] = mine;
      const running = current?.state === 'running';
      return {
        name: c.name,
        image: c.image ?? '',
        ...(current ? { current } : {}),
        ...(previous ? { previous } : {}),
        restartCount: current?.attempt ?? 0,
        ...(this.#waiting.has(c.name) ? { waiting: this.#waiting.get(c.name) } : {}),
        ready: running && !isInit && (this.#probes.get(current.id)?.ready ?? !c.readinessProbe),
        started: running && (this.#probes.get(current.id)?.started ?? !c.startupProbe),
      };
    };
    const pod = this.#pod;
    const status = computePodStatus({
      pod,
      init: (pod.spec?.initContainers ?? []).map((c) => observe(c, true)),
      containers: (pod.spec?.containers ?? []).map((c) => observe(c, false)),
      podIPs,
      hostIPs: [this.#d.hostIP],
      sandboxReady: sandboxId !== undefined,
      now: new Date(this.#d.clock.now()),
    });
    const text = JSON.stringify({
      ...status,
      conditions: status.conditions?.map((c) => ({ ...c, lastTransitionTime: '' })),
    });
    if (text === this.#lastStatus) return;
    const pods = this.#d.client.resource<KObject>(PODS, pod.metadata?.namespace);
    let base = pod as KObject;
    for (let i = 0; i < 3; i++) {
      try {
        const written = await pods.updateStatus({ ...base, status });
        this.#lastStatus = text;
        this.#pod = { ...this.#pod, status: written.status };
        return;
      } catch (err) {
        if (isNotFound(err)) return;
        if (!isConflict(err)) throw err;
        base = await pods.get(pod.metadata?.name ?? '');
      }
    }
  }

  /** Runs postStart; like the kubelet, a failed hook kills the container (restartPolicy decides). */
  async #postStart(id: string, c: Container, podIP: string): Promise<void> {
    const hook = c.lifecycle?.postStart;
    if (!hook) return;
    const target = { runtime: this.#d.runtime, containerId: id, podIP, ports: namedPorts(c) };
    const failed = await runLifecycleHandler(hook, target, POST_START_TIMEOUT_MS).catch((err: unknown) =>
      String(err),
    );
    if (!failed) return;
    this.#event('Warning', REASON_FAILED_POST_START, failed, c.name);
    const grace = this.#pod.spec?.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
    await this.#killContainer(id, c, podIP, grace);
  }

  /** The kubelet's killContainer: the preStop hook (bounded by the grace period), then stop. */
  async #killContainer(id: string, spec: Container | undefined, podIP: string, grace: number) {
    const hook = spec?.lifecycle?.preStop;
    let left = grace;
    if (hook && grace > 0) {
      const t0 = Date.now();
      const ports = namedPorts(spec);
      const target = { runtime: this.#d.runtime, containerId: id, podIP, ports };
      const failed = await runLifecycleHandler(hook, target, grace * 1000).catch((err: unknown) =>
        String(err),
      );
      if (failed) this.#event('Warning', REASON_FAILED_PRE_STOP, failed, spec.name);
      left = graceAfterHook(grace, Date.now() - t0);
    }
    await this.#d.runtime.stopContainer(id, left);
  }

  /** Graceful stop of every container, then sandbox and network removal, then the pod object. */
  async #terminate(): Promise<void> {
    const pod = this.#pod;
    for (const p of this.#probes.values()) p.stop();
    this.#probes.clear();
    const sb = await this.#sandbox();
    if (sb) {
      const grace =
        pod.metadata?.deletionGracePeriodSeconds ??
        pod.spec?.terminationGracePeriodSeconds ??
        DEFAULT_GRACE_SECONDS;
      const running = (await this.#d.runtime.listContainers({ sandboxId: sb.id })).filter(
        (c) => c.state === 'running' || c.state === 'created',
      );
      const podIP = (await this.#d.network?.get(sb.id))?.ip ?? '';
      await Promise.all(
        running.map(async (c) => {
          const name = c.labels[LABEL_CONTAINER_NAME] ?? c.name;
          const spec = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].find(
            (x) => x.name === name,
          );
          this.#event('Normal', 'Killing', `Stopping container ${name}`, name);
          await this.#killContainer(c.id, spec, podIP, grace);
        }),
      );
      await this.#d.runtime.removeSandbox(sb.id);
      await this.#d.network?.tearDown(sb.id);
    }
    await tearDownVolumes(this.#d.podsDir, this.uid);
    this.#d.crashBackoff.forgetPrefix(`${this.uid}/`);
    this.#d.imageBackoff.forgetPrefix(`image/${this.uid}/`);
    if (!this.#gone) {
      const pods = this.#d.client.resource<KObject>(PODS, pod.metadata?.namespace);
      try {
        await pods.delete(pod.metadata?.name ?? '', {
          gracePeriodSeconds: 0,
          preconditions: { uid: this.uid },
        });
      } catch (err) {
        if (!isNotFound(err) && !isConflict(err)) throw err;
      }
    }
    this.stop();
  }
}
