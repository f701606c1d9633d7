/**
 * The streaming frame parser (RFC 6455 §5): bytes from the client in, messages and control
 * frames out. A state machine over header -> extended length and mask -> payload that consumes
 * exactly the bytes each step needs, so it does not care how TCP chopped the stream (one byte
 * per read or many frames per read). Pure: no sockets, no timers.
 *
 * Every violation fails with a WebSocketError carrying its close code, and once failed (or once
 * a close frame arrived) nothing more is processed (§7.1.7, §5.5.1).
 */
import { TextDecoder } from 'node:util';
import {
  CloseCode,
  MAX_CONTROL_PAYLOAD,
  Opcode,
  WebSocketError,
  isValidCloseCode,
  type WebSocketLimits,
} from './constants.js';

export interface ReceiverHandler {
  /** A complete, UTF-8-validated text message. */
  onText(text: string): void;
  /** A complete binary message (never validated). May be a view into the socket's read buffer. */
  onBinary(data: Buffer): void;
  /** `payload` is only valid during the call. */
  onPing(payload: Buffer): void;
  onPong(payload: Buffer): void;
  /** A valid close frame; `code` is 1005 when the frame had no body (§7.1.5). */
  onClose(code: number, reason: string): void;
  /** A protocol violation; the receiver has stopped. */
  onError(error: WebSocketError): void;
}

export type ReceiverLimits = Pick<WebSocketLimits, 'maxMessageBytes' | 'maxFragments'>;

const READ_HEADER = 0;
const READ_EXTENDED = 1; // extended payload length (0, 2 or 8 bytes) + masking key (4 bytes)
const READ_PAYLOAD = 2;
const STOPPED = 3;

const EMPTY = Buffer.alloc(0);
const DECODER_OPTIONS = { fatal: true, ignoreBOM: true } as const;
const STREAM = { stream: true } as const;
/**
 * Validates whole messages and close reasons. Without `stream` Node takes a much faster path,
 * so a text message that arrives as one frame in one read is validated in one call.
 * `ignoreBOM` keeps a leading U+FEFF: it is part of the message, not a byte-order mark.
 */
const wholeDecoder = new TextDecoder('utf-8', DECODER_OPTIONS);

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
/** Below this, a byte loop beats making a 32-bit view. */
const WORD_UNMASK_MIN = 64;

/**
 * §5.3: XOR with the 4-byte masking key, starting `offset` bytes into the key. In place. Long
 * payloads are unmasked 4 bytes at a time through a 32-bit view of their aligned middle.
 */
export function unmask(data: Buffer, mask: Buffer, offset: number): void {
  const length = data.length;
  let i = 0;
  if (length >= WORD_UNMASK_MIN) {
    // Bytes before the first 4-byte boundary in memory.
    for (const lead = (4 - (data.byteOffset & 3)) & 3; i < lead; i++) data[i] = data[i]! ^ mask[(offset + i) & 3]!;
    const k = (offset + i) & 3;
    const b0 = mask[k]!;
    const b1 = mask[(k + 1) & 3]!;
    const b2 = mask[(k + 2) & 3]!;
    const b3 = mask[(k + 3) & 3]!;
    const word = LITTLE_ENDIAN ? b0 | (b1 << 8) | (b2 << 16) | (b3 << 24) : (b0 << 24) | (b1 << 16) | (b2 << 8) | b3;
    const words = (length - i) >>> 2;
    const view = new Uint32Array(data.buffer, data.byteOffset + i, words);
    for (let w = 0; w < words; w++) view[w] = view[w]! ^ word;
    i += words * 4;
  } else {
    const m0 = mask[offset & 3]!;
    const m1 = mask[(offset + 1) & 3]!;
    const m2 = mask[(offset + 2) & 3]!;
    const m3 = mask[(offset + 3) & 3]!;
    for (const end = length - 3; i < end; i += 4) {
      data[i] = data[i]! ^ m0;
      data[i + 1] = data[i + 1]! ^ m1;
      data[i + 2] = data[i + 2]! ^ m2;
      data[i + 3] = data[i + 3]! ^ m3;
    }
  }
  for (; i < length; i++) data[i] = data[i]! ^ mask[(offset + i) & 3]!;
}

