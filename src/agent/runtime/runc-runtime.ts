// ContainerRuntime on runc + conmon (CRI-O's shape).
//
//   createSandbox:   pod files (hosts, resolv.conf, hostname) ─► pause container (catatonit -P)
//                    joining the pod's netns, owning its IPC + UTS namespaces
//   createContainer: overlay(lower = flattened image, upper/work per container) ─► config.json
//                    ─► conmon ─► `runc create` ─► PID on the sync pipe
//   startContainer:  `runc start`
//   exit:            conmon writes <run>/exits/<id> (+ <dir>/oom); seen by fs.watch or the poll
//   stop:            stop signal ─► wait grace ─► SIGKILL ─► wait for the exit file
//   remove:          `runc delete -f` (drops the cgroup) ─► umount ─► rm -r
//
// On-disk layout (see README.md): records in <state>/containers/<id>/state.json and
// <state>/sandboxes/<id>/sandbox.json; runc state in <run>/runc; exit files in <run>/exits.

import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type Disposable, toDisposable } from '../../util/disposable.ts';
import { KeyedQueue } from '../../util/keyed-queue.ts';
import { parseResolvConf } from '../../util/resolv-conf.ts';
import { isoMillis } from '../../util/time-format.ts';
import { readBoundingSet } from './capabilities.ts';
import { readOomKillCount, removeCgroupTree } from './cgroups.ts';
import { DEFAULT_CONMON, launchConmon } from './conmon.ts';
import { type ContainerRecord, RecordStore, type SandboxRecord } from './container-record.ts';
import { ExitWatcher } from './exit-watcher.ts';
import { buildOciSpec, type ContainerSpecInput, type NamespaceSource, resolveProcess } from './oci-spec.ts';
import { mountOverlay, unmount } from './overlay.ts';
import { type ClusterDnsDefaults, hostsFile, resolvConf, sandboxResolvConf } from './pod-files.ts';
import { isAlive } from './process-alive.ts';
import { resolveUser } from './process-user.ts';
import { clampRlimits, DEFAULT_RLIMITS, readHostHardLimits } from './rlimits.ts';
import { DEFAULT_RUNC, Runc } from './runc.ts';
import {
  type ContainerConfig,
  type ContainerRuntime,
  type ContainerState,
  type ContainerStatus,
  type ExecOptions,
  type ExecResult,
  RuntimeError,
  type SandboxConfig,
  type SandboxStatus,
} from './types.ts';

export const DEFAULT_CGROUP_ROOT = '/skiff';
export const DEFAULT_RUN_DIR = '/run/skiff';
/** The node's resolvers when the network start-up handed none (ClusterDnsDefaults.host). */
const HOST_RESOLV_CONF = '/etc/resolv.conf';
/** catatonit in pause mode: the sandbox's infra process. */
export const DEFAULT_PAUSE_BINARY = '/usr/bin/catatonit';
const PAUSE_PATH_IN_CONTAINER = '/catatonit';
/** After SIGKILL a container is gone within milliseconds; this only bounds a stuck kernel. */
const KILL_WAIT_MS = 10_000;
/** conmon exits right after writing the exit file; wait for it so nothing outlives removal. */
const CONMON_EXIT_WAIT_MS = 5_000;
const DEFAULT_STOP_SIGNAL = 'SIGTERM';
/** Exit code when the monitor vanished without writing one (e.g. after a host reboot). */
const UNKNOWN_EXIT_CODE = 255;

export interface RuncRuntimeOptions {
  /** Persistent state: bundles, records, upper dirs, default logs. */
  stateDir: string;
  /** Volatile state (tmpfs): runc root, exit files, conmon sockets. */
  runDir?: string;
  cgroupRoot?: string;
  runcPath?: string;
  conmonPath?: string;
  pauseBinary?: string;
  /** Poll for exits this often in case fs.watch misses one. */
  exitPollMs?: number;
  logSizeMax?: number;
  /**
   * The cluster resolver (kubelet --cluster-dns/--cluster-domain): a pod-network sandbox whose
   * config has no dns gets a ClusterFirst resolv.conf for its namespace. Absent: the host's.
   */
  clusterDns?: ClusterDnsDefaults;
}

