// Top-level configs, secrets and volumes as ConfigMaps, Secrets and PersistentVolumeClaims (only
// those some service uses; external ones are expected to exist and are not created).
import { readFileSync } from 'node:fs';
import type { KObject } from '../api/object.ts';
import { ComposeConvertError, type ConvertContext, splitLabels } from './context.ts';
import { isMap } from './normalize.ts';
import { claimName, dataKey, sourceObjectName } from './pod-volumes.ts';
import type { JsonMap } from './types.ts';
import { MAPPED_CONFIG_KEYS, MAPPED_VOLUME_KEYS } from './unsupported.ts';

/** Docker's default volume driver: what a local-path claim is. */
const LOCAL_DRIVER = 'local';

const isExternal = (def: JsonMap): boolean => def.external === true || isMap(def.external ?? null);

function labelled(ctx: ConvertContext, base: KObject, def: JsonMap, key: string): KObject {
  const { labels, annotations, dropped } = splitLabels(def.labels);
  for (const k of dropped)
    ctx.warn(undefined, `${key}.labels`, `label key ${JSON.stringify(k)} is not a qualified name`);
  const meta = base.metadata!;
  meta.labels = { ...labels, ...meta.labels };
  if (Object.keys(annotations).length) meta.annotations = annotations;
  return base;
}

function warnKeys(ctx: ConvertContext, def: JsonMap, key: string, mapped: Set<string>): void {
  for (const k of Object.keys(def)) {
    if (!mapped.has(k) && !k.startsWith('x-')) ctx.warn(undefined, `${key}.${k}`, 'not supported: ignored');
  }
}

/** A config's or secret's bytes: file, inline content, or an environment variable. */
function contentOf(ctx: ConvertContext, def: JsonMap, key: string, readFile: (p: string) => Buffer): Buffer {
  if (typeof def.file === 'string') {
    try {
      return readFile(def.file);
    } catch (e) {
      throw new ComposeConvertError(`${key}: cannot read ${def.file}: ${(e as Error).message}`);
    }
  }
  if (def.content !== undefined) return Buffer.from(String(def.content));
  if (typeof def.environment === 'string') {
    const v = ctx.project.env[def.environment];
    if (v === undefined)
      ctx.warn(undefined, `${key}.environment`, `variable ${def.environment} is not set: empty`);
    return Buffer.from(v ?? '');
  }
  throw new ComposeConvertError(`${key}: one of file, content, environment or external is required`);
}

export function buildSources(ctx: ConvertContext, readFile: (p: string) => Buffer = readFileSync): KObject[] {
  const out: KObject[] = [];
  for (const name of ctx.usedConfigs) {
    const def = ctx.project.configs[name];
    const key = `configs.${name}`;
    warnKeys(ctx, def, key, MAPPED_CONFIG_KEYS);
    if (isExternal(def)) continue;
    const bytes = contentOf(ctx, def, key, readFile);
    const text = bytes.toString('utf8');
    // Binary files (not valid UTF-8) go to binaryData, as kubectl create configmap does.
    const data = Buffer.from(text, 'utf8').equals(bytes)
      ? { data: { [dataKey(name)]: text } }
      : { binaryData: { [dataKey(name)]: bytes.toString('base64') } };
    out.push(
      labelled(
        ctx,
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: ctx.meta(sourceObjectName(ctx, 'configs', name)),
          ...data,
        },
        def,
        key,
      ),
    );
  }
  for (const name of ctx.usedSecrets) {
    const def = ctx.project.secrets[name];
    const key = `secrets.${name}`;
    warnKeys(ctx, def, key, MAPPED_CONFIG_KEYS);
    if (isExternal(def)) continue;
    const bytes = contentOf(ctx, def, key, readFile);
    out.push(
      labelled(
        ctx,
        {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: ctx.meta(sourceObjectName(ctx, 'secrets', name)),
          type: 'Opaque',
          data: { [dataKey(name)]: bytes.toString('base64') },
        },
        def,
        key,
      ),
    );
  }
  for (const [name, users] of ctx.usedVolumes) {
    const def = ctx.project.volumes[name] ?? {};
    const key = `volumes.${name}`;
    warnKeys(ctx, def, key, MAPPED_VOLUME_KEYS);
    if (def.driver !== undefined && def.driver !== LOCAL_DRIVER) {
      ctx.warn(
        undefined,
        `${key}.driver`,
        `driver ${def.driver} is not supported: a ${ctx.storageClassName} claim is used`,
      );
    }
    if (users.size > 1) {
      ctx.warn(
        undefined,
        key,
        `shared by ${[...users].join(', ')}: the claim is ReadWriteOnce, so their pods must run on one node`,
      );
    }
    if (isExternal(def)) continue;
    out.push(
      labelled(
        ctx,
        {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: ctx.meta(claimName(ctx, name)),
          spec: {
            accessModes: ['ReadWriteOnce'],
            storageClassName: ctx.storageClassName,
            resources: { requests: { storage: ctx.volumeSize } },
          },
        },
        def,
        key,
      ),
    );
  }
  return out;
}
