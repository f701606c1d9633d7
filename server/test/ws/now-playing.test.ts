/**
 * The now-playing protocol on `/ws` with several clients (the `ws` package as an independent
 * peer): join, update, error answers, disconnect; and the hub's fan-out design.
 */
import assert from 'node:assert/strict';
import { EventEmitter, once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import type { Device, ServerMessage } from '@musicsharer/shared';
import { MAX_DEVICE_NAME } from '@musicsharer/shared';
import WebSocket from 'ws';
import { DEVICES_MIN_INTERVAL_MS, NowPlayingHub, cleanDeviceName } from '../../src/now-playing/hub.js';
import type { WebSocketConnection } from '../../src/ws/connection.js';
import { Opcode } from '../../src/ws/constants.js';
import type { PreparedFrame } from '../../src/ws/sender.js';
import { RawClient, clientFrame, fakeLibrary, startServer, type TestServer } from './helpers.js';

/** A `ws` client that queues the JSON it receives. */
class Client {
  readonly messages: ServerMessage[] = [];
  #wake: (() => void) | undefined;
  closed = false;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.messages.push(JSON.parse(String(data)) as ServerMessage);
      this.#wake?.();
    });
    ws.on('close', () => {
      this.closed = true;
      this.#wake?.();
    });
  }

  static async connect(url: string): Promise<Client> {
    const ws = new WebSocket(url + '/ws');
    const client = new Client(ws);
    await once(ws, 'open');
    return client;
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Consumes messages until one matches; the ones before it are dropped. */
  async waitFor<T extends ServerMessage>(match: (message: ServerMessage) => message is T): Promise<T>;
  async waitFor(match: (message: ServerMessage) => boolean): Promise<ServerMessage>;
  async waitFor(match: (message: ServerMessage) => boolean): Promise<ServerMessage> {
    for (;;) {
      const message = this.messages.shift();
      if (message !== undefined) {
        if (match(message)) return message;
        continue;
      }
      if (this.closed) throw new Error('connection closed while waiting');
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  /** The next `devices` message whose list satisfies `match`. */
  async devicesWhere(match: (devices: Device[]) => boolean): Promise<Device[]> {
    const message = await this.waitFor((m) => m.type === 'devices' && match(m.devices));
    return (message as { devices: Device[] }).devices;
  }

  async hello(name: string): Promise<{ deviceId: string; devices: Device[] }> {
    this.send({ type: 'hello', name });
    const welcome = await this.waitFor((m) => m.type === 'welcome');
    return welcome as { deviceId: string; devices: Device[] };
  }

  async expectError(message: unknown): Promise<string> {
    this.send(message);
    const error = await this.waitFor((m) => m.type === 'error' || m.type === 'pong');
    assert.equal(error.type, 'error', `no error for ${JSON.stringify(message)}`);
    // the connection stays open and usable
    this.send({ type: 'ping' });
    await this.waitFor((m) => m.type === 'pong');
    return (error as { message: string }).message;
  }

  close(): void {
    this.ws.close();
  }
}

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(() => server.app.close());

const names = (devices: Device[]) => devices.map((device) => device.name);

describe('now-playing protocol', () => {
  test('hello gets a welcome with a device id and the list; others learn about the new device', async () => {
    const kitchen = await Client.connect(server.url);
    const phone = await Client.connect(server.url);
    const listener = await Client.connect(server.url); // never says hello

    const welcome = await kitchen.hello('Kitchen iPad');
    assert.match(welcome.deviceId, /^[0-9a-f-]{36}$/);
    assert.deepEqual(names(welcome.devices), ['Kitchen iPad']);
    const self = welcome.devices[0]!;
    assert.deepEqual(Object.keys(self).sort(), ['artist', 'deviceId', 'name', 'paused', 'positionSec', 'title', 'trackId', 'updatedAt']);
    assert.deepEqual({ ...self, updatedAt: 0 }, {
      deviceId: welcome.deviceId,
      name: 'Kitchen iPad',
      trackId: null,
      title: null,
      artist: null,
      positionSec: 0,
      paused: true,
      updatedAt: 0,
    });

    const phoneWelcome = await phone.hello('Phone');
    assert.notEqual(phoneWelcome.deviceId, welcome.deviceId);
    assert.deepEqual(names(phoneWelcome.devices), ['Kitchen iPad', 'Phone']);
    await kitchen.devicesWhere((devices) => devices.length === 2);
    await listener.devicesWhere((devices) => devices.length === 2);
    const late = await Client.connect(server.url);
    assert.deepEqual(names((await late.hello('Late')).devices), ['Kitchen iPad', 'Phone', 'Late']);

    for (const client of [kitchen, phone, listener, late]) client.close();
    await listener.devicesWhere(() => false).catch(() => undefined); // drain until closed
  });

  test('nowPlaying reaches every client, with title and artist from the library', async () => {
    const a = await Client.connect(server.url);
    const b = await Client.connect(server.url);
    const listener = await Client.connect(server.url);
    const { deviceId } = await a.hello('Living room');
    await b.hello('Bedroom');

    a.send({ type: 'nowPlaying', trackId: 't1', positionSec: 12.5, paused: false });
    for (const client of [a, b, listener]) {
      const devices = await client.devicesWhere((list) => list.some((d) => d.deviceId === deviceId && d.trackId === 't1'));
      const device = devices.find((d) => d.deviceId === deviceId)!;
      assert.deepEqual(
        { trackId: device.trackId, title: device.title, artist: device.artist, positionSec: device.positionSec, paused: device.paused },
        { trackId: 't1', title: 'First Song', artist: 'The Testers', positionSec: 12.5, paused: false },
      );
      assert.equal(typeof device.updatedAt, 'number');
    }

    a.send({ type: 'nowPlaying', trackId: 't2', positionSec: 0, paused: true });
    const devices = await b.devicesWhere((list) => list.some((d) => d.trackId === 't2'));
    assert.deepEqual(
      devices.filter((d) => d.deviceId === deviceId).map((d) => [d.title, d.artist, d.paused]),
      [['Untitled Hum', null, true]],
    );

    a.send({ type: 'nowPlaying', trackId: null, positionSec: 0, paused: true });
    const stopped = await b.devicesWhere((list) => list.some((d) => d.deviceId === deviceId && d.trackId === null));
    assert.deepEqual(
      stopped.filter((d) => d.deviceId === deviceId).map((d) => [d.title, d.artist]),
      [[null, null]],
    );
    for (const client of [a, b, listener]) client.close();
  });

  test('ping gets pong', async () => {
    const client = await Client.connect(server.url);
    client.send({ type: 'ping' });
    assert.deepEqual(await client.waitFor(() => true), { type: 'pong' });
    client.close();
  });

  test('bad messages get an error answer and the connection stays open', async () => {
    const client = await Client.connect(server.url);
    assert.match(await client.expectError({ type: 'nowPlaying', trackId: 't1', positionSec: 1, paused: false }), /hello/);
    const { deviceId } = await client.hello('Careful device');
    const bad: unknown[] = [
      '{"type":',
      'not json',
      '[1,2]',
      '42',
      'null',
      { type: 'dance' },
      { noType: true },
      { type: 'hello' },
      { type: 'hello', name: 42 },
      { type: 'hello', name: '   ' },
      { type: 'nowPlaying', trackId: 'no-such-track', positionSec: 1, paused: false },
      { type: 'nowPlaying', trackId: 7, positionSec: 1, paused: false },
      { type: 'nowPlaying', trackId: 't1', positionSec: -1, paused: false },
      { type: 'nowPlaying', trackId: 't1', positionSec: '12', paused: false },
      { type: 'nowPlaying', trackId: 't1', paused: false },
      { type: 'nowPlaying', trackId: 't1', positionSec: 1, paused: 'no' },
      { type: 'nowPlaying', trackId: 't1', positionSec: 1 },
      { type: 'toString' },
      { type: '__proto__' },
    ];
    for (const message of bad) {
      const text = await client.expectError(message);
      assert.ok(text.length > 0, JSON.stringify(message));
    }
    // binary is not the protocol either
    client.ws.send(Buffer.from([1, 2, 3]));
    assert.equal((await client.waitFor(() => true)).type, 'error');
    // rejected updates changed nothing
    const other = await Client.connect(server.url);
    const { devices } = await other.hello('Observer');
    assert.deepEqual(
      devices.filter((d) => d.deviceId === deviceId).map((d) => [d.trackId, d.positionSec]),
      [[null, 0]],
    );
    client.close();
    other.close();
  });

  test('names are trimmed and cut; a second hello renames the device', async () => {
    assert.equal(cleanDeviceName('  Kitchen\niPad  '), 'Kitchen iPad');
    assert.equal(Array.from(cleanDeviceName('🎵'.repeat(100))).length, MAX_DEVICE_NAME);
    const client = await Client.connect(server.url);
    const first = await client.hello('x'.repeat(200));
    assert.equal(first.devices.find((d) => d.deviceId === first.deviceId)!.name, 'x'.repeat(MAX_DEVICE_NAME));
    const second = await client.hello('Renamed');
    assert.equal(second.deviceId, first.deviceId);
    assert.equal(second.devices.find((d) => d.deviceId === first.deviceId)!.name, 'Renamed');
    client.close();
  });

  test('a device that disconnects, cleanly or not, disappears from everyone’s list', async () => {
    const stays = await Client.connect(server.url);
    const leaves = await Client.connect(server.url);
    const vanishes = await Client.connect(server.url);
    await stays.hello('Stays');
    const { deviceId: leavingId } = await leaves.hello('Leaves');
    const { deviceId: vanishingId } = await vanishes.hello('Vanishes');
    await stays.devicesWhere((list) => list.some((d) => d.deviceId === vanishingId));

    leaves.close();
    await stays.devicesWhere((list) => !list.some((d) => d.deviceId === leavingId));
    vanishes.ws.terminate(); // no close frame: TCP just goes away
    await stays.devicesWhere((list) => !list.some((d) => d.deviceId === vanishingId));
    stays.close();
  });

  test('a device that stops answering pings is dropped and disappears', async () => {
    // Long enough for the phone to be listed before it is dropped: a device that comes and goes
    // within one DEVICES_MIN_INTERVAL_MS shows in no broadcast at all.
    const own = await startServer({ limits: { heartbeatIntervalMs: DEVICES_MIN_INTERVAL_MS + 50 } });
    try {
      const watcher = await Client.connect(own.url); // ws answers pings by itself
      await watcher.hello('Watcher');
      // A raw client that says hello and then never answers a ping (a locked iPhone).
      const locked = await RawClient.open(own.port, '/ws', clientFrame(Opcode.Text, JSON.stringify({ type: 'hello', name: 'Locked phone' })));
      await watcher.devicesWhere((list) => names(list).includes('Locked phone'));
      await watcher.devicesWhere((list) => !names(list).includes('Locked phone'));
      await locked.waitForEnd();
      const late = await Client.connect(own.url);
      assert.deepEqual(names((await late.hello('Late')).devices), ['Watcher', 'Late']);
      watcher.close();
      late.close();
    } finally {
      await own.app.close();
    }
  });

  test('app.nowPlaying.broadcast reaches every client, hello or not', async () => {
    const device = await Client.connect(server.url);
    await device.hello('Device');
    const listener = await Client.connect(server.url);
    server.app.nowPlaying.broadcast({ type: 'library', trackCount: 3 });
    for (const client of [device, listener]) {
      assert.deepEqual(await client.waitFor((m) => m.type === 'library'), { type: 'library', trackCount: 3 });
    }
    device.close();
    listener.close();
  });
});

/** A stand-in connection that records what the hub writes. */
class FakeConnection extends EventEmitter {
  frames: PreparedFrame[] = [];
  sent: string[] = [];
  sendPrepared(frame: PreparedFrame): boolean {
    this.frames.push(frame);
    return true;
  }
  send(data: string | Buffer): boolean {
    this.sent.push(String(data));
    return true;
  }
}

/** The device list a prepared frame carries, checked to be one unmasked final text frame. */
function devicesIn(frame: PreparedFrame): Device[] {
  const chunks: Buffer[] = [];
  frame.writeTo({ write: (chunk) => chunks.push(chunk) > 0 });
  const bytes = Buffer.concat(chunks);
  assert.equal(bytes[0], 0x81, 'a final text frame');
  assert.ok(bytes[1]! < 0x80, 'unmasked');
  const message = JSON.parse(bytes.subarray(bytes[1] === 126 ? 4 : 2).toString()) as ServerMessage;
  assert.equal(message.type, 'devices');
  return message.devices;
}

describe('hub fan-out', () => {
  const log = { info() {}, debug() {}, warn() {}, error() {} } as unknown as Parameters<NowPlayingHub['join']>[1];

  test('one update is serialised and framed once: every client gets the same bytes', async () => {
    const hub = new NowPlayingHub(fakeLibrary);
    const connections = Array.from({ length: 50 }, () => new FakeConnection());
    for (const [i, connection] of connections.entries()) hub.join(connection as unknown as WebSocketConnection, log, `192.0.2.${i}`);
    connections[0]!.emit('message', JSON.stringify({ type: 'hello', name: 'Sender' }), false);
    await new Promise((resolve) => setImmediate(resolve));
    for (const connection of connections) connection.frames = [];

    connections[0]!.emit('message', JSON.stringify({ type: 'nowPlaying', trackId: 't1', positionSec: 3, paused: false }), false);
    // Right after the hello's broadcast: this one waits out DEVICES_MIN_INTERVAL_MS.
    await new Promise((resolve) => setTimeout(resolve, DEVICES_MIN_INTERVAL_MS + 20));
    const frame = connections[0]!.frames[0]!;
    for (const connection of connections) {
      assert.equal(connection.frames.length, 1);
      assert.equal(connection.frames[0], frame, 'the very same frame, not a copy');
    }
    assert.equal(devicesIn(frame)[0]!.title, 'First Song');
  });

  test('updates in the same turn of the event loop share one broadcast', async () => {
    const hub = new NowPlayingHub(fakeLibrary);
    const connections = Array.from({ length: 10 }, () => new FakeConnection());
    for (const [i, connection] of connections.entries()) hub.join(connection as unknown as WebSocketConnection, log, `192.0.2.${i}`);
    for (const [i, connection] of connections.entries()) connection.emit('message', JSON.stringify({ type: 'hello', name: `D${i}` }), false);
    for (let position = 0; position < 100; position++) {
      connections[0]!.emit('message', JSON.stringify({ type: 'nowPlaying', trackId: 't1', positionSec: position, paused: false }), false);
    }
    await new Promise((resolve) => setImmediate(resolve));
    for (const connection of connections) assert.equal(connection.frames.length, 1);
    const devices = devicesIn(connections[3]!.frames[0]!);
    assert.equal(devices.length, 10);
    assert.equal(devices[0]!.positionSec, 99);
    hub.dispose();
  });

  test('a burst of updates goes out at most once per DEVICES_MIN_INTERVAL_MS, the last state included', async () => {
    const hub = new NowPlayingHub(fakeLibrary);
    const sender = new FakeConnection();
    const watcher = new FakeConnection();
    for (const connection of [sender, watcher]) hub.join(connection as unknown as WebSocketConnection, log, '192.0.2.1');
    sender.emit('message', JSON.stringify({ type: 'hello', name: 'Scrubber' }), false);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(watcher.frames.length, 1, 'the first change after a quiet spell goes out at once');
    // A slider scrubbed: an update every 5 ms for ~250 ms, each in its own turn of the loop.
    const started = performance.now();
    for (let position = 1; position <= 50; position++) {
      sender.emit('message', JSON.stringify({ type: 'nowPlaying', trackId: 't1', positionSec: position, paused: false }), false);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const elapsed = performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, DEVICES_MIN_INTERVAL_MS * 1.5));
    const broadcasts = watcher.frames.length - 1;
    assert.ok(broadcasts >= 1, 'the burst is broadcast');
    assert.ok(broadcasts <= Math.ceil(elapsed / DEVICES_MIN_INTERVAL_MS) + 1, `${broadcasts} broadcasts in ${elapsed.toFixed(0)} ms`);
    assert.equal(devicesIn(watcher.frames.at(-1)!)[0]!.positionSec, 50);
    hub.dispose();
  });
});
