/**
 * The frame parser, byte by byte: hex in, events out. Every case is fed whole, one byte at a
 * time, split at every possible point, and in pseudo-random chunk sizes; the events must be the
 * same each way.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_LIMITS, type WebSocketLimits } from '../../src/ws/constants.js';
import { Receiver, unmask } from '../../src/ws/receiver.js';
import { hex } from './helpers.js';

type Limits = Pick<WebSocketLimits, 'maxMessageBytes' | 'maxFragments'>;

/** Runs the receiver over `chunks`, returning what it reported, as short strings. */
function events(chunks: Buffer[], limits: Limits = DEFAULT_LIMITS): string[] {
  const out: string[] = [];
  const receiver = new Receiver(
    {
      onText: (text) => out.push(`text:${text}`),
      onBinary: (data) => out.push(`binary:${data.toString('hex')}`),
      onPing: (payload) => out.push(`ping:${payload.toString('hex')}`),
      onPong: (payload) => out.push(`pong:${payload.toString('hex')}`),
      onClose: (code, reason) => out.push(`close:${code}:${reason}`),
      onError: (error) => out.push(`error:${error.closeCode}`),
    },
    limits,
  );
  for (const chunk of chunks) receiver.push(Buffer.from(chunk)); // fresh copies: unmasking is in place
  return out;
}

/** Deterministic chunkings of `input`. */
function* chunkings(input: Buffer): Generator<[string, Buffer[]]> {
  yield ['whole', [input]];
  yield ['one byte at a time', Array.from(input, (byte) => Buffer.from([byte]))];
  for (let split = 1; split < Math.min(input.length, 40); split++) {
    yield [`split at ${split}`, [input.subarray(0, split), input.subarray(split)]];
  }
  let seed = input.length * 7919 + 17;
  for (let round = 0; round < 5; round++) {
    const chunks: Buffer[] = [];
    for (let at = 0; at < input.length; ) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const size = 1 + (seed % 7);
      chunks.push(input.subarray(at, at + size));
      at += size;
    }
    yield [`random chunks #${round}`, chunks];
  }
}

/** Asserts `input` gives `expected` however TCP chopped it. */
function expectEvents(input: Buffer, expected: string[], limits?: Limits): void {
  for (const [how, chunks] of chunkings(input)) {
    assert.deepEqual(events(chunks, limits), expected, how);
  }
}

/** A masked client frame with an all-zero key, so the payload stays readable in hex. */
const frame = (b0: string, payloadHex: string): Buffer => {
  const payload = hex(payloadHex);
  const length =
    payload.length < 126
      ? (0x80 | payload.length).toString(16)
      : payload.length < 65536
        ? 'fe' + payload.length.toString(16).padStart(4, '0')
        : 'ff' + payload.length.toString(16).padStart(16, '0');
  return Buffer.concat([hex(b0 + length + '00000000'), payload]);
};
const text = (s: string) => Buffer.from(s).toString('hex');

