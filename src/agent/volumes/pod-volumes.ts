// A pod's volumes on the host under <pods dir>/<uid>/volumes/<name>, and each container's bind
// mounts into them. emptyDir is a directory (medium Memory: a tmpfs named skiff-tmpfs); configMap,
// secret, downwardAPI and projected volumes are rendered files (rewritten on every set-up, without
// the kubelet's atomic ..data symlink swap); hostPath binds the host path itself, and so does a
// persistentVolumeClaim once claims.ts has resolved it to its volume's directory.
import { execFile } from 'node:child_process';
import { chmod, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Container, KeyToPath, Pod, Volume } from 'kubernetes-types/core/v1.d.ts';
import { nodeUtil } from '../../util/node-builtins.ts';
import { type ConfigSource, configMapData, secretData } from '../container-env.ts';
import { isMountPoint } from '../runtime/mount-point.ts';
import type { BindMount } from '../runtime/oci-spec.ts';
import type { ClaimVolume } from './claims.ts';
import { type RenderedFile, renderDownwardApi } from './downward-api.ts';
import type { FieldContext } from './field-ref.ts';

const run = nodeUtil.promisify(execFile);

export const TMPFS_SOURCE = 'skiff-tmpfs';
export const DEFAULT_FILE_MODE = 0o644;
export const REASON_FAILED_MOUNT = 'FailedMount';

export class VolumeError extends Error {
  readonly volume: string;
  constructor(volume: string, message: string) {
    super(`MountVolume.SetUp failed for volume "${volume}" : ${message}`);
    this.name = 'VolumeError';
    this.volume = volume;
  }
}

/** Files of a ConfigMap/Secret volume: every key, or only the listed items (missing key = error). */
export function keyFiles(
  data: Record<string, string>,
  items: KeyToPath[] | undefined,
  defaultMode: number | undefined,
  optional: boolean,
): RenderedFile[] {
  const mode = defaultMode ?? DEFAULT_FILE_MODE;
  if (!items?.length)
    return Object.keys(data)
      .sort()
      .map((k) => ({ path: k, content: data[k] as string, mode }));
  const out: RenderedFile[] = [];
  for (const it of items) {
    const v = data[it.key];
    if (v === undefined) {
      if (optional) continue;
      throw new Error(`configmap references non-existent config key: ${it.key}`);
    }
    out.push({ path: it.path, content: v, mode: it.mode ?? mode });
  }
  return out;
}

/** The files a rendered volume holds, or undefined for directory-backed volumes. */
export function volumeFiles(
  v: Volume,
  ns: string,
  ctx: FieldContext,
  src: ConfigSource,
): RenderedFile[] | undefined {
  if (v.configMap) {
    const cm = src.configMap(ns, v.configMap.name ?? '');
    if (!cm) {
      if (v.configMap.optional) return [];
      throw new VolumeError(v.name, `configmap "${v.configMap.name}" not found`);
    }
    return keyFiles(
      configMapData(cm),
      v.configMap.items,
      v.configMap.defaultMode,
      v.configMap.optional === true,
    );
  }
  if (v.secret) {
    const s = src.secret(ns, v.secret.secretName ?? '');
    if (!s) {
      if (v.secret.optional) return [];
      throw new VolumeError(v.name, `secret "${v.secret.secretName}" not found`);
    }
    return keyFiles(secretData(s), v.secret.items, v.secret.defaultMode ?? 0o644, v.secret.optional === true);
  }
  if (v.downwardAPI)
    return renderDownwardApi(v.downwardAPI.items ?? [], ctx, v.downwardAPI.defaultMode ?? DEFAULT_FILE_MODE);
  if (v.projected) {
    const out: RenderedFile[] = [];
    const mode = v.projected.defaultMode ?? DEFAULT_FILE_MODE;
    for (const s of v.projected.sources ?? []) {
      if (s.configMap) {
        const cm = src.configMap(ns, s.configMap.name ?? '');
        if (!cm && !s.configMap.optional)
          throw new VolumeError(v.name, `configmap "${s.configMap.name}" not found`);
        if (cm)
          out.push(...keyFiles(configMapData(cm), s.configMap.items, mode, s.configMap.optional === true));
      } else if (s.secret) {
        const sec = src.secret(ns, s.secret.name ?? '');
        if (!sec && !s.secret.optional) throw new VolumeError(v.name, `secret "${s.secret.name}" not found`);
        if (sec) out.push(...keyFiles(secretData(sec), s.secret.items, mode, s.secret.optional === true));
      } else if (s.downwardAPI) out.push(...renderDownwardApi(s.downwardAPI.items ?? [], ctx, mode));
      // serviceAccountToken sources are skipped: no TokenRequest client yet.
    }
    return out;
  }
  return undefined;
}

