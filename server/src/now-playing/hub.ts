/**
 * The now-playing hub: which device plays what, and the broadcast that tells every client.
 *
 * Built for many devices: each device keeps its own JSON, so an update re-serialises one device
 * and joins the cached fragments (linear, not quadratic; message-json.ts types them against the
 * protocol); the `devices` message is built and framed once, and that prepared frame is written
 * as-is to every socket. Updates that arrive in the same turn of the event loop share one
 * broadcast, and `devices` broadcasts are at least DEVICES_MIN_INTERVAL_MS apart (updates in
 * between are merged into the next one): a broadcast is a list of n devices written to n
 * sockets, so however often devices report, its cost stays bounded.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { MAX_DEVICE_NAME, type Device, type DevicesMessage, type ServerMessage, type WelcomeMessage } from '@musicsharer/shared';
import type { WebSocketConnection } from '../ws/connection.js';
import { prepareTextFrame, type PreparedFrame } from '../ws/sender.js';
import { jsonArray, messageJson, toJson, type JsonText } from './message-json.js';

/** What the hub needs from the library: a track's title and artist by id. */
export interface TrackLookup {
  getTrack(id: string): { title: string; artist: string | null } | undefined;
}

interface DeviceEntry {
  device: Device;
  /** The device's JSON, refreshed on every change. */
  json: JsonText<Device>;
}

function* deviceJsons(entries: Iterable<DeviceEntry>): Iterable<JsonText<Device>> {
  for (const entry of entries) yield entry.json;
}

interface Client {
  connection: WebSocketConnection;
  log: FastifyBaseLogger;
  entry: DeviceEntry | undefined;
}

type Parsed = { ok: true; value: Record<string, unknown> } | { ok: false; message: string };

