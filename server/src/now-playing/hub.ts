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
 *
 * Bounded against a join storm: sockets per address and in total (admission.ts), devices in
 * total (MAX_DEVICES), hellos per socket and per address, the size of one device's entry
 * (MAX_DEVICE_ENTRY_BYTES), and the bytes of device lists a socket receives per second
 * (DEVICES_MAX_BYTES_PER_SECOND: a longer list goes out less often).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { MAX_DEVICE_NAME, type Device, type DevicesMessage, type ServerMessage, type WelcomeMessage } from '@musicsharer/shared';
import type { WebSocketConnection } from '../ws/connection.js';
import { CloseCode } from '../ws/constants.js';
import { prepareTextFrame, type PreparedFrame } from '../ws/sender.js';
import { Admission, HELLO_BURST_PER_SOCKET, HELLOS_PER_SECOND_PER_SOCKET, TokenBucket, type AddressShare } from './admission.js';
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
  share: AddressShare;
  hellos: TokenBucket;
  /** Names the session this socket was opened with (access control). */
  onName: ((name: string) => void) | undefined;
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

/**
 * Text shown in other devices' lists, made safe to show and cut to `max` code points. Control
 * characters and line/paragraph separators would garble the list: they become spaces. Format
 * characters (Unicode category Cf: bidi overrides and isolates, zero-width spaces and joiners,
 * BOMs, tag characters) would let a device pass for another ("Kitchen\u200b iPad", a name
 * reversed by U+202E): they are removed, as are lone surrogates.
 */
export function cleanText(text: string, max: number): string {
  const cleaned = text.replace(/[\p{Cf}\p{Cs}]/gu, '').replace(/[\p{Cc}\p{Zl}\p{Zp}]/gu, ' ').trim();
  const codePoints = Array.from(cleaned);
  return codePoints.length > max ? codePoints.slice(0, max).join('').trimEnd() : cleaned;
}

/** A device name, cleaned (cleanText) and cut to MAX_DEVICE_NAME code points. */
export function cleanDeviceName(name: string): string {
  return cleanText(name, MAX_DEVICE_NAME);
}

/** A device's title and artist (from the library's tags) are cut to this many code points. */
export const MAX_DEVICE_TRACK_TEXT = 96;

/**
 * The most bytes one device's entry takes in a list: name, title and artist of at most 4 UTF-8
 * bytes per code point (what cleanText leaves needs no JSON escape longer than that), a 36-byte
 * id, a library track id, two numbers and the field names: 64x4 + 2x96x4 + ~200 < 1,536.
 */
export const MAX_DEVICE_ENTRY_BYTES = 1536;

/** Devices in total: the largest `devices` list is MAX_DEVICES x MAX_DEVICE_ENTRY_BYTES (384 KiB). */
export const MAX_DEVICES = 256;

/** An update after a quiet spell goes out at once; a burst (a scrubbed slider) at this pace. */
export const DEVICES_MIN_INTERVAL_MS = 100;

/**
 * The most bytes of `devices` lists a socket is sent per second, on average: broadcasts are
 * spaced by the last list's size / this rate when that is longer than DEVICES_MIN_INTERVAL_MS
 * (a list of 32 ordinary devices, ~8 KB, still goes out every 100 ms; the largest every ~4 s).
 * In any window of w seconds a socket receives at most w x this + one list.
 */
export const DEVICES_MAX_BYTES_PER_SECOND = 100_000;

export class NowPlayingHub {
  readonly #clients = new Set<Client>();
  readonly #devices = new Map<string, DeviceEntry>();
  #flush: { cancel(): void } | undefined;
  #lastDevicesAt = -Infinity;
  /** Bytes of the last `devices` broadcast's frame: the next waits long enough for the rate. */
  #lastDevicesBytes = 0;
  readonly #admission = new Admission();

  constructor(private readonly library: TrackLookup) {}

  /** Sends one message to every client: serialised and framed once. */
  broadcast(message: ServerMessage): void {
    this.#sendToAll(prepareTextFrame(JSON.stringify(message)));
  }

  /**
   * Takes a new `/ws` connection from `address` (the TCP peer's), or refuses it with 1013 (try
   * again later) and the reason when its address or the server has too many sockets.
   */
  join(connection: WebSocketConnection, log: FastifyBaseLogger, address: string | undefined, onName?: (name: string) => void): void {
    const share = this.#admission.admit(address);
    if ('reason' in share) {
      log.debug({ address, reason: share.reason }, 'now-playing socket refused');
      connection.close(CloseCode.TryAgainLater, share.reason);
      return;
    }
    const client: Client = {
      connection,
      log,
      entry: undefined,
      share,
      hellos: new TokenBucket(HELLO_BURST_PER_SOCKET, HELLOS_PER_SECOND_PER_SOCKET),
      onName,
    };
    this.#clients.add(client);
    connection.on('message', (data, isBinary) => this.#onMessage(client, data, isBinary));
    connection.once('close', () => {
      this.#clients.delete(client);
      this.#admission.leave(share);
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
      const frame = prepareTextFrame(message.text);
      this.#lastDevicesBytes = frame.byteLength;
      this.#sendToAll(frame);
    };
    const spacing = Math.max(DEVICES_MIN_INTERVAL_MS, (this.#lastDevicesBytes * 1000) / DEVICES_MAX_BYTES_PER_SECOND);
    const wait = this.#lastDevicesAt + spacing - performance.now();
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
    // Each hello sends this socket the whole list and everyone a new one: a flood is dropped.
    if (!client.hellos.take() || !client.share.hellos.take()) return this.#error(client, 'too many hellos: wait a moment');
    let entry = client.entry;
    if (entry === undefined) {
      if (this.#devices.size >= MAX_DEVICES) {
        client.connection.close(CloseCode.TryAgainLater, `the server has too many devices (${MAX_DEVICES})`);
        return;
      }
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
    client.onName?.(name);
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
      title = cleanText(track.title, MAX_DEVICE_TRACK_TEXT);
      artist = track.artist === null ? null : cleanText(track.artist, MAX_DEVICE_TRACK_TEXT);
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
