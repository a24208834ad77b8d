// Generates src/api/schemas/definitions.json: OpenAPI v3 schemas for every type in the installed
// kubernetes-types package, keyed by upstream's definition names.
//
//   kubernetes-types/*.d.ts ──parse──► interfaces + docs ──► OpenAPI schema per definition
//   @kubernetes/client-node models ──► integer vs number, int32/int64, byte formats
//   src/api/schemas/patch-meta.ts ──► x-kubernetes-patch-*/list-*/map-type extensions
//
// The .d.ts files do not say int32 from int64 (all `number`) nor carry struct tags, hence the two
// side inputs. Run: node_modules/.bin/node scripts/gen-schemas.ts
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ATOMIC_STRUCTS, FIELD_META, resolveFieldMeta } from '../src/api/schemas/patch-meta.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TYPES_DIR = join(ROOT, 'node_modules/kubernetes-types');
const CLIENT_MODELS_DIR = join(ROOT, 'node_modules/@kubernetes/client-node/dist/gen/models');
const OUT = join(ROOT, 'src/api/schemas/definitions.json');
const REF_PREFIX = '#/components/schemas/';

const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const JSON_SCHEMA_PROPS = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps';

type Schema = Record<string, unknown>;

// --- module paths → upstream package names -----------------------------------------------------

/** `core/v1` → `io.k8s.api.core.v1`, with apimachinery's and apiextensions' own prefixes. */
function packageOf(module: string): string {
  if (module === 'meta/v1') return 'io.k8s.apimachinery.pkg.apis.meta.v1';
  if (module === 'api/resource') return 'io.k8s.apimachinery.pkg.api.resource';
  if (module === 'runtime') return 'io.k8s.apimachinery.pkg.runtime';
  if (module === 'version') return 'io.k8s.apimachinery.pkg.version';
  if (module.startsWith('apiextensions/'))
    return `io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.${module.split('/')[1]}`;
  return `io.k8s.api.${module.replace('/', '.')}`;
}

function listModules(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...listModules(p, base));
    else if (e.endsWith('.d.ts')) out.push(relative(base, p).slice(0, -'.d.ts'.length));
  }
  return out;
}

// --- a small parser for the package's regular .d.ts shape --------------------------------------

interface Member {
  name: string;
  optional: boolean;
  type: string;
  doc: string | undefined;
}

interface Decl {
  name: string;
  doc: string | undefined;
  kind: 'interface' | 'alias';
  members: Member[];
  alias?: string;
}

interface ParsedModule {
  module: string;
  imports: Map<string, string>;
  decls: Decl[];
}

/** Doc comment text: one-line `/** x *\/` or ` * `-prefixed paragraphs joined by newlines. */
function docText(raw: string): string {
  const body = raw.slice(3, -2);
  if (!body.includes('\n')) return body.trim();
  const lines = body.split('\n').map((l) => l.replace(/^\s*\* ?/, ''));
  while (lines.length && lines[0].trim() === '') lines.shift();
  while (lines.length && lines[lines.length - 1].trim() === '') lines.pop();
  return lines.join('\n').trimEnd();
}

class Scanner {
  pos = 0;
  readonly s: string;
  constructor(s: string) {
    this.s = s;
  }
  skipWs(): void {
    while (this.pos < this.s.length && /\s/.test(this.s[this.pos])) this.pos++;
  }
  startsWith(t: string): boolean {
    return this.s.startsWith(t, this.pos);
  }
  readDoc(): string {
    const end = this.s.indexOf('*/', this.pos);
    const raw = this.s.slice(this.pos, end + 2);
    this.pos = end + 2;
    return docText(raw);
  }
  /** Up to the `;` that ends a member or alias, skipping nested braces and angle brackets. */
  readType(): string {
    let depth = 0;
    const start = this.pos;
    for (; this.pos < this.s.length; this.pos++) {
      const c = this.s[this.pos];
      if (c === '{' || c === '<' || c === '(' || c === '[') depth++;
      else if (c === '}' || c === '>' || c === ')' || c === ']') depth--;
      else if (c === ';' && depth === 0) break;
    }
    const t = this.s.slice(start, this.pos).trim();
    this.pos++;
    return t;
  }
}