/** Per-connection scratch space: header (14) + masking key (4) + control payload (125). */
const SCRATCH_BYTES = 14 + 4 + MAX_CONTROL_PAYLOAD;

export class Receiver {
  #state = READ_HEADER;
  /** One small slice of Node's shared pool holds all three, not three ArrayBuffers per connection. */
  readonly #scratch = Buffer.allocUnsafe(SCRATCH_BYTES);
  /** Header bytes gathered across reads when a read ends inside a header. */
  readonly #header = this.#scratch.subarray(0, 14);
  #headerHave = 0;
  #extendedNeed = 0;

  // The frame being read.
  #fin = false;
  #opcode = 0;
  #length7 = 0;
  #frameLength = 0;
  #remaining = 0;
  readonly #mask = this.#scratch.subarray(14, 18);
  #maskOffset = 0;

  // The data message being assembled (§5.4): its opcode (0 = none), size and fragment count.
  #messageOpcode = 0;
  #messageBytes = 0;
  #fragments = 0;
  #text = '';
  /** Made on first use: most connections only ever see whole single-frame messages. */
  #streamDecoder: TextDecoder | undefined;
  #parts: Buffer[] = [];
  /** Copy target for a binary frame whose payload spans reads. */
  #frameBuffer: Buffer | null = null;
  #frameFilled = 0;

  // Control frames may arrive between fragments (§5.5), so their payload is kept apart.
  readonly #control = this.#scratch.subarray(18);
  #controlFilled = 0;

  constructor(
    private readonly handler: ReceiverHandler,
    private readonly limits: ReceiverLimits,
  ) {}

  /** Stops processing: later bytes, and the rest of the current read, are ignored. */
  stop(): void {
    this.#state = STOPPED;
    this.#parts = [];
    this.#text = '';
    this.#frameBuffer = null;
  }