export class RuncRuntime implements ContainerRuntime {
  readonly stateDir: string;
  readonly runDir: string;
  readonly cgroupRoot: string;
  readonly runc: Runc;
  readonly #conmonPath: string;
  readonly #pauseBinary: string;
  readonly #exitDir: string;
  readonly #socketDir: string;
  readonly #containers: RecordStore<ContainerRecord>;
  readonly #sandboxes: RecordStore<SandboxRecord>;
  /** Sandbox records by ID, mirroring #sandboxes on disk: pod workers look sandboxes up on every
   * sync, and reading every sandbox.json each time made a sync cost O(pods) file reads. */
  readonly #sandboxRecords = new Map<string, SandboxRecord>();
  readonly #records = new Map<string, ContainerRecord>();
  readonly #listeners = new Set<(id: string) => void>();
  readonly #locks = new KeyedQueue();
  readonly #clusterDns: ClusterDnsDefaults | undefined;
  readonly #exitWaiters = new Map<string, Set<() => void>>();
  readonly #refreshing = new Map<string, Promise<void>>();
  /** conmon's PID per container, read once from its pid file (it never changes). */
  readonly #conmonPids = new Map<string, number>();
  /** Containers being removed: no refresh may write their record (it would race the directory's removal). */
  readonly #removing = new Set<string>();
  readonly #rlimits = clampRlimits(DEFAULT_RLIMITS, readHostHardLimits());
  readonly #boundingSet = readBoundingSet();
  readonly #logSizeMax: number | undefined;
  #watcher: ExitWatcher | undefined;

  private constructor(opts: RuncRuntimeOptions) {
    this.stateDir = opts.stateDir;
    this.runDir = opts.runDir ?? DEFAULT_RUN_DIR;
    this.cgroupRoot = opts.cgroupRoot ?? DEFAULT_CGROUP_ROOT;
    this.runc = new Runc(join(this.runDir, 'runc'), opts.runcPath ?? DEFAULT_RUNC);
    this.#conmonPath = opts.conmonPath ?? DEFAULT_CONMON;
    this.#pauseBinary = opts.pauseBinary ?? DEFAULT_PAUSE_BINARY;
    this.#exitDir = join(this.runDir, 'exits');
    this.#socketDir = join(this.runDir, 'sockets');
    this.#containers = new RecordStore(join(this.stateDir, 'containers'), 'state.json');
    this.#sandboxes = new RecordStore(join(this.stateDir, 'sandboxes'), 'sandbox.json');
    this.#logSizeMax = opts.logSizeMax;
    this.#clusterDns = opts.clusterDns;
  }

