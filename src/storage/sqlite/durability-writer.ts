// Child process of durability.test.ts: writes keys as fast as it can and reports every
// acknowledged write on stdout ("ack <n> <revision>"), until it is killed.
// Usage: node durability-writer.ts <db path> <NORMAL|FULL>
import { openSqliteBackend } from './sqlite-backend.ts';
import type { SynchronousMode } from './sqlite-dialect.ts';

/** Writes in flight, so some acknowledgements race the kill inside one group commit. */
const IN_FLIGHT = 8;
/** Bounds the run in case the parent never kills us. */
const MAX_WRITES = 200_000;

const [path, mode] = process.argv.slice(2);
const backend = openSqliteBackend(path, { synchronous: mode as SynchronousMode });
let next = 0;
const worker = async () => {
  while (next < MAX_WRITES) {
    const n = next++;
    const kv = await backend.create(`/registry/durability/k${n}`, `value-${n}`);
    process.stdout.write(`ack ${n} ${kv.modRevision}\n`);
  }
};
process.stdout.write('ready\n');
await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
await backend.close();