describe('receiver: frames', () => {
  test('RFC 6455 §5.7: a masked single-frame text "Hello"', () => {
    expectEvents(hex('81 85 37fa213d 7f9f4d5158'), ['text:Hello']);
  });

  test('RFC 6455 §5.7: a masked ping "Hello"', () => {
    expectEvents(hex('89 85 37fa213d 7f9f4d5158'), ['ping:48656c6c6f']);
  });

  test('empty text, empty binary, empty ping', () => {
    expectEvents(hex('81 80 11223344  82 80 55667788  89 80 00000000'), ['text:', 'binary:', 'ping:']);
  });

  test('the mask key rotates across reads', () => {
    const payload = Buffer.from('abcdefghijklmnopqrstuvwxyz');
    const key = hex('a1b2c3d4');
    const masked = Buffer.from(payload);
    for (let i = 0; i < masked.length; i++) masked[i] = masked[i]! ^ key[i & 3]!;
    expectEvents(Buffer.concat([hex('81 9a'), key, masked]), ['text:abcdefghijklmnopqrstuvwxyz']);
  });

  test('16-bit and 64-bit extended lengths', () => {
    const p126 = 'ab'.repeat(126);
    const p65536 = 'cd'.repeat(65536);
    assert.deepEqual(events([frame('82', p126)]), [`binary:${p126}`]);
    assert.deepEqual(events([hex('82 fe 007e 00000000'), hex(p126)]), [`binary:${p126}`]);
    const big = frame('82', p65536);
    assert.equal(big.subarray(0, 10).toString('hex'), '82ff0000000000010000');
    assert.deepEqual(events([big]), [`binary:${p65536}`]);
    // chopped inside the 8-byte length and inside the payload
    assert.deepEqual(events([big.subarray(0, 5), big.subarray(5, 20), big.subarray(20, 40000), big.subarray(40000)]), [
      `binary:${p65536}`,
    ]);
  });

  test('many frames in one read', () => {
    const input = Buffer.concat([frame('81', text('one')), frame('82', '0102'), frame('8a', ''), frame('81', text('two'))]);
    expectEvents(input, ['text:one', 'binary:0102', 'pong:', 'text:two']);
  });

  test('a leading U+FEFF is kept, not eaten as a byte-order mark', () => {
    expectEvents(frame('81', 'efbbbf' + text('x')), ['text:\ufeffx']);
  });

  test('unmask() matches a byte-wise XOR at every key offset, length and memory alignment', () => {
    const key = hex('0f1e2d3c');
    const lengths = [...Array.from({ length: 12 }, (_, i) => i), 63, 64, 65, 66, 67, 100, 1001];
    for (const offset of [0, 1, 2, 3]) {
      for (const length of lengths) {
        for (const shift of [0, 1, 2, 3]) {
          const backing = Buffer.alloc(length + 8, 0xee);
          const data = backing.subarray(shift, shift + length);
          for (let i = 0; i < length; i++) data[i] = (i * 37) & 0xff;
          const expected = Buffer.from(data.map((byte, i) => byte ^ key[(offset + i) & 3]!));
          unmask(data, key, offset);
          const where = `offset ${offset} length ${length} shift ${shift}`;
          assert.deepEqual(data, expected, where);
          // bytes around the slice are untouched
          assert.ok(backing.subarray(0, shift).every((byte) => byte === 0xee), where);
          assert.ok(backing.subarray(shift + length).every((byte) => byte === 0xee), where);
        }
      }
    }
  });
});

describe('receiver: fragmentation (§5.4)', () => {
  test('a text message in three fragments', () => {
    expectEvents(Buffer.concat([frame('01', text('Hel')), frame('00', text('lo, ')), frame('80', text('world'))]), [
      'text:Hello, world',
    ]);
  });

  test('a binary message with a ping and a pong between fragments: control frames are answered at once', () => {
    const input = Buffer.concat([frame('02', 'aa'), frame('89', '01'), frame('00', 'bb'), frame('8a', ''), frame('80', 'cc')]);
    expectEvents(input, ['ping:01', 'pong:', 'binary:aabbcc']);
  });

  test('a UTF-8 character split across fragments', () => {
    // "€" is e2 82 ac
    expectEvents(Buffer.concat([frame('01', text('a') + 'e2'), frame('00', '82'), frame('80', 'ac')]), ['text:a€']);
  });

  test('empty fragments', () => {
    expectEvents(Buffer.concat([frame('01', ''), frame('00', ''), frame('80', '')]), ['text:']);
  });

  test('a continuation with nothing to continue fails with 1002', () => {
    expectEvents(frame('80', text('x')), ['error:1002']);
    expectEvents(Buffer.concat([frame('81', text('done')), frame('00', text('x'))]), ['text:done', 'error:1002']);
  });

  test('a new data frame inside a fragmented message fails with 1002', () => {
    expectEvents(Buffer.concat([frame('01', text('a')), frame('81', text('b'))]), ['error:1002']);
    expectEvents(Buffer.concat([frame('02', 'aa'), frame('02', 'bb')]), ['error:1002']);
  });

  test('too many fragments fail with 1008', () => {
    const limits = { maxMessageBytes: 1000, maxFragments: 3 };
    const ok = Buffer.concat([frame('01', text('a')), frame('00', text('b')), frame('80', text('c'))]);
    expectEvents(ok, ['text:abc'], limits);
    const tooMany = Buffer.concat([frame('01', text('a')), frame('00', text('b')), frame('00', text('c')), frame('80', text('d'))]);
    expectEvents(tooMany, ['error:1008'], limits);
  });
});

