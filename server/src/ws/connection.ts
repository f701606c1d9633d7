/**
 * One WebSocket connection after the handshake: socket + receiver + sender. Owns the close
 * handshake (RFC 6455 §7), answers pings (§5.5.2), rate-limits them, drops clients that stop
 * reading (bounded outgoing buffer) or stop answering the heartbeat.
 *
 * Events: `message` (string for text, Buffer for binary) and `close` (code, reason) once, when
 * the TCP connection is gone. The code is the one the peer sent, the one we failed the
 * connection with, or 1006 when it simply vanished.
 */
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import { CloseCode, Opcode, WebSocketError, type WebSocketLimits } from './constants.js';
import { Receiver, type ReceiverHandler } from './receiver.js';
import { encodeCloseFrame, prepareFrame, writeFrame, writeTextFrame, type PreparedFrame } from './sender.js';

export interface ConnectionEvents {
  message: [data: string | Buffer, isBinary: boolean];
  close: [code: number, reason: string];
}

type ConnectionState = 'open' | 'closing' | 'closed';

/** The heartbeat's ping: no payload, same bytes for everyone. */
const HEARTBEAT_PING = prepareFrame(Opcode.Ping, Buffer.alloc(0));

/** Where a socket's listeners (shared functions, not closures) find their connection. */
const kConnection = Symbol('websocket connection');
type OwnedSocket = Socket & { [kConnection]: WebSocketConnection };

export class WebSocketConnection extends EventEmitter<ConnectionEvents> {
  #state: ConnectionState = 'open';
  readonly #receiver: Receiver;
  /** Cleared by each heartbeat, set again by the peer's pong (or any frame). */
  #alive = true;
  #closeTimer: NodeJS.Timeout | undefined;
  #closeCode: number = CloseCode.Abnormal;
  #closeReason = '';
  #pingWindowStart = 0;
  #pingsInWindow = 0;

