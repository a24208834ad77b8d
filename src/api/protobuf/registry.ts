// Resolves the per-package tables into linked message descriptors once, at load: every type
// reference is checked here, so a typo in a table fails the first import (and the tests), not a
// request.
import {
  type FieldMode,
  type FieldSpec,
  type MessageTable,
  SCALAR_TYPES,
  type ScalarType,
  WELL_KNOWN_TYPES,
  type WellKnownType,
} from './schema.ts';
import { apps } from './tables/apps.ts';
import { authentication } from './tables/authentication.ts';
import { authorization } from './tables/authorization.ts';
import { autoscalingv1, autoscalingv2 } from './tables/autoscaling.ts';
import { batch } from './tables/batch.ts';
import { coordination } from './tables/coordination.ts';
import { core } from './tables/core.ts';
import { discovery } from './tables/discovery.ts';
import { events } from './tables/events.ts';
import { meta } from './tables/meta.ts';
import { networking } from './tables/networking.ts';
import { policy } from './tables/policy.ts';
import { rbac } from './tables/rbac.ts';
import { node, scheduling } from './tables/scheduling.ts';
import { storage } from './tables/storage.ts';

/** Package name (the prefix of a qualified type reference) → its table. */
export const PACKAGES: Readonly<Record<string, MessageTable>> = {
  meta,
  core,
  apps,
  batch,
  autoscalingv1,
  autoscalingv2,
  coordination,
  discovery,
  events,
  networking,
  policy,
  scheduling,
  node,
  storage,
  rbac,
  authorization,
  authentication,
};

export type ResolvedField =
  | { kind: 'scalar'; num: number; json: string; mode: FieldMode | undefined; type: ScalarType }
  | { kind: 'wellknown'; num: number; json: string; mode: FieldMode | undefined; type: WellKnownType }
  | { kind: 'message'; num: number; json: string; mode: FieldMode | undefined; message: Message };

export interface Message {
  /** Qualified name, `core.Pod`. */
  readonly name: string;
  /** Fields in the Go struct's order. */
  readonly fields: ResolvedField[];
  readonly byNumber: Map<number, ResolvedField>;
  /** JSON keys this message accepts, including those of inline members (for the strict encoder). */
  readonly jsonKeys: Set<string>;
}

function build(): Map<string, Message> {
  const messages = new Map<string, Message>();
  for (const [pkg, table] of Object.entries(PACKAGES)) {
    for (const name of Object.keys(table)) {
      messages.set(`${pkg}.${name}`, {
        name: `${pkg}.${name}`,
        fields: [],
        byNumber: new Map(),
        jsonKeys: new Set(),
      });
    }
  }
  for (const [pkg, table] of Object.entries(PACKAGES)) {
    for (const [name, specs] of Object.entries(table)) {
      const msg = messages.get(`${pkg}.${name}`)!;
      for (const spec of specs) addField(msg, resolveField(pkg, msg.name, spec, messages));
    }
  }
  for (const msg of messages.values()) collectJsonKeys(msg, msg.jsonKeys, 0);
  return messages;
}

function resolveField(
  pkg: string,
  owner: string,
  spec: FieldSpec,
  messages: Map<string, Message>,
): ResolvedField {
  const [num, json, type, mode] = spec;
  if (SCALAR_TYPES.has(type)) return { kind: 'scalar', num, json, mode, type: type as ScalarType };
  if (WELL_KNOWN_TYPES.has(type)) return { kind: 'wellknown', num, json, mode, type: type as WellKnownType };
  const qualified = type.includes('.') ? type : `${pkg}.${type}`;
  const message = messages.get(qualified);
  if (!message) throw new Error(`protobuf table ${owner}: field ${num} refers to unknown type ${type}`);
  return { kind: 'message', num, json, mode, message };
}

function addField(msg: Message, field: ResolvedField): void {
  if (msg.byNumber.has(field.num)) throw new Error(`protobuf table ${msg.name}: field ${field.num} twice`);
  if (field.mode === 'inline' && field.kind !== 'message') {
    throw new Error(`protobuf table ${msg.name}: inline field ${field.num} must be a message`);
  }
  msg.fields.push(field);
  msg.byNumber.set(field.num, field);
}

/** Inline members contribute their keys to the parent; a cycle of inlines would be a table bug. */
const MAX_INLINE_DEPTH = 4;

function collectJsonKeys(msg: Message, into: Set<string>, depth: number): void {
  if (depth > MAX_INLINE_DEPTH) throw new Error(`protobuf table ${msg.name}: inline members nest too deep`);
  for (const f of msg.fields) {
    if (f.mode === 'inline' && f.kind === 'message') collectJsonKeys(f.message, into, depth + 1);
    else if (into.has(f.json)) throw new Error(`protobuf table ${msg.name}: JSON name ${f.json} twice`);
    else into.add(f.json);
  }
}

const MESSAGES = build();

/** A message by qualified name (`core.Pod`), or undefined. */
export const lookupMessage = (qualified: string): Message | undefined => MESSAGES.get(qualified);

export const allMessages = (): IterableIterator<Message> => MESSAGES.values();
