/**
 * The body pump: writes a response body made of file ranges and literal bytes, with positioned
 * reads into pooled buffers (up to 1 MiB when few bodies are in flight, 64 KiB when many are)
 * and backpressure: the next read starts only when the socket has taken the last chunk, so a
 * slow client holds at most one chunk.
 */
import type { ServerResponse } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
import type { ByteRange } from '../http/range.js';
import type { StreamFs } from './stream-fs.js';

/** A part of a response body: literal bytes (multipart framing) or a range of the file. */
export type Segment = Buffer | ByteRange;

/** The open file a body's ranges are read from. */
export interface BodySource {
  /** `read` may wait (a transcode's frame not encoded yet) and return fewer bytes than asked. */
  fs: Pick<StreamFs, 'read'>;
  fd: number;
  /** For log lines. */
  path: string;
}

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * Read buffers, reused: a fresh large buffer costs page faults and zeroing by the kernel on
 * every request, about as much as the copy itself. A buffer returns to the pool only once the
 * socket has taken all of it (the write callback), never while the kernel may still read it.
 */
class BufferPool {
  readonly #free: Buffer[] = [];
  constructor(
    readonly size: number,
    private readonly keep: number,
  ) {}
  take(): Buffer {
    return this.#free.pop() ?? Buffer.allocUnsafeSlow(this.size);
  }
  give(buffer: Buffer): void {
    if (this.#free.length < this.keep) this.#free.push(buffer);
  }
  trim(): void {
    this.#free.length = 0;
  }
}

/**
 * Chunk size by the number of bodies being written at once, process-wide. Big reads mean
 * fewer syscalls and thread-pool round trips; but a client that stops reading pins its last
 * chunk until it drains, so many concurrent bodies get small chunks. Memory pinned by bodies
 * stays under about 16 MiB + 16 MiB + 64 KiB per body (200 stalled clients: ~45 MiB). Each
 * pool keeps as many buffers as its class can have in flight, so a steady load allocates
 * nothing (fresh external memory is also what drives V8 into full collections); the pools are
 * emptied once no body has been written for a while.
 */
const POOLS = [
  { maxBodies: 16, pool: new BufferPool(1 * MiB, 16) },
  { maxBodies: 64, pool: new BufferPool(256 * KiB, 48) },
  { maxBodies: Infinity, pool: new BufferPool(64 * KiB, 64) },
] as const;
const POOL_IDLE_MS = 10_000;

let activeBodies = 0;
let trimTimer: NodeJS.Timeout | undefined;

function bodyEnded(): void {
  activeBodies--;
  if (activeBodies === 0 && trimTimer === undefined) {
    trimTimer = setTimeout(() => {
      trimTimer = undefined;
      if (activeBodies === 0) for (const { pool } of POOLS) pool.trim();
    }, POOL_IDLE_MS);
    trimTimer.unref();
  }
}

/** Resolves once `res` can take more data, or has closed (then `res.destroyed` is true). */
function writable(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/**
 * Writes the segments to `res`, reading file ranges from `source` chunk by chunk, each read
 * issued only once the socket has accepted the previous chunk (backpressure). Returns when the
 * body is complete or the client went away: a client closing early is normal, not an error.
 */
export async function writeBody(res: ServerResponse, segments: readonly Segment[], source: BodySource, log: FastifyBaseLogger): Promise<void> {
  const { fs, fd, path } = source;
  activeBodies++;
  try {
    for (const segment of segments) {
      if (res.destroyed) return;
      if (Buffer.isBuffer(segment)) {
        if (!res.write(segment)) await writable(res);
        continue;
      }
      let position = segment.start;
      while (position <= segment.end) {
        const { pool } = POOLS.find((p) => activeBodies <= p.maxBodies)!;
        const buffer = pool.take();
        const length = Math.min(buffer.length, segment.end - position + 1);
        let bytesRead: number;
        try {
          bytesRead = await fs.read(fd, buffer, length, position);
        } catch (error) {
          pool.give(buffer);
          log.warn({ err: error, path }, 'reading a media file failed mid-response');
          res.destroy();
          return;
        }
        if (res.destroyed) {
          pool.give(buffer);
          return;
        }
        if (bytesRead === 0) {
          // The file shrank under us: the promised Content-Length cannot be met. Cut the
          // connection so the client sees a truncated response, never wrong bytes.
          pool.give(buffer);
          log.warn({ path }, 'media file shrank while being sent');
          res.destroy();
          return;
        }
        position += bytesRead;
        const last = position > segment.end && segment === segments.at(-1);
        const done = (error?: Error | null) => {
          if (!error) pool.give(buffer);
        };
        if (last) {
          res.end(buffer.subarray(0, bytesRead), done);
          return;
        }
        if (!res.write(buffer.subarray(0, bytesRead), done)) {
          await writable(res);
          if (res.destroyed) return;
        }
      }
    }
    res.end();
  } finally {
    bodyEnded();
  }
}