describe('receiver: protocol errors fail with 1002 and stop', () => {
  const after = frame('81', text('after'));
  const cases: [string, Buffer][] = [
    ['unmasked frame (§5.1)', hex('81 05 48656c6c6f')],
    ['RSV1 (§5.2)', frame('c1', text('x'))],
    ['RSV2', frame('a1', text('x'))],
    ['RSV3', frame('91', text('x'))],
    ['RSV on a ping', frame('c9', '')],
    ...[3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf].map((op): [string, Buffer] => [`reserved opcode ${op}`, frame((0x80 | op).toString(16), '')]),
    ['fragmented ping (§5.5)', frame('09', '')],
    ['fragmented close', frame('08', '03e8')],
    ['ping over 125 bytes (§5.5)', frame('89', 'aa'.repeat(126))],
    ['close over 125 bytes', frame('88', '03e8' + 'aa'.repeat(124))],
    ['64-bit length with the top bit set (§5.2)', hex('82 ff 8000000000000001 00000000 00')],
  ];
  for (const [name, input] of cases) {
    test(name, () => {
      // Nothing after the error is processed, even in the same read.
      expectEvents(Buffer.concat([input, after]), ['error:1002']);
    });
  }

  test('a valid frame before the error is still delivered', () => {
    expectEvents(Buffer.concat([frame('81', text('before')), frame('c1', ''), after]), ['text:before', 'error:1002']);
  });

  test('no push after an error is processed', () => {
    assert.deepEqual(events([frame('f1', ''), after, after]), ['error:1002']);
  });
});

describe('receiver: limits', () => {
  const limits = { maxMessageBytes: 10, maxFragments: 100 };

  test('a message over the limit fails with 1009 from the header alone, before any payload', () => {
    // 16-bit length 1000, masking key, and no payload at all.
    assert.deepEqual(events([hex('82 fe 03e8 00000000')], limits), ['error:1009']);
    // a 64-bit length of 2^53 is refused just the same
    assert.deepEqual(events([hex('82 ff 0020000000000000 00000000')], limits), ['error:1009']);
  });

  test('the limit counts all fragments of a message', () => {
    expectEvents(Buffer.concat([frame('01', text('12345')), frame('80', text('12345'))]), ['text:1234512345'], limits);
    expectEvents(Buffer.concat([frame('01', text('123456')), frame('80', text('12345'))]), ['error:1009'], limits);
  });

  test('control frames do not count toward the message limit', () => {
    expectEvents(Buffer.concat([frame('01', text('12345')), frame('89', 'aa'.repeat(100)), frame('80', text('12345'))]), [
      'ping:' + 'aa'.repeat(100),
      'text:1234512345',
    ], limits);
  });
});

