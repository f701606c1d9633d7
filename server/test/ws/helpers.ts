/**
 * Test helpers: a minimal app with the websocket and now-playing plugins, and a raw TCP
 * WebSocket client that writes exactly the bytes a test asks for and decodes server frames with
 * its own few lines of code (independent of server/src/ws).
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import net from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import nowPlayingPlugin from '../../src/plugins/now-playing.js';
import websocketPlugin from '../../src/plugins/websocket.js';
import type { WebSocketLimits } from '../../src/ws/constants.js';

export const TRACKS: Record<string, { title: string; artist: string | null }> = {
  t1: { title: 'First Song', artist: 'The Testers' },
  t2: { title: 'Untitled Hum', artist: null },
};
export const fakeLibrary = { getTrack: (id: string) => (Object.hasOwn(TRACKS, id) ? TRACKS[id] : undefined) };

export interface TestServer {
  app: FastifyInstance;
  port: number;
  /** ws://127.0.0.1:port */
  url: string;
}

export async function startServer(
  options: {
    limits?: Partial<WebSocketLimits>;
    allowedOrigins?: string[];
    echo?: boolean;
    setup?: (app: FastifyInstance) => void;
  } = {},
): Promise<TestServer> {
  const app = Fastify({ logger: false });
  options.setup?.(app);
  await app.register(websocketPlugin, {
    ...(options.allowedOrigins ? { allowedOrigins: options.allowedOrigins } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
  });
  await app.register(nowPlayingPlugin, { library: fakeLibrary, echo: options.echo ?? true });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { app, port: address.port, url: `ws://127.0.0.1:${address.port}` };
}

export const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');

/** A client frame: masked unless told otherwise. `length` overrides the encoded payload length. */
export function clientFrame(
  opcode: number,
  payload: Buffer | string = Buffer.alloc(0),
  options: { fin?: boolean; rsv?: number; mask?: boolean; maskKey?: Buffer } = {},
): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const fin = options.fin ?? true;
  const masked = options.mask ?? true;
  const b0 = (fin ? 0x80 : 0) | ((options.rsv ?? 0) << 4) | opcode;
  let header: Buffer;
  if (data.length < 126) header = Buffer.from([b0, (masked ? 0x80 : 0) | data.length]);
  else if (data.length < 65536) {
    header = Buffer.from([b0, (masked ? 0x80 : 0) | 126, 0, 0]);
    header.writeUInt16BE(data.length, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = b0;
    header[1] = (masked ? 0x80 : 0) | 127;
    header.writeBigUInt64BE(BigInt(data.length), 2);
  }
  if (!masked) return Buffer.concat([header, data]);
  const key = options.maskKey ?? randomBytes(4);
  const body = Buffer.from(data);
  for (let i = 0; i < body.length; i++) body[i] = body[i]! ^ key[i & 3]!;
  return Buffer.concat([header, key, body]);
}

export function closePayload(code: number, reason: Buffer | string = ''): Buffer {
  const r = typeof reason === 'string' ? Buffer.from(reason) : reason;
  const payload = Buffer.alloc(2 + r.length);
  payload.writeUInt16BE(code, 0);
  r.copy(payload, 2);
  return payload;
}

export interface ServerFrame {
  fin: boolean;
  rsv: number;
  opcode: number;
  masked: boolean;
  payload: Buffer;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  /** Whatever followed the header block. */
  rest: Buffer;
}

export function handshakeRequest(path: string, port: number, headers: Record<string, string | undefined> = {}): string {
  const all: Record<string, string | undefined> = {
    Host: `127.0.0.1:${port}`,
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
    'Sec-WebSocket-Version': '13',
    ...headers,
  };
  const lines = Object.entries(all)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `${name}: ${value}`);
  return `GET ${path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`;
}

/** A raw TCP client: collects everything the server sends and decodes it on demand. */
export class RawClient {
  #buffer = Buffer.alloc(0);
  #waiters: (() => void)[] = [];
  ended = false;
  closed = false;
  /** Bytes received so far, decoded or not. */
  received = 0;
  readonly closedPromise: Promise<void>;

