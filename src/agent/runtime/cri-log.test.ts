import assert from 'node:assert/strict';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CriLogParseError,
  formatCriEntry,
  formatRfc3339Nano,
  parseCriLine,
  parseRfc3339Nano,
  readCriLog,
  tailStart,
} from './cri-log.ts';

const LOG = [
  '2026-11-22T08:03:18.937998792+00:00 stdout F first',
  '2026-11-22T08:03:19.000000001+00:00 stderr F oops',
  '2026-11-22T08:03:20.5+00:00 stdout P par',
  '2026-11-22T08:03:20.6+00:00 stdout F tial',
  '2026-11-22T10:03:21.000000000+02:00 stdout F  leading space kept',
  '2026-11-22T08:03:22.123456789Z stdout F ',
].join('\n');

async function collect(it: AsyncIterable<Buffer>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const b of it) parts.push(b);
  return Buffer.concat(parts).toString();
}

describe('CRI log format', () => {
  it('parses timestamps with any offset to nanoseconds and formats them as Go does', () => {
    const ns = parseRfc3339Nano('2026-11-22T08:03:18.937998792+00:00');
    assert.equal(ns, 1795334598937998792n);
    assert.equal(parseRfc3339Nano('2026-11-22T10:03:18.937998792+02:00'), ns);
    assert.equal(formatRfc3339Nano(ns), '2026-11-22T08:03:18.937998792Z');
    assert.equal(formatRfc3339Nano(parseRfc3339Nano('2026-11-22T08:03:20.5Z')), '2026-11-22T08:03:20.5Z');
    assert.equal(formatRfc3339Nano(parseRfc3339Nano('2026-11-22T08:03:20Z')), '2026-11-22T08:03:20Z');
    assert.throws(() => parseRfc3339Nano('yesterday'), CriLogParseError);
  });

  it('parses records: stream, full/partial tag, content (possibly empty)', () => {
    const e = parseCriLine(Buffer.from('2026-11-22T08:03:20.5+00:00 stderr P a b  c'));
    assert.equal(e.stream, 'stderr');
    assert.equal(e.partial, true);
    assert.equal(e.content.toString(), 'a b  c');
    assert.equal(parseCriLine(Buffer.from('2026-11-22T08:03:20Z stdout F')).content.length, 0);
    assert.throws(() => parseCriLine(Buffer.from('garbage')), CriLogParseError);
    assert.throws(() => parseCriLine(Buffer.from('2026-11-22T08:03:20Z stdin F x')), /unknown stream/);
    assert.equal(formatCriEntry(e, true).toString(), '2026-11-22T08:03:20.5Z a b  c');
  });

  it('finds the start of the last n lines', () => {
    const b = Buffer.from('a\nb\nc\n');
    assert.equal(tailStart(b, 1), 4);
    assert.equal(tailStart(b, 2), 2);
    assert.equal(tailStart(b, 5), 0);
    assert.equal(tailStart(b, 0), 6);
  });
});

describe('readCriLog', () => {
  let dir: string;
  let path: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'skiff-crilog-'));
    path = join(dir, 'ctr.log');
    await writeFile(path, `${LOG}\n`);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints what kubectl logs prints, joining partial records', async () => {
    assert.equal(await collect(readCriLog(path)), 'first\noops\npartial\n leading space kept\n\n');
  });

  it('filters by stream, since, tail and limit; adds timestamps', async () => {
    assert.equal(await collect(readCriLog(path, { stream: 'stderr' })), 'oops\n');
    assert.equal(await collect(readCriLog(path, { tailLines: 2 })), ' leading space kept\n\n');
    assert.equal(
      await collect(
        readCriLog(path, { sinceNs: parseRfc3339Nano('2026-11-22T08:03:21Z'), timestamps: true }),
      ),
      '2026-11-22T08:03:21Z  leading space kept\n2026-11-22T08:03:22.123456789Z \n',
    );
    assert.equal(await collect(readCriLog(path, { limitBytes: 8 })), 'first\noo');
    assert.equal(await collect(readCriLog(join(dir, 'missing.log'))), '');
  });

  it('follows appended records until the container is done', async () => {
    const followed = join(dir, 'follow.log');
    await writeFile(followed, '2026-11-22T08:00:00Z stdout F one\n');
    let exited = false;
    const got: string[] = [];
    const reader = (async () => {
      for await (const b of readCriLog(followed, {
        follow: true,
        isDone: () => exited,
        pollIntervalMs: 20,
      })) {
        got.push(b.toString());
      }
    })();
    await new Promise((r) => setTimeout(r, 60));
    // A record written in two pieces must not be emitted half-way.
    await appendFile(followed, '2026-11-22T08:00:01Z stdout F t');
    await new Promise((r) => setTimeout(r, 60));
    await appendFile(followed, 'wo\n2026-11-22T08:00:02Z stderr F three\n');
    exited = true;
    await reader;
    assert.deepEqual(got, ['one\n', 'two\n', 'three\n']);
  });

  it('stops following on abort', async () => {
    const ac = new AbortController();
    const started = Date.now();
    // Abort once the tail has arrived (a timer alone raced the tail read on a loaded machine);
    // the 10 s poll interval means only the abort can end the follow this quickly.
    const fallback = setTimeout(() => ac.abort(), 1500);
    let out = '';
    for await (const b of readCriLog(path, {
      follow: true,
      signal: ac.signal,
      pollIntervalMs: 10_000,
      tailLines: 1,
    })) {
      out += b.toString();
      ac.abort();
    }
    clearTimeout(fallback);
    assert.equal(out, '\n');
    assert.ok(Date.now() - started < 2000);
  });
});
