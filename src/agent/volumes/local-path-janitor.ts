// Removes the directories of deleted local-path volumes. skiff's provisioner (controllers/volume)
// creates hostPath PersistentVolumes pinned to one node; their data lives only there, so when such
// a volume with reclaim policy Delete is deleted, the agent of that node removes the directory.
//
//   pod mounts a local-path PV on this node ─► remember(pv): <dir>/<pv name>.json {uid, path}
//   every sweepMs ─► GET each remembered PV ─► gone (or re-created: other UID) ─► rm -r path, forget
//
// Remembering what was mounted (rather than watching every PersistentVolume) needs only `get` on
// persistentvolumes, which is all a node's credentials allow, and survives agent restarts.
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PersistentVolume } from 'kubernetes-types/core/v1.d.ts';
import type { KObject } from '../../api/object.ts';
import { isNotFound, type RestClient } from '../../client/index.ts';
import type { Clock, Timer } from '../../util/clock.ts';
import type { Disposable } from '../../util/disposable.ts';
import type { Logger } from '../../util/log.ts';

export const ANN_PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';
export const LOCAL_PATH_PROVISIONER = 'skiff.dev/local-path';
export const HOSTNAME_LABEL = 'kubernetes.io/hostname';
/** How often remembered volumes are checked; deleting data is never urgent. */
export const LOCAL_PATH_SWEEP_MS = 30_000;
/** The provisioner names every directory `pvc-<claim uid>_<ns>_<name>`: anything else is not ours. */
export const LOCAL_PATH_DIR_PREFIX = 'pvc-';

const PVS = { group: '', version: 'v1', resource: 'persistentvolumes', namespaced: false };

interface Remembered {
  name: string;
  uid: string;
  path: string;
}

/** The directory this node must remove once `pv` is deleted, or undefined if it is not ours to. */
export function localPathToRemove(pv: PersistentVolume, nodeName: string): string | undefined {
  if (pv.metadata?.annotations?.[ANN_PROVISIONED_BY] !== LOCAL_PATH_PROVISIONER) return undefined;
  if (pv.spec?.persistentVolumeReclaimPolicy !== 'Delete') return undefined;
  const terms = pv.spec?.nodeAffinity?.required?.nodeSelectorTerms ?? [];
  const onNode = terms.some((t) =>
    (t.matchExpressions ?? []).some(
      (e) => e.key === HOSTNAME_LABEL && e.operator === 'In' && (e.values ?? []).includes(nodeName),
    ),
  );
  if (!onNode) return undefined;
  const dir = pv.spec?.hostPath?.path ?? pv.spec?.local?.path;
  if (!dir || !path.isAbsolute(dir) || dir.split('/').some((s) => s === '..' || s === '.')) return undefined;
  if (!path.basename(dir).startsWith(LOCAL_PATH_DIR_PREFIX)) return undefined;
  return dir;
}

export interface LocalPathJanitorOptions {
  client: RestClient;
  nodeName: string;
  /** Where remembered volumes are recorded (persistent: survives agent restarts). */
  stateDir: string;
  clock: Clock;
  log: Logger;
  sweepMs?: number;
}

export class LocalPathJanitor implements Disposable {
  readonly #o: LocalPathJanitorOptions;
  #timer: Timer | undefined;
  #stopped = false;
  #sweeping: Promise<void> | undefined;

  constructor(o: LocalPathJanitorOptions) {
    this.#o = o;
  }

  async start(): Promise<void> {
    await mkdir(this.#o.stateDir, { recursive: true });
    this.#schedule();
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = this.#o.clock.setTimer(this.#o.sweepMs ?? LOCAL_PATH_SWEEP_MS, () => {
      this.#sweeping = this.sweep()
        .catch((err: unknown) => this.#o.log.warn('local-path sweep failed', { err: String(err) }))
        .finally(() => this.#schedule());
    });
  }

  #recordPath(name: string): string {
    return path.join(this.#o.stateDir, `${name}.json`);
  }

  /** Records a volume mounted here if its directory is this node's to remove later. */
  async remember(pv: PersistentVolume): Promise<void> {
    const dir = localPathToRemove(pv, this.#o.nodeName);
    const name = pv.metadata?.name;
    if (!dir || !name) return;
    const rec: Remembered = { name, uid: pv.metadata?.uid ?? '', path: dir };
    await writeFile(this.#recordPath(name), JSON.stringify(rec));
  }

  /** Removes the directories of remembered volumes that no longer exist. */
  async sweep(): Promise<void> {
    const files = await readdir(this.#o.stateDir).catch(() => [] as string[]);
    for (const f of files.filter((x) => x.endsWith('.json'))) {
      const file = path.join(this.#o.stateDir, f);
      const rec = JSON.parse(await readFile(file, 'utf8')) as Remembered;
      let gone = false;
      try {
        const pv = await this.#o.client.resource<KObject>(PVS).get(rec.name);
        gone = rec.uid !== '' && pv.metadata?.uid !== rec.uid;
      } catch (err) {
        if (!isNotFound(err)) throw err;
        gone = true;
      }
      if (!gone) continue;
      this.#o.log.info('removing the directory of a deleted local-path volume', {
        pv: rec.name,
        path: rec.path,
      });
      await rm(rec.path, { recursive: true, force: true });
      await rm(file, { force: true });
    }
  }

  async dispose(): Promise<void> {
    this.#stopped = true;
    this.#timer?.cancel();
    await this.#sweeping;
  }
}
