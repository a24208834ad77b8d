// One helper to declare a kind with upstream's usual shape filled in (list kind, singular, the
// eight standard verbs, the default NAME / CREATED AT table), so each kind file states only what
// is particular to it.
import type { FieldError } from '../errors.ts';
import type { KObject } from '../object.ts';
import { createdAtTable } from './printing/default-table.ts';
import type { KindDef, ScaleDef, SubresourceDef, TableDef } from './types.ts';

export const STANDARD_VERBS = [
  'create',
  'delete',
  'deletecollection',
  'get',
  'list',
  'patch',
  'update',
  'watch',
];
/** Namespaces and Services cannot be deleted as a collection upstream (their delete has side effects). */
export const VERBS_NO_DELETECOLLECTION = STANDARD_VERBS.filter((v) => v !== 'deletecollection');

const READ_WRITE = ['get', 'patch', 'update'];
const PROXY_VERBS = ['create', 'delete', 'get', 'patch', 'update'];

export const statusSubresource = (group: string, version: string, kind: string): SubresourceDef => ({
  name: 'status',
  kind: { group, version, kind },
  verbs: READ_WRITE,
});

export const SCALE_SUBRESOURCE: SubresourceDef = {
  name: 'scale',
  kind: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
  verbs: READ_WRITE,
};

export const subresource = (
  name: string,
  kind: string,
  verbs: string[],
  group = '',
  version = 'v1',
): SubresourceDef => ({ name, kind: { group, version, kind }, verbs });

export const proxySubresource = (kind: string): SubresourceDef => subresource('proxy', kind, PROXY_VERBS);
export const readWriteSubresource = (
  name: string,
  kind: string,
  group = '',
  version = 'v1',
): SubresourceDef => subresource(name, kind, READ_WRITE, group, version);

export interface KindSpec {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  nameRule?: KindDef['nameRule'];
  verbs?: string[];
  /** Sorted by name, as upstream's discovery lists them. */
  subresources?: SubresourceDef[];
  scale?: ScaleDef;
  /** Default: true when a `status` subresource is declared. */
  hasStatus?: boolean;
  /** Default: false (most kinds without a controller-observed spec do not track generation). */
  bumpsGeneration?: boolean;
  fieldSelectors?: KindDef['fieldSelectors'];
  defaults?: (obj: KObject) => void;
  validate?: (obj: KObject) => FieldError[];
  validateUpdate?: (obj: KObject, old: KObject) => FieldError[];
  table?: TableDef;
}

export function defineKind(spec: KindSpec): KindDef {
  // Plain code-unit order, never localeCompare: that loads ICU's collator (~3 MB resident) at start-up.
  const subresources = [...(spec.subresources ?? [])].sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  const validate = spec.validate ?? (() => []);
  return {
    group: spec.group,
    version: spec.version,
    kind: spec.kind,
    listKind: `${spec.kind}List`,
    plural: spec.plural,
    singular: spec.kind.toLowerCase(),
    shortNames: spec.shortNames ?? [],
    categories: spec.categories ?? [],
    namespaced: spec.namespaced,
    ...(spec.nameRule ? { nameRule: spec.nameRule } : {}),
    verbs: spec.verbs ?? STANDARD_VERBS,
    subresources,
    ...(spec.scale ? { scale: spec.scale } : {}),
    hasStatus: spec.hasStatus ?? subresources.some((s) => s.name === 'status'),
    bumpsGeneration: spec.bumpsGeneration ?? false,
    fieldSelectors: spec.fieldSelectors ?? {},
    defaults: spec.defaults ?? (() => {}),
    validate,
    // The registry runs `validate` on updates too, then these update-only rules.
    validateUpdate: spec.validateUpdate ?? (() => []),
    table: spec.table ?? createdAtTable(),
  };
}
