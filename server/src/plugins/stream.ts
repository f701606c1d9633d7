/**
 * The stream plugin: `GET` and `HEAD /stream/:id`, Range-aware (RFC 9110 §14), conditional
 * (§13), never chunked, never compressed. A thin Fastify adapter: the HTTP rules live in
 * `../http/` as pure functions, the answer to a request is decided in `../stream/answer.ts`,
 * the files are kept open in `../stream/open-files.ts` and bodies are pumped by
 * `../stream/body-writer.ts`. Each request reads as one story: look the file up, decide the
 * answer, write it.
 *
 * Performance notes. iOS opens every track with `Range: bytes=0-1`, then seeks with more range
 * requests, so per-request cost matters more than raw throughput:
 * - a warm file (its entry in the open-file table, its lstat fresh or an inline lstat showing it
 *   unchanged) costs at most one lstat and no thread-pool round trip at all; a `bytes=0-1`
 *   probe, HEAD, 304, 412 and 416 of it are answered within the handler call: no promise, no
 *   await (together ~15% of a probe's cost when they were there);
 * - the reply is written with `reply.hijack()` + `res.writeHead()`: Fastify's reply pipeline
 *   (serialization, onSend hooks) has nothing to do for bytes, and bypassing it is also what
 *   guarantees no compression hook can touch the audio. Headers other hooks set with
 *   `reply.header()` are carried over.
 */
import { sep } from 'node:path';
import { ErrorSchema, IdParamsSchema } from '@musicsharer/shared/schemas';
import type { FastifyBaseLogger, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Static } from 'typebox';
import type { ByteRange } from '../http/range.js';
import { decideAnswer, randomBoundary, type AnswerOptions, type BytesAnswer } from '../stream/answer.js';
import { writeBody, type Segment } from '../stream/body-writer.js';
import type { FileEntry } from '../stream/file-entry.js';
import { DEFAULT_STAT_FRESH_MS, FileReplaced, HEAD_BYTES, NotServable, OpenFiles } from '../stream/open-files.js';
import { isMissing, nodeStreamFs, type StreamFs } from '../stream/stream-fs.js';
import { DEFAULT_TRANSCODE_BITRATE, isTranscodeBitrate } from '@musicsharer/shared';
import { Undecodable, type Transcode } from '../transcode/transcodes.js';
import type { Transcoding } from '../transcode/transcoding.js';

export interface StreamPluginOptions {
  /** The real (symlink-resolved) absolute media folder. */
  root: string;
  /**
   * A track id -> the real absolute path of its audio file (inside root) and its MIME type.
   * `request` for context (a share's tracks are looked up under its id, `/s/:shareId/stream/:id`).
   */
  resolve(id: string, request: FastifyRequest): Target | undefined;
  /** Replaces the file-system calls (tests). */
  fs?: StreamFs;
  /** The routes need no session (a share's media, `/s/:shareId/stream/:id`: its own checks apply). */
  public?: boolean;
  /** An fd no request used for this long is closed. 0 closes it after every response. Default 5 s. */
  idleCloseMs?: number;
  /** At most this many files stay open between requests. Default 64. */
  maxOpenFiles?: number;
  /** Range-specs allowed in one Range header before it is ignored (§14.2). Default 32. */
  maxRanges?: number;
  /**
   * A file whose last lstat is younger than this is taken as unchanged without another one.
   * Default `DEFAULT_STAT_FRESH_MS`; 0 stats on every request.
   */
  statFreshMs?: number;
  /**
   * `?format=mp3`: the transcoded form (`../transcode/`). Absent, or no ffmpeg found: such
   * requests get 503.
   */
  transcodes?: Pick<Transcoding, 'get'>;
}

interface Target {
  path: string;
  mimeType: string;
  /** Seconds, from the catalog: the transcoded form's exact length follows from it. */
  durationSec?: number | null;
}

/** The route's params, typed by the schema that validates them. */
type IdParams = Static<typeof IdParamsSchema>;