function parseModule(module: string): ParsedModule {
  const sc = new Scanner(readFileSync(join(TYPES_DIR, `${module}.d.ts`), 'utf8'));
  const imports = new Map<string, string>();
  const decls: Decl[] = [];
  let doc: string | undefined;
  for (;;) {
    sc.skipWs();
    if (sc.pos >= sc.s.length) break;
    if (sc.startsWith('/**')) {
      doc = sc.readDoc();
      continue;
    }
    const rest = sc.s.slice(sc.pos);
    const imp = /^import \{([^}]*)\} from "([^"]+)";/.exec(rest);
    if (imp) {
      const target = join(dirname(module), imp[2]).replace(/\\/g, '/');
      for (const n of imp[1].split(',')) imports.set(n.trim(), target);
      sc.pos += imp[0].length;
      continue;
    }
    const alias = /^export type (\w+) = /.exec(rest);
    if (alias) {
      sc.pos += alias[0].length;
      decls.push({ name: alias[1], doc, kind: 'alias', members: [], alias: sc.readType() });
      doc = undefined;
      continue;
    }
    const iface = /^export interface (\w+) \{/.exec(rest);
    if (!iface) throw new Error(`${module}: cannot parse near ${JSON.stringify(rest.slice(0, 80))}`);
    sc.pos += iface[0].length;
    const decl: Decl = { name: iface[1], doc, kind: 'interface', members: [] };
    doc = undefined;
    let memberDoc: string | undefined;
    for (;;) {
      sc.skipWs();
      if (sc.startsWith('}')) {
        sc.pos++;
        break;
      }
      if (sc.startsWith('/**')) {
        memberDoc = sc.readDoc();
        continue;
      }
      const m = /^(?:readonly )?("[^"]+"|[\w$]+)(\?)?: /.exec(sc.s.slice(sc.pos));
      if (!m)
        throw new Error(
          `${module}.${decl.name}: cannot parse member near ${sc.s.slice(sc.pos, sc.pos + 60)}`,
        );
      sc.pos += m[0].length;
      decl.members.push({
        name: m[1].replace(/"/g, ''),
        optional: !!m[2],
        type: sc.readType(),
        doc: memberDoc,
      });
      memberDoc = undefined;
    }
    decls.push(decl);
  }
  return { module, imports, decls };
}

// --- number formats from @kubernetes/client-node's generated models ----------------------------

interface Attr {
  baseName: string;
  type: string;
  format: string;
}

function loadClientFormats(): Map<string, Map<string, Attr>> {
  const out = new Map<string, Map<string, Attr>>();
  for (const f of readdirSync(CLIENT_MODELS_DIR)) {
    if (!f.endsWith('.js')) continue;
    const text = readFileSync(join(CLIENT_MODELS_DIR, f), 'utf8');
    const m = /\.attributeTypeMap = (\[[\s\S]*?\n\]);/.exec(text);
    if (!m) continue;
    const attrs = JSON.parse(m[1]) as Attr[];
    out.set(f.slice(0, -3), new Map(attrs.map((a) => [a.baseName, a])));
  }
  return out;
}

const capitalize = (s: string): string => s[0].toUpperCase() + s.slice(1);

/** Candidate model class names: `CoreV1Event` for colliding names, `V1Pod` otherwise. */
function clientClassCandidates(module: string, name: string): string[] {
  const [group, version] = module.split('/');
  if (!version) return [];
  const v = capitalize(version);
  return [`${capitalize(group)}${v}${name}`, `${v}${name}`];
}

// --- schema construction -----------------------------------------------------------------------