function parseMessage(data: string | Buffer, isBinary: boolean): Parsed {
  if (isBinary) return { ok: false, message: 'messages are JSON text, not binary' };
  let value: unknown;
  try {
    value = JSON.parse(data as string);
  } catch {
    return { ok: false, message: 'malformed JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, message: 'a message is a JSON object with a "type"' };
  }
  return { ok: true, value: value as Record<string, unknown> };
}

/** Trims and cuts a name to MAX_DEVICE_NAME characters (whole code points). */
export function cleanDeviceName(name: string): string {
  // Control characters would only garble other devices' lists.
  // eslint-disable-next-line no-control-regex
  const trimmed = name.replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
  const codePoints = Array.from(trimmed);
  return codePoints.length > MAX_DEVICE_NAME ? codePoints.slice(0, MAX_DEVICE_NAME).join('').trimEnd() : trimmed;
}

/** An update after a quiet spell goes out at once; a burst (a scrubbed slider) at this pace. */
export const DEVICES_MIN_INTERVAL_MS = 100;

export class NowPlayingHub {
  readonly #clients = new Set<Client>();
  readonly #devices = new Map<string, DeviceEntry>();
  #flush: { cancel(): void } | undefined;
  #lastDevicesAt = -Infinity;

  constructor(private readonly library: TrackLookup) {}

  /** Sends one message to every client: serialised and framed once. */
  broadcast(message: ServerMessage): void {
    this.#sendToAll(prepareTextFrame(JSON.stringify(message)));
  }

  /** Takes a new `/ws` connection. */
  join(connection: WebSocketConnection, log: FastifyBaseLogger): void {
    const client: Client = { connection, log, entry: undefined };
    this.#clients.add(client);
    connection.on('message', (data, isBinary) => this.#onMessage(client, data, isBinary));
    connection.once('close', () => {
      this.#clients.delete(client);
      if (client.entry !== undefined) {
        this.#devices.delete(client.entry.device.deviceId);
        log.info({ deviceId: client.entry.device.deviceId }, 'device left');
        this.#scheduleDevices();
      }
    });
  }

  /** Stops a pending broadcast (the app is closing). */
  dispose(): void {
    this.#flush?.cancel();
    this.#flush = undefined;
  }

  #sendToAll(frame: PreparedFrame): void {
    for (const client of this.#clients) client.connection.sendPrepared(frame);
  }

  #send(client: Client, message: ServerMessage): void {
    client.connection.send(JSON.stringify(message));
  }

  #error(client: Client, message: string): void {
    this.#send(client, { type: 'error', message });
  }

  #devicesJson(): JsonText<Device[]> {
    return jsonArray(deviceJsons(this.#devices.values()));
  }

  /**
   * One `devices` broadcast for all changes made in this turn of the event loop, or, within
   * DEVICES_MIN_INTERVAL_MS of the last one, for all changes made until then.
   */
  #scheduleDevices(): void {
    if (this.#flush !== undefined) return;
    const send = () => {
      this.#flush = undefined;
      this.#lastDevicesAt = performance.now();
      const message = messageJson<DevicesMessage>({ type: 'devices', devices: this.#devicesJson() });
      this.#sendToAll(prepareTextFrame(message.text));
    };
    const wait = this.#lastDevicesAt + DEVICES_MIN_INTERVAL_MS - performance.now();
    if (wait > 0) {
      const timer = setTimeout(send, wait);
      this.#flush = { cancel: () => clearTimeout(timer) };
    } else {
      const immediate = setImmediate(send);
      this.#flush = { cancel: () => clearImmediate(immediate) };
    }
  }

  #onMessage(client: Client, data: string | Buffer, isBinary: boolean): void {
    const parsed = parseMessage(data, isBinary);
    if (!parsed.ok) return this.#error(client, parsed.message);
    const message = parsed.value;
    switch (message.type) {
      case 'hello':
        return this.#onHello(client, message);
      case 'nowPlaying':
        return this.#onNowPlaying(client, message);
      case 'ping':
        return this.#send(client, { type: 'pong' });
      default:
        return this.#error(
          client,
          typeof message.type === 'string' ? `unknown message type "${message.type.slice(0, 32)}"` : 'a message needs a "type"',
        );
    }
  }

  #onHello(client: Client, message: Record<string, unknown>): void {
    if (typeof message.name !== 'string') return this.#error(client, 'hello needs a "name" string');
    const name = cleanDeviceName(message.name);
    if (name === '') return this.#error(client, 'the device name is empty');
    let entry = client.entry;
    if (entry === undefined) {
      const device: Device = {
        deviceId: randomUUID(),
        name,
        trackId: null,
        title: null,
        artist: null,
        positionSec: 0,
        paused: true,
        updatedAt: Date.now(),
      };
      entry = { device, json: toJson(device) };
      client.entry = entry;
      this.#devices.set(device.deviceId, entry);
      client.log.info({ deviceId: device.deviceId, name }, 'device joined');
    } else {
      // A second hello renames the device.
      entry.device.name = name;
      entry.device.updatedAt = Date.now();
      entry.json = toJson(entry.device);
    }
    const welcome = messageJson<WelcomeMessage>({ type: 'welcome', deviceId: entry.device.deviceId, devices: this.#devicesJson() });
    client.connection.send(welcome.text);
    this.#scheduleDevices();
  }

  #onNowPlaying(client: Client, message: Record<string, unknown>): void {
    const entry = client.entry;
    if (entry === undefined) return this.#error(client, 'send hello first');
    const { trackId, positionSec, paused } = message;
    if (trackId !== null && typeof trackId !== 'string') return this.#error(client, 'trackId must be a string or null');
    if (typeof positionSec !== 'number' || !Number.isFinite(positionSec) || positionSec < 0) {
      return this.#error(client, 'positionSec must be a number of seconds, 0 or more');
    }
    if (typeof paused !== 'boolean') return this.#error(client, 'paused must be true or false');
    let title: string | null = null;
    let artist: string | null = null;
    if (trackId !== null) {
      const track = this.library.getTrack(trackId);
      if (track === undefined) return this.#error(client, 'unknown trackId');
      title = track.title;
      artist = track.artist;
    }
    const device = entry.device;
    device.trackId = trackId;
    device.title = title;
    device.artist = artist;
    device.positionSec = positionSec;
    device.paused = paused;
    device.updatedAt = Date.now();
    entry.json = toJson(device);
    this.#scheduleDevices();
  }
}
