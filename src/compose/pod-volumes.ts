// A service's mounts as pod volumes and volume mounts: named volumes → PersistentVolumeClaims,
// bind mounts → hostPath, tmpfs and shm_size → memory-backed emptyDir, anonymous volumes →
// emptyDir, configs and secrets → ConfigMap/Secret files at compose's targets.
import { homedir } from 'node:os';
import { posix } from 'node:path';
import type { KObject } from '../api/object.ts';
import { ComposeConvertError, type ConvertContext } from './context.ts';
import { parseMount } from './mounts.ts';
import { toDnsLabel } from './names.ts';
import { isMap } from './normalize.ts';
import type { ComposeService, Json } from './types.ts';
import { sizeQuantity } from './units.ts';

export const SECRETS_DIR = '/run/secrets';
export const SHM_PATH = '/dev/shm';
const MEMORY_MEDIUM = 'Memory';
const POD_VOLUME_NAME_MAX = 63;

export interface PodVolumes {
  volumes: KObject[];
  mounts: KObject[];
  /** Named (claim-backed) volumes this service mounts. */
  claims: string[];
}

const volName = (s: string): string => toDnsLabel(s).slice(0, POD_VOLUME_NAME_MAX).replace(/-+$/, '');

/** Name of the PersistentVolumeClaim backing a compose named volume. */
export function claimName(ctx: ConvertContext, volume: string): string {
  const def = ctx.project.volumes[volume] ?? {};
  const external = def.external === true || isMap(def.external ?? null);
  if (external) return String(def.name ?? volume);
  return toDnsLabel(volume);
}