  /** Feeds bytes as they came off the socket. The chunk is unmasked in place: the caller gives it up. */
  push(chunk: Buffer): void {
    const length = chunk.length;
    let pos = 0;
    while (pos < length) {
      const state = this.#state;
      if (state === READ_HEADER) {
        let b0: number;
        let b1: number;
        if (this.#headerHave === 0 && length - pos >= 2) {
          b0 = chunk[pos]!;
          b1 = chunk[pos + 1]!;
          pos += 2;
        } else {
          this.#header[this.#headerHave++] = chunk[pos++]!;
          if (this.#headerHave < 2) continue;
          b0 = this.#header[0]!;
          b1 = this.#header[1]!;
          this.#headerHave = 0;
        }
        this.#readBaseHeader(b0, b1);
      } else if (state === READ_EXTENDED) {
        const need = this.#extendedNeed;
        if (this.#headerHave === 0 && length - pos >= need) {
          this.#readExtendedHeader(chunk, pos);
          pos += need;
        } else {
          const n = Math.min(need - this.#headerHave, length - pos);
          chunk.copy(this.#header, this.#headerHave, pos, pos + n);
          this.#headerHave += n;
          pos += n;
          if (this.#headerHave < need) continue;
          this.#headerHave = 0;
          this.#readExtendedHeader(this.#header, 0);
        }
      } else if (state === READ_PAYLOAD) {
        const n = Math.min(this.#remaining, length - pos);
        this.#readPayload(chunk.subarray(pos, pos + n));
        pos += n;
      } else {
        return;
      }
    }
  }

  #fail(code: number, message: string): void {
    this.stop();
    this.handler.onError(new WebSocketError(code, message));
  }

  /** §5.2: FIN, RSV1-3, opcode; MASK and the 7-bit length. */
  #readBaseHeader(b0: number, b1: number): void {
    const fin = (b0 & 0x80) !== 0;
    const opcode = b0 & 0x0f;
    const length7 = b1 & 0x7f;
    // §5.2: RSV1-3 MUST be 0 unless an extension defines them, and we never negotiate one.
    if ((b0 & 0x70) !== 0) return this.#fail(CloseCode.ProtocolError, 'RSV bits set without a negotiated extension');
    // §5.1: a server MUST close the connection on an unmasked client frame.
    if ((b1 & 0x80) === 0) return this.#fail(CloseCode.ProtocolError, 'client frames must be masked');
    if (opcode >= 0x8) {
      // §5.2: 0xB-0xF are reserved control opcodes.
      if (opcode > Opcode.Pong) return this.#fail(CloseCode.ProtocolError, `reserved opcode 0x${opcode.toString(16)}`);
      // §5.5: control frames MUST NOT be fragmented and carry at most 125 bytes.
      if (!fin) return this.#fail(CloseCode.ProtocolError, 'fragmented control frame');
      if (length7 > MAX_CONTROL_PAYLOAD) return this.#fail(CloseCode.ProtocolError, 'control frame over 125 bytes');
      this.#controlFilled = 0;
    } else if (opcode === Opcode.Continuation) {
      // §5.4: a continuation frame needs a fragmented message to continue.
      if (this.#messageOpcode === 0) return this.#fail(CloseCode.ProtocolError, 'continuation frame with nothing to continue');
      if (++this.#fragments > this.limits.maxFragments) {
        return this.#fail(CloseCode.PolicyViolation, `more than ${this.limits.maxFragments} fragments in one message`);
      }
    } else if (opcode === Opcode.Text || opcode === Opcode.Binary) {
      // §5.4: the fragments of one message are not interleaved with another data message.
      if (this.#messageOpcode !== 0) return this.#fail(CloseCode.ProtocolError, 'new data frame inside a fragmented message');
      this.#messageOpcode = opcode;
      this.#messageBytes = 0;
      this.#fragments = 1;
    } else {
      // §5.2: 0x3-0x7 are reserved data opcodes.
      return this.#fail(CloseCode.ProtocolError, `reserved opcode 0x${opcode.toString(16)}`);
    }
    this.#fin = fin;
    this.#opcode = opcode;
    this.#length7 = length7;
    this.#extendedNeed = (length7 === 126 ? 2 : length7 === 127 ? 8 : 0) + 4;
    this.#state = READ_EXTENDED;
  }

  /** §5.2: the extended payload length and the masking key, from `source` at `at`. */
  #readExtendedHeader(source: Buffer, at: number): void {
    let length = this.#length7;
    if (length === 126) {
      length = source.readUInt16BE(at);
      at += 2;
    } else if (length === 127) {
      const high = source.readUInt32BE(at);
      // §5.2: "the most significant bit MUST be 0".
      if (high > 0x7fffffff) return this.#fail(CloseCode.ProtocolError, '64-bit payload length with the top bit set');
      length = high * 0x1_0000_0000 + source.readUInt32BE(at + 4);
      at += 8;
    }
    this.#mask[0] = source[at]!;
    this.#mask[1] = source[at + 1]!;
    this.#mask[2] = source[at + 2]!;
    this.#mask[3] = source[at + 3]!;
    if (this.#opcode < 0x8) {
      // §10.4: refuse what we will not hold, from the header, before any payload arrives.
      if (this.#messageBytes + length > this.limits.maxMessageBytes) {
        return this.#fail(CloseCode.MessageTooBig, `message over ${this.limits.maxMessageBytes} bytes`);
      }
      this.#messageBytes += length;
    }
    this.#frameLength = length;
    this.#remaining = length;
    this.#maskOffset = 0;
    if (length === 0) {
      this.#state = READ_HEADER;
      this.#endFrame(EMPTY);
    } else {
      this.#state = READ_PAYLOAD;
    }
  }

  /** Part or all of the current frame's payload, as it arrives. */
  #readPayload(piece: Buffer): void {
    unmask(piece, this.#mask, this.#maskOffset);
    this.#maskOffset = (this.#maskOffset + piece.length) & 3;
    this.#remaining -= piece.length;
    const done = this.#remaining === 0;
    if (done) this.#state = READ_HEADER;

    if (this.#opcode >= 0x8) {
      piece.copy(this.#control, this.#controlFilled);
      this.#controlFilled += piece.length;
      if (done) this.#endFrame(this.#control.subarray(0, this.#controlFilled));
    } else if (this.#messageOpcode === Opcode.Text) {
      if (done && this.#fin && this.#fragments === 1 && piece.length === this.#frameLength) {
        // The whole message in one frame and one read: validate it in one call.
        let text: string;
        try {
          text = wholeDecoder.decode(piece);
        } catch {
          return this.#fail(CloseCode.InvalidPayload, 'invalid UTF-8 in a text message');
        }
        this.#messageOpcode = 0;
        this.handler.onText(text);
        return;
      }
      // §8.1: validate as the bytes arrive, so invalid UTF-8 fails at once (even mid-frame).
      try {
        this.#streamDecoder ??= new TextDecoder('utf-8', DECODER_OPTIONS);
        this.#text += this.#streamDecoder.decode(piece, STREAM);
      } catch {
        return this.#fail(CloseCode.InvalidPayload, 'invalid UTF-8 in a text message');
      }
      if (done) this.#endFrame(EMPTY);
    } else {
      if (done && this.#frameBuffer === null) {
        // A frame that arrived in one read: keep a view, copy only if the message goes on.
        if (this.#fin && this.#parts.length === 0) {
          this.#messageOpcode = 0;
          this.handler.onBinary(piece);
          return;
        }
        this.#parts.push(Buffer.from(piece));
      } else {
        this.#frameBuffer ??= Buffer.allocUnsafe(this.#frameLength);
        piece.copy(this.#frameBuffer, this.#frameFilled);
        this.#frameFilled += piece.length;
        if (done) {
          this.#parts.push(this.#frameBuffer);
          this.#frameBuffer = null;
          this.#frameFilled = 0;
        }
      }
      if (done) this.#endFrame(EMPTY);
    }
  }

  /** The current frame is complete. For control frames `payload` is its (unmasked) body. */
  #endFrame(payload: Buffer): void {
    const opcode = this.#opcode;
    if (opcode === Opcode.Ping) return this.handler.onPing(payload);
    if (opcode === Opcode.Pong) return this.handler.onPong(payload);
    if (opcode === Opcode.Close) return this.#readClose(payload);
    if (!this.#fin) return;
    if (this.#messageOpcode === Opcode.Text) {
      let text: string;
      try {
        // Flushing throws if the message ends inside a UTF-8 sequence (§8.1).
        text = this.#text + (this.#streamDecoder?.decode() ?? '');
      } catch {
        return this.#fail(CloseCode.InvalidPayload, 'text message ends inside a UTF-8 sequence');
      }
      this.#text = '';
      this.#messageOpcode = 0;
      this.handler.onText(text);
    } else {
      const parts = this.#parts;
      this.#parts = [];
      this.#messageOpcode = 0;
      this.handler.onBinary(parts.length === 1 ? parts[0]! : Buffer.concat(parts, this.#messageBytes));
    }
  }

  /** §5.5.1: an optional 2-byte status code, then an optional UTF-8 reason. */
  #readClose(payload: Buffer): void {
    if (payload.length === 0) {
      this.stop();
      return this.handler.onClose(CloseCode.NoStatus, '');
    }
    if (payload.length === 1) return this.#fail(CloseCode.ProtocolError, 'close frame with a 1-byte body');
    const code = payload.readUInt16BE(0);
    // §7.4: codes a peer may not send fail the connection.
    if (!isValidCloseCode(code)) return this.#fail(CloseCode.ProtocolError, `invalid close code ${code}`);
    let reason: string;
    try {
      reason = wholeDecoder.decode(payload.subarray(2));
    } catch {
      return this.#fail(CloseCode.InvalidPayload, 'close reason is not valid UTF-8');
    }
    // §5.5.1: after a close frame, nothing more is processed.
    this.stop();
    this.handler.onClose(code, reason);
  }
}
