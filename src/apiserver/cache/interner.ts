// One copy of each repeated value across all cached objects. JSON.parse gives every object its own
// copy of every string value and every subtree, yet most repeat from object to object:
//   - managedFields `fieldsV1` trees: a third of a typical pod's JSON and dozens of small objects
//     decoded, the same for every object a manager writes the same way (5,000 pods of one
//     Deployment carry two distinct trees, not 10,000);
//   - short strings: image names, default paths and policies, condition types and reasons, manager
//     names, timestamps of the same second (measured ~2 KB of repeated strings per cached pod).
// Interning costs one JSON.stringify of each fieldsV1 tree and one Map lookup per short string.
//
// Safe because cached objects are never mutated (entry.ts); the managed-fields code works on copies.
import type { KObject } from '../../api/object.ts';

/**
 * Distinct values remembered, per table. Past it a table starts over rather than tracking
 * recency: common values repeat, so they come straight back, and the tables stay a few MB.
 */
const MAX_INTERNED = 16_384;
/** Longer strings are rarely repeated (certificates, last-applied configurations). */
const MAX_INTERNED_STRING = 128;
/** Nesting deeper than this is left as decoded, bounding the walk. */
const MAX_DEPTH = 32;
const FIELDS_V1 = 'fieldsV1';

export class Interner {
  readonly #fields = new Map<string, unknown>();
  readonly #strings = new Map<string, string>();
  readonly #limit: number;

  constructor(limit = MAX_INTERNED) {
    this.#limit = limit;
  }

  get size(): { fields: number; strings: number } {
    return { fields: this.#fields.size, strings: this.#strings.size };
  }

  /** Replaces repeated values of a freshly decoded object by their interned copies, in place. */
  intern(obj: KObject): void {
    this.#internFields(obj);
    this.#walk(obj, 0);
  }

  /** The interned copy of a string (short strings only). */
  string(s: string): string {
    if (s.length > MAX_INTERNED_STRING) return s;
    const seen = this.#strings.get(s);
    if (seen !== undefined) return seen;
    if (this.#strings.size >= this.#limit) this.#strings.clear();
    this.#strings.set(s, s);
    return s;
  }

  #internFields(obj: KObject): void {
    const managed = obj.metadata?.managedFields;
    if (!Array.isArray(managed)) return;
    for (const m of managed as { fieldsV1?: unknown }[]) {
      if (typeof m !== 'object' || m === null || typeof m.fieldsV1 !== 'object' || m.fieldsV1 === null)
        continue;
      const key = JSON.stringify(m.fieldsV1);
      const seen = this.#fields.get(key);
      if (seen !== undefined) {
        m.fieldsV1 = seen;
        continue;
      }
      if (this.#fields.size >= this.#limit) this.#fields.clear();
      this.#fields.set(key, m.fieldsV1);
    }
  }

  #walk(node: unknown, depth: number): void {
    if (depth > MAX_DEPTH) return;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const v = node[i];
        if (typeof v === 'string') node[i] = this.string(v);
        else if (typeof v === 'object' && v !== null) this.#walk(v, depth + 1);
      }
      return;
    }
    const o = node as Record<string, unknown>;
    for (const k in o) {
      const v = o[k];
      if (typeof v === 'string') o[k] = this.string(v);
      // A fieldsV1 tree holds only keys and empty objects: no strings, and it is interned whole.
      else if (typeof v === 'object' && v !== null && k !== FIELDS_V1) this.#walk(v, depth + 1);
    }
  }
}