export const podVolumesDir = (podsDir: string, uid: string): string => path.join(podsDir, uid, 'volumes');

/** Creates or refreshes every volume; returns volume name → host path. */
export async function setUpVolumes(
  podsDir: string,
  pod: Pod,
  ctx: FieldContext,
  src: ConfigSource,
  claims: ReadonlyMap<string, ClaimVolume> = new Map(),
): Promise<Map<string, string>> {
  const ns = pod.metadata?.namespace ?? 'default';
  const base = podVolumesDir(podsDir, pod.metadata?.uid ?? '');
  const out = new Map<string, string>();
  for (const v of pod.spec?.volumes ?? []) {
    if (v.hostPath) {
      if (v.hostPath.type === 'DirectoryOrCreate') await mkdir(v.hostPath.path, { recursive: true });
      out.set(v.name, v.hostPath.path);
      continue;
    }
    if (v.persistentVolumeClaim) {
      const claim = claims.get(v.name);
      if (!claim) throw new VolumeError(v.name, 'the claim is not bound to a volume yet');
      if (claim.createDir) await mkdir(claim.path, { recursive: true });
      else if (!(await stat(claim.path).catch(() => undefined))?.isDirectory())
        throw new VolumeError(v.name, `path "${claim.path}" does not exist`);
      out.set(v.name, claim.path);
      continue;
    }
    const dir = path.join(base, v.name);
    await mkdir(dir, { recursive: true });
    out.set(v.name, dir);
    if (v.emptyDir) {
      if (v.emptyDir.medium === 'Memory' && !(await isMountPoint(dir))) {
        const size = v.emptyDir.sizeLimit ? [`-o`, `size=${v.emptyDir.sizeLimit}`] : [];
        await run('mount', ['-t', 'tmpfs', ...size, TMPFS_SOURCE, dir]);
      }
      await chmod(dir, 0o777);
      continue;
    }
    const files = volumeFiles(v, ns, ctx, src);
    if (!files) throw new VolumeError(v.name, 'unsupported volume type');
    for (const f of files) {
      const target = path.resolve(dir, f.path);
      if (!target.startsWith(`${dir}/`)) throw new VolumeError(v.name, `invalid path ${f.path}`);
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, f.content);
      await chmod(target, f.mode ?? DEFAULT_FILE_MODE);
    }
  }
  return out;
}

/** Volumes every mount of which is read-only (a claim used with `readOnly: true`). */
export function readOnlyVolumes(pod: Pod): Set<string> {
  return new Set(
    (pod.spec?.volumes ?? []).filter((v) => v.persistentVolumeClaim?.readOnly).map((v) => v.name),
  );
}

/** Bind mounts of a container's volumeMounts (subPath supported for directory volumes). */
export function containerMounts(
  c: Container,
  volumes: Map<string, string>,
  readOnly: ReadonlySet<string> = new Set(),
): BindMount[] {
  return (c.volumeMounts ?? []).map((m) => {
    const host = volumes.get(m.name);
    if (host === undefined) throw new VolumeError(m.name, 'volume not found in the pod spec');
    return {
      containerPath: m.mountPath,
      hostPath: m.subPath ? path.join(host, m.subPath) : host,
      readOnly: m.readOnly === true || readOnly.has(m.name),
      ...(m.mountPropagation === 'HostToContainer' ? { propagation: 'rslave' as const } : {}),
      ...(m.mountPropagation === 'Bidirectional' ? { propagation: 'rshared' as const } : {}),
    };
  });
}

/** Unmounts tmpfs volumes and removes the pod's directory. */
export async function tearDownVolumes(podsDir: string, uid: string): Promise<void> {
  const base = podVolumesDir(podsDir, uid);
  // The agent mounts only at a volume's own directory (a Memory emptyDir's tmpfs).
  const dirs = await readdir(base).catch(() => [] as string[]);
  for (const d of dirs) {
    const m = path.join(base, d);
    if (await isMountPoint(m)) await run('umount', [m]).catch(() => run('umount', ['-l', m]));
  }
  await rm(path.join(podsDir, uid), { recursive: true, force: true });
}
