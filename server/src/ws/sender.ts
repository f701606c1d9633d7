/**
 * The frame writer (RFC 6455 §5.2): builds server frames, which are never masked (§5.1), and
 * writes header and payload together — one buffer when the payload is small, one corked
 * `writev` otherwise — so a frame never leaves as two packets.
 */
import { MAX_CONTROL_PAYLOAD, Opcode } from './constants.js';

/** Below this a payload is copied behind its header; above it, header and payload go out in one writev. */
const COPY_THRESHOLD = 4 * 1024;
/** Strings of at most this many UTF-16 units encode to at most 3x bytes: one buffer. */
const SHORT_STRING = 2 * 1024;

/** §5.2: 2 bytes, plus 2 for lengths 126-65535, plus 8 beyond. */
export function headerSize(payloadLength: number): number {
  return payloadLength < 126 ? 2 : payloadLength < 0x1_0000 ? 4 : 10;
}

/** Writes a final (FIN) unmasked frame header at `offset`; returns the header's size. */
export function writeHeader(target: Buffer, offset: number, opcode: number, payloadLength: number, fin = true): number {
  target[offset] = (fin ? 0x80 : 0) | opcode;
  if (payloadLength < 126) {
    target[offset + 1] = payloadLength;
    return 2;
  }
  if (payloadLength < 0x1_0000) {
    target[offset + 1] = 126;
    target.writeUInt16BE(payloadLength, offset + 2);
    return 4;
  }
  target[offset + 1] = 127;
  // §5.2: 64-bit length, most significant bit 0; a JS length stays below 2^53.
  target.writeUInt32BE(Math.floor(payloadLength / 0x1_0000_0000), offset + 2);
  target.writeUInt32BE(payloadLength >>> 0, offset + 6);
  return 10;
}

/** A complete frame (header + payload) in one buffer. */
export function encodeFrame(opcode: number, payload: Buffer, fin = true): Buffer {
  const size = headerSize(payload.length);
  const frame = Buffer.allocUnsafe(size + payload.length);
  writeHeader(frame, 0, opcode, payload.length, fin);
  payload.copy(frame, size);
  return frame;
}

/** A text frame, encoding the string straight into the frame buffer. */
export function encodeTextFrame(text: string): Buffer {
  const length = Buffer.byteLength(text);
  const size = headerSize(length);
  const frame = Buffer.allocUnsafe(size + length);
  writeHeader(frame, 0, Opcode.Text, length);
  frame.write(text, size);
  return frame;
}

/**
 * A complete frame encoded once and written as-is to any number of connections
 * (`WebSocketConnection.sendPrepared`): a broadcast frames its message once for everyone.
 * Opaque: only prepareTextFrame and prepareFrame make one (the class itself is not exported), so
 * nothing outside ws/ handles frame bytes, and a prepared frame cannot be mistaken for a
 * binary message's payload.
 */
class PreparedFrame {
  readonly #bytes: Buffer;

  constructor(bytes: Buffer) {
    this.#bytes = bytes;
  }

  /** Bytes on the wire, header included. */
  get byteLength(): number {
    return this.#bytes.length;
  }

  /** Writes the frame's bytes in one write; returns what the sink's `write` returned. */
  writeTo(sink: Pick<FrameSink, 'write'>): boolean {
    return sink.write(this.#bytes);
  }
}
export type { PreparedFrame };

/** A text frame holding `text`, encoded once. */
export function prepareTextFrame(text: string): PreparedFrame {
  return new PreparedFrame(encodeTextFrame(text));
}

/** Any frame (e.g. the heartbeat's empty ping), encoded once. */
export function prepareFrame(opcode: number, payload: Buffer): PreparedFrame {
  return new PreparedFrame(encodeFrame(opcode, payload));
}

/** Cuts a string to at most `maxBytes` of UTF-8 without splitting a character. */
function truncateUtf8(text: string, maxBytes: number): Buffer {
  const bytes = Buffer.from(text);
  if (bytes.length <= maxBytes) return bytes;
  let end = maxBytes;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--; // back off continuation bytes
  return bytes.subarray(0, end);
}

/** §5.5.1: a close frame; no code means an empty body. The reason is cut to fit 125 bytes. */
export function encodeCloseFrame(code?: number, reason = ''): Buffer {
  if (code === undefined) return encodeFrame(Opcode.Close, Buffer.alloc(0));
  const reasonBytes = truncateUtf8(reason, MAX_CONTROL_PAYLOAD - 2);
  const payload = Buffer.allocUnsafe(2 + reasonBytes.length);
  payload.writeUInt16BE(code, 0);
  reasonBytes.copy(payload, 2);
  return encodeFrame(Opcode.Close, payload);
}

/** The part of a socket the writer needs. */
export interface FrameSink {
  write(chunk: Buffer): boolean;
  cork(): void;
  uncork(): void;
}

/** Writes one frame with header and payload together. */
export function writeFrame(sink: FrameSink, opcode: number, payload: Buffer): void {
  if (payload.length <= COPY_THRESHOLD) {
    sink.write(encodeFrame(opcode, payload));
    return;
  }
  const header = Buffer.allocUnsafe(headerSize(payload.length));
  writeHeader(header, 0, opcode, payload.length);
  sink.cork();
  sink.write(header);
  sink.write(payload);
  sink.uncork();
}

/** Writes one text frame with header and payload together. */
export function writeTextFrame(sink: FrameSink, text: string): void {
  if (text.length <= SHORT_STRING) {
    sink.write(encodeTextFrame(text));
    return;
  }
  writeFrame(sink, Opcode.Text, Buffer.from(text));
}