  private constructor(readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.received += chunk.length;
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#wake();
    });
    socket.on('end', () => {
      this.ended = true;
      this.#wake();
    });
    socket.on('error', () => {});
    this.closedPromise = new Promise((resolve) => {
      socket.once('close', () => {
        this.closed = true;
        this.#wake();
        resolve();
      });
    });
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves when more data arrived or the socket ended. */
  #more(): Promise<void> {
    if (this.ended || this.closed) return Promise.reject(new Error('connection ended'));
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Connects from `localAddress` (any of 127.0.0.0/8 on loopback: a different client address). */
  static async connect(port: number, localAddress?: string): Promise<RawClient> {
    const socket = net.connect({ port, host: '127.0.0.1', ...(localAddress === undefined ? {} : { localAddress }) });
    await once(socket, 'connect');
    return new RawClient(socket);
  }

  /** Connects and completes the handshake on `path`; `after` is sent in the same write. */
  static async open(port: number, path = '/ws/echo', after: Buffer = Buffer.alloc(0), localAddress?: string): Promise<RawClient> {
    const client = await RawClient.connect(port, localAddress);
    client.write(Buffer.concat([Buffer.from(handshakeRequest(path, port)), after]));
    const answer = await client.readHttp();
    if (answer.status !== 101) throw new Error(`handshake answered ${answer.status}`);
    return client;
  }

  write(data: Buffer | string): void {
    this.socket.write(data);
  }

  /** Writes one byte per write, yielding to the event loop in between. */
  async writeChopped(data: Buffer, step = 1): Promise<void> {
    for (let i = 0; i < data.length; i += step) {
      this.socket.write(data.subarray(i, i + step));
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  async readHttp(): Promise<HttpAnswer> {
    for (;;) {
      const end = this.#buffer.indexOf('\r\n\r\n');
      if (end >= 0) {
        const [statusLine, ...lines] = this.#buffer.subarray(0, end).toString('latin1').split('\r\n');
        this.#buffer = this.#buffer.subarray(end + 4);
        const headers: Record<string, string> = {};
        for (const line of lines) {
          const colon = line.indexOf(':');
          headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
        }
        return { status: Number(statusLine!.split(' ')[1]), headers, rest: this.#buffer };
      }
      await this.#more();
    }
  }

  /** Bytes received and not yet decoded. */
  get pending(): Buffer {
    return this.#buffer;
  }

  /** The next complete server frame; rejects if the connection ends first. */
  async readFrame(): Promise<ServerFrame> {
    for (;;) {
      const frame = this.#tryDecode();
      if (frame) return frame;
      await this.#more();
    }
  }

  /** Reads frames until a close frame; returns the data/control frames before it and the close. */
  async readUntilClose(): Promise<{ before: ServerFrame[]; code: number | undefined; reason: string }> {
    const before: ServerFrame[] = [];
    for (;;) {
      const frame = await this.readFrame();
      if (frame.opcode === 0x8) {
        const code = frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : undefined;
        return { before, code, reason: frame.payload.subarray(2).toString() };
      }
      before.push(frame);
    }
  }

  /** Resolves when the server has closed the TCP connection (FIN or reset). */
  async waitForEnd(): Promise<void> {
    while (!this.ended && !this.closed) {
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  #tryDecode(): ServerFrame | undefined {
    const b = this.#buffer;
    if (b.length < 2) return undefined;
    const masked = (b[1]! & 0x80) !== 0;
    let length = b[1]! & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (b.length < 4) return undefined;
      length = b.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (b.length < 10) return undefined;
      length = Number(b.readBigUInt64BE(2));
      offset = 10;
    }
    if (masked) offset += 4;
    if (b.length < offset + length) return undefined;
    const frame: ServerFrame = {
      fin: (b[0]! & 0x80) !== 0,
      rsv: (b[0]! & 0x70) >> 4,
      opcode: b[0]! & 0x0f,
      masked,
      payload: Buffer.from(b.subarray(offset, offset + length)),
    };
    this.#buffer = b.subarray(offset + length);
    return frame;
  }

  destroy(): void {
    this.socket.destroy();
  }
}