  /**
   * The receiver's callbacks. A class declared inside this one, so it may call the private
   * methods: one small object per connection and no closures (idle connections are the common
   * case, and their memory is what 1,000 phones cost).
   */
  static readonly #ReceiverBridge = class implements ReceiverHandler {
    constructor(private readonly connection: WebSocketConnection) {}
    onText(text: string): void {
      this.connection.#onMessage(text, false);
    }
    onBinary(data: Buffer): void {
      this.connection.#onMessage(data, true);
    }
    onPing(payload: Buffer): void {
      this.connection.#onPing(payload);
    }
    onPong(): void {
      this.connection.#alive = true;
    }
    onClose(code: number, reason: string): void {
      this.connection.#onPeerClose(code, reason);
    }
    onError(error: WebSocketError): void {
      this.connection.#onProtocolError(error);
    }
  };

  // Socket listeners, shared by every connection: `this` is the socket.
  static #socketOnData(this: OwnedSocket, chunk: Buffer): void {
    this[kConnection].#receiver.push(chunk);
  }
  static #socketOnError(this: OwnedSocket, error: Error): void {
    this[kConnection].log.debug({ err: error }, 'websocket socket error');
  }
  static #socketOnClose(this: OwnedSocket): void {
    this[kConnection].#onSocketClose();
  }
  /** The HTTP server lets sockets half-close; a peer that sent FIN is done, and so are we. */
  static #socketOnEnd(this: OwnedSocket): void {
    this.end();
  }

  constructor(
    private readonly socket: Socket,
    private readonly limits: WebSocketLimits,
    private readonly log: FastifyBaseLogger,
  ) {
    super();
    this.#receiver = new Receiver(new WebSocketConnection.#ReceiverBridge(this), limits);
  }

  /**
   * Starts reading. `head` holds bytes that arrived with the handshake (a first frame in the
   * same packet); they are parsed first. Attach `message` listeners before calling this.
   */
  start(head: Buffer): void {
    const socket = this.socket as OwnedSocket;
    socket[kConnection] = this;
    socket.setTimeout(0);
    socket.setNoDelay(true);
    socket.on('error', WebSocketConnection.#socketOnError);
    socket.on('close', WebSocketConnection.#socketOnClose);
    socket.on('end', WebSocketConnection.#socketOnEnd);
    if (head.length > 0) this.#receiver.push(head);
    socket.on('data', WebSocketConnection.#socketOnData);
  }

  /** Sends a text (string) or binary (Buffer) message. False when the connection is not open. */
  send(data: string | Buffer): boolean {
    if (this.#state !== 'open') return false;
    if (typeof data === 'string') writeTextFrame(this.socket, data);
    else writeFrame(this.socket, Opcode.Binary, data);
    return this.#checkBuffered();
  }

  /**
   * Sends a frame encoded once for many connections (prepareTextFrame in sender.ts). False when
   * the connection is not open, or when it was dropped for not reading.
   */
  sendPrepared(frame: PreparedFrame): boolean {
    if (this.#state !== 'open') return false;
    frame.writeTo(this.socket);
    return this.#checkBuffered();
  }

  /** Starts the close handshake (§7.1.2); TCP is cut if the peer does not answer in time. */
  close(code: number = CloseCode.Normal, reason = ''): void {
    if (this.#state !== 'open') return;
    this.#closeCode = code;
    this.#closeReason = reason;
    this.#sendClose(code, reason);
  }

  /** Cuts the TCP connection without a close handshake. */
  terminate(): void {
    if (this.#state === 'open') this.#state = 'closing';
    this.socket.destroy();
  }

  /** One heartbeat tick: drop the peer if it did not answer the previous ping, else ping again. */
  heartbeat(): void {
    if (this.#state !== 'open') return;
    if (!this.#alive) {
      this.log.debug('websocket peer did not answer the heartbeat: dropped');
      this.terminate();
      return;
    }
    this.#alive = false;
    this.sendPrepared(HEARTBEAT_PING);
  }

  /** Past the limit the peer is not reading: memory stays bounded by dropping it. */
  #checkBuffered(): boolean {
    const buffered = this.socket.writableLength;
    if (buffered <= this.limits.maxBufferedBytes) return true;
    this.log.warn({ buffered, limit: this.limits.maxBufferedBytes }, 'websocket client is not reading: dropped');
    this.terminate();
    return false;
  }

  #sendClose(code: number | undefined, reason: string): void {
    this.#state = 'closing';
    if (this.socket.writable) {
      this.socket.write(encodeCloseFrame(code, reason));
    }
    this.#closeTimer = setTimeout(() => {
      this.log.debug('websocket peer did not finish the close handshake: connection cut');
      this.socket.destroy();
    }, this.limits.closeTimeoutMs);
    this.#closeTimer.unref();
  }

  #onMessage(data: string | Buffer, isBinary: boolean): void {
    this.#alive = true;
    // §5.5.1: once we sent a close frame, data that still arrives is discarded.
    if (this.#state !== 'open') return;
    try {
      this.emit('message', data, isBinary);
    } catch (error) {
      this.log.error({ err: error }, 'websocket message handler failed');
      this.#receiver.stop();
      this.close(CloseCode.InternalError, 'internal error');
    }
  }

  #onPing(payload: Buffer): void {
    this.#alive = true;
    const now = Date.now();
    if (now - this.#pingWindowStart >= this.limits.pingWindowMs) {
      this.#pingWindowStart = now;
      this.#pingsInWindow = 0;
    }
    if (++this.#pingsInWindow > this.limits.maxPingsPerWindow) {
      this.#receiver.stop();
      this.#onProtocolError(new WebSocketError(CloseCode.PolicyViolation, 'too many pings'));
      return;
    }
    // §5.5.2, §5.5.3: answer at once with the same application data.
    if (this.#state === 'open') {
      writeFrame(this.socket, Opcode.Pong, payload);
      this.#checkBuffered();
    }
  }

  /** §5.5.1, §7.1.5: the peer's close frame. Echo its code, then the server closes TCP first (§7.1.1). */
  #onPeerClose(code: number, reason: string): void {
    this.#alive = true;
    this.#closeCode = code;
    this.#closeReason = reason;
    if (this.#state === 'open') this.#sendClose(code === CloseCode.NoStatus ? undefined : code, '');
    this.socket.end();
  }

  /** §7.1.7: fail the connection: a close frame with the error's code, then close TCP. */
  #onProtocolError(error: WebSocketError): void {
    this.log.debug({ closeCode: error.closeCode, reason: error.message }, 'websocket protocol error');
    if (this.#state === 'open') {
      this.#closeCode = error.closeCode;
      this.#closeReason = error.message;
      this.#sendClose(error.closeCode, error.message);
    }
    this.socket.end();
  }

  #onSocketClose(): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#receiver.stop();
    clearTimeout(this.#closeTimer);
    try {
      this.emit('close', this.#closeCode, this.#closeReason);
    } catch (error) {
      this.log.error({ err: error }, 'websocket close handler failed');
    }
  }
}
