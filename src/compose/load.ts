// Loads a compose project: reads the files (`-f`, in order), parses YAML with anchors and merge
// keys, interpolates from the environment and `.env`, resolves `extends` (same file or another),
// merges the files, applies profiles and env_file, and names the project.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { parse } from 'yaml';
import { parseDotenv } from './dotenv.ts';
import { interpolateTree, type Lookup } from './interpolate.ts';
import { mergeDocuments, mergeService, stripMarkers } from './merge.ts';
import { isPathSource } from './mounts.ts';
import { isMap, listOrDict, normalizeService } from './normalize.ts';
import type { ComposeProject, ComposeService, ComposeWarning, DependsOn, Json, JsonMap } from './types.ts';
import { composeTags } from './yaml-tags.ts';

/** Files compose looks for when no `-f` is given, in its order of preference. */
export const DEFAULT_FILES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];
const SECTIONS = ['networks', 'volumes', 'configs', 'secrets'] as const;
/** Top-level keys read elsewhere (services, sections) or ignored as compose ignores them. */
const KNOWN_TOP = new Set(['services', 'name', 'version', ...SECTIONS]);
const CONDITIONS = new Set(['service_started', 'service_healthy', 'service_completed_successfully']);
const PROJECT_NAME = /^[a-z0-9][a-z0-9_-]*$/;

export class ComposeLoadError extends Error {
  override name = 'ComposeLoadError';
}

export interface LoadOptions {
  /** Compose files in merge order; default: the first of DEFAULT_FILES found in `cwd`. */
  files?: string[];
  /** `-p`: wins over `COMPOSE_PROJECT_NAME`, `name:` and the directory name. */
  projectName?: string;
  /** `--profile`: wins over `COMPOSE_PROFILES`. `*` enables every profile. */
  profiles?: string[];
  /** The environment (default `process.env`); wins over `.env`. */
  env?: Record<string, string | undefined>;
  /** `--env-file`: replaces `<project dir>/.env`. */
  envFiles?: string[];
  /** Where relative `-f` paths and the default files are looked up; default `process.cwd()`. */
  cwd?: string;
}

export function loadProject(opts: LoadOptions = {}): ComposeProject {
  const cwd = opts.cwd ?? process.cwd();
  const files = (opts.files?.length ? opts.files : defaultFiles(cwd)).map((f) => resolve(cwd, f));
  const workingDir = dirname(files[0]);
  const warnings: ComposeWarning[] = [];
  const shell = opts.env ?? process.env;

  // `.env` feeds interpolation; the shell environment wins over it.
  const dotenvFiles = opts.envFiles?.map((f) => resolve(cwd, f)) ?? [resolve(workingDir, '.env')];
  const dotenv = new Map<string, string>();
  for (const f of dotenvFiles) {
    if (!existsSync(f)) {
      if (opts.envFiles) throw new ComposeLoadError(`env file ${f} not found`);
      continue;
    }
    for (const [k, v] of parseDotenv(readFileSync(f, 'utf8'), (n) => shell[n] ?? dotenv.get(n))) {
      dotenv.set(k, v);
    }
  }
  const env: Record<string, string | undefined> = { ...Object.fromEntries(dotenv), ...shell };
  const lookup: Lookup = (n) => env[n];
  const unset = new Set<string>();
  const reader = new FileReader(lookup, unset);

  let doc: JsonMap = {};
  for (const file of files) doc = mergeDocuments(doc, reader.resolved(file));
  for (const name of unset) {
    warnings.push({
      key: 'interpolation',
      message: `variable ${name} is not set: substituting an empty string`,
    });
  }
  doc = stripMarkers(doc) as JsonMap;

  const name = projectName(opts.projectName ?? env.COMPOSE_PROJECT_NAME, doc.name, workingDir);
  if (!isMap(doc.services) || Object.keys(doc.services).length === 0) {
    throw new ComposeLoadError(`${files.join(', ')}: no services defined`);
  }
  const profiles = new Set(opts.profiles ?? (env.COMPOSE_PROFILES ?? '').split(',').filter(Boolean));
  const enabled = (svc: JsonMap): boolean => {
    const own = Array.isArray(svc.profiles) ? svc.profiles.map(String) : [];
    return own.length === 0 || profiles.has('*') || own.some((p) => profiles.has(p));
  };

  const services: ComposeService[] = [];
  for (const [svcName, rawSvc] of Object.entries(doc.services)) {
    if (!isMap(rawSvc)) throw new ComposeLoadError(`service ${svcName} must be a mapping`);
    if (!enabled(rawSvc)) continue;
    services.push(buildService(svcName, rawSvc, lookup));
  }
  const names = new Set(services.map((s) => s.name));
  for (const s of services) {
    for (const dep of [...s.dependsOn.keys()]) {
      if (names.has(dep)) continue;
      const known = dep in (doc.services as JsonMap);
      if (!known && s.dependsOn.get(dep)!.required) {
        throw new ComposeLoadError(`service ${s.name} depends on undefined service ${dep}`);
      }
      warnings.push({
        service: s.name,
        key: `depends_on.${dep}`,
        message: known
          ? `${dep} is not enabled by the active profiles: the dependency is ignored`
          : `${dep} is not defined and not required: the dependency is ignored`,
      });
      s.dependsOn.delete(dep);
    }
  }

  const section = (k: (typeof SECTIONS)[number]): Record<string, JsonMap> =>
    Object.fromEntries(Object.entries(isMap(doc[k]) ? doc[k] : {}).map(([n, v]) => [n, isMap(v) ? v : {}]));
  const otherKeys: Record<string, Json> = {};
  for (const [k, v] of Object.entries(doc)) if (!KNOWN_TOP.has(k) && !k.startsWith('x-')) otherKeys[k] = v;
  return {
    name,
    workingDir,
    services,
    networks: section('networks'),
    volumes: section('volumes'),
    configs: section('configs'),
    secrets: section('secrets'),
    otherKeys,
    env,
    warnings,
  };
}

