import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { Watch, WatchDecodeError, type WatchEvent } from './watch.ts';

function makeWatch(): { body: PassThrough; w: Watch; abort: AbortController } {
  const body = new PassThrough();
  const abort = new AbortController();
  return { body, w: new Watch(body, abort), abort };
}

async function collect(w: Watch): Promise<WatchEvent[]> {
  const out: WatchEvent[] = [];
  for await (const ev of w) out.push(ev);
  return out;
}

describe('Watch decoding', () => {
  test('reassembles events split across chunks at any byte', async () => {
    const { body, w } = makeWatch();
    const text =
      '{"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"5"}}}\n' +
      '{"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"9"}}}\n' +
      '{"type":"DELETED","object":{"metadata":{"name":"\u00e9t\u00e9"}}}\n';
    const bytes = Buffer.from(text);
    const done = collect(w);
    for (let i = 0; i < bytes.length; i += 7) body.write(bytes.subarray(i, i + 7));
    body.end();
    const events = await done;
    assert.deepEqual(
      events.map((e) => e.type),
      ['ADDED', 'BOOKMARK', 'DELETED'],
    );
    assert.equal(events[2].object.metadata?.name, 'été', 'multi-byte characters split across chunks survive');
  });

  test('ERROR events carry the Status', async () => {
    const { body, w } = makeWatch();
    body.end(
      '{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 1 (5)","reason":"Expired","code":410}}\n',
    );
    const [ev] = await collect(w);
    assert.equal(ev.type, 'ERROR');
    assert.equal(ev.type === 'ERROR' && ev.object.code, 410);
  });

  test('a final event without a trailing newline is still delivered', async () => {
    const { body, w } = makeWatch();
    body.end('{"type":"ADDED","object":{"metadata":{"name":"last"}}}');
    assert.equal((await collect(w))[0].object.metadata?.name, 'last');
  });

  test('an undecodable line ends the iteration with an error', async () => {
    const { body, w } = makeWatch();
    body.end('{"type":"ADDED","object":{}}\nnot json\n');
    await assert.rejects(collect(w), WatchDecodeError);
    const m = makeWatch();
    m.body.end('{"type":"SURPRISE","object":{}}\n');
    await assert.rejects(collect(m.w), /malformed watch event/);
  });

  test('a broken connection ends the iteration with its error', async () => {
    const { body, w } = makeWatch();
    const done = collect(w);
    body.write('{"type":"ADDED","object":{}}\n');
    body.destroy(new Error('socket hang up'));
    await assert.rejects(done, /socket hang up/);
  });

  test('stop() ends the iteration quietly, aborts the request and runs onStop once', async () => {
    const body = new PassThrough();
    const abort = new AbortController();
    let stops = 0;
    const w = new Watch(body, abort, () => stops++);
    const seen: string[] = [];
    const done = (async () => {
      for await (const ev of w) {
        seen.push(ev.type);
        w.stop();
      }
    })();
    body.write('{"type":"ADDED","object":{}}\n{"type":"MODIFIED","object":{}}\n');
    await done;
    assert.deepEqual(seen, ['ADDED']);
    assert.equal(abort.signal.aborted, true);
    assert.equal(body.destroyed, true);
    w.stop();
    assert.equal(stops, 1);
  });

  test('aborting the controller from outside also ends it quietly', async () => {
    const { body, w, abort } = makeWatch();
    const done = collect(w);
    body.write('{"type":"ADDED","object":{}}\n');
    setTimeout(() => abort.abort(), 5);
    assert.equal((await done).length, 1);
    assert.equal(w.stopped, true);
  });

  test('iterating twice is refused', async () => {
    const { body, w } = makeWatch();
    body.end();
    await collect(w);
    await assert.rejects(collect(w), /only once/);
  });
});
