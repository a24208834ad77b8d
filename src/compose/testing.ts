// Test helpers: run converted objects through the API server's own defaulting and validation (as
// the registry does on create), and convert a compose text without touching the caller's files.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALL_KINDS } from '../api/kinds/index.ts';
import type { KindDef } from '../api/kinds/types.ts';
import type { KObject } from '../api/object.ts';
import { validateObjectMeta } from '../api/validation/index.ts';
import { convertProject } from './convert.ts';
import { type LoadOptions, loadProject } from './load.ts';
import type { ConvertOptions, ConvertResult } from './types.ts';

/** A uid as the registry assigns on create (Job selectors are generated from it). */
const TEST_UID = '5c0e7e1a-0000-4000-8000-00000000c0de';

/** `kind/name: field: detail` for every validation error of every object. */
export function validationErrors(objects: KObject[]): string[] {
  const errs: string[] = [];
  for (const o of objects) {
    const [group, version] = o.apiVersion!.includes('/') ? o.apiVersion!.split('/') : ['', o.apiVersion!];
    const kind = findKindByKind(group, version, o.kind!);
    if (!kind) {
      errs.push(`${o.kind}: not served`);
      continue;
    }
    const copy = structuredClone(o);
    copy.metadata = { ...copy.metadata, uid: TEST_UID };
    kind.defaults(copy);
    for (const e of [...validateObjectMeta(copy, kind), ...kind.validate(copy)]) {
      errs.push(`${o.kind}/${o.metadata?.name}: ${e.field}: ${e.detail}`);
    }
  }
  return errs;
}

function findKindByKind(group: string, version: string, kind: string): KindDef | undefined {
  return ALL_KINDS.find((k) => k.group === group && k.version === version && k.kind === kind && !k.viewOf);
}

/** Converts compose files given as texts (extra files by name), in a temp dir removed afterwards. */
export function convertTexts(
  files: Record<string, string>,
  load: Omit<LoadOptions, 'cwd'> = {},
  opts: ConvertOptions = {},
): ConvertResult {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-compose-'));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return convertProject(loadProject({ env: {}, ...load, cwd: dir }), opts);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
