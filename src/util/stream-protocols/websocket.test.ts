import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import {
  encodeFrame,
  FrameParser,
  headerList,
  OP_BINARY,
  OP_CONTINUATION,
  OP_PING,
  OP_PONG,
  OP_TEXT,
  WebSocketConnection,
  websocketAccept,
} from './websocket.ts';

test('handshake accept value (RFC 6455 §1.3 example)', () => {
  assert.equal(websocketAccept('dGhlIHNhbXBsZSBub25jZQ=='), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
});

test('header lists: repeated and comma-joined', () => {
  assert.deepEqual(headerList(['v5.channel.k8s.io, v4.channel.k8s.io', 'channel.k8s.io']), [
    'v5.channel.k8s.io',
    'v4.channel.k8s.io',
    'channel.k8s.io',
  ]);
  assert.deepEqual(headerList(undefined), []);
});

test('masked and unmasked frames of every length form parse back, split anywhere', () => {
  for (const len of [0, 5, 125, 126, 65535, 65536, 200_000]) {
    for (const mask of [false, true]) {
      const payload = Buffer.alloc(len, 0x61 + (len % 26));
      const bytes = encodeFrame(OP_BINARY, payload, { mask });
      const p = new FrameParser();
      const mid = Math.min(3, bytes.length);
      const frames = [...p.push(bytes.subarray(0, mid)), ...p.push(bytes.subarray(mid))];
      assert.equal(frames.length, 1, `len ${len}`);
      assert.equal(frames[0]!.opcode, OP_BINARY);
      assert.ok(frames[0]!.payload.equals(payload), `len ${len} mask ${mask}`);
    }
  }
});

test('connection: fragmented message reassembled, ping answered with pong, close echoed', () => {
  const sock = new PassThrough();
  const written: Buffer[] = [];
  const origWrite = sock.write.bind(sock);
  sock.write = ((d: Buffer) => {
    written.push(d);
    return true;
  }) as typeof sock.write;
  const msgs: { d: string; bin: boolean }[] = [];
  let closedWith: number | undefined;
  new WebSocketConnection(sock, {
    onMessage: (d, bin) => msgs.push({ d: d.toString(), bin }),
    onClose: (c) => (closedWith = c),
  });
  origWrite(encodeFrame(OP_TEXT, Buffer.from('hel'), { fin: false, mask: true }));
  origWrite(encodeFrame(OP_PING, Buffer.from('p'), { mask: true }));
  origWrite(encodeFrame(OP_CONTINUATION, Buffer.from('lo'), { mask: true }));
  const close = Buffer.alloc(2);
  close.writeUInt16BE(1000);
  origWrite(encodeFrame(0x8, close, { mask: true }));
  assert.deepEqual(msgs, [{ d: 'hello', bin: false }]);
  const frames = new FrameParser().push(Buffer.concat(written));
  assert.deepEqual(
    frames.map((f) => [f.opcode, f.payload.toString('hex')]),
    [
      [OP_PONG, Buffer.from('p').toString('hex')],
      [0x8, close.toString('hex')],
    ],
  );
  assert.equal(closedWith, 1000);
});
