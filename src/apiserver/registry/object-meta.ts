// Generic metadata handling shared by every kind: names, uid, timestamps, generation.
import { randomBytes, randomUUID } from 'node:crypto';
import type { KObject } from '../../api/object.ts';
import { jsonClone } from '../../util/json-clone.ts';

/** Upstream's generateName alphabet: no vowels (no accidental words), no confusable 0/1/3. */
const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const GENERATED_SUFFIX_LENGTH = 5;
/** generateName is cut so that prefix + suffix fits in a 63-character label. */
const MAX_GENERATE_PREFIX = 58;

export function generateName(prefix: string): string {
  const bytes = randomBytes(GENERATED_SUFFIX_LENGTH);
  let suffix = '';
  for (const b of bytes) suffix += NAME_ALPHABET[b % NAME_ALPHABET.length];
  return prefix.slice(0, MAX_GENERATE_PREFIX) + suffix;
}

/** RFC 3339 with second precision, as metav1.Time marshals. */
export const nowTimestamp = (now = Date.now()): string =>
  new Date(Math.floor(now / 1000) * 1000).toISOString().replace('.000Z', 'Z');

export const newUid = (): string => randomUUID();

/** Everything but metadata and status: what a generation bump compares. */
export function specPart(obj: KObject): string {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj;
  return JSON.stringify(rest);
}

/** A private copy of an API object (JSON data; see util/json-clone.ts). */
export const deepClone = jsonClone;

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    if (a.length !== bb.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], bb[i])) return false;
    return true;
  }
  const ak = Object.keys(a as object).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const bk = Object.keys(b as object).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ak.length !== bk.length) return false;
  for (const k of ak)
    if (!deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  return true;
}
