// A kind is declared once, here, and served by the apiserver's generic handlers (and later CRDs
// reuse the same shape). Everything in a KindDef is pure: no I/O.
import type { FieldError } from '../errors.ts';
import type { KObject } from '../object.ts';

export interface TableColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format?: string;
  description: string;
  /** 0: always shown; 1: only with `-o wide`. */
  priority: number;
}

export interface TableDef {
  columns: TableColumn[];
  /** One cell per column (same order), given the object and "now" (for ages). */
  cells(obj: KObject, now: number): unknown[];
}

/** The `scale` subresource: where replicas live in the object. */
export interface ScaleDef {
  specReplicasPath: string[];
  statusReplicasPath: string[];
  /** Label selector in string form for Scale.status.selector. */
  selector(obj: KObject): string;
}

export interface SubresourceDef {
  /** e.g. 'status', 'scale', 'log', 'exec', 'binding', 'eviction' */
  name: string;
  /** Kind served by the subresource (for discovery): e.g. Scale in autoscaling/v1. */
  kind: { group: string; version: string; kind: string };
  verbs: string[];
}

export interface KindDef {
  group: string;
  version: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  categories: string[];
  namespaced: boolean;
  /** How metadata.name is validated (upstream's ValidateNameFunc); absent: DNS-1123 subdomain. */
  nameRule?: 'subdomain' | 'label' | 'dns1035' | 'path-segment';
  verbs: string[];
  subresources: SubresourceDef[];
  scale?: ScaleDef;
  /** Whether `status` is a separate subresource: main-resource writes keep the old status, and vice versa. */
  hasStatus: boolean;
  /** Whether spec changes bump metadata.generation (kinds with a spec: yes; ConfigMap/Secret: no). */
  bumpsGeneration: boolean;
  /** Field selector keys beyond metadata.name/metadata.namespace → value getter. */
  fieldSelectors: Record<string, (obj: KObject) => string | undefined>;
  /** Fill upstream defaults in place (create and update). */
  defaults(obj: KObject): void;
  /** Errors for a new object (field paths like upstream's: `spec.containers[0].image`). */
  validate(obj: KObject): FieldError[];
  /** Errors for an update (immutable fields and the rest). */
  validateUpdate(obj: KObject, old: KObject): FieldError[];
  table: TableDef;
  /**
   * This version is a view of another version of the same resource (autoscaling/v1 of the v2
   * HorizontalPodAutoscaler): it has no storage of its own; requests are served by the stored
   * version's registry, converting each object on the way in and out.
   */
  viewOf?: ConversionDef;
}

export interface ConversionDef {
  /** The version whose registry stores the objects (same group and resource). */
  storedVersion: string;
  /** A served (view) object to the stored version; apiVersion included. */
  toStored(obj: KObject): KObject;
  /** A stored object to the served (view) version; apiVersion included. */
  fromStored(obj: KObject): KObject;
}
