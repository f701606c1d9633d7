/**
 * Raw-socket conformance against `/ws/echo`, in the spirit of the Autobahn testsuite's
 * categories 1-7 (framing, ping/pong, reserved bits, opcodes, fragmentation, UTF-8, close),
 * plus the handshake as Fastify routes it and the configurable limits.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CloseCode, Opcode } from '../../src/ws/constants.js';
import {
  RawClient,
  clientFrame,
  closePayload,
  handshakeRequest,
  hex,
  startServer,
  type ServerFrame,
  type TestServer,
} from './helpers.js';

const { Text, Binary, Continuation, Close, Ping, Pong } = Opcode;

let server: TestServer;
before(async () => {
  server = await startServer({
    allowedOrigins: ['https://friend.example'],
    limits: { maxMessageBytes: 256 * 1024 },
    setup(app) {
      // A hook that refuses some requests: upgrades must go through it.
      app.addHook('onRequest', async (request, reply) => {
        if (request.headers['x-test-deny'] === 'yes') await reply.code(401).send({ message: 'denied by hook' });
      });
    },
  });
});
after(() => server.app.close());

const open = (after?: Buffer) => RawClient.open(server.port, '/ws/echo', after);

/** Expects a close frame with `code` (undefined: no body), then the server closing TCP. */
async function expectClose(client: RawClient, code: number | undefined): Promise<ServerFrame[]> {
  const result = await client.readUntilClose();
  assert.equal(result.code, code, `close code (frames before: ${result.before.map((f) => f.opcode).join(',')})`);
  await client.waitForEnd();
  return result.before;
}

/** Sends a text message and expects it back: proves the connection still works. */
async function expectEcho(client: RawClient, message = 'still alive'): Promise<void> {
  client.write(clientFrame(Text, message));
  const frame = await client.readFrame();
  assert.equal(frame.opcode, Text);
  assert.equal(frame.payload.toString(), message);
}

/** A clean close from the client: our close, its echo, then TCP. */
async function closeCleanly(client: RawClient): Promise<void> {
  client.write(clientFrame(Close, closePayload(1000)));
  await expectClose(client, 1000);
}

