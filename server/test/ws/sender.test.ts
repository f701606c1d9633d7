/** The frame writer: values in, exact bytes (hex) out. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Opcode } from '../../src/ws/constants.js';
import {
  encodeCloseFrame,
  encodeFrame,
  encodeTextFrame,
  headerSize,
  prepareFrame,
  prepareTextFrame,
  writeFrame,
  writeTextFrame,
  type FrameSink,
  type PreparedFrame,
} from '../../src/ws/sender.js';
import { hex } from './helpers.js';

const asHex = (buffer: Buffer) => buffer.toString('hex');

/** Records how a frame was written. */
function recordingSink(): FrameSink & { calls: string[]; bytes: () => Buffer } {
  const calls: string[] = [];
  const chunks: Buffer[] = [];
  return {
    calls,
    bytes: () => Buffer.concat(chunks),
    write(chunk: Buffer) {
      calls.push(`write ${chunk.length}`);
      chunks.push(chunk);
      return true;
    },
    cork() {
      calls.push('cork');
    },
    uncork() {
      calls.push('uncork');
    },
  };
}

describe('sender', () => {
  test('RFC 6455 §5.7: unmasked text "Hello"', () => {
    assert.equal(asHex(encodeTextFrame('Hello')), '810548656c6c6f');
    assert.equal(asHex(encodeFrame(Opcode.Text, Buffer.from('Hello'))), '810548656c6c6f');
  });

  test('RFC 6455 §5.7: unmasked pong "Hello", and a non-final fragment', () => {
    assert.equal(asHex(encodeFrame(Opcode.Pong, Buffer.from('Hello'))), '8a0548656c6c6f');
    assert.equal(asHex(encodeFrame(Opcode.Text, Buffer.from('Hel'), false)), '010348656c');
  });

  test('RFC 6455 §5.7: 256 bytes binary has a 16-bit length', () => {
    const frame = encodeFrame(Opcode.Binary, Buffer.alloc(256, 0xab));
    assert.equal(asHex(frame.subarray(0, 4)), '827e0100');
    assert.equal(frame.length, 4 + 256);
    assert.ok(frame.subarray(4).every((byte) => byte === 0xab));
  });

  test('RFC 6455 §5.7: 64 KiB binary has a 64-bit length', () => {
    const frame = encodeFrame(Opcode.Binary, Buffer.alloc(65536, 1));
    assert.equal(asHex(frame.subarray(0, 10)), '827f0000000000010000');
    assert.equal(frame.length, 10 + 65536);
  });

  test('length classes at their edges', () => {
    assert.deepEqual([0, 125, 126, 65535, 65536, 2 ** 32 + 1].map(headerSize), [2, 2, 4, 4, 10, 10]);
    assert.equal(asHex(encodeFrame(Opcode.Binary, Buffer.alloc(0))), '8200');
    assert.equal(asHex(encodeFrame(Opcode.Binary, Buffer.alloc(125)).subarray(0, 2)), '827d');
    assert.equal(asHex(encodeFrame(Opcode.Binary, Buffer.alloc(126)).subarray(0, 4)), '827e007e');
    assert.equal(asHex(encodeFrame(Opcode.Binary, Buffer.alloc(65535)).subarray(0, 4)), '827effff');
  });

  test('text is encoded as UTF-8 and the length counts bytes', () => {
    assert.equal(asHex(encodeTextFrame('é€🎵')), '8109' + 'c3a9' + 'e282ac' + 'f09f8eb5');
    const long = 'é'.repeat(100); // 200 bytes
    assert.equal(asHex(encodeTextFrame(long).subarray(0, 4)), '817e00c8');
  });

  test('server frames are never masked', () => {
    for (const frame of [encodeTextFrame('x'.repeat(300)), encodeFrame(Opcode.Binary, Buffer.alloc(70000)), encodeCloseFrame(1000)]) {
      assert.equal(frame[1]! & 0x80, 0);
    }
  });

  test('close frames (§5.5.1)', () => {
    assert.equal(asHex(encodeCloseFrame()), '8800');
    assert.equal(asHex(encodeCloseFrame(1000)), '880203e8');
    assert.equal(asHex(encodeCloseFrame(1001, 'bye')), '880503e9' + '627965');
  });

  test('a long close reason is cut to 125 bytes without splitting a character', () => {
    const frame = encodeCloseFrame(1002, 'é'.repeat(100)); // 200 bytes of reason
    assert.equal(frame[1], 2 + 122); // 61 whole "é" fit in 123 bytes
    assert.equal(frame.subarray(4).toString(), 'é'.repeat(61));
    const ascii = encodeCloseFrame(1002, 'x'.repeat(200));
    assert.equal(ascii[1], 125);
  });

  test('small frames leave in one write; large ones as header + payload in one corked writev', () => {
    const small = recordingSink();
    writeFrame(small, Opcode.Binary, Buffer.alloc(64, 7));
    assert.deepEqual(small.calls, ['write 66']);

    const large = recordingSink();
    const payload = Buffer.alloc(16 * 1024, 9);
    writeFrame(large, Opcode.Binary, payload);
    assert.deepEqual(large.calls, ['cork', 'write 4', `write ${16 * 1024}`, 'uncork']);
    assert.deepEqual(large.bytes(), encodeFrame(Opcode.Binary, payload));
  });

  test('a prepared frame is written whole, in one write, the same bytes each time', () => {
    const cases: [PreparedFrame, string][] = [
      [prepareTextFrame('Hello'), '810548656c6c6f'],
      [prepareTextFrame('é€🎵'), '8109' + 'c3a9' + 'e282ac' + 'f09f8eb5'],
      [prepareTextFrame('x'.repeat(126)), '817e007e' + '78'.repeat(126)],
      [prepareFrame(Opcode.Ping, Buffer.alloc(0)), '8900'],
    ];
    for (const [frame, expected] of cases) {
      for (let i = 0; i < 2; i++) {
        const sink = recordingSink();
        assert.equal(frame.writeTo(sink), true);
        assert.deepEqual(sink.calls, [`write ${expected.length / 2}`]);
        assert.equal(asHex(sink.bytes()), expected);
      }
    }
  });

  test('writeTextFrame gives the same bytes for short and long strings', () => {
    for (const text of ['short', 'ü'.repeat(5000)]) {
      const sink = recordingSink();
      writeTextFrame(sink, text);
      assert.deepEqual(sink.bytes(), Buffer.concat([hex(text.length < 100 ? '8105' : '817e2710'), Buffer.from(text)]));
    }
  });
});