const streamPlugin: FastifyPluginAsync<StreamPluginOptions> = async (app, options) => {
  const fs = options.fs ?? nodeStreamFs;
  // `/media` -> `/media/`: a path is inside the root if it starts with this.
  const rootPrefix = options.root.endsWith(sep) ? options.root : options.root + sep;
  const files = new OpenFiles({
    fs,
    rootPrefix,
    idleCloseMs: options.idleCloseMs ?? 5000,
    maxOpenFiles: options.maxOpenFiles ?? 64,
    statFreshMs: options.statFreshMs ?? DEFAULT_STAT_FRESH_MS,
    log: app.log,
  });
  const answerOptions: AnswerOptions = { maxRanges: options.maxRanges, boundary: randomBoundary };
  app.addHook('onClose', () => files.close());

  /**
   * Look up, decide, write. Synchronous up to the point where the file must be stat'ed the slow
   * way or read: a warm probe, HEAD, 304, 412 or 416 is answered within this call, without a
   * promise (Fastify then has no thenable to wait for). Returns a promise only when there is
   * I/O to wait on.
   */
  function handle(request: FastifyRequest<{ Params: IdParams }>, reply: FastifyReply): Promise<FastifyReply> | undefined {
    // An id that fails the pattern (`..%2f..%2fetc%2fpasswd` decodes to `../../etc/passwd`)
    // never reaches resolve().
    if (request.validationError) {
      fail(reply, 400, 'Bad Request', 'invalid track id');
      return undefined;
    }
    const target = options.resolve(request.params.id, request);
    // The library promises a real path inside the root; check anyway, it is cheap.
    const outside = target !== undefined && (!target.path.startsWith(rootPrefix) || target.path.includes('\0'));
    if (outside) request.log.warn({ id: request.params.id, path: target.path }, 'refusing a track path outside the media folder');
    if (target === undefined || outside) {
      fail(reply, 404, 'Not Found', 'track not found');
      return undefined;
    }
    // The transcoded form: one property read on the plain path (the query is already parsed).
    if ((request.query as { format?: unknown }).format !== undefined) return answerTranscoded(request, reply, target);
    // Look up on the hot path (a warm entry, no I/O), decide, write; whatever must wait on I/O
    // goes on in `answerWithIO`.
    const warm = files.currentIfWarm(target.path, target.mimeType);
    if (warm === undefined) return answerWithIO(request, reply, target);
    const toRead = decideAndWrite(request, reply, warm);
    return toRead === undefined ? undefined : answerWithIO(request, reply, target, toRead);
  }

  /**
   * The same story where it waits on I/O: look the file up (unless the hot path did), decide,
   * read, write. This is the one place a request is tried again: a file replaced since its last
   * lstat (a rename over it within `statFreshMs`, or between lstat and open) is found so when
   * it is opened, and is then looked up and answered once more. The reply is hijacked only once
   * the answer is certain, so a second try or a 404 still goes through Fastify's normal reply.
   * Gone, a link, outside the root: 404.
   */
  async function answerWithIO(request: FastifyRequest, reply: FastifyReply, target: Target, toRead?: BytesAnswer): Promise<FastifyReply> {
    for (let attempt = 1; ; attempt++) {
      try {
        if (toRead === undefined) {
          const entry = await files.lookup(target.path, target.mimeType);
          if (entry === undefined) {
            request.log.info({ path: target.path }, 'track file is gone or not a regular file');
            return fail(reply, 404, 'Not Found', 'track not found');
          }
          toRead = decideAndWrite(request, reply, entry);
          if (toRead === undefined) return reply;
        }
        await writeFromFile(request, reply, toRead);
        return reply;
      } catch (error) {
        if (error instanceof FileReplaced && attempt === 1) {
          toRead = undefined;
          continue;
        }
        logNotServed(request.log, target.path, error);
        return fail(reply, 404, 'Not Found', 'track not found');
      }
    }
  }

  /**
   * Decides the answer and writes it when that needs no I/O: a refusal, no body, or a range
   * inside the first bytes already in memory. Otherwise returns it: its body must be read.
   */
  function decideAndWrite(request: FastifyRequest, reply: FastifyReply, entry: FileEntry): BytesAnswer | undefined {
    const answer = decideAnswer(request, entry, answerOptions);
    if (answer.kind === 'error') {
      fail(reply, answer.statusCode, answer.error, answer.message, answer.headers);
      return undefined;
    }
    if (answer.body.length === 0) {
      writeWhole(reply, answer);
      return undefined;
    }
    // A range inside the first bytes (iOS's `bytes=0-1` probe): from memory, headers and body
    // in one write.
    const range = rangeInHead(answer.body);
    const head = entry.headBytes;
    if (range && head && head.length > range.end) {
      writeWhole(reply, answer, head.subarray(range.start, range.end + 1));
      return undefined;
    }
    return answer;
  }

  /** Reads the answer's body from the file and writes it; throws, before hijacking, if the file cannot be opened. */
  async function writeFromFile(request: FastifyRequest, reply: FastifyReply, answer: BytesAnswer): Promise<void> {
    const { file, body } = answer;
    const range = rangeInHead(body);
    if (range) {
      // The first bytes are not in memory yet: read them once, then answer from them.
      const head = await files.head(file);
      if (head && head.length > range.end) {
        writeWhole(reply, answer, head.subarray(range.start, range.end + 1));
        return;
      }
    }
    const fd = await files.acquire(file);
    reply.hijack();
    const res = reply.raw;
    try {
      res.writeHead(answer.statusCode, withExtras(reply, answer.fields));
      await writeBody(res, body, { fs, fd, path: file.path }, request.log);
    } catch (error) {
      request.log.warn({ err: error, path: file.path }, 'reading a media file failed');
      res.destroy();
    } finally {
      files.release(file);
    }
  }

  /**
   * `?format=mp3[&bitrate=N]`: the same story for the transcoded form. The source is looked up
   * like any track (every guard of the open-file table applies, and its lstat gives the version
   * the cache key is made from); the answer is decided by the same rules against the
   * transcode's exact final length and its own ETag; the first byte the answer needs is waited
   * for before the status line is written, so an undecodable file gets 415, not a broken 206.
   * The query is checked here, not by a schema on the route, so the plain path validates nothing
   * more than before.
   */
  async function answerTranscoded(request: FastifyRequest, reply: FastifyReply, target: Target): Promise<FastifyReply> {
    const query = request.query as Record<string, unknown>;
    const bitrateRaw = query.bitrate;
    const bitrate = bitrateRaw === undefined ? DEFAULT_TRANSCODE_BITRATE : Number(bitrateRaw);
    if (query.format !== 'mp3' || typeof bitrateRaw === 'object' || !/^\d+$/.test(String(bitrateRaw ?? DEFAULT_TRANSCODE_BITRATE)) || !isTranscodeBitrate(bitrate)) {
      return fail(reply, 400, 'Bad Request', 'format must be mp3 and bitrate one of 96, 128, 192, 256, 320');
    }
    const transcodes = await options.transcodes?.get();
    if (!transcodes) return fail(reply, 503, 'Service Unavailable', 'this server has no ffmpeg to transcode with');
    let entry: FileEntry | undefined;
    try {
      entry = await files.lookup(target.path, target.mimeType);
    } catch (error) {
      logNotServed(request.log, target.path, error);
    }
    if (entry === undefined) return fail(reply, 404, 'Not Found', 'track not found');
    if (typeof target.durationSec !== 'number' || !(target.durationSec > 0)) {
      return fail(reply, 415, 'Unsupported Media Type', 'the track has no known duration to transcode it with');
    }
    const { stats } = entry;
    let transcode: Transcode;
    try {
      transcode = await transcodes.get({ path: target.path, durationSec: target.durationSec, ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs }, bitrate);
      const answer = decideAnswer(request, transcode, answerOptions);
      if (answer.kind === 'error') return fail(reply, answer.statusCode, answer.error, answer.message, answer.headers);
      if (answer.statusCode !== 304) await transcodes.ensure(transcode, firstOffset(answer.body));
      reply.hijack();
      const res = reply.raw;
      res.writeHead(answer.statusCode, withExtras(reply, answer.fields));
      if (answer.body.length === 0) {
        res.end();
        return reply;
      }
      const read = (_fd: number, buffer: Buffer, length: number, position: number) => transcodes.read(transcode, buffer, length, position);
      await writeBody(res, answer.body, { fs: { read }, fd: -1, path: target.path }, request.log);
      return reply;
    } catch (error) {
      if (error instanceof Undecodable) {
        if (!reply.sent) return fail(reply, 415, 'Unsupported Media Type', 'ffmpeg cannot decode this file');
      } else {
        request.log.error({ err: error, path: target.path }, 'transcoding failed');
        if (!reply.sent) return fail(reply, 503, 'Service Unavailable', 'transcoding failed');
      }
      reply.raw.destroy();
      return reply;
    }
  }

  const routeOptions = {
    schema: {
      params: IdParamsSchema,
      response: { 400: ErrorSchema, 404: ErrorSchema, 412: ErrorSchema, 415: ErrorSchema, 416: ErrorSchema, 503: ErrorSchema },
    },
    // A bad id is answered by `handle` (400 with Accept-Ranges), not by the error handler.
    attachValidation: true,
    config: { public: options.public === true },
  };
  // HEAD is declared by hand and GET opts out of Fastify's automatic HEAD route, which would
  // run the GET handler and read the file only to throw the body away.
  app.head<{ Params: IdParams }>('/stream/:id', routeOptions, handle);
  app.get<{ Params: IdParams }>('/stream/:id', { ...routeOptions, exposeHeadRoute: false }, handle);
};