describe('handshake through Fastify', () => {
  async function answer(path: string, headers: Record<string, string | undefined> = {}, method = 'GET') {
    const client = await RawClient.connect(server.port);
    client.write(handshakeRequest(path, server.port, headers).replace(/^GET/, method));
    const result = await client.readHttp();
    await client.waitForEnd(); // never upgraded: the server closes the connection
    return result;
  }

  test('101 with the right accept key and no extension, even when permessage-deflate is offered', async () => {
    const client = await RawClient.connect(server.port);
    client.write(
      handshakeRequest('/ws/echo', server.port, {
        'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
        'Sec-WebSocket-Extensions': 'permessage-deflate; client_max_window_bits',
        Upgrade: 'WebSocket',
        Connection: 'keep-alive, UPGRADE',
      }),
    );
    const result = await client.readHttp();
    assert.equal(result.status, 101);
    assert.equal(result.headers['sec-websocket-accept'], 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    assert.equal(result.headers.upgrade, 'websocket');
    assert.equal(result.headers['sec-websocket-extensions'], undefined);
    assert.equal(result.headers['sec-websocket-protocol'], undefined);
    await expectEcho(client);
    await closeCleanly(client);
  });

  test('an unknown path gets 404 from Fastify', async () => {
    assert.equal((await answer('/nope')).status, 404);
  });

  test('hooks run on upgrades', async () => {
    assert.equal((await answer('/ws/echo', { 'x-test-deny': 'yes' })).status, 401);
  });

  test('a version other than 13 gets 426 with Sec-WebSocket-Version: 13', async () => {
    const result = await answer('/ws/echo', { 'Sec-WebSocket-Version': '8' });
    assert.equal(result.status, 426);
    assert.equal(result.headers['sec-websocket-version'], '13');
  });

  test('a key that is not 16 bytes gets 400', async () => {
    assert.equal((await answer('/ws/echo', { 'Sec-WebSocket-Key': Buffer.alloc(8).toString('base64') })).status, 400);
    assert.equal((await answer('/ws/echo', { 'Sec-WebSocket-Key': undefined })).status, 400);
  });

  test('origins: another site gets 403; our own and configured ones are accepted', async () => {
    assert.equal((await answer('/ws/echo', { Origin: 'https://evil.example' })).status, 403);
    for (const origin of [`http://127.0.0.1:${server.port}`, `https://127.0.0.1:${server.port}`, 'https://friend.example']) {
      const client = await RawClient.connect(server.port);
      client.write(handshakeRequest('/ws/echo', server.port, { Origin: origin }));
      assert.equal((await client.readHttp()).status, 101, origin);
      client.destroy();
    }
  });

  test('only GET upgrades: other methods are not routed to the WebSocket', async () => {
    assert.equal((await answer('/ws/echo', {}, 'POST')).status, 404);
  });

  test('a plain GET (no upgrade) gets 426', async () => {
    const response = await fetch(`http://127.0.0.1:${server.port}/ws/echo`);
    assert.equal(response.status, 426);
    assert.equal(response.headers.get('upgrade'), 'websocket');
  });

  test('a first frame in the same packet as the handshake is not lost', async () => {
    const client = await open(Buffer.concat([clientFrame(Text, 'early bird'), clientFrame(Binary, hex('0102'))]));
    const first = await client.readFrame();
    assert.equal(first.payload.toString(), 'early bird');
    const second = await client.readFrame();
    assert.deepEqual([second.opcode, second.payload.toString('hex')], [Binary, '0102']);
    await closeCleanly(client);
  });

  test('/ws/echo is not mounted without the echo option', async () => {
    const plain = await startServer({ echo: false });
    try {
      const client = await RawClient.connect(plain.port);
      client.write(handshakeRequest('/ws/echo', plain.port));
      assert.equal((await client.readHttp()).status, 404);
      const ws = await RawClient.open(plain.port, '/ws');
      ws.destroy();
    } finally {
      await plain.app.close();
    }
  });
});

describe('1: framing', () => {
  for (const opcode of [Text, Binary]) {
    test(`${opcode === Text ? 'text' : 'binary'} payloads of 0, 125, 126, 127, 128, 65535, 65536 bytes`, async () => {
      const client = await open();
      for (const size of [0, 125, 126, 127, 128, 65535, 65536]) {
        const payload = Buffer.alloc(size, '*');
        client.write(clientFrame(opcode, payload));
        const frame = await client.readFrame();
        assert.deepEqual([frame.fin, frame.rsv, frame.masked, frame.opcode], [true, 0, false, opcode], `${size} bytes`);
        assert.ok(frame.payload.equals(payload), `${size} bytes`);
      }
      await closeCleanly(client);
    });
  }

  test('65536 bytes sent in chunks of 997', async () => {
    const client = await open();
    const payload = Buffer.alloc(65536, 'x');
    const frame = clientFrame(Binary, payload);
    for (let i = 0; i < frame.length; i += 997) client.write(frame.subarray(i, i + 997));
    assert.ok((await client.readFrame()).payload.equals(payload));
    await closeCleanly(client);
  });

  test('a frame sent one byte at a time', async () => {
    const client = await open();
    await client.writeChopped(clientFrame(Text, 'byte by byte'));
    assert.equal((await client.readFrame()).payload.toString(), 'byte by byte');
    await closeCleanly(client);
  });

  test('unmasked client frames fail with 1002 (§5.1)', async () => {
    const client = await open();
    client.write(Buffer.concat([clientFrame(Text, 'naked', { mask: false }), clientFrame(Text, 'after')]));
    assert.deepEqual(await expectClose(client, CloseCode.ProtocolError), []);
  });

  test('a 64-bit length with the top bit set fails with 1002', async () => {
    const client = await open();
    client.write(hex('82 ff 8000000000000005 00000000 0102030405'));
    assert.deepEqual(await expectClose(client, CloseCode.ProtocolError), []);
  });
});

describe('2: ping and pong', () => {
  for (const [name, payload] of [
    ['no payload', Buffer.alloc(0)],
    ['text payload', Buffer.from('Hello, world!')],
    ['binary payload', hex('00ff fe fd fc fb 00 ff')],
    ['125 bytes', Buffer.alloc(125, 0xfe)],
  ] as const) {
    test(`ping with ${name} gets a pong with the same payload`, async () => {
      const client = await open();
      client.write(clientFrame(Ping, payload));
      const pong = await client.readFrame();
      assert.deepEqual([pong.opcode, pong.payload.toString('hex')], [Pong, payload.toString('hex')]);
      await closeCleanly(client);
    });
  }

  test('a ping of 126 bytes fails with 1002', async () => {
    const client = await open();
    client.write(clientFrame(Ping, Buffer.alloc(126)));
    assert.deepEqual(await expectClose(client, CloseCode.ProtocolError), []);
  });

  test('a 125-byte ping sent one byte at a time', async () => {
    const client = await open();
    await client.writeChopped(clientFrame(Ping, Buffer.alloc(125, 7)));
    assert.equal((await client.readFrame()).payload.length, 125);
    await closeCleanly(client);
  });

  test('unsolicited pongs are ignored; a ping after them is answered', async () => {
    const client = await open();
    client.write(Buffer.concat([clientFrame(Pong), clientFrame(Pong, 'unsolicited'), clientFrame(Ping, 'ping')]));
    const frame = await client.readFrame();
    assert.deepEqual([frame.opcode, frame.payload.toString()], [Pong, 'ping']);
    await closeCleanly(client);
  });

  test('10 pings in a row get 10 pongs in order, also when chopped', async () => {
    for (const chopped of [false, true]) {
      const client = await open();
      const pings = Buffer.concat(Array.from({ length: 10 }, (_, i) => clientFrame(Ping, `payload-${i}`)));
      if (chopped) await client.writeChopped(pings, 3);
      else client.write(pings);
      for (let i = 0; i < 10; i++) assert.equal((await client.readFrame()).payload.toString(), `payload-${i}`);
      await closeCleanly(client);
    }
  });
});

describe('3: reserved bits', () => {
  for (const rsv of [1, 2, 3, 4, 5, 6, 7]) {
    test(`RSV=${rsv}: the frame before is echoed, the error closes with 1002, nothing after is answered`, async () => {
      const client = await open();
      const opcode = [Text, Text, Binary, Ping, Close, Text, Text][rsv - 1]!;
      client.write(
        Buffer.concat([
          clientFrame(Text, 'before'),
          clientFrame(opcode, opcode === Close ? closePayload(1000) : 'bad', { rsv }),
          clientFrame(Ping, 'after'),
        ]),
      );
      const before = await expectClose(client, CloseCode.ProtocolError);
      assert.deepEqual(
        before.map((f) => f.payload.toString()),
        ['before'],
      );
    });
  }

  test('RSV set, sent one byte at a time', async () => {
    const client = await open();
    await client.writeChopped(clientFrame(Text, 'hi', { rsv: 4 }));
    await expectClose(client, CloseCode.ProtocolError);
  });
});

describe('4: opcodes', () => {
  for (const opcode of [3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf]) {
    test(`reserved opcode ${opcode} fails with 1002`, async () => {
      const client = await open();
      client.write(Buffer.concat([clientFrame(Text, 'before'), clientFrame(opcode, 'reserved'), clientFrame(Ping)]));
      const before = await expectClose(client, CloseCode.ProtocolError);
      assert.deepEqual(
        before.map((f) => f.payload.toString()),
        ['before'],
      );
    });
  }
});

describe('5: fragmentation', () => {
  test('fragmented ping and fragmented pong fail with 1002', async () => {
    for (const opcode of [Ping, Pong]) {
      const client = await open();
      client.write(Buffer.concat([clientFrame(opcode, 'frag', { fin: false }), clientFrame(Continuation, 'ment')]));
      await expectClose(client, CloseCode.ProtocolError);
    }
  });

  test('text and binary in two fragments', async () => {
    const client = await open();
    client.write(Buffer.concat([clientFrame(Text, 'frag', { fin: false }), clientFrame(Continuation, 'ment1')]));
    assert.equal((await client.readFrame()).payload.toString(), 'fragment1');
    client.write(Buffer.concat([clientFrame(Binary, hex('01'), { fin: false }), clientFrame(Continuation, hex('02'))]));
    const frame = await client.readFrame();
    assert.deepEqual([frame.opcode, frame.payload.toString('hex')], [Binary, '0102']);
    await closeCleanly(client);
  });

  test('a ping between fragments is answered at once, before the message completes', async () => {
    const client = await open();
    client.write(Buffer.concat([clientFrame(Text, 'frag', { fin: false }), clientFrame(Ping, 'mid')]));
    const pong = await client.readFrame(); // the message is still incomplete
    assert.deepEqual([pong.opcode, pong.payload.toString()], [Pong, 'mid']);
    client.write(clientFrame(Continuation, 'ment'));
    assert.equal((await client.readFrame()).payload.toString(), 'fragment');
    await closeCleanly(client);
  });

  test('fragments, pings and pongs interleaved, sent one byte at a time', async () => {
    const client = await open();
    await client.writeChopped(
      Buffer.concat([
        clientFrame(Text, 'a', { fin: false }),
        clientFrame(Ping, '1'),
        clientFrame(Continuation, 'b', { fin: false }),
        clientFrame(Pong, 'x'),
        clientFrame(Ping, '2'),
        clientFrame(Continuation, 'c'),
      ]),
    );
    const frames = [await client.readFrame(), await client.readFrame(), await client.readFrame()];
    assert.deepEqual(
      frames.map((f) => [f.opcode, f.payload.toString()]),
      [
        [Pong, '1'],
        [Pong, '2'],
        [Text, 'abc'],
      ],
    );
    await closeCleanly(client);
  });

  test('a continuation with nothing to continue fails with 1002', async () => {
    const client = await open();
    client.write(Buffer.concat([clientFrame(Continuation, 'orphan'), clientFrame(Text, 'after')]));
    assert.deepEqual(await expectClose(client, CloseCode.ProtocolError), []);
  });

  test('a non-final continuation with nothing to continue fails with 1002', async () => {
    const client = await open();
    client.write(clientFrame(Continuation, 'orphan', { fin: false }));
    await expectClose(client, CloseCode.ProtocolError);
  });

  test('a new text frame inside a fragmented message fails with 1002', async () => {
    const client = await open();
    client.write(Buffer.concat([clientFrame(Text, 'one', { fin: false }), clientFrame(Text, 'two')]));
    assert.deepEqual(await expectClose(client, CloseCode.ProtocolError), []);
  });

  test('a message, then a stray continuation, fails with 1002 after the echo', async () => {
    const client = await open();
    client.write(
      Buffer.concat([clientFrame(Text, 'com', { fin: false }), clientFrame(Continuation, 'plete'), clientFrame(Continuation, 'stray')]),
    );
    const before = await expectClose(client, CloseCode.ProtocolError);
    assert.deepEqual(
      before.map((f) => f.payload.toString()),
      ['complete'],
    );
  });
});

describe('6: UTF-8', () => {
  const valid = ['Hello-µ@ßöäüàá-UTF-8!!', 'κόσμε', '🎵🎶', '\ufeffbom kept', '\u{10ffff}', ''];
  test('valid text is echoed exactly, also split inside characters across fragments', async () => {
    const client = await open();
    for (const text of valid) {
      const bytes = Buffer.from(text);
      client.write(clientFrame(Text, bytes));
      assert.equal((await client.readFrame()).payload.toString('hex'), bytes.toString('hex'));
      // one fragment per byte, so every multi-byte character is split
      const frames = Array.from(bytes, (byte, i) => clientFrame(i === 0 ? Text : Continuation, Buffer.from([byte]), { fin: i === bytes.length - 1 }));
      if (frames.length > 0) {
        client.write(Buffer.concat(frames));
        assert.equal((await client.readFrame()).payload.toString('hex'), bytes.toString('hex'));
      }
    }
    await closeCleanly(client);
  });

  for (const [name, bytes] of [
    ['overlong', 'c0af'],
    ['surrogate', 'eda080'],
    ['above U+10FFFF', 'f4908080'],
    ['0xFF', 'ff'],
    ['truncated at message end', 'cebae1bd'],
    ['Autobahn 6.3.1', 'cebae1bdb9cf83cebcceb5eda080656469746564'],
  ] as const) {
    test(`invalid (${name}) fails with 1007`, async () => {
      const client = await open();
      client.write(Buffer.concat([clientFrame(Text, hex(bytes)), clientFrame(Text, 'after')]));
      assert.deepEqual(await expectClose(client, CloseCode.InvalidPayload), []);
    });
  }

  test('fail fast: an invalid fragment closes with 1007 before the message is finished', async () => {
    const client = await open();
    // Autobahn 6.4.1: fragment 1 valid, fragment 2 invalid; fragment 3 is never sent.
    client.write(Buffer.concat([clientFrame(Text, 'κόσμε', { fin: false }), clientFrame(Continuation, hex('f4908080'), { fin: false })]));
    await expectClose(client, CloseCode.InvalidPayload);
  });

  test('fail fast: invalid bytes close with 1007 before the rest of the frame arrives', async () => {
    const client = await open();
    // Autobahn 6.4.3: a frame announcing 21 bytes; only the first 13 (ending in an invalid sequence) are sent.
    const whole = clientFrame(Text, Buffer.concat([Buffer.from('κόσμε'), hex('f4908080'), Buffer.from('edited!!')]));
    client.write(whole.subarray(0, 2 + 4 + 11 + 2)); // header, key, "κόσμε", f4 90
    await expectClose(client, CloseCode.InvalidPayload);
  });

  test('binary is never validated', async () => {
    const client = await open();
    client.write(clientFrame(Binary, hex('ff fe c0 af ed a0 80')));
    assert.equal((await client.readFrame()).payload.toString('hex'), 'fffec0afeda080');
    await closeCleanly(client);
  });
});

describe('7: close handling', () => {
  test('a message, then close: echo, close echo, TCP closed by the server', async () => {
    const client = await open();
    client.write(Buffer.concat([clientFrame(Text, 'last words'), clientFrame(Close, closePayload(1000))]));
    const before = await expectClose(client, 1000);
    assert.deepEqual(
      before.map((f) => f.payload.toString()),
      ['last words'],
    );
  });

  test('after a close, nothing more is processed: no echo, no pong, no second close', async () => {
    const client = await open();
    client.write(
      Buffer.concat([
        clientFrame(Close, closePayload(1000)),
        clientFrame(Text, 'after close'),
        clientFrame(Ping, 'after close'),
        clientFrame(Close, closePayload(1001)),
      ]),
    );
    assert.deepEqual(await expectClose(client, 1000), []);
    assert.equal(client.pending.length, 0, 'nothing after the close frame');
  });

  test('a close in the middle of a fragmented message', async () => {
    const client = await open();
    client.write(Buffer.concat([clientFrame(Text, 'frag', { fin: false }), clientFrame(Close, closePayload(1000)), clientFrame(Continuation, 'ment')]));
    assert.deepEqual(await expectClose(client, 1000), []);
  });

  test('an empty close is answered with an empty close', async () => {
    const client = await open();
    client.write(clientFrame(Close));
    await expectClose(client, undefined);
  });

  test('code and a 123-byte reason: the code is echoed', async () => {
    const client = await open();
    client.write(clientFrame(Close, closePayload(1000, 'ü'.repeat(61) + 'x')));
    await expectClose(client, 1000);
  });

  for (const code of [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999]) {
    test(`valid code ${code} is echoed`, async () => {
      const client = await open();
      client.write(clientFrame(Close, closePayload(code)));
      await expectClose(client, code);
    });
  }

  for (const code of [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535]) {
    test(`invalid code ${code} fails with 1002`, async () => {
      const client = await open();
      client.write(clientFrame(Close, closePayload(code)));
      await expectClose(client, CloseCode.ProtocolError);
    });
  }

  test('a 1-byte close body fails with 1002', async () => {
    const client = await open();
    client.write(clientFrame(Close, hex('03')));
    await expectClose(client, CloseCode.ProtocolError);
  });

  test('a close body over 125 bytes fails with 1002', async () => {
    const client = await open();
    client.write(clientFrame(Close, closePayload(1000, 'x'.repeat(124))));
    await expectClose(client, CloseCode.ProtocolError);
  });

  test('a reason that is not UTF-8 fails with 1007', async () => {
    const client = await open();
    client.write(clientFrame(Close, closePayload(1000, hex('cebae1bdb9cf83cebcceb5eda080656469746564'))));
    await expectClose(client, CloseCode.InvalidPayload);
  });

  test('a peer that sends FIN without a close frame is closed too', async () => {
    const client = await open();
    client.socket.end();
    await client.waitForEnd();
    assert.equal(client.pending.length, 0);
  });
});

describe('limits', () => {
  let small: TestServer;
  before(async () => {
    small = await startServer({
      limits: {
        maxMessageBytes: 1000,
        maxFragments: 4,
        maxPingsPerWindow: 5,
        pingWindowMs: 3_600_000,
        maxBufferedBytes: 64 * 1024,
        closeTimeoutMs: 300,
      },
    });
  });
  after(() => small.app.close());
  const openSmall = () => RawClient.open(small.port);

  test('a message over the limit closes with 1009 from the header alone', async () => {
    const client = await openSmall();
    client.write(hex('82 fe 0fa0 00000000')); // announces 4000 bytes; none are sent
    await expectClose(client, CloseCode.MessageTooBig);
  });

  test('the size limit counts every fragment; a message at the limit passes', async () => {
    const client = await openSmall();
    client.write(Buffer.concat([clientFrame(Binary, Buffer.alloc(500), { fin: false }), clientFrame(Continuation, Buffer.alloc(500))]));
    assert.equal((await client.readFrame()).payload.length, 1000);
    client.write(Buffer.concat([clientFrame(Binary, Buffer.alloc(500), { fin: false }), clientFrame(Continuation, Buffer.alloc(501))]));
    await expectClose(client, CloseCode.MessageTooBig);
  });

  test('too many fragments close with 1008', async () => {
    const client = await openSmall();
    const fragments = (count: number) =>
      Buffer.concat(Array.from({ length: count }, (_, i) => clientFrame(i === 0 ? Text : Continuation, 'f', { fin: i === count - 1 })));
    client.write(fragments(4));
    assert.equal((await client.readFrame()).payload.toString(), 'ffff');
    client.write(fragments(5));
    await expectClose(client, CloseCode.PolicyViolation);
  });

  test('a ping flood closes with 1008 after the allowed pings are answered', async () => {
    const client = await openSmall();
    client.write(Buffer.concat(Array.from({ length: 8 }, (_, i) => clientFrame(Ping, `p${i}`))));
    const before = await expectClose(client, CloseCode.PolicyViolation);
    assert.deepEqual(
      before.map((f) => f.payload.toString()),
      ['p0', 'p1', 'p2', 'p3', 'p4'],
    );
  });

  test('a client that stops reading is dropped once its outgoing buffer passes the limit', async () => {
    const client = await openSmall();
    client.socket.pause(); // read nothing more: echoes pile up on the server
    const message = clientFrame(Binary, Buffer.alloc(1000, 1));
    const batch = Buffer.concat(Array.from({ length: 64 }, () => message));
    let sent = 0;
    // Kernel buffers on both sides absorb some megabytes first; 512 MB would mean no limit at all.
    while (!client.closed && sent < 512 * 1024 * 1024) {
      if (!client.socket.write(batch)) {
        await new Promise<void>((resolve) => {
          client.socket.once('drain', resolve);
          void client.closedPromise.then(resolve);
        });
      }
      sent += batch.length;
    }
    assert.ok(client.closed, `still connected after ${sent} bytes`);
  });

  test('a peer that never answers our close is cut after the close timeout', async () => {
    const own = await startServer({ limits: { closeTimeoutMs: 200 } });
    const client = await RawClient.open(own.port);
    const closing = own.app.close();
    const frame = await client.readFrame(); // the 1001; we never answer it
    assert.deepEqual([frame.opcode, frame.payload.readUInt16BE(0)], [Close, 1001]);
    await closing; // resolves: app.close() does not hang on the silent peer
    await client.waitForEnd();
  });

  test('app.close() closes every socket with 1001', async () => {
    const own = await startServer();
    const clients = await Promise.all([RawClient.open(own.port), RawClient.open(own.port, '/ws'), RawClient.open(own.port)]);
    const closing = own.app.close();
    for (const client of clients) {
      const frame = await client.readFrame();
      assert.deepEqual([frame.opcode, frame.payload.readUInt16BE(0)], [Close, 1001]);
      client.write(clientFrame(Close, closePayload(1001)));
    }
    await closing;
    for (const client of clients) await client.waitForEnd();
  });

  test('heartbeat: a peer that answers pings stays, a silent one is dropped', async () => {
    const own = await startServer({ limits: { heartbeatIntervalMs: 20 } });
    try {
      const silent = await RawClient.open(own.port); // reads pings, never answers
      const polite = await RawClient.open(own.port);
      for (let answered = 0; answered < 5; ) {
        const frame = await polite.readFrame();
        assert.equal(frame.opcode, Ping);
        polite.write(clientFrame(Pong, frame.payload));
        answered++;
      }
      await silent.waitForEnd();
      assert.equal(polite.closed || polite.ended, false);
      polite.write(clientFrame(Text, 'still here'));
      for (;;) {
        const frame = await polite.readFrame();
        if (frame.opcode === Ping) continue;
        assert.equal(frame.payload.toString(), 'still here');
        break;
      }
      polite.destroy();
    } finally {
      await own.app.close();
    }
  });
});
