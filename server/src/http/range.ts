/**
 * Byte-range requests (RFC 9110 §14): parses a `Range` field value against the size of the
 * selected representation. Pure: no I/O, no Fastify.
 *
 *   ranges-specifier = range-unit "=" range-set          (§14.1.1)
 *   range-set        = 1#range-spec
 *   range-spec       = int-range / suffix-range / other-range
 *   int-range        = first-pos "-" [ last-pos ]
 *   suffix-range     = "-" suffix-length
 */

/** An inclusive byte range, already clamped to the representation: 0 <= start <= end < size. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/**
 * - `ByteRange[]`: the satisfiable ranges to send, coalesced, never empty (one range -> a
 *   plain 206, several -> multipart/byteranges);
 * - `'unsatisfiable'`: valid syntax but no range overlaps the representation -> 416;
 * - `'ignore'`: invalid syntax, another unit or too many ranges -> serve the whole file (200).
 */
export type RangeResult = ByteRange[] | 'unsatisfiable' | 'ignore';

/**
 * How many range-specs one header may hold. §14.2 lets a server ignore a set of many small or
 * overlapping ranges (a denial-of-service pattern, §17.15); past this count parsing stops at
 * once, so a 16 KiB header of thousands of one-byte ranges costs no more than 32 ranges.
 */
export const DEFAULT_MAX_RANGES = 32;

export interface ParseRangeOptions {
  /** More range-specs than this and the header is ignored (§14.2). */
  maxRanges?: number;
}

const DIGITS = /^[0-9]+$/;

/**
 * Parses a `Range` field value for a representation of `size` bytes.
 * Overlapping and adjacent ranges are coalesced (§14.2 allows it); the parts keep the order in
 * which the client asked for them (§15.3.7.2: "in the same order that the corresponding
 * range-spec appeared", a coalesced range taking the place of its first member).
 */
export function parseRange(header: string, size: number, options: ParseRangeOptions = {}): RangeResult {
  const maxRanges = options.maxRanges ?? DEFAULT_MAX_RANGES;
  const equals = header.indexOf('=');
  if (equals === -1) return 'ignore';
  // §14.1: range units are compared case-insensitively. §14.2: an origin server MUST ignore a
  // Range header field that contains a range unit it does not understand.
  if (header.slice(0, equals).trim().toLowerCase() !== 'bytes') return 'ignore';

  const ranges: { start: number; end: number; index: number }[] = [];
  let count = 0;
  let sawSpec = false;
  let position = equals + 1;
  while (position <= header.length) {
    let comma = header.indexOf(',', position);
    if (comma === -1) comma = header.length;
    // §5.6.1: list elements are separated by OWS "," OWS; empty elements are ignored.
    const spec = header.slice(position, comma).trim();
    position = comma + 1;
    if (spec === '') continue;
    sawSpec = true;
    if (++count > maxRanges) return 'ignore';

    const dash = spec.indexOf('-');
    if (dash === -1) return 'ignore';
    const first = spec.slice(0, dash);
    const last = spec.slice(dash + 1);
    // §14.1.1: positions are decimal digits only; recipients must expect numerals larger than
    // any integer type. Number() of a long numeral is a huge (or infinite) float, which the
    // comparisons below handle without overflow.
    if (first === '') {
      // suffix-range: the last N bytes. §14.1.1: satisfiable if suffix-length > 0; a suffix
      // longer than the representation selects all of it (§14.1.3).
      if (!DIGITS.test(last)) return 'ignore';
      const length = Number(last);
      if (length > 0 && size > 0) ranges.push({ start: Math.max(0, size - length), end: size - 1, index: count });
      continue;
    }
    if (!DIGITS.test(first) || (last !== '' && !DIGITS.test(last))) return 'ignore';
    const start = Number(first);
    const end = last === '' ? Infinity : Number(last);
    // §14.1.1: an int-range whose last-pos is less than its first-pos is invalid, and so is
    // the whole ranges-specifier: ignore the field (§14.2 "MAY ignore").
    if (end < start) return 'ignore';
    // §14.1.1: an int-range is satisfiable if its first-pos is less than the length; a
    // last-pos at or beyond the end is replaced by length - 1 (§14.1.3).
    if (start < size) ranges.push({ start, end: Math.min(end, size - 1), index: count });
  }
  if (!sawSpec) return 'ignore'; // `bytes=` or `bytes=,`: 1#range-spec needs one element
  if (ranges.length === 0) return 'unsatisfiable';
  return coalesce(ranges);
}

/**
 * Merges overlapping and adjacent ranges, then restores request order (by the first index of
 * each merged group). One range is returned as is.
 */
function coalesce(ranges: { start: number; end: number; index: number }[]): ByteRange[] {
  if (ranges.length === 1) return [{ start: ranges[0]!.start, end: ranges[0]!.end }];
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  const merged: { start: number; end: number; index: number }[] = [];
  for (const range of sorted) {
    const previous = merged.at(-1);
    if (previous && range.start <= previous.end + 1) {
      previous.end = Math.max(previous.end, range.end);
      previous.index = Math.min(previous.index, range.index);
    } else {
      merged.push({ ...range });
    }
  }
  return merged.sort((a, b) => a.index - b.index).map(({ start, end }) => ({ start, end }));
}

/** `Content-Range` of one part or of a single-range 206 (§14.4): `bytes 0-1/1234`. */
export function contentRange(range: ByteRange, size: number): string {
  return `bytes ${range.start}-${range.end}/${size}`;
}

/** `Content-Range` of a 416 (§15.5.17): "bytes *" then "/" and the current length. */
export function unsatisfiedRange(size: number): string {
  return `bytes */${size}`;
}

/** Number of bytes a range covers. */
export function rangeLength(range: ByteRange): number {
  return range.end - range.start + 1;
}
