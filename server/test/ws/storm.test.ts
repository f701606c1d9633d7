/**
 * Issue 11, item 2 (a WebSocket join storm) and the WebSocket part of item 11: `/ws` bounds
 * sockets per address and in total, devices in total, hellos per socket and per address, the
 * size of a device's entry, and the bytes of device lists a socket receives per second; a
 * refused socket gets 1013 and a reason. Raw sockets on loopback; other client addresses are
 * other addresses of 127.0.0.0/8.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Device, ServerMessage } from '@musicsharer/shared';
import {
  HELLO_BURST_PER_ADDRESS,
  HELLO_BURST_PER_SOCKET,
  HELLOS_PER_SECOND_PER_ADDRESS,
  MAX_SOCKETS,
  MAX_SOCKETS_PER_ADDRESS,
} from '../../src/now-playing/admission.js';
import {
  DEVICES_MAX_BYTES_PER_SECOND,
  MAX_DEVICE_ENTRY_BYTES,
  MAX_DEVICE_TRACK_TEXT,
  MAX_DEVICES,
  cleanDeviceName,
} from '../../src/now-playing/hub.js';
import { Opcode } from '../../src/ws/constants.js';
import { RawClient, TRACKS, clientFrame, handshakeRequest, startServer, type ServerFrame, type TestServer } from './helpers.js';

/** RFC 6455 §11.7 (IANA registry): Try Again Later. */
const TRY_AGAIN_LATER = 1013;

/** A long title from the library (tags are the owner's files, but no bound on their length). */
TRACKS.long = { title: '𝄞'.repeat(5000), artist: 'A\u202e'.repeat(5000) };

const text = (message: unknown) => clientFrame(Opcode.Text, JSON.stringify(message));
const hello = (name: string) => text({ type: 'hello', name });
const decode = (frame: ServerFrame) => JSON.parse(frame.payload.toString()) as ServerMessage;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** A client address on loopback: 127.0.1.n. */
const address = (n: number) => `127.0.1.${n}`;

/** Opens `/ws` from `localAddress`, says hello if asked, and returns the first frame the server sends. */
async function openWs(server: TestServer, localAddress: string, first: Buffer): Promise<{ client: RawClient; frame: ServerFrame }> {
  const client = await RawClient.open(server.port, '/ws', first, localAddress);
  return { client, frame: await client.readFrame() };
}

function closeCodeOf(frame: ServerFrame): { code: number; reason: string } {
  assert.equal(frame.opcode, Opcode.Close, `a close frame, not ${frame.payload.toString().slice(0, 80)}`);
  return { code: frame.payload.readUInt16BE(0), reason: frame.payload.subarray(2).toString() };
}

/** A storm socket: handshake and hello in one write; whatever the server sends is read and dropped. */
async function stormSocket(port: number, localAddress: string, name: string): Promise<net.Socket> {
  const socket = net.connect({ port, host: '127.0.0.1', localAddress });
  socket.on('error', () => undefined);
  socket.on('data', () => undefined);
  await once(socket, 'connect');
  socket.write(Buffer.concat([Buffer.from(handshakeRequest('/ws', port)), hello(name)]));
  return socket;
}

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(() => server.app.close());