/** The first default file found, plus its `.override` sibling when present (as compose does). */
function defaultFiles(cwd: string): string[] {
  const main = DEFAULT_FILES.find((f) => existsSync(resolve(cwd, f)));
  if (!main) throw new ComposeLoadError(`no compose file in ${cwd} (looked for ${DEFAULT_FILES.join(', ')})`);
  const override = main.replace(/\.(ya?ml)$/, '.override.$1');
  return existsSync(resolve(cwd, override)) ? [main, override] : [main];
}

/** Compose's project name rule: lower case letters, digits, `-` and `_`, starting with a letter or digit. */
function projectName(explicit: string | undefined, fromFile: Json | undefined, dir: string): string {
  if (explicit) {
    if (!PROJECT_NAME.test(explicit)) {
      throw new ComposeLoadError(
        `invalid project name ${JSON.stringify(explicit)}: it must contain only lower case letters, digits, dashes and underscores, and start with a letter or digit`,
      );
    }
    return explicit;
  }
  const raw = typeof fromFile === 'string' && fromFile ? fromFile : basename(dir);
  const folded = raw
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '')
    .replace(/^[_-]+/, '');
  if (!folded) throw new ComposeLoadError(`cannot derive a project name from ${JSON.stringify(raw)}: use -p`);
  return folded;
}

/** Reads, parses and interpolates files once each, and resolves `extends` within and across them. */
class FileReader {
  readonly #lookup: Lookup;
  readonly #unset: Set<string>;
  readonly #docs = new Map<string, JsonMap>();

  constructor(lookup: Lookup, unset: Set<string>) {
    this.#lookup = lookup;
    this.#unset = unset;
  }

