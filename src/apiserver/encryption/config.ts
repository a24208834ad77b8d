// EncryptionConfiguration (apiserver.config.k8s.io/v1): per resource list, an ordered provider
// list — the first provider encrypts new writes, every provider can read (matched by the value's
// prefix; identity reads anything unprefixed). Resources are `secrets`, `deployments.apps`,
// `*.apps` or `*.*`.
import { readFileSync } from 'node:fs';
import { lazyRequire, yaml } from '../../util/lazy-require.ts';
import { aescbc, aesgcm, identity, type Transformer } from './providers.ts';

export const ENCRYPTION_API_VERSIONS = ['apiserver.config.k8s.io/v1', 'apiserver.config.k8s.io/v1beta1'];

export interface ResourceTransformers {
  /** `group/resource` patterns: `core/secrets`, `apps/*`, `*\/*`. */
  group: string;
  resource: string;
  /** First writes; all read. */
  transformers: Transformer[];
}

export interface EncryptionConfig {
  rules: ResourceTransformers[];
}

interface RawProvider {
  aescbc?: { keys?: { name?: string; secret?: string }[] };
  aesgcm?: { keys?: { name?: string; secret?: string }[] };
  identity?: unknown;
  [other: string]: unknown;
}

export function parseEncryptionConfig(text: string): EncryptionConfig {
  const doc = yaml().parse(text) as Record<string, unknown> | null;
  if (doc?.kind !== 'EncryptionConfiguration' || !ENCRYPTION_API_VERSIONS.includes(String(doc.apiVersion)))
    throw new Error('encryption config: expected kind EncryptionConfiguration in apiserver.config.k8s.io/v1');
  const rules: ResourceTransformers[] = [];
  const entries = Array.isArray(doc.resources) ? (doc.resources as Record<string, unknown>[]) : [];
  entries.forEach((entry, i) => {
    const providers = Array.isArray(entry.providers) ? (entry.providers as RawProvider[]) : [];
    if (providers.length === 0)
      throw new Error(`encryption config: resources[${i}].providers: Required value`);
    const transformers = providers.flatMap((p, j) => toTransformers(p, `resources[${i}].providers[${j}]`));
    for (const r of Array.isArray(entry.resources) ? (entry.resources as string[]) : []) {
      const dot = r.indexOf('.');
      const resource = dot < 0 ? r : r.slice(0, dot);
      const group = dot < 0 ? '' : r.slice(dot + 1);
      rules.push({ group, resource, transformers });
    }
  });
  return { rules };
}

export const loadEncryptionConfig = (path: string): EncryptionConfig =>
  parseEncryptionConfig(readFileSync(path, 'utf8'));

function toTransformers(p: RawProvider, at: string): Transformer[] {
  if (p.identity !== undefined) return [identity];
  for (const [kind, make] of [
    ['aescbc', aescbc],
    ['aesgcm', aesgcm],
  ] as const) {
    const cfg = p[kind];
    if (!cfg) continue;
    const keys = cfg.keys ?? [];
    if (keys.length === 0) throw new Error(`encryption config: ${at}.${kind}.keys: Required value`);
    return keys.map((k, n) => {
      if (!k.name || !k.secret)
        throw new Error(`encryption config: ${at}.${kind}.keys[${n}]: name and secret are required`);
      return make(k.name, Buffer.from(k.secret, 'base64'));
    });
  }
  throw new Error(
    `encryption config: ${at}: unsupported provider ${Object.keys(p).join(', ')} (aescbc, aesgcm, identity)`,
  );
}

/** The transformers for a storage key, or undefined when the resource is stored as is. */
export function transformersFor(
  config: EncryptionConfig,
  group: string,
  resource: string,
): Transformer[] | undefined {
  for (const r of config.rules) {
    const groupOk = r.group === '*' || r.group === group;
    const resourceOk = r.resource === '*' || r.resource === resource;
    if (groupOk && resourceOk) return r.transformers;
  }
  return undefined;
}