  /** Opens the runtime over its directories and re-adopts what a previous instance left running. */
  static async open(opts: RuncRuntimeOptions): Promise<RuncRuntime> {
    const rt = new RuncRuntime(opts);
    for (const d of [rt.stateDir, rt.runc.root, rt.#exitDir, rt.#socketDir])
      await mkdir(d, { recursive: true });
    await rt.#containers.init();
    await rt.#sandboxes.init();
    for (const sb of await rt.#sandboxes.loadAll()) rt.#sandboxRecords.set(sb.id, sb);
    for (const r of await rt.#containers.loadAll()) rt.#records.set(r.id, r);
    rt.#watcher = new ExitWatcher(
      rt.#exitDir,
      opts.exitPollMs ?? 1000,
      (id) => rt.#onExitFile(id),
      () =>
        [...rt.#records.values()]
          .filter((r) => r.state === 'created' || r.state === 'running')
          .map((r) => r.id),
    );
    // Exits that happened while no runtime was watching.
    for (const r of rt.#records.values()) await rt.#refresh(r);
    return rt;
  }

  async dispose(): Promise<void> {
    this.#watcher?.dispose();
    this.#watcher = undefined;
  }

  onContainerExit(listener: (id: string) => void): Disposable {
    this.#listeners.add(listener);
    return toDisposable(() => {
      this.#listeners.delete(listener);
    });
  }

  // --- sandboxes ---

  async createSandbox(config: SandboxConfig): Promise<string> {
    const id = config.id ?? newId();
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/.test(id))
      throw new RuntimeError('InvalidConfig', `bad sandbox id ${id}`);
    if (this.#sandboxRecords.has(id) || (await this.#sandboxes.load(id)))
      throw new RuntimeError('InvalidConfig', `sandbox ${id} already exists`);
    const dir = this.#sandboxes.pathOf(id);
    const record: SandboxRecord = {
      id,
      podUid: config.podUid,
      name: config.name,
      namespace: config.namespace,
      hostname: config.hostname,
      ...(config.netnsPath ? { netnsPath: config.netnsPath } : {}),
      dir,
      createdAt: isoMillis(Date.now()),
      labels: config.labels ?? {},
      annotations: config.annotations ?? {},
    };
    await this.#sandboxes.save(record);
    this.#sandboxRecords.set(id, record);
    try {
      await writeFile(join(dir, 'hostname'), `${config.hostname}\n`);
      await writeFile(join(dir, 'hosts'), hostsFile(config));
      const resolv = config.dns
        ? resolvConf(config.dns)
        : sandboxResolvConf(
            {
              namespace: config.namespace,
              hostNetwork: !config.netnsPath,
              ...(config.dnsPolicy ? { dnsPolicy: config.dnsPolicy } : {}),
              ...(config.dnsConfig ? { dnsConfig: config.dnsConfig } : {}),
            },
            this.#clusterDns,
            this.#clusterDns?.host ??
              parseResolvConf(await readFile(HOST_RESOLV_CONF, 'utf8').catch(() => '')),
          );
      await writeFile(join(dir, 'resolv.conf'), resolv);
      const pause = await this.#createPause(record);
      await this.#start(pause);
    } catch (err) {
      await this.removeSandbox(id).catch(() => {});
      throw err instanceof RuntimeError
        ? err
        : new RuntimeError('CreateFailed', `sandbox ${id}: ${(err as Error).message}`, err);
    }
    return id;
  }

  async #createPause(sb: SandboxRecord): Promise<ContainerRecord> {
    const dir = this.#containers.pathOf(sb.id);
    const rootfs = join(dir, 'rootfs');
    await mkdir(rootfs, { recursive: true });
    const rec = this.#newRecord({
      id: sb.id,
      role: 'pause',
      sandboxId: sb.id,
      podUid: sb.podUid,
      name: 'POD',
      attempt: 0,
      imageId: '',
      imageRef: this.#pauseBinary,
      dir,
      rootfs,
      overlay: false,
      logPath: join(dir, 'ctr.log'),
      stopSignal: 'SIGKILL',
      labels: sb.labels,
      annotations: sb.annotations,
    });
    const host = !sb.netnsPath;
    const spec = buildOciSpec({
      rootfs,
      readOnlyRootfs: true,
      hostname: sb.hostname,
      args: [PAUSE_PATH_IN_CONTAINER, '-P'],
      env: ['PATH=/'],
      cwd: '/',
      user: { uid: 0, gid: 0, additionalGids: [] },
      capabilities: { drop: ['ALL'] },
      namespaces: {
        network: host ? 'host' : { path: sb.netnsPath! },
        ipc: 'new',
        uts: host ? 'host' : 'new',
        pid: 'new',
      },
      cgroupsPath: rec.cgroupsPath,
      rlimits: this.#rlimits,
      mounts: [{ containerPath: PAUSE_PATH_IN_CONTAINER, hostPath: this.#pauseBinary, readOnly: true }],
    });
    await this.#launch(rec, spec);
    return rec;
  }

  async stopSandbox(id: string): Promise<void> {
    const apps = [...this.#records.values()].filter((r) => r.sandboxId === id && r.role === 'app');
    await Promise.all(apps.map((r) => this.stopContainer(r.id, 0)));
    if (this.#records.has(id)) await this.stopContainer(id, 0);
  }

  async removeSandbox(id: string): Promise<void> {
    const sb = this.#sandboxRecords.get(id) ?? (await this.#sandboxes.load(id));
    await this.stopSandbox(id);
    const apps = [...this.#records.values()].filter((r) => r.sandboxId === id && r.role === 'app');
    await Promise.all(apps.map((r) => this.removeContainer(r.id)));
    await this.#remove(id);
    if (sb) {
      const sameUid = [...this.#sandboxRecords.values()].some((s) => s.id !== id && s.podUid === sb.podUid);
      if (!sameUid) await removeCgroupTree(`${this.cgroupRoot}/${sb.podUid}`);
    }
    await rm(this.#sandboxes.pathOf(id), { recursive: true, force: true });
    this.#sandboxRecords.delete(id);
  }

  async sandboxStatus(id: string): Promise<SandboxStatus | undefined> {
    const sb = this.#sandboxRecords.get(id);
    if (!sb) return undefined;
    const pause = this.#records.get(id);
    if (pause) await this.#refresh(pause);
    return {
      id: sb.id,
      podUid: sb.podUid,
      name: sb.name,
      namespace: sb.namespace,
      hostname: sb.hostname,
      state: pause?.state === 'running' ? 'ready' : 'notready',
      ...(sb.netnsPath ? { netnsPath: sb.netnsPath } : {}),
      createdAt: new Date(sb.createdAt),
      labels: sb.labels,
      annotations: sb.annotations,
    };
  }

  async listSandboxes(filter: { podUid?: string } = {}): Promise<SandboxStatus[]> {
    const out: SandboxStatus[] = [];
    for (const sb of [...this.#sandboxRecords.values()]) {
      if (filter.podUid !== undefined && sb.podUid !== filter.podUid) continue;
      const s = await this.sandboxStatus(sb.id);
      if (s) out.push(s);
    }
    return out;
  }

  // --- containers ---

  async createContainer(config: ContainerConfig): Promise<string> {
    const sb = this.#sandboxRecords.get(config.sandboxId);
    if (!sb) throw new RuntimeError('NotFound', `sandbox ${config.sandboxId} not found`);
    const pause = this.#records.get(sb.id);
    if (pause) await this.#refresh(pause);
    if (!pause?.pid || pause.state !== 'running') {
      throw new RuntimeError('NotRunning', `sandbox ${sb.id} is not ready`);
    }
    const id = newId();
    const dir = this.#containers.pathOf(id);
    const imageConfig = config.image.config.config ?? {};
    const rec = this.#newRecord({
      id,
      role: 'app',
      sandboxId: sb.id,
      podUid: sb.podUid,
      name: config.name,
      attempt: config.attempt ?? 0,
      imageId: config.image.id,
      imageRef: config.image.reference,
      dir,
      rootfs: join(dir, 'rootfs'),
      overlay: true,
      logPath: config.logPath ?? join(dir, 'ctr.log'),
      stopSignal: imageConfig.StopSignal ?? DEFAULT_STOP_SIGNAL,
      labels: config.labels ?? {},
      annotations: config.annotations ?? {},
    });
    try {
      for (const d of ['rootfs', 'upper', 'work']) await mkdir(join(dir, d), { recursive: true });
      await mkdir(dirname(rec.logPath), { recursive: true });
      await this.#containers.save(rec);
      this.#records.set(id, rec);
      await mountOverlay({
        lower: config.image.rootfs,
        upper: join(dir, 'upper'),
        work: join(dir, 'work'),
        target: rec.rootfs,
      });
      const spec = await this.#containerSpec(config, sb, pause.pid, rec);
      await this.#launch(rec, buildOciSpec(spec));
    } catch (err) {
      await this.#remove(id).catch(() => {});
      if (err instanceof RuntimeError) throw err;
      throw new RuntimeError('CreateFailed', `container ${config.name}: ${(err as Error).message}`, err);
    }
    return id;
  }

  async #containerSpec(
    config: ContainerConfig,
    sb: SandboxRecord,
    pausePid: number,
    rec: ContainerRecord,
  ): Promise<ContainerSpecInput> {
    const sec = config.security ?? {};
    const readImageFile = (p: string) => readFile(join(config.image.rootfs, p), 'utf8').catch(() => '');
    let user: ReturnType<typeof resolveUser>;
    let proc: ReturnType<typeof resolveProcess>;
    try {
      user = resolveUser({
        imageUser: config.image.config.config?.User,
        runAsUser: sec.runAsUser,
        runAsGroup: sec.runAsGroup,
        supplementalGroups: sec.supplementalGroups,
        fsGroup: sec.fsGroup,
        passwd: await readImageFile('etc/passwd'),
        group: await readImageFile('etc/group'),
      });
      proc = resolveProcess(
        config.image.config.config ?? {},
        {
          command: config.command,
          args: config.args,
          env: config.env,
          workingDir: config.workingDir,
        },
        { HOSTNAME: sb.hostname, HOME: user.home ?? '/' },
      );
    } catch (err) {
      throw new RuntimeError('InvalidConfig', (err as Error).message, err);
    }
    const host = !sb.netnsPath;
    const pauseNs = (kind: string): NamespaceSource => ({ path: `/proc/${pausePid}/ns/${kind}` });
    return {
      rootfs: rec.rootfs,
      readOnlyRootfs: sec.readOnlyRootFilesystem ?? false,
      args: proc.args,
      env: proc.env,
      cwd: proc.cwd,
      user,
      ...(sec.capabilities ? { capabilities: sec.capabilities } : {}),
      privileged: sec.privileged ?? false,
      availableCapabilities: this.#boundingSet,
      noNewPrivileges: sec.allowPrivilegeEscalation === undefined ? undefined : !sec.allowPrivilegeEscalation,
      seccomp: sec.seccomp ?? 'RuntimeDefault',
      namespaces: {
        network: host ? 'host' : { path: sb.netnsPath! },
        ipc: pauseNs('ipc'),
        uts: host ? 'host' : pauseNs('uts'),
        pid: 'new',
      },
      cgroupsPath: rec.cgroupsPath,
      resources: config.resources ?? {},
      rlimits: this.#rlimits,
      mounts: [
        { containerPath: '/etc/hosts', hostPath: join(sb.dir, 'hosts') },
        { containerPath: '/etc/resolv.conf', hostPath: join(sb.dir, 'resolv.conf') },
        { containerPath: '/etc/hostname', hostPath: join(sb.dir, 'hostname') },
        ...(config.mounts ?? []),
      ],
      annotations: { 'io.kubernetes.pod.uid': sb.podUid, 'io.kubernetes.container.name': config.name },
    };
  }

  async startContainer(id: string): Promise<void> {
    await this.#locked(id, async () => {
      const rec = this.#records.get(id);
      if (!rec) throw new RuntimeError('NotFound', `container ${id} not found`);
      await this.#refresh(rec);
      if (rec.state !== 'created')
        throw new RuntimeError('StartFailed', `container ${id} is ${rec.state}, not created`);
      await this.#start(rec);
    });
  }

  async #start(rec: ContainerRecord): Promise<void> {
    // The process starts during `runc start`; stamping before keeps startedAt <= finishedAt.
    const startedAt = isoMillis(Date.now());
    try {
      await this.runc.start(rec.id);
    } catch (err) {
      throw new RuntimeError('StartFailed', `container ${rec.name}: ${(err as Error).message}`, err);
    }
    rec.startedAt = startedAt;
    // A very short-lived process may already have exited: keep the exit the watcher recorded.
    if (rec.state === 'created') rec.state = 'running';
    await this.#containers.save(rec);
  }

  async stopContainer(id: string, gracePeriodSeconds: number): Promise<void> {
    await this.#locked(id, async () => {
      const rec = this.#records.get(id);
      if (!rec) return;
      await this.#refresh(rec);
      if (rec.state !== 'running' && rec.state !== 'created') return;
      // A created container runs only `runc init`, which has nothing to shut down gracefully.
      if (gracePeriodSeconds > 0 && rec.stopSignal !== 'SIGKILL' && rec.state === 'running') {
        await this.runc.kill(id, rec.stopSignal);
        if (await this.#waitExit(rec, gracePeriodSeconds * 1000)) return;
      }
      await this.runc.kill(id, 'SIGKILL');
      if (!(await this.#waitExit(rec, KILL_WAIT_MS))) {
        throw new RuntimeError('NotRunning', `container ${id} did not exit ${KILL_WAIT_MS} ms after SIGKILL`);
      }
    });
  }

  async removeContainer(id: string): Promise<void> {
    const rec = this.#records.get(id);
    if (rec?.role === 'pause')
      throw new RuntimeError('InvalidConfig', `${id} is a sandbox: use removeSandbox`);
    await this.#remove(id);
  }

  async #remove(id: string): Promise<void> {
    await this.stopContainer(id, 0);
    await this.#locked(id, async () => {
      const rec = this.#records.get(id) ?? (await this.#containers.load(id));
      if (!rec) return;
      // An exit noticed now (the exit file's watcher) would save the record into the directory
      // being deleted: let a running refresh finish, and start no other.
      this.#removing.add(id);
      try {
        await this.#refreshing.get(id)?.catch(() => {});
        await this.runc.delete(id);
        if (rec.overlay) await unmount(rec.rootfs);
        await waitGone(await this.#conmonPid(rec), CONMON_EXIT_WAIT_MS);
        await rm(join(this.#exitDir, id), { force: true });
        await rm(rec.dir, { recursive: true, force: true });
        this.#records.delete(id);
        this.#conmonPids.delete(id);
      } finally {
        this.#removing.delete(id);
      }
    });
  }

  async containerStatus(id: string): Promise<ContainerStatus | undefined> {
    const rec = this.#records.get(id);
    if (rec?.role !== 'app') return undefined;
    await this.#refresh(rec);
    return toStatus(rec);
  }

  async listContainers(
    filter: { sandboxId?: string; state?: ContainerState } = {},
  ): Promise<ContainerStatus[]> {
    const out: ContainerStatus[] = [];
    for (const rec of this.#records.values()) {
      if (rec.role !== 'app') continue;
      if (filter.sandboxId && rec.sandboxId !== filter.sandboxId) continue;
      await this.#refresh(rec);
      if (filter.state && rec.state !== filter.state) continue;
      out.push(toStatus(rec));
    }
    return out.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  }

  async exec(id: string, cmd: string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const rec = this.#records.get(id);
    if (!rec) throw new RuntimeError('NotFound', `container ${id} not found`);
    await this.#refresh(rec);
    if (rec.state !== 'running') throw new RuntimeError('NotRunning', `container ${id} is ${rec.state}`);
    const pidFile = join(rec.dir, `exec-${randomBytes(4).toString('hex')}.pid`);
    try {
      return await this.runc.exec(id, cmd, {
        pidFile,
        ...(opts.env ? { env: opts.env } : {}),
        ...(opts.cwd ? { cwd: opts.cwd } : {}),
        ...(opts.stdin ? { input: opts.stdin } : {}),
        ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
      });
    } finally {
      await rm(pidFile, { force: true });
    }
  }

  // --- internals ---

  #newRecord(
    r: Omit<ContainerRecord, 'state' | 'createdAt' | 'cgroupsPath'> &
      Partial<Pick<ContainerRecord, 'cgroupsPath'>>,
  ): ContainerRecord {
    return {
      ...r,
      cgroupsPath: r.cgroupsPath ?? `${this.cgroupRoot}/${r.podUid}/${r.id}`,
      state: 'unknown',
      createdAt: isoMillis(Date.now()),
    };
  }

  /** Writes the bundle and has conmon run `runc create`; the record ends in state `created`. */
  async #launch(rec: ContainerRecord, spec: ReturnType<typeof buildOciSpec>): Promise<void> {
    await mkdir(rec.dir, { recursive: true });
    await writeFile(join(rec.dir, 'config.json'), JSON.stringify(spec, null, 2));
    this.#records.set(rec.id, rec);
    await this.#containers.save(rec);
    let pid: number;
    try {
      pid = await launchConmon({
        conmonPath: this.#conmonPath,
        runcPath: this.runc.path,
        runtimeArgs: this.runc.globalArgs,
        id: rec.id,
        name: rec.name,
        bundle: rec.dir,
        persistDir: rec.dir,
        logPath: rec.logPath,
        exitDir: this.#exitDir,
        socketDir: this.#socketDir,
        containerPidFile: join(rec.dir, 'pidfile'),
        conmonPidFile: join(rec.dir, 'conmon.pid'),
        conmonLogFile: join(rec.dir, 'conmon.log'),
        ...(this.#logSizeMax !== undefined ? { logSizeMax: this.#logSizeMax } : {}),
      });
    } catch (err) {
      throw new RuntimeError('CreateFailed', `${rec.name}: ${(err as Error).message}`, err);
    }
    rec.pid = pid;
    rec.state = 'created';
    await this.#containers.save(rec);
  }

  /** Brings a record up to date with the exit file and the monitor's liveness (one check at a time). */
  #refresh(rec: ContainerRecord): Promise<void> {
    const inflight = this.#refreshing.get(rec.id);
    if (inflight) return inflight;
    if (this.#removing.has(rec.id)) return Promise.resolve();
    const p = this.#doRefresh(rec).finally(() => this.#refreshing.delete(rec.id));
    this.#refreshing.set(rec.id, p);
    return p;
  }

  async #doRefresh(rec: ContainerRecord): Promise<void> {
    if (rec.state !== 'created' && rec.state !== 'running' && rec.state !== 'unknown') return;
    if (await this.#observeExit(rec)) return;
    if (rec.state === 'unknown') return; // never launched; removal cleans it up
    const conmonPid = await this.#conmonPid(rec);
    if (conmonPid !== undefined && isAlive(conmonPid)) return;
    // The monitor is gone and wrote nothing (killed, or the host rebooted): the container is lost.
    if (await this.#observeExit(rec)) return;
    rec.state = 'exited';
    rec.exitCode = UNKNOWN_EXIT_CODE;
    rec.reason = 'Unknown';
    rec.message = 'the container monitor (conmon) is gone and left no exit status';
    rec.finishedAt = isoMillis(Date.now());
    await this.#containers.save(rec);
    this.#notifyExit(rec.id);
  }

  async #conmonPid(rec: ContainerRecord): Promise<number | undefined> {
    const known = this.#conmonPids.get(rec.id);
    if (known !== undefined) return known;
    const pid = await readPid(join(rec.dir, 'conmon.pid'));
    if (pid !== undefined) this.#conmonPids.set(rec.id, pid);
    return pid;
  }

  async #onExitFile(id: string): Promise<void> {
    const rec = this.#records.get(id);
    if (rec) await this.#refresh(rec);
  }

  /** Reads `<exits>/<id>`; on exit, records code, time and OOM (conmon's marker or oom_kill). */
  async #observeExit(rec: ContainerRecord): Promise<boolean> {
    const file = join(this.#exitDir, rec.id);
    // Checked first: a missing exit file (the usual answer) costs no ENOENT error object, and a
    // stat of a file in tmpfs does not block.
    if (!existsSync(file)) return false;
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text === undefined || text.trim() === '') return false;
    if (rec.state === 'exited') return true;
    const code = Number.parseInt(text.trim(), 10);
    const mtimeMs = await stat(file).then(
      (s) => s.mtimeMs,
      () => Date.now(),
    );
    const oomMarker = await stat(join(rec.dir, 'oom')).then(
      () => true,
      () => false,
    );
    const oom = oomMarker || (await readOomKillCount(rec.cgroupsPath)) > 0;
    rec.state = 'exited';
    rec.exitCode = Number.isNaN(code) ? UNKNOWN_EXIT_CODE : code;
    rec.reason = oom ? 'OOMKilled' : rec.exitCode === 0 ? 'Completed' : 'Error';
    rec.finishedAt = isoMillis(mtimeMs);
    await this.#containers.save(rec);
    this.#notifyExit(rec.id);
    return true;
  }

  #notifyExit(id: string): void {
    for (const w of this.#exitWaiters.get(id) ?? []) w();
    this.#exitWaiters.delete(id);
    for (const l of this.#listeners) {
      try {
        l(id);
      } catch {
        // a listener's failure is its own
      }
    }
  }

  /** Resolves true once the container exited, false after `ms`. */
  async #waitExit(rec: ContainerRecord, ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      await this.#refresh(rec);
      if (rec.state === 'exited') return true;
      await new Promise<void>((resolve) => {
        const set = this.#exitWaiters.get(rec.id) ?? new Set();
        this.#exitWaiters.set(rec.id, set);
        const done = () => {
          clearTimeout(timer);
          set.delete(done);
          resolve();
        };
        // Re-check at least every 100 ms: the exit file may land between watcher ticks.
        const timer = setTimeout(done, Math.min(100, Math.max(1, deadline - Date.now())));
        set.add(done);
      });
    }
    await this.#refresh(rec);
    return rec.state === 'exited';
  }

  #locked<T>(id: string, fn: () => Promise<T>): Promise<T> {
    return this.#locks.run(id, fn);
  }
}