interface Ctx {
  module: ParsedModule;
  defName: string;
  attrs: Map<string, Attr> | undefined;
  unknownNumbers: string[];
}

const ref = (name: string): Schema => ({ $ref: `${REF_PREFIX}${name}` });

/** Split a type on top-level `|`. */
function unionParts(t: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < t.length; i++) {
    const c = t[i];
    if (c === '<' || c === '{' || c === '(') depth++;
    else if (c === '>' || c === '}' || c === ')') depth--;
    else if (c === '|' && depth === 0) {
      parts.push(t.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(t.slice(start).trim());
  return parts;
}

function resolveName(ctx: Ctx, name: string): string {
  const mod = ctx.module.imports.get(name) ?? ctx.module.module;
  return `${packageOf(mod)}.${name}`;
}

/** The schema of a type expression; `attr` is client-node's view of the same field, if any. */
function typeSchema(ctx: Ctx, t: string, attr: Attr | undefined, where: string): Schema {
  t = t.trim();
  const parts = unionParts(t);
  if (parts.length > 1) {
    const set = new Set(parts);
    if (set.size === 2 && set.has('number') && set.has('string')) return ref(INT_OR_STRING);
    throw new Error(`${where}: unsupported union ${t}`);
  }
  const arr = /^Array<([\s\S]+)>$/.exec(t);
  if (arr) {
    // client-node describes `Array<number>` items through the field's own format.
    const inner = /^Array<(.+)>$/.exec(attr?.type ?? '');
    const itemAttr =
      inner && attr ? { baseName: attr.baseName, type: inner[1], format: attr.format } : undefined;
    return { type: 'array', items: typeSchema(ctx, arr[1], itemAttr, `${where}[]`) };
  }
  const map = /^\{\s*\[name: string\]: ([\s\S]+?);?\s*\}$/.exec(t);
  if (map) {
    const inner = typeSchema(ctx, map[1], undefined, `${where}{}`);
    if (attr?.format === 'byte' && inner.type === 'string') inner.format = 'byte';
    return { type: 'object', additionalProperties: inner };
  }
  if (t === 'string' || /^"[^"]*"$/.test(t)) {
    return attr?.format === 'byte' ? { type: 'string', format: 'byte' } : { type: 'string' };
  }
  if (t === 'boolean') return { type: 'boolean' };
  if (t === 'number') {
    if (attr?.type === 'number' && attr.format === 'double') return { type: 'number', format: 'double' };
    if (attr?.type === 'number' && (attr.format === 'int32' || attr.format === 'int64'))
      return { type: 'integer', format: attr.format };
    // Not in client-node's models (a type newer clients dropped): int32 is upstream's common case.
    ctx.unknownNumbers.push(where);
    return { type: 'integer', format: 'int32' };
  }
  if (/^\w+$/.test(t)) return ref(resolveName(ctx, t));
  throw new Error(`${where}: unsupported type ${t}`);
}

/** Upstream wraps a `$ref` that has siblings (description, extensions) in `allOf`. */
function withDoc(schema: Schema, doc: string | undefined, extensions: Schema): Schema {
  const extra: Schema = { ...(doc ? { description: doc } : {}), ...extensions };
  if (Object.keys(extra).length === 0) return schema;
  if ('$ref' in schema) return { allOf: [schema], ...extra };
  return { ...extra, ...schema, ...extensions };
}

const sortKeys = (o: Schema): Schema =>
  Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));

function fieldExtensions(defName: string, field: string, schema: Schema, used: Set<string>): Schema {
  const key = `${defName}.${field}`;
  const meta = FIELD_META[key];
  if (!meta) return {};
  used.add(key);
  const m = resolveFieldMeta(meta);
  const ext: Schema = {};
  if (m.strategy) ext['x-kubernetes-patch-strategy'] = m.strategy;
  if (m.mergeKey) ext['x-kubernetes-patch-merge-key'] = m.mergeKey;
  if (schema.type === 'array' && m.listType) ext['x-kubernetes-list-type'] = m.listType;
  if (schema.type === 'array' && m.listMapKeys) ext['x-kubernetes-list-map-keys'] = [...m.listMapKeys];
  if (m.mapType) ext['x-kubernetes-map-type'] = m.mapType;
  return ext;
}