/** A JSON error through Fastify's normal reply (and its serializer), with Accept-Ranges. */
function fail(reply: FastifyReply, statusCode: 400 | 404 | 412 | 415 | 416 | 503, error: string, message: string, headers: Record<string, string> = {}): FastifyReply {
  return reply.code(statusCode).header('Accept-Ranges', 'bytes').headers(headers).send({ statusCode, error, message });
}

/** Header fields and, if given, the whole body in one write. */
function writeWhole(reply: FastifyReply, answer: BytesAnswer, body?: Buffer): void {
  reply.hijack();
  reply.raw.writeHead(answer.statusCode, withExtras(reply, answer.fields));
  reply.raw.end(body);
}

/** The body's one range, when it lies inside the first `HEAD_BYTES` (kept in memory once read). */
function rangeInHead(body: readonly Segment[]): ByteRange | undefined {
  const only = body.length === 1 ? body[0]! : undefined;
  return only !== undefined && !Buffer.isBuffer(only) && only.end < HEAD_BYTES ? only : undefined;
}

/** Where the body starts (0 without one): the first byte the answer needs. */
function firstOffset(body: readonly Segment[]): number {
  for (const segment of body) if (!Buffer.isBuffer(segment)) return segment.start;
  return 0;
}

/** Why a track the library knows gets a 404, at the level it deserves. */
function logNotServed(log: FastifyBaseLogger, path: string, error: unknown): void {
  if (error instanceof NotServable || error instanceof FileReplaced) log.warn({ path, reason: error.message }, 'refusing to serve a media file');
  else if (isMissing(error)) log.info({ path }, 'media file vanished or became a link');
  else log.error({ err: error, path }, 'opening or reading the status of a media file failed');
}

/** Fields this plugin owns: a hook's value for one of them must not duplicate ours. */
const OWN_FIELDS = new Set([
  'accept-ranges', 'etag', 'last-modified', 'cache-control', 'x-content-type-options',
  'content-type', 'content-length', 'content-range', 'content-encoding', 'transfer-encoding',
]);

/**
 * `fields` plus the headers hooks set through `reply.header()` (e.g. CORS), which
 * `reply.hijack()` would otherwise drop. `fields` itself is never changed (entries share it).
 */
function withExtras(reply: FastifyReply, fields: readonly string[]): string[] {
  const extras = reply.getHeaders();
  let out: string[] | undefined;
  for (const name in extras) {
    const value = extras[name];
    if (value === undefined || OWN_FIELDS.has(name.toLowerCase())) continue;
    out ??= fields.slice();
    if (Array.isArray(value)) for (const v of value) out.push(name, v);
    else out.push(name, String(value));
  }
  return out ?? (fields as string[]);
}

export default streamPlugin;