  /** A file as a document with absolute paths and normalized services (extends not yet applied). */
  raw(file: string): JsonMap {
    let doc = this.#docs.get(file);
    if (doc) return doc;
    let parsed: unknown;
    try {
      parsed = parse(readFileSync(file, 'utf8'), { merge: true, customTags: composeTags, maxAliasCount: -1 });
    } catch (e) {
      throw new ComposeLoadError(`${file}: ${(e as Error).message}`);
    }
    if (!isMap(parsed as Json)) throw new ComposeLoadError(`${file}: the top level must be a mapping`);
    doc = interpolateTree(parsed as Json, this.#lookup, { onUnset: (n) => this.#unset.add(n) }) as JsonMap;
    const dir = dirname(file);
    if (isMap(doc.services)) {
      const services: JsonMap = {};
      for (const [n, s] of Object.entries(doc.services)) {
        services[n] = isMap(s) ? absolutePaths(normalizeService(s), dir) : s;
      }
      doc.services = services;
    }
    for (const k of ['configs', 'secrets'] as const) {
      if (!isMap(doc[k])) continue;
      for (const entry of Object.values(doc[k])) {
        if (isMap(entry) && typeof entry.file === 'string') entry.file = resolve(dir, entry.file);
      }
    }
    this.#docs.set(file, doc);
    return doc;
  }

  /** A file with every service's `extends` applied. */
  resolved(file: string): JsonMap {
    const doc = { ...this.raw(file) };
    if (isMap(doc.services)) {
      const services: JsonMap = {};
      for (const n of Object.keys(doc.services)) services[n] = this.service(file, n, []);
      doc.services = services;
    }
    return doc;
  }

  service(file: string, name: string, chain: string[]): JsonMap {
    const id = `${file}#${name}`;
    if (chain.includes(id)) throw new ComposeLoadError(`circular extends: ${[...chain, id].join(' → ')}`);
    const services = this.raw(file).services;
    const svc = isMap(services) ? services[name] : undefined;
    if (!isMap(svc)) throw new ComposeLoadError(`${file}: extended service ${name} not found`);
    if (!isMap(svc.extends)) return svc;
    const ext = svc.extends;
    const baseFile = typeof ext.file === 'string' ? resolve(dirname(file), ext.file) : file;
    const base = this.service(baseFile, String(ext.service), [...chain, id]);
    const { extends: _, ...own } = svc;
    return mergeService(base, own);
  }
}

/** Relative host paths (bind mounts, env files) resolved against the file that wrote them. */
function absolutePaths(svc: JsonMap, dir: string): JsonMap {
  if (Array.isArray(svc.env_file)) {
    svc.env_file = svc.env_file.map((e) =>
      isMap(e) ? { ...e, path: resolve(dir, String(e.path)) } : resolve(dir, String(e)),
    );
  }
  if (Array.isArray(svc.volumes)) {
    svc.volumes = svc.volumes.map((v) => {
      if (typeof v === 'string') {
        const i = v.indexOf(':');
        const src = i > 0 ? v.slice(0, i) : '';
        return src && isPathSource(src) && !isAbsolute(src) && !src.startsWith('~')
          ? `${resolve(dir, src)}${v.slice(i)}`
          : v;
      }
      if (isMap(v) && v.type === 'bind' && typeof v.source === 'string' && !v.source.startsWith('~')) {
        return { ...v, source: resolve(dir, v.source) };
      }
      return v;
    });
  }
  return svc;
}

function buildService(name: string, raw: JsonMap, lookup: Lookup): ComposeService {
  const env = new Map<string, string>();
  for (const entry of Array.isArray(raw.env_file) ? raw.env_file : []) {
    const path = isMap(entry) ? String(entry.path) : String(entry);
    const required = isMap(entry) ? entry.required !== false : true;
    if (!existsSync(path)) {
      if (required) throw new ComposeLoadError(`service ${name}: env file ${path} not found`);
      continue;
    }
    for (const [k, v] of parseDotenv(readFileSync(path, 'utf8'), lookup)) env.set(k, v);
  }
  for (const [k, v] of Object.entries(listOrDict(raw.environment))) {
    // A variable without a value takes the project environment's, or is left out.
    const value = v === null ? lookup(k) : String(v);
    if (value === undefined) env.delete(k);
    else env.set(k, value);
  }
  const dependsOn = new Map<string, DependsOn>();
  for (const [dep, spec] of Object.entries(isMap(raw.depends_on) ? raw.depends_on : {})) {
    const cond = isMap(spec) && spec.condition !== undefined ? String(spec.condition) : 'service_started';
    if (!CONDITIONS.has(cond))
      throw new ComposeLoadError(`service ${name}: unknown depends_on condition ${cond}`);
    dependsOn.set(dep, {
      condition: cond as DependsOn['condition'],
      required: !(isMap(spec) && spec.required === false),
    });
  }
  return { name, raw, environment: [...env], dependsOn };
}