/** x-kubernetes-* fields of JSONSchemaProps: valid JSON names the .d.ts generator left out. */
const JSON_SCHEMA_PROPS_EXTRA: Record<string, Schema> = {
  'x-kubernetes-embedded-resource': {
    description: 'Marks an object that holds a whole Kubernetes object (apiVersion, kind, metadata).',
    type: 'boolean',
  },
  'x-kubernetes-int-or-string': {
    description: 'Allows either an integer or a string at this place in the schema.',
    type: 'boolean',
  },
  'x-kubernetes-list-map-keys': {
    description: 'The key fields of a list whose x-kubernetes-list-type is map.',
    items: { type: 'string' },
    type: 'array',
    'x-kubernetes-list-type': 'atomic',
  },
  'x-kubernetes-list-type': {
    description: 'How apply merges this list: atomic, set or map.',
    type: 'string',
  },
  'x-kubernetes-map-type': {
    description: 'How apply merges this map: granular or atomic.',
    type: 'string',
  },
  'x-kubernetes-preserve-unknown-fields': {
    description: 'Keeps fields the schema does not declare instead of pruning them.',
    type: 'boolean',
  },
  'x-kubernetes-validations': {
    description: 'CEL validation rules for this place in the schema.',
    items: ref('io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.ValidationRule'),
    type: 'array',
    'x-kubernetes-list-map-keys': ['rule'],
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-patch-merge-key': 'rule',
    'x-kubernetes-patch-strategy': 'merge',
  },
};

/** Definitions whose Go type marshals as a scalar or as free-form JSON. */
function specialDefinition(name: string, doc: string | undefined): Schema | undefined {
  const d = doc ? { description: doc } : {};
  switch (name) {
    case 'io.k8s.apimachinery.pkg.apis.meta.v1.Time':
    case 'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime':
      return { ...d, format: 'date-time', type: 'string' };
    case 'io.k8s.apimachinery.pkg.api.resource.Quantity':
      return { ...d, oneOf: [{ type: 'string' }, { type: 'number' }] };
    case 'io.k8s.apimachinery.pkg.runtime.RawExtension':
    case 'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1':
    case 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch':
      return { ...d, type: 'object' };
    case 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON':
    case 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrArray':
    case 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrBool':
    case 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrStringArray':
      return { ...d };
  }
  return undefined;
}