describe('join storm bounds', () => {
  test(`sockets past ${MAX_SOCKETS_PER_ADDRESS} from one address are refused with 1013; another address is not`, async () => {
    const ping = text({ type: 'ping' });
    const admitted: RawClient[] = [];
    for (let i = 0; i < MAX_SOCKETS_PER_ADDRESS; i++) {
      const { client, frame } = await openWs(server, address(1), ping);
      assert.equal(decode(frame).type, 'pong');
      admitted.push(client);
    }
    const { client: refused, frame } = await openWs(server, address(1), ping);
    const close = closeCodeOf(frame);
    assert.equal(close.code, TRY_AGAIN_LATER);
    assert.match(close.reason, /too many connections from your address/);
    refused.destroy();

    const other = await openWs(server, address(2), ping);
    assert.equal(decode(other.frame).type, 'pong', 'another address is served');
    // A socket that leaves makes room.
    admitted.pop()!.destroy();
    for (let attempt = 1; ; attempt++) {
      const again = await openWs(server, address(1), ping);
      again.client.destroy();
      if (again.frame.opcode !== Opcode.Close) break;
      assert.ok(attempt < 100, 'room was made');
      await sleep(10); // the server has not seen the close yet
    }
    for (const client of [...admitted, other.client]) client.destroy();
  });

  test(`hellos past ${HELLO_BURST_PER_SOCKET} at once from a socket get an error; the device stays`, async () => {
    const burst = Buffer.concat(Array.from({ length: HELLO_BURST_PER_SOCKET + 2 }, (_, i) => hello(`Name ${i}`)));
    const { client, frame } = await openWs(server, address(3), burst);
    const answers = [decode(frame)];
    while (answers.filter((m) => m.type !== 'devices').length < HELLO_BURST_PER_SOCKET + 2) answers.push(decode(await client.readFrame()));
    const replies = answers.filter((m) => m.type !== 'devices');
    assert.deepEqual(
      replies.map((m) => m.type),
      [...Array<string>(HELLO_BURST_PER_SOCKET).fill('welcome'), 'error', 'error'],
    );
    assert.match((replies.at(-1) as { message: string }).message, /too many hellos/);
    client.write(text({ type: 'ping' }));
    for (;;) if (decode(await client.readFrame()).type === 'pong') break;
    client.destroy();
  });

  test(`hellos from one address are bounded (${HELLO_BURST_PER_ADDRESS} at once, then ${HELLOS_PER_SECOND_PER_ADDRESS}/s)`, async () => {
    const started = performance.now();
    const clients: RawClient[] = [];
    const helloEach = 2;
    for (let i = 0; i < MAX_SOCKETS_PER_ADDRESS; i++) {
      clients.push(await RawClient.open(server.port, '/ws', Buffer.concat([hello(`A${i}`), hello(`B${i}`)]), address(4)));
    }
    let welcomes = 0;
    let errors = 0;
    for (const client of clients) {
      let replies = 0;
      while (replies < helloEach) {
        const message = decode(await client.readFrame());
        if (message.type === 'welcome') welcomes++;
        if (message.type === 'error') errors++;
        if (message.type === 'welcome' || message.type === 'error') replies++;
      }
    }
    const seconds = (performance.now() - started) / 1000;
    assert.equal(welcomes + errors, MAX_SOCKETS_PER_ADDRESS * helloEach);
    assert.ok(
      welcomes <= HELLO_BURST_PER_ADDRESS + Math.ceil(HELLOS_PER_SECOND_PER_ADDRESS * seconds),
      `${welcomes} welcomes in ${seconds.toFixed(2)} s`,
    );
    for (const client of clients) client.destroy();
  });

  test('a device entry stays under MAX_DEVICE_ENTRY_BYTES, whatever the name and the track', async () => {
    const { client } = await openWs(server, address(5), hello('𝄞'.repeat(500)));
    client.write(text({ type: 'nowPlaying', trackId: 'long', positionSec: 2.2250738585072014e-308, paused: false }));
    let mine: Device | undefined;
    while (mine?.trackId !== 'long') {
      const message = decode(await client.readFrame());
      if (message.type === 'devices') mine = message.devices.find((d) => d.name.startsWith('𝄞'));
    }
    assert.ok(Buffer.byteLength(JSON.stringify(mine)) <= MAX_DEVICE_ENTRY_BYTES, `${Buffer.byteLength(JSON.stringify(mine))} bytes`);
    assert.equal(Array.from(mine.title!).length, MAX_DEVICE_TRACK_TEXT);
    assert.doesNotMatch(mine.artist!, /\u202e/);
    client.destroy();
  });
});

