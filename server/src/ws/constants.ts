/**
 * RFC 6455 numbers: the handshake GUID, opcodes, close codes, and our configurable limits.
 */

/** RFC 6455 §1.3 / §4.2.2: appended to Sec-WebSocket-Key before hashing. */
export const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** RFC 6455 §5.2: frame opcodes. Every other value is reserved. */
export const Opcode = {
  Continuation: 0x0,
  Text: 0x1,
  Binary: 0x2,
  Close: 0x8,
  Ping: 0x9,
  Pong: 0xa,
} as const;
export type Opcode = (typeof Opcode)[keyof typeof Opcode];

/** RFC 6455 §5.5: control frames carry at most 125 payload bytes. */
export const MAX_CONTROL_PAYLOAD = 125;

/** RFC 6455 §7.4.1: the status codes this server sends or interprets. */
export const CloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  ProtocolError: 1002,
  UnsupportedData: 1003,
  /** Never on the wire: "no status code was present" (§7.4.1). */
  NoStatus: 1005,
  /** Never on the wire: the TCP connection closed without a close frame (§7.4.1). */
  Abnormal: 1006,
  InvalidPayload: 1007,
  PolicyViolation: 1008,
  MessageTooBig: 1009,
  InternalError: 1011,
  /** IANA registry (§11.7): the server is overloaded or the client over a limit; try again later. */
  TryAgainLater: 1013,
} as const;

/**
 * Whether a peer may send `code` in a close frame (RFC 6455 §7.4.1, §7.4.2 and the IANA
 * registry of §11.7): 1000-1003 and 1007-1014 are defined, 3000-4999 belong to libraries and
 * applications. 0-999 are unused, 1004 is reserved, 1005, 1006 and 1015 must never be sent,
 * 1016-2999 are reserved for future revisions, and 5000 and above do not exist.
 */
export function isValidCloseCode(code: number): boolean {
  return (
    (code >= 1000 && code <= 1003) ||
    (code >= 1007 && code <= 1014) ||
    (code >= 3000 && code <= 4999)
  );
}

/** A protocol violation, carrying the close code the connection is failed with (§7.1.7). */
export class WebSocketError extends Error {
  override name = 'WebSocketError';
  constructor(
    readonly closeCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** What a single client may make the server hold or do. Every buffer a client can grow is bounded. */
export interface WebSocketLimits {
  /** Largest message (all fragments together), checked from each frame header: 1009 (§7.4.1). */
  maxMessageBytes: number;
  /** Most frames in one fragmented message: 1008. */
  maxFragments: number;
  /** Most bytes queued for a client that does not read; past it the client is dropped. */
  maxBufferedBytes: number;
  /** Most pings a client may send per `pingWindowMs`: past it, 1008. */
  maxPingsPerWindow: number;
  pingWindowMs: number;
  /** How long to wait for the peer's side of the close handshake before cutting TCP. */
  closeTimeoutMs: number;
  /** The server pings every client this often and drops those that did not answer the last ping. */
  heartbeatIntervalMs: number;
}

export const DEFAULT_LIMITS: Readonly<WebSocketLimits> = Object.freeze({
  maxMessageBytes: 1024 * 1024,
  maxFragments: 128,
  maxBufferedBytes: 1024 * 1024,
  maxPingsPerWindow: 50,
  pingWindowMs: 10_000,
  closeTimeoutMs: 5_000,
  heartbeatIntervalMs: 25_000,
});

/** Fills in defaults and rejects nonsense (a limit of 0 or NaN would lock every client out). */
export function resolveLimits(limits: Partial<WebSocketLimits> = {}): WebSocketLimits {
  const resolved = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof WebSocketLimits)[]) {
    const value = limits[key];
    if (value === undefined) continue;
    if (!Number.isFinite(value) || value <= 0) {
      throw new RangeError(`WebSocket limit ${key} must be a positive number, got ${String(value)}`);
    }
    resolved[key] = value;
  }
  return resolved;
}
