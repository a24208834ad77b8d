// Every write the SQLite backend acknowledged survives a SIGKILL of its process, and revisions
// continue upward after reopening. The writer runs in a child process (Node 24) that reports each
// acknowledged revision; the test kills it mid-stream and checks the reopened store.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openSqliteBackend } from './sqlite-backend.ts';
import type { SynchronousMode } from './sqlite-dialect.ts';

const WRITER = join(import.meta.dirname, 'durability-writer.ts');
/** Kill after this many acknowledgements: enough that group commits are in full swing. */
const KILL_AFTER_ACKS = 500;
const WRITER_TIMEOUT_MS = 30_000;

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Runs the writer until KILL_AFTER_ACKS acks, SIGKILLs it, returns every ack it printed. */
async function writeAndKill(path: string, mode: SynchronousMode): Promise<Map<number, number>> {
  const child = spawn(process.execPath, [WRITER, path, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
  const acks = new Map<number, number>();
  let stderr = '';
  let buffered = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`writer too slow: ${acks.size} acks\n${stderr}`)),
        WRITER_TIMEOUT_MS,
      );
      child.stdout.on('data', (d: Buffer) => {
        buffered += d.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        for (const line of lines) {
          const m = /^ack (\d+) (\d+)$/.exec(line);
          if (m) acks.set(Number(m[1]), Number(m[2]));
        }
        if (acks.size >= KILL_AFTER_ACKS && child.exitCode === null && !child.killed) {
          clearTimeout(timer);
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        if (signal !== 'SIGKILL') reject(new Error(`writer exited early (${code}):\n${stderr}`));
      });
    });
    // Lines already in the pipe when the kill landed are acknowledgements too.
    await new Promise<void>((resolve) => child.stdout.once('close', resolve));
    for (const line of buffered.split('\n')) {
      const m = /^ack (\d+) (\d+)$/.exec(line);
      if (m) acks.set(Number(m[1]), Number(m[2]));
    }
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  return acks;
}

describe('sqlite durability across SIGKILL', () => {
  for (const mode of ['NORMAL', 'FULL'] as const) {
    it(`synchronous=${mode}: every acknowledged write is present after a SIGKILL; revisions continue upward`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'skiff-sqlite-durability-'));
      dirs.push(dir);
      const path = join(dir, 'state.db');
      const acks = await writeAndKill(path, mode);
      assert.ok(acks.size >= KILL_AFTER_ACKS);
      const backend = openSqliteBackend(path, { synchronous: mode });
      try {
        const { kvs } = await backend.list('/registry/durability/');
        const stored = new Map(kvs.map((kv) => [kv.key, kv]));
        let maxAck = 0;
        for (const [n, rev] of acks) {
          const kv = stored.get(`/registry/durability/k${n}`);
          assert.ok(kv, `acknowledged write k${n} (revision ${rev}) is present`);
          assert.equal(kv.modRevision, rev);
          assert.equal(kv.value, `value-${n}`);
          maxAck = Math.max(maxAck, rev);
        }
        const head = await backend.currentRevision();
        assert.ok(head >= maxAck, `head ${head} ≥ highest acknowledged ${maxAck}`);
        const next = await backend.create('/registry/durability/after', 'x');
        assert.ok(next.modRevision > head, 'new revisions continue upward');
        // The revisions of the stored rows have no holes the writer did not cause: all unique.
        assert.equal(new Set(kvs.map((kv) => kv.modRevision)).size, kvs.length);
      } finally {
        await backend.close();
      }
    });
  }
});
