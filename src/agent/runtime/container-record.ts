// What the runtime persists per container and per sandbox (JSON, one file each), so a new runtime
// instance can re-adopt everything a previous one started.

import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KeyedQueue } from '../../util/keyed-queue.ts';
import type { ContainerState, ExitReason } from './types.ts';

export interface ContainerRecord {
  id: string;
  /** `pause` is a sandbox's infra container (catatonit holding its IPC/UTS namespaces). */
  role: 'app' | 'pause';
  sandboxId: string;
  podUid: string;
  name: string;
  attempt: number;
  imageId: string;
  imageRef: string;
  /** Bundle and persist directory. */
  dir: string;
  /** Root filesystem path; an overlay mount point when `overlay`. */
  rootfs: string;
  overlay: boolean;
  logPath: string;
  cgroupsPath: string;
  stopSignal: string;
  state: ContainerState;
  pid?: number;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  exitCode?: number;
  reason?: ExitReason;
  message?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface SandboxRecord {
  id: string;
  podUid: string;
  name: string;
  namespace: string;
  hostname: string;
  netnsPath?: string;
  dir: string;
  createdAt: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** One JSON document per ID in `<dir>/<id>/<file>`, written atomically (temp + rename). */
export class RecordStore<T extends { id: string }> {
  readonly dir: string;
  readonly #file: string;
  readonly #saving = new KeyedQueue();

  constructor(dir: string, file: string) {
    this.dir = dir;
    this.#file = file;
  }

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
  }

  pathOf(id: string): string {
    return join(this.dir, id);
  }

  /**
   * Saves of one record run one after another: two at once (a start and an exit noticed by the
   * watcher) shared one temp file, and the second rename failed with ENOENT. Each serialises the
   * record when its turn comes, so the file ends with the latest state.
   */
  save(record: T): Promise<void> {
    return this.#saving.run(record.id, () => this.#write(record));
  }

  async #write(record: T): Promise<void> {
    const dir = this.pathOf(record.id);
    await mkdir(dir, { recursive: true });
    const target = join(dir, this.#file);
    await writeFile(`${target}.tmp`, JSON.stringify(record, null, 2));
    await rename(`${target}.tmp`, target);
  }

  async load(id: string): Promise<T | undefined> {
    const text = await readFile(join(this.pathOf(id), this.#file), 'utf8').catch(() => undefined);
    return text === undefined ? undefined : (JSON.parse(text) as T);
  }

  async loadAll(): Promise<T[]> {
    const out: T[] = [];
    for (const id of await readdir(this.dir).catch(() => [] as string[])) {
      const r = await this.load(id);
      if (r) out.push(r);
    }
    return out;
  }
}
