// Builds a JSON object for a message with every field set to a non-zero sample value (repeated
// fields get one element, maps one entry), down to a depth limit. Round-tripping these exercises
// every row of every table, not only the fields a hand-written fixture happens to use.
import type { Message, ResolvedField } from '../registry.ts';

type Obj = Record<string, unknown>;

/** Deep enough to reach every message under Pod (PodSpec → Container → Probe → HTTPGetAction → …). */
const MAX_DEPTH = 12;
const INT64_SAMPLE = 1_234_567_890_123; // above 2^32 on purpose

function sample(f: ResolvedField, depth: number): unknown {
  if (f.kind === 'scalar') {
    switch (f.type) {
      case 'string':
        return `${f.json}-value`;
      case 'bytes':
        return Buffer.from(`${f.json}\u0000\u00ff`, 'latin1').toString('base64');
      case 'bool':
        return true;
      case 'int32':
        return -(f.num + 1);
      case 'int64':
        return INT64_SAMPLE + f.num;
      case 'double':
        return 1.5;
    }
  }
  if (f.kind === 'wellknown') {
    switch (f.type) {
      case 'Time':
        return '2026-01-02T03:04:05Z';
      case 'MicroTime':
        return '2026-01-02T03:04:05.000123Z';
      case 'Duration':
        return '1m30s';
      case 'Quantity':
        return '250m';
      case 'IntOrString':
        return f.num % 2 === 0 ? 8080 : 'http';
      case 'RawExtension':
        return { nested: [1, 'two', { three: true }] };
      case 'FieldsV1':
        return { 'f:metadata': { 'f:name': {} } };
      case 'StringList':
        return ['a', 'b'];
    }
  }
  return depth >= MAX_DEPTH ? undefined : generate(f.message, depth + 1);
}

export function generate(msg: Message, depth = 0): Obj {
  const out: Obj = {};
  for (const f of msg.fields) {
    if (f.mode === 'inline') {
      if (f.kind === 'message') Object.assign(out, generate(f.message, depth));
      continue;
    }
    const v = sample(f, depth);
    if (v === undefined) continue;
    if (f.mode === 'rep') out[f.json] = [v];
    else if (f.mode === 'map') out[f.json] = { [`${f.json}-key`]: v };
    else out[f.json] = v;
  }
  return out;
}