describe('a storm of devices', () => {
  test(`a device receives at most ${DEVICES_MAX_BYTES_PER_SECOND} B/s of device lists (plus one list)`, async () => {
    const own = await startServer();
    const sockets: net.Socket[] = [];
    try {
      const phone = await RawClient.open(own.port, '/ws', hello('Normal phone'));
      const stormDevices = 2 * MAX_SOCKETS_PER_ADDRESS;
      for (let i = 0; i < stormDevices; i++) {
        sockets.push(await stormSocket(own.port, address(10 + Math.floor(i / MAX_SOCKETS_PER_ADDRESS)), `${'𝄞'.repeat(60)} ${i}`));
      }
      // Every storm device plays the longest track (the largest entries) and reports in turn,
      // one every 10 ms: the list changes far more often than it may be sent.
      let tick = 0;
      const timer = setInterval(() => {
        tick++;
        sockets[tick % sockets.length]!.write(text({ type: 'nowPlaying', trackId: 'long', positionSec: tick, paused: false }));
      }, 10);
      try {
        await sleep(500);
        const from = phone.received;
        const started = performance.now();
        while (performance.now() - started < 2500) await phone.readFrame();
        const seconds = (performance.now() - started) / 1000;
        const bytes = phone.received - from;
        const oneList = (stormDevices + 1) * MAX_DEVICE_ENTRY_BYTES + 100;
        const bound = DEVICES_MAX_BYTES_PER_SECOND * seconds + oneList;
        assert.ok(bytes <= bound, `${bytes} bytes in ${seconds.toFixed(2)} s; bound ${bound.toFixed(0)}`);
        assert.ok(bytes > 0, 'the device still gets lists');
      } finally {
        clearInterval(timer);
      }
      phone.destroy();
    } finally {
      for (const socket of sockets) socket.destroy();
      await own.app.close();
    }
  });

  test(`past ${MAX_DEVICES} devices in total, a hello is answered with 1013`, async () => {
    const own = await startServer();
    const sockets: net.Socket[] = [];
    try {
      for (let i = 0; i < MAX_DEVICES - 1; i++) sockets.push(await stormSocket(own.port, address(10 + Math.floor(i / MAX_SOCKETS_PER_ADDRESS)), `Storm ${i}`));
      const last = await openWs(own, address(100), hello('The last one'));
      assert.equal(decode(last.frame).type, 'welcome');
      const { client, frame } = await openWs(own, address(100), hello('One too many'));
      const close = closeCodeOf(frame);
      assert.equal(close.code, TRY_AGAIN_LATER);
      assert.match(close.reason, /too many devices/);
      for (const c of [client, last.client]) c.destroy();
    } finally {
      for (const socket of sockets) socket.destroy();
      await own.app.close();
    }
  });

  test(`past ${MAX_SOCKETS} sockets in total, 1013`, async () => {
    const own = await startServer();
    const sockets: net.Socket[] = [];
    try {
      const listen = Buffer.alloc(0);
      for (let i = 0; i < MAX_SOCKETS; i++) {
        const socket = net.connect({ port: own.port, host: '127.0.0.1', localAddress: address(10 + Math.floor(i / MAX_SOCKETS_PER_ADDRESS)) });
        socket.on('error', () => undefined);
        socket.on('data', () => undefined);
        await once(socket, 'connect');
        socket.write(Buffer.concat([Buffer.from(handshakeRequest('/ws', own.port)), listen]));
        sockets.push(socket);
      }
      for (let attempt = 1; ; attempt++) {
        const { client, frame } = await openWs(own, address(200), text({ type: 'ping' }));
        client.destroy();
        if (frame.opcode === Opcode.Text && attempt < 20) {
          await sleep(10); // the last handshakes may still be on their way
          continue;
        }
        const close = closeCodeOf(frame);
        assert.equal(close.code, TRY_AGAIN_LATER);
        assert.match(close.reason, /too many connections/);
        break;
      }
    } finally {
      for (const socket of sockets) socket.destroy();
      await own.app.close();
    }
  });
});

describe('item 11: /ws details', () => {
  test('GET /ws without Upgrade answers 426 and honours "Connection: close"', async () => {
    const client = await RawClient.connect(server.port);
    client.write(`GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nConnection: close\r\n\r\n`);
    const answer = await client.readHttp();
    assert.equal(answer.status, 426);
    assert.match(answer.headers.connection ?? '', /\bclose\b/i);
    assert.match(answer.headers.connection ?? '', /\bupgrade\b/i);
    await client.waitForEnd();

    // Without "Connection: close" the connection stays usable (keep-alive).
    const keep = await RawClient.connect(server.port);
    keep.write(`GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n\r\n`);
    const first = await keep.readHttp();
    assert.equal(first.status, 426);
    assert.doesNotMatch(first.headers.connection ?? '', /close/i);
    keep.destroy();
  });

  test('device names lose format characters (bidi overrides, zero-width) and other invisibles', async () => {
    assert.equal(cleanDeviceName('Kit\u200bchen\u00ad iPad\u2060'), 'Kitchen iPad');
    assert.equal(cleanDeviceName('\u202edaPi nehctiK'), 'daPi nehctiK');
    assert.equal(cleanDeviceName('\u2066Phone\u2069\ufeff'), 'Phone');
    assert.equal(cleanDeviceName('a\u2028b\u0085c'), 'a b c');
    assert.equal(cleanDeviceName('x\ud800y'), 'xy', 'a lone surrogate');
    assert.equal(cleanDeviceName('\u200b\u202e'), '');
    const { client, frame } = await openWs(server, address(6), hello('\u202eKitchen\u200d iPad\u200b'));
    const welcome = decode(frame);
    assert.equal(welcome.type, 'welcome');
    assert.ok(welcome.devices.some((d) => d.name === 'Kitchen iPad'));
    client.write(hello('\u200b\u2066\u2069'));
    for (;;) {
      const message = decode(await client.readFrame());
      if (message.type === 'devices') continue;
      assert.deepEqual(message, { type: 'error', message: 'the device name is empty' });
      break;
    }
    client.destroy();
  });
});