describe('receiver: UTF-8 (§8.1)', () => {
  const valid: [string, string][] = [
    ['ASCII', text('hello')],
    ['two-byte', 'c3a9'],
    ['three-byte', 'e282ac'],
    ['four-byte', 'f09f8eb5'],
    ['U+FFFF', 'efbfbf'],
    ['U+10FFFF', 'f48fbfbf'],
    ['U+D7FF', 'ed9fbf'],
  ];
  for (const [name, payload] of valid) {
    test(`valid: ${name}`, () => {
      expectEvents(frame('81', payload), [`text:${hex(payload).toString()}`]);
    });
  }

  const invalid: [string, string][] = [
    ['lone continuation byte', '80'],
    ['0xFE', 'fe'],
    ['0xFF', 'ff'],
    ['overlong "/"', 'c0af'],
    ['overlong three-byte', 'e080af'],
    ['UTF-16 surrogate U+D800', 'eda080'],
    ['above U+10FFFF', 'f4908080'],
    ['0xF5 lead byte', 'f5808080'],
    ['truncated at the end of the message', 'e282'],
    ['lead byte followed by ASCII', 'e241'],
  ];
  for (const [name, payload] of invalid) {
    test(`invalid fails with 1007: ${name}`, () => {
      expectEvents(Buffer.concat([frame('81', text('ok') + payload), frame('81', text('after'))]), ['error:1007']);
    });
  }

  test('fail fast: invalid bytes in the first fragment fail before the message ends', () => {
    // Only the first fragment arrives; the message never completes.
    assert.deepEqual(events([frame('01', text('κόσμε') + 'f4908080')]), ['error:1007']);
  });

  test('fail fast: invalid bytes fail mid-frame, before the rest of the frame arrives', () => {
    // A 20-byte frame of which only 8 payload bytes have arrived: "ab" then 0xF4 0x90 (invalid pair).
    const partial = Buffer.concat([hex('81 94 00000000'), Buffer.from('ab'), hex('f490'), Buffer.from('cdef')]);
    assert.deepEqual(events([partial]), ['error:1007']);
    // and byte by byte: the error comes with the 0x90
    const out: string[] = [];
    const receiver = new Receiver(
      {
        onText: () => out.push('text'),
        onBinary: () => out.push('binary'),
        onPing: () => {},
        onPong: () => {},
        onClose: () => {},
        onError: (error) => out.push(`error:${error.closeCode}`),
      },
      DEFAULT_LIMITS,
    );
    const bytes = Buffer.from(partial);
    let failedAt = -1;
    for (let i = 0; i < bytes.length && failedAt < 0; i++) {
      receiver.push(Buffer.from([bytes[i]!]));
      if (out.length > 0) failedAt = i;
    }
    assert.equal(failedAt, 2 + 4 + 2 + 1, 'fails on the byte that makes the sequence invalid');
    assert.deepEqual(out, ['error:1007']);
  });

  test('invalid bytes in a later fragment fail, with a ping between still answered first', () => {
    expectEvents(Buffer.concat([frame('01', text('ok')), frame('89', ''), frame('00', 'ff'), frame('80', text('x'))]), [
      'ping:',
      'error:1007',
    ]);
  });

  test('binary is never validated', () => {
    expectEvents(frame('82', 'fffe80c0'), ['binary:fffe80c0']);
  });
});

describe('receiver: close frames (§5.5.1, §7.4)', () => {
  test('no body: 1005', () => {
    expectEvents(frame('88', ''), ['close:1005:']);
  });

  test('code and reason', () => {
    expectEvents(frame('88', '03e8' + text('bye')), ['close:1000:bye']);
  });

  for (const code of [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999]) {
    test(`valid code ${code}`, () => {
      expectEvents(frame('88', code.toString(16).padStart(4, '0')), [`close:${code}:`]);
    });
  }

  for (const code of [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535]) {
    test(`invalid code ${code} fails with 1002`, () => {
      expectEvents(frame('88', code.toString(16).padStart(4, '0')), ['error:1002']);
    });
  }

  test('a 1-byte body fails with 1002', () => {
    expectEvents(frame('88', '03'), ['error:1002']);
  });

  test('a reason that is not UTF-8 fails with 1007', () => {
    expectEvents(frame('88', '03e8' + 'cebae1bdb9cf83cebcceb5eda080656469746564'), ['error:1007']);
  });

  test('nothing after a close frame is processed', () => {
    expectEvents(Buffer.concat([frame('88', '03e8'), frame('81', text('after')), frame('c1', '')]), ['close:1000:']);
  });
});