function buildDefinitions(): {
  defs: Record<string, Schema>;
  unknownNumbers: string[];
  unusedMeta: string[];
} {
  const formats = loadClientFormats();
  const defs: Record<string, Schema> = {};
  const unknownNumbers: string[] = [];
  const usedMeta = new Set<string>();
  for (const module of listModules(TYPES_DIR)) {
    const parsed = parseModule(module);
    for (const decl of parsed.decls) {
      const defName = `${packageOf(module)}.${decl.name}`;
      const special = specialDefinition(defName, decl.doc);
      if (special) {
        defs[defName] = special;
        continue;
      }
      if (decl.kind === 'alias') throw new Error(`${defName}: unexpected type alias ${decl.alias}`);
      const attrs = clientClassCandidates(module, decl.name)
        .map((c) => formats.get(c))
        .find((a) => a !== undefined);
      const ctx: Ctx = { module: parsed, defName, attrs, unknownNumbers };
      const properties: Schema = {};
      const required: string[] = [];
      let apiVersion: string | undefined;
      let kind: string | undefined;
      for (const m of decl.members) {
        const where = `${defName}.${m.name}`;
        const schema = typeSchema(ctx, m.type, attrs?.get(m.name), where);
        const ext = fieldExtensions(defName, m.name, schema, usedMeta);
        properties[m.name] = sortKeys(withDoc(schema, m.doc, ext));
        if (!m.optional) required.push(m.name);
        if (m.name === 'apiVersion' && /^"[^"]+"$/.test(m.type)) apiVersion = m.type.slice(1, -1);
        if (m.name === 'kind' && /^"[^"]+"$/.test(m.type)) kind = m.type.slice(1, -1);
      }
      if (defName === JSON_SCHEMA_PROPS) Object.assign(properties, JSON_SCHEMA_PROPS_EXTRA);
      const def: Schema = { type: 'object' };
      if (decl.doc) def.description = decl.doc;
      if (decl.members.length > 0) def.properties = sortKeys(properties);
      if (required.length) def.required = required;
      if (apiVersion && kind) {
        const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
        def['x-kubernetes-group-version-kind'] = [{ group, kind, version }];
      }
      if (ATOMIC_STRUCTS.includes(defName)) def['x-kubernetes-map-type'] = 'atomic';
      defs[defName] = sortKeys(def);
    }
  }
  defs[INT_OR_STRING] = {
    description: 'IntOrString is a type that can hold an int32 or a string.',
    format: 'int-or-string',
    oneOf: [{ type: 'integer' }, { type: 'string' }],
  };
  const unusedMeta = Object.keys(FIELD_META).filter((k) => !usedMeta.has(k));
  return { defs, unknownNumbers, unusedMeta };
}

/** Every `$ref` must name a definition: a dangling one breaks `kubectl explain`. */
function checkRefs(defs: Record<string, Schema>): string[] {
  const bad: string[] = [];
  const walk = (v: unknown, at: string): void => {
    if (Array.isArray(v)) {
      for (const [i, x] of v.entries()) walk(x, `${at}[${i}]`);
    } else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === '$ref' && typeof x === 'string' && !defs[x.slice(REF_PREFIX.length)])
          bad.push(`${at}: ${x}`);
        else walk(x, `${at}.${k}`);
      }
    }
  };
  for (const [name, d] of Object.entries(defs)) walk(d, name);
  return bad;
}

export interface GeneratedDefinitions {
  /** The file's exact contents. */
  json: string;
  count: number;
  /** FIELD_META keys naming fields kubernetes-types lacks (newer APIs). */
  unusedMeta: string[];
  /** ATOMIC_STRUCTS naming definitions kubernetes-types lacks. */
  missingAtomic: string[];
  /** Numbers client-node had no format for (int32 assumed). */
  unknownNumbers: string[];
}

export function generateDefinitions(): GeneratedDefinitions {
  const { defs, unknownNumbers, unusedMeta } = buildDefinitions();
  const dangling = checkRefs(defs);
  if (dangling.length) throw new Error(`dangling $refs:\n${dangling.join('\n')}`);
  const sorted = sortKeys(defs);
  return {
    json: `${JSON.stringify(sorted)}\n`,
    count: Object.keys(sorted).length,
    unusedMeta,
    missingAtomic: ATOMIC_STRUCTS.filter((n) => !defs[n]),
    unknownNumbers,
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const g = generateDefinitions();
  writeFileSync(OUT, g.json);
  console.log(`wrote ${relative(ROOT, OUT)}: ${g.count} definitions, ${g.json.length} bytes`);
  if (g.unusedMeta.length)
    console.log(
      `patch-meta entries without a field in kubernetes-types (newer API): ${g.unusedMeta.join(', ')}`,
    );
  if (g.missingAtomic.length)
    console.log(`atomic structs not in kubernetes-types: ${g.missingAtomic.join(', ')}`);
  if (g.unknownNumbers.length)
    console.log(`numbers without a client-node format (int32 assumed): ${g.unknownNumbers.join(', ')}`);
}
