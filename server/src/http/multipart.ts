/**
 * `multipart/byteranges` (RFC 9110 §14.6): the framing around the parts of a multi-range 206.
 * Pure: computes the part headers and the exact total length up front, so the response carries
 * a Content-Length and is never chunked. The caller streams each range's bytes between them.
 */
import { contentRange, rangeLength, type ByteRange } from './range.js';

export interface MultipartPart {
  /** Delimiter and part header fields, written before the range's bytes. */
  readonly head: Buffer;
  readonly range: ByteRange;
}

export interface MultipartBody {
  /** `multipart/byteranges; boundary=...` */
  readonly contentType: string;
  readonly parts: readonly MultipartPart[];
  /** The close delimiter, written after the last part. */
  readonly tail: Buffer;
  /** Total body length in bytes. */
  readonly length: number;
}

/**
 * Lays out the body (§14.6, RFC 2046 §5.1.1): each part is a delimiter line, its
 * `Content-Type` and `Content-Range` (§14.6 requires Content-Range in every part), an empty
 * line and the bytes; the body ends with the close delimiter `--boundary--`. The CRLF that
 * precedes a delimiter belongs to it, hence `\r\n--boundary` for every part but the first.
 */
export function multipartByteranges(
  ranges: readonly ByteRange[],
  size: number,
  mimeType: string,
  boundary: string,
): MultipartBody {
  let length = 0;
  const parts = ranges.map((range, i) => {
    const head = Buffer.from(
      `${i === 0 ? '' : '\r\n'}--${boundary}\r\nContent-Type: ${mimeType}\r\nContent-Range: ${contentRange(range, size)}\r\n\r\n`,
      'latin1',
    );
    length += head.length + rangeLength(range);
    return { head, range };
  });
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`, 'latin1');
  length += tail.length;
  return { contentType: `multipart/byteranges; boundary=${boundary}`, parts, tail, length };
}