export function podVolumes(ctx: ConvertContext, svc: ComposeService): PodVolumes {
  const out: PodVolumes = { volumes: [], mounts: [], claims: [] };
  const prefix = toDnsLabel(svc.name);
  const warn = (key: string, msg: string) => ctx.warn(svc.name, key, msg);
  const raw = svc.raw;
  const addVolume = (v: KObject) => {
    if (!out.volumes.some((x) => x.name === v.name)) out.volumes.push(v);
  };

  (Array.isArray(raw.volumes) ? raw.volumes : []).forEach((entry, i) => {
    let m: ReturnType<typeof parseMount>;
    try {
      m = parseMount(entry);
    } catch (e) {
      throw new ComposeConvertError(`service ${svc.name}: ${(e as Error).message}`);
    }
    for (const u of m.unmapped) warn(`volumes[${i}]`, `${u} has no Kubernetes equivalent: ignored`);
    const mount: KObject = { mountPath: m.target };
    if (m.readOnly) mount.readOnly = true;
    if (m.subpath) mount.subPath = m.subpath;
    switch (m.type) {
      case 'volume': {
        if (m.source === undefined) {
          const name = volName(`${prefix}-anon-${i}`);
          addVolume({ name, emptyDir: {} });
          mount.name = name;
          break;
        }
        if (!(m.source in ctx.project.volumes)) {
          throw new ComposeConvertError(`service ${svc.name} refers to undefined volume ${m.source}`);
        }
        const name = volName(`vol-${m.source}`);
        addVolume({ name, persistentVolumeClaim: { claimName: claimName(ctx, m.source) } });
        mount.name = name;
        if (!out.claims.includes(m.source)) out.claims.push(m.source);
        const users = ctx.usedVolumes.get(m.source) ?? new Set<string>();
        users.add(svc.name);
        ctx.usedVolumes.set(m.source, users);
        break;
      }
      case 'bind': {
        const path = m.source!.startsWith('~') ? posix.join(homedir(), m.source!.slice(1)) : m.source!;
        warn(
          `volumes[${i}]`,
          `bind mount of ${path}: a hostPath on whichever node runs the pod (the path must exist there)`,
        );
        const name = volName(`${prefix}-bind-${i}`);
        addVolume({ name, hostPath: { path } });
        mount.name = name;
        break;
      }
      case 'tmpfs': {
        const name = volName(`${prefix}-tmpfs-${i}`);
        addVolume({ name, emptyDir: tmpfsEmptyDir(m.size, (msg) => warn(`volumes[${i}]`, msg)) });
        mount.name = name;
        break;
      }
      default:
        warn(`volumes[${i}]`, `${m.type} mounts are not supported: ignored`);
        return;
    }
    out.mounts.push(mount);
  });

  // `tmpfs: [/run, /tmp:size=64m]`
  (Array.isArray(raw.tmpfs) ? raw.tmpfs : []).forEach((entry, i) => {
    const [target, opts = ''] = String(entry).split(/:(.*)/s);
    const size = /(?:^|,)size=([^,]+)/.exec(opts)?.[1];
    if (opts.split(',').some((o) => o && !o.startsWith('size='))) {
      warn(`tmpfs[${i}]`, 'tmpfs options other than size are ignored');
    }
    const name = volName(`${prefix}-tmpfs-t${i}`);
    addVolume({ name, emptyDir: tmpfsEmptyDir(size, (msg) => warn(`tmpfs[${i}]`, msg)) });
    out.mounts.push({ name, mountPath: target });
  });

  if (raw.shm_size !== undefined) {
    const name = volName(`${prefix}-shm`);
    addVolume({ name, emptyDir: tmpfsEmptyDir(raw.shm_size, (msg) => warn('shm_size', msg)) });
    out.mounts.push({ name, mountPath: SHM_PATH });
  }

  for (const kind of ['configs', 'secrets'] as const) {
    const refs = Array.isArray(raw[kind]) ? raw[kind] : [];
    refs.forEach((ref, i) => {
      const r = isMap(ref) ? ref : { source: String(ref) };
      const source = String(r.source ?? '');
      const defs = kind === 'configs' ? ctx.project.configs : ctx.project.secrets;
      if (!(source in defs)) {
        throw new ComposeConvertError(
          `service ${svc.name} refers to undefined ${kind.slice(0, -1)} ${source}`,
        );
      }
      (kind === 'configs' ? ctx.usedConfigs : ctx.usedSecrets).add(source);
      for (const k of ['uid', 'gid'] as const) {
        if (r[k] !== undefined)
          warn(`${kind}[${i}].${k}`, 'file ownership of projected files is not settable');
      }
      let target = r.target === undefined ? undefined : String(r.target);
      if (kind === 'secrets') {
        target = target === undefined ? `${SECRETS_DIR}/${source}` : posix.resolve(SECRETS_DIR, target);
      } else target = target === undefined ? `/${source}` : posix.resolve('/', target);
      const key = dataKey(source);
      const item: KObject = { key, path: key };
      const mode = fileMode(r.mode);
      if (mode !== undefined) item.mode = mode;
      const name = volName(`${kind === 'configs' ? 'config' : 'secret'}-${source}`);
      const objectName = sourceObjectName(ctx, kind, source);
      // One volume per (object, mode): the same config mounted twice with different modes needs two.
      const volumeName = mode === undefined ? name : volName(`${name}-${mode.toString(8)}`);
      addVolume(
        kind === 'configs'
          ? { name: volumeName, configMap: { name: objectName, items: [item] } }
          : { name: volumeName, secret: { secretName: objectName, items: [item] } },
      );
      out.mounts.push({ name: volumeName, mountPath: target, subPath: key, readOnly: true });
    });
  }
  return out;
}

/** The data key a config/secret's content is stored under: its compose name. */
export const dataKey = (source: string): string => source;

/** Name of the ConfigMap/Secret holding a compose config/secret (external ones keep their name). */
export function sourceObjectName(ctx: ConvertContext, kind: 'configs' | 'secrets', source: string): string {
  const def = (kind === 'configs' ? ctx.project.configs : ctx.project.secrets)[source] ?? {};
  if (def.external === true || isMap(def.external ?? null)) return String(def.name ?? source);
  return toDnsLabel(source);
}

function tmpfsEmptyDir(size: Json | undefined, warn: (msg: string) => void): KObject {
  const dir: KObject = { medium: MEMORY_MEDIUM };
  if (size !== undefined && size !== null) {
    try {
      dir.sizeLimit = sizeQuantity(size);
    } catch {
      warn(`invalid size ${JSON.stringify(size)}: no size limit`);
    }
  }
  return dir;
}

/** Compose modes are octal (`0440`, or 288 once YAML read it); Kubernetes wants 0–0777 as a number. */
function fileMode(mode: Json | undefined): number | undefined {
  if (mode === undefined || mode === null) return undefined;
  const n = typeof mode === 'number' ? mode : Number.parseInt(String(mode), 8);
  return Number.isInteger(n) && n >= 0 && n <= 0o777 ? n : undefined;
}
