import assert from 'node:assert/strict';
import { test } from 'node:test';
import { constants, createDeflate, inflateSync } from 'node:zlib';
import {
  controlFrame,
  dataFrame,
  decodeHeaderBlock,
  encodeHeaderBlock,
  FLAG_FIN,
  HeaderCompressor,
  HeaderDecompressor,
  SpdyFrameParser,
  SpdySession,
  type SpdyStream,
  TYPE_PING,
} from './spdy.ts';
import { SPDY3_DICTIONARY } from './spdy-dictionary.ts';

function adler32(b: Buffer): number {
  let a = 1;
  let s = 0;
  for (const x of b) {
    a = (a + x) % 65521;
    s = (s + a) % 65521;
  }
  return ((s << 16) | a) >>> 0;
}

test('the SPDY/3 dictionary has the draft length and zlib dictionary id', () => {
  assert.equal(SPDY3_DICTIONARY.length, 1423);
  assert.equal(adler32(SPDY3_DICTIONARY).toString(16), 'e3c6a7c2');
});

test('frames split across chunks are reassembled', () => {
  const bytes = Buffer.concat([
    dataFrame(3, FLAG_FIN, Buffer.from('hello')),
    controlFrame(TYPE_PING, 0, Buffer.from([0, 0, 0, 7])),
  ]);
  const p = new SpdyFrameParser();
  const frames = [
    ...p.push(bytes.subarray(0, 5)),
    ...p.push(bytes.subarray(5, 17)),
    ...p.push(bytes.subarray(17)),
  ];
  assert.equal(frames.length, 2);
  assert.deepEqual(
    {
      control: frames[0]!.control,
      id: frames[0]!.streamId,
      fin: frames[0]!.flags & FLAG_FIN,
      d: frames[0]!.data.toString(),
    },
    { control: false, id: 3, fin: 1, d: 'hello' },
  );
  assert.equal(frames[1]!.type, TYPE_PING);
  assert.deepEqual([...frames[1]!.data], [0, 0, 0, 7]);
});

test('header blocks round-trip, names lower-cased', () => {
  const h = decodeHeaderBlock(encodeHeaderBlock({ StreamType: 'error', port: '80', requestid: '0' }));
  assert.deepEqual(h, { streamtype: 'error', port: '80', requestid: '0' });
  assert.throws(() => decodeHeaderBlock(Buffer.from([0, 0, 0, 1, 0, 0, 0, 9, 1])), /truncated/);
});

test('our compressed header blocks form one zlib stream any inflater reads block by block', () => {
  const c = new HeaderCompressor();
  const a = c.compress(encodeHeaderBlock({ streamtype: 'stdout' }));
  const b = c.compress(encodeHeaderBlock({ streamtype: 'stderr', big: 'x'.repeat(70_000) }));
  const first = inflateSync(a, { finishFlush: constants.Z_SYNC_FLUSH, dictionary: SPDY3_DICTIONARY });
  assert.deepEqual(decodeHeaderBlock(first), { streamtype: 'stdout' });
  const both = inflateSync(Buffer.concat([a, b]), { finishFlush: constants.Z_SYNC_FLUSH });
  assert.deepEqual(decodeHeaderBlock(both.subarray(first.length)).streamtype, 'stderr');
});

test('incoming header blocks share one inflate context (a peer compressing with the dictionary)', async () => {
  const deflate = createDeflate({ dictionary: SPDY3_DICTIONARY });
  const chunks: Buffer[] = [];
  deflate.on('data', (d: Buffer) => chunks.push(d));
  const block = async (h: Record<string, string>) => {
    deflate.write(encodeHeaderBlock(h));
    await new Promise<void>((r) => deflate.flush(constants.Z_SYNC_FLUSH, () => r()));
    return Buffer.concat(chunks.splice(0));
  };
  const one = await block({ streamtype: 'data', port: '8080', requestid: '0' });
  const two = await block({ streamtype: 'data', port: '8080', requestid: '1' });
  deflate.close();
  // The second block back-references the first: it only decodes in the shared context.
  assert.ok(two.length < one.length);
  const d = new HeaderDecompressor();
  assert.deepEqual(decodeHeaderBlock(await d.decompress(one)), {
    streamtype: 'data',
    port: '8080',
    requestid: '0',
  });
  assert.deepEqual(decodeHeaderBlock(await d.decompress(two)), {
    streamtype: 'data',
    port: '8080',
    requestid: '1',
  });
  d.close();
});

test('client and server sessions: open, reply, data both ways, FIN, ping echo', async () => {
  let server!: SpdySession;
  const replies: number[] = [];
  const received: string[] = [];
  let serverStream: SpdyStream | undefined;
  let pong = false;
  const client = new SpdySession({
    client: true,
    write: (d) => server.push(d),
    onReply: (s) => replies.push(s.id),
  });
  server = new SpdySession({
    write: (d) => {
      if (d.readUInt16BE(2) === TYPE_PING && d[0]! & 0x80) pong = true;
      client.push(d);
    },
    onStream: (s) => {
      serverStream = s;
      s.on({
        onData: (d) => received.push(d.toString()),
        onEnd: () => {
          s.write(Buffer.from(`got ${received.join('')} for ${s.headers.streamtype}`));
          s.end();
        },
      });
    },
  });
  const s = client.openStream({ streamtype: 'stdin' });
  const back: string[] = [];
  let ended = false;
  s.on({ onData: (d) => back.push(d.toString()), onEnd: () => (ended = true) });
  s.write(Buffer.from('ab'));
  s.end(Buffer.from('c'));
  server.push(controlFrame(TYPE_PING, 0, Buffer.from([0, 0, 0, 1]))); // the client pings (odd id)
  for (let i = 0; i < 5; i++) {
    await server.idle();
    await client.idle();
  }
  assert.equal(s.id, 1);
  assert.equal(serverStream?.headers.streamtype, 'stdin');
  assert.deepEqual(replies, [1]);
  assert.deepEqual(back, ['got abc for stdin']);
  assert.ok(ended);
  assert.ok(pong, 'the server echoes a client ping');
  client.close();
  server.close();
});
