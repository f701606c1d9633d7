/**
 * The answer to a GET or HEAD of one version of a media file (or of its transcoded form), decided without I/O: its status,
 * its header fields and its body segments, from the request's method and fields and the file's
 * validators and size. Preconditions in RFC 9110 §13.2.2 order, then ranges (§14). The plugin
 * only writes what this decides, so every rule here can be tested without a socket or a file.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { multipartByteranges } from '../http/multipart.js';
import { evaluatePreconditions } from '../http/preconditions.js';
import { unsatisfiedRange } from '../http/range.js';
import type { Segment } from './body-writer.js';
import type { FileEntry as FileEntryLike } from './file-entry.js';
import type { Representation } from './representation.js';

/** Refused: sent through Fastify's normal reply as a JSON error. */
export interface ErrorAnswer {
  kind: 'error';
  statusCode: 412 | 416;
  error: string;
  message: string;
  headers: Record<string, string>;
}

/** Header fields, then the body: segments of `file` and literal bytes (none: no body). */
export interface BytesAnswer<F extends Representation = FileEntryLike> {
  kind: 'bytes';
  statusCode: 200 | 206 | 304;
  /** Name, value, name, value... (shared with the file's entry: never mutate). */
  fields: readonly string[];
  body: readonly Segment[];
  file: F;
}

export type Answer<F extends Representation = FileEntryLike> = ErrorAnswer | BytesAnswer<F>;

export interface AnswerOptions {
  /** Range-specs allowed in one Range header before it is ignored (§14.2). */
  maxRanges: number | undefined;
  /** A fresh multipart boundary. */
  boundary: () => string;
}

/** The request as the decision sees it (a Fastify request is one). */
export interface AnswerRequest {
  method: string;
  headers: IncomingHttpHeaders;
}

export const randomBoundary = (): string => randomBytes(12).toString('hex');

export function decideAnswer<F extends Representation>(request: AnswerRequest, file: F, options: AnswerOptions): Answer<F> {
  const headers = request.headers;
  const range = headers.range;
  const outcome = evaluatePreconditions(
    {
      method: request.method,
      ifMatch: headers['if-match'],
      ifNoneMatch: headers['if-none-match'],
      ifModifiedSince: headers['if-modified-since'],
      ifUnmodifiedSince: headers['if-unmodified-since'],
      ifRange: single(headers['if-range']),
      hasRange: range !== undefined,
    },
    { etag: file.etag, lastModified: file.lastModifiedMs },
  );
  if (outcome === 412) {
    return { kind: 'error', statusCode: 412, error: 'Precondition Failed', message: 'the track has changed', headers: { ETag: file.etag } };
  }
  if (outcome === 304) {
    // §15.4.5: a 304 carries the fields a 200 would have had that describe the
    // representation's validators and caching, and no content.
    return { kind: 'bytes', statusCode: 304, fields: file.common, body: [], file };
  }

  const ranges = outcome === 'range' && range !== undefined ? file.ranges(range, options.maxRanges) : 'ignore';
  if (ranges === 'unsatisfiable') {
    // §15.5.17: 416 with the current length in Content-Range.
    return {
      kind: 'error',
      statusCode: 416,
      error: 'Range Not Satisfiable',
      message: 'no requested range overlaps the track',
      headers: { 'Content-Range': unsatisfiedRange(file.size), ETag: file.etag },
    };
  }

  // §9.3.2: HEAD gets the GET's header fields and no body (the file is never opened).
  const head = request.method === 'HEAD';
  if (ranges === 'ignore') {
    const fields = [...file.common, 'Content-Type', file.mimeType, 'Content-Length', String(file.size)];
    return { kind: 'bytes', statusCode: 200, fields, body: head || file.size === 0 ? [] : [{ start: 0, end: file.size - 1 }], file };
  }
  if (ranges.length === 1) {
    // §14.4, §15.3.7.1: a single part is sent as the whole message, with Content-Range.
    return { kind: 'bytes', statusCode: 206, fields: file.singleRangeFields(ranges[0]!), body: head ? [] : ranges, file };
  }
  // §15.3.7.2: several parts -> multipart/byteranges.
  const multipart = multipartByteranges(ranges, file.size, file.mimeType, options.boundary());
  const fields = [...file.common, 'Content-Type', multipart.contentType, 'Content-Length', String(multipart.length)];
  const body = head ? [] : [...multipart.parts.flatMap((part) => [part.head, part.range]), multipart.tail];
  return { kind: 'bytes', statusCode: 206, fields, body, file };
}

/** Node joins repeated request fields with ", " (only set-cookie stays an array). */
function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}
