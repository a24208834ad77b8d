import assert from 'node:assert/strict';
import { test } from 'node:test';
import { watchEvents } from './watch-stream.ts';

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  return new ReadableStream({
    start(c) {
      for (const ch of chunks) c.enqueue(enc.encode(ch));
      c.close();
    },
  });
}

test('events split across chunks (even inside a UTF-8 character) are reassembled', async () => {
  const a = JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'é-pod' } } });
  const b = JSON.stringify({ type: 'DELETED', object: { metadata: { name: 'x' } } });
  const whole = `${a}\n${b}\n`;
  const bytes = new TextEncoder().encode(whole);
  const split = [bytes.slice(0, 40), bytes.slice(40, 41), bytes.slice(41)];
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      for (const s of split) c.enqueue(s);
      c.close();
    },
  });
  const got = [];
  for await (const ev of watchEvents(body)) got.push([ev.type, ev.object.metadata.name]);
  assert.deepEqual(got, [
    ['ADDED', 'é-pod'],
    ['DELETED', 'x'],
  ]);
});

test('a last event without a newline is still delivered', async () => {
  const got = [];
  for await (const ev of watchEvents(streamOf(['{"type":"MODIFIED","object":{"metadata":{"name":"a"}}}'])))
    got.push(ev.type);
  assert.deepEqual(got, ['MODIFIED']);
});