function toStatus(rec: ContainerRecord): ContainerStatus {
  return {
    id: rec.id,
    sandboxId: rec.sandboxId,
    name: rec.name,
    attempt: rec.attempt,
    imageId: rec.imageId,
    imageRef: rec.imageRef,
    state: rec.state,
    ...(rec.pid !== undefined && (rec.state === 'running' || rec.state === 'created')
      ? { pid: rec.pid }
      : {}),
    ...(rec.exitCode !== undefined ? { exitCode: rec.exitCode } : {}),
    ...(rec.reason ? { reason: rec.reason } : {}),
    ...(rec.message ? { message: rec.message } : {}),
    createdAt: new Date(rec.createdAt),
    ...(rec.startedAt ? { startedAt: new Date(rec.startedAt) } : {}),
    ...(rec.finishedAt ? { finishedAt: new Date(rec.finishedAt) } : {}),
    logPath: rec.logPath,
    labels: rec.labels,
    annotations: rec.annotations,
  };
}

/** 32 hex characters: unique per container incarnation (part of its cgroup path). */
export function newId(): string {
  return randomBytes(16).toString('hex');
}

async function readPid(file: string): Promise<number | undefined> {
  const n = Number.parseInt((await readFile(file, 'utf8').catch(() => '')).trim(), 10);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

async function waitGone(pid: number | undefined, ms: number): Promise<void> {
  if (pid === undefined) return;
  const deadline = Date.now() + ms;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}
