/**
 * The hub's messages against the protocol's schemas: the JSON builders (cached fragments spliced
 * into messages) give exactly the typed object, and what `/ws` really sends validates.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import type { Device, DevicesMessage, ServerMessage, WelcomeMessage } from '@musicsharer/shared';
import { DevicesMessageSchema, ServerMessageSchema, WelcomeMessageSchema } from '@musicsharer/shared/schemas';
import Value from 'typebox/value';
import WebSocket from 'ws';
import { jsonArray, messageJson, toJson } from '../../src/now-playing/message-json.js';
import { startServer, type TestServer } from './helpers.js';

const devices: Device[] = [
  {
    deviceId: '5b0c7a52-0d7e-4b8e-9d1c-3f1f0c9e2a11',
    name: 'Küche "Radio" \\ 🎵',
    trackId: 't1',
    title: 'First Song',
    artist: 'The Testers',
    positionSec: 12.5,
    paused: false,
    updatedAt: 1_764_000_000_000,
  },
  {
    deviceId: 'b2f3d1e4-6a7b-4c8d-9e0f-1a2b3c4d5e6f',
    name: 'Phone',
    trackId: null,
    title: null,
    artist: null,
    positionSec: 0,
    paused: true,
    updatedAt: 1_764_000_000_001,
  },
];

describe('message JSON builders', () => {
  test('a welcome made of cached device fragments is the typed message, and valid', () => {
    const expected: WelcomeMessage = { type: 'welcome', deviceId: devices[1]!.deviceId, devices };
    const json = messageJson<WelcomeMessage>({
      type: 'welcome',
      deviceId: devices[1]!.deviceId,
      devices: jsonArray(devices.map((device) => toJson(device))),
    });
    const parsed: unknown = JSON.parse(json.text);
    assert.deepEqual(parsed, expected);
    assert.ok(Value.Check(WelcomeMessageSchema, parsed), JSON.stringify(Value.Errors(WelcomeMessageSchema, parsed)));
    assert.equal(json.text, JSON.stringify(expected), 'the same text JSON.stringify gives');
  });

  test('devices messages, empty and not, match JSON.stringify of the typed message', () => {
    for (const list of [[], devices.slice(0, 1), devices]) {
      const expected: DevicesMessage = { type: 'devices', devices: list };
      const json = messageJson<DevicesMessage>({ type: 'devices', devices: jsonArray(list.map((device) => toJson(device))) });
      assert.equal(json.text, JSON.stringify(expected));
      assert.ok(Value.Check(DevicesMessageSchema, JSON.parse(json.text)));
    }
  });

  test('a field may be a plain value as well as a fragment', () => {
    const json = messageJson<DevicesMessage>({ type: 'devices', devices });
    assert.equal(json.text, JSON.stringify({ type: 'devices', devices }));
  });

  test('what the compiler refuses, the schema refuses too', () => {
    const list = jsonArray(devices.map((device) => toJson(device)));
    // @ts-expect-error deviceId is missing
    const missing = messageJson<WelcomeMessage>({ type: 'welcome', devices: list });
    // @ts-expect-error a device list where the device id belongs
    const misplaced = messageJson<WelcomeMessage>({ type: 'welcome', deviceId: list, devices: list });
    for (const json of [missing, misplaced]) assert.equal(Value.Check(WelcomeMessageSchema, JSON.parse(json.text)), false);
  });
});

describe('what /ws sends validates against the protocol schemas', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.app.close());

  test('welcome, devices, pong and error', async () => {
    const ws = new WebSocket(server.url + '/ws');
    const received: ServerMessage[] = [];
    const wanted = new Set(['welcome', 'devices', 'pong', 'error']);
    const allArrived = new Promise<void>((resolve) => {
      ws.on('message', (data) => {
        const message = JSON.parse(String(data)) as ServerMessage;
        received.push(message);
        wanted.delete(message.type);
        if (wanted.size === 0) resolve();
      });
    });
    await once(ws, 'open');
    ws.send(JSON.stringify({ type: 'hello', name: 'Schema "check" 🎵' }));
    ws.send(JSON.stringify({ type: 'nowPlaying', trackId: 't2', positionSec: 1.5, paused: false }));
    ws.send(JSON.stringify({ type: 'ping' }));
    ws.send(JSON.stringify({ type: 'dance' }));
    await allArrived;
    for (const message of received) {
      // The union's members are told apart by their `type`: each message must match its own.
      assert.ok(Value.Check(ServerMessageSchema, message), JSON.stringify(message));
    }
    ws.close();
    await once(ws, 'close');
  });
});
