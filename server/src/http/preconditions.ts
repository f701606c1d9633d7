/**
 * Conditional requests (RFC 9110 §13): evaluates the precondition fields of a GET or HEAD
 * against the current validators, in the order §13.2.2 prescribes. Pure: the caller passes the
 * request fields, the validators and the clock.
 */
import { ifNoneMatchHolds, parseEntityTag, parseEntityTagList, strongMatch, type EntityTag } from './etag.js';

export interface ConditionalFields {
  method: string;
  ifMatch?: string | undefined;
  ifNoneMatch?: string | undefined;
  ifModifiedSince?: string | undefined;
  ifUnmodifiedSince?: string | undefined;
  ifRange?: string | undefined;
  /** Whether the request carries a `Range` field (If-Range only applies then, §13.1.5). */
  hasRange: boolean;
}

export interface Validators {
  /** Our strong entity tag, quotes included. */
  etag: string;
  /** Modification time of the representation, epoch milliseconds. */
  lastModified: number;
}

/**
 * - `304`: Not Modified (If-None-Match / If-Modified-Since false on GET or HEAD);
 * - `412`: Precondition Failed (If-Match / If-Unmodified-Since false);
 * - `'range'`: serve, honouring the `Range` field;
 * - `'full'`: serve, ignoring any `Range` field (none sent, or If-Range false).
 */
export type PreconditionOutcome = 304 | 412 | 'range' | 'full';

/**
 * §13.2.2 Precedence of Preconditions, step by step. HEAD is evaluated as GET: §9.3.2 wants
 * the same header fields for HEAD as for GET, so a HEAD tells exactly what the GET would get.
 */
export function evaluatePreconditions(
  request: ConditionalFields,
  current: Validators,
  now: number = Date.now(),
): PreconditionOutcome {
  const isGetOrHead = request.method === 'GET' || request.method === 'HEAD';
  // Most requests carry no condition at all (every range request of a playing track).
  if (
    request.ifMatch === undefined && request.ifNoneMatch === undefined && request.ifModifiedSince === undefined &&
    request.ifUnmodifiedSince === undefined && request.ifRange === undefined
  ) {
    return request.hasRange && isGetOrHead ? 'range' : 'full';
  }
  const etag = parseEntityTag(current.etag);
  // HTTP dates have one-second resolution: compare at that resolution (§13.1.3, §13.1.4).
  const lastModified = Math.floor(current.lastModified / 1000) * 1000;

  // Step 1: If-Match present -> evaluate; false -> 412 (§13.1.1).
  if (request.ifMatch !== undefined) {
    if (!ifMatch(request.ifMatch, etag)) return 412;
  } else if (request.ifUnmodifiedSince !== undefined) {
    // Step 2: no If-Match, If-Unmodified-Since present -> evaluate; false -> 412. §13.1.4: a
    // value that is not a valid HTTP-date is ignored.
    const date = parseHttpDate(request.ifUnmodifiedSince);
    if (date !== undefined && lastModified > date) return 412;
  }

  // Step 3: If-None-Match present -> evaluate; false -> 304 for GET/HEAD, else 412 (§13.1.2).
  if (request.ifNoneMatch !== undefined) {
    if (!ifNoneMatchHolds(request.ifNoneMatch, etag)) return isGetOrHead ? 304 : 412;
  } else if (isGetOrHead && request.ifModifiedSince !== undefined) {
    // Step 4: no If-None-Match, GET/HEAD, If-Modified-Since present -> evaluate; false -> 304.
    // §13.1.3: ignored when not a valid HTTP-date; "not modified since" when Last-Modified is
    // not later than the date.
    const date = parseHttpDate(request.ifModifiedSince);
    if (date !== undefined && lastModified <= date) return 304;
  }

  // Step 5: GET (and HEAD, see above) with both Range and If-Range -> evaluate If-Range;
  // false -> ignore Range and send the whole representation (§13.1.5).
  if (!request.hasRange || !isGetOrHead) return 'full';
  if (request.ifRange !== undefined && !ifRange(request.ifRange, etag, lastModified, now)) return 'full';
  // Step 6: perform the method.
  return 'range';
}

/** §13.1.1: true for "*" (the file exists) or a strong match with any listed tag. */
function ifMatch(value: string, current: EntityTag | undefined): boolean {
  const tags = parseEntityTagList(value);
  if (tags === '*') return true;
  return current !== undefined && tags !== undefined && tags.some((tag) => strongMatch(tag, current));
}

/**
 * §13.1.5 If-Range = entity-tag / HTTP-date.
 * - an entity-tag: true only on a strong match, so a weak tag never matches;
 * - an HTTP-date: true only if it exactly equals Last-Modified and that date is a strong
 *   validator (§8.8.2.2). We can only call it strong once a full second has passed since the
 *   modification: until then another write within the same second would share the date.
 * Anything else (malformed) is false: the whole representation is sent, which is always safe.
 */
function ifRange(value: string, current: EntityTag | undefined, lastModified: number, now: number): boolean {
  const trimmed = value.trim();
  if (trimmed.startsWith('"') || trimmed.startsWith('W/')) {
    const tag = parseEntityTag(trimmed);
    return tag !== undefined && current !== undefined && strongMatch(tag, current);
  }
  const date = parseHttpDate(trimmed);
  return date !== undefined && date === lastModified && now >= lastModified + 1000;
}

// --- HTTP-date (§5.6.7) -------------------------------------------------------------------

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY_NAMES = 'Mon|Tue|Wed|Thu|Fri|Sat|Sun';
const LONG_DAY_NAMES = 'Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday';
const MONTH_NAMES = MONTHS.join('|');
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';
/** IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT` (the one format we generate). */
const IMF_FIXDATE = new RegExp(`^(?:${DAY_NAMES}), (\\d{2}) (${MONTH_NAMES}) (\\d{4}) ${TIME} GMT$`);
/** obsolete rfc850-date: `Sunday, 06-Nov-94 08:49:37 GMT`. */
const RFC850_DATE = new RegExp(`^(?:${LONG_DAY_NAMES}), (\\d{2})-(${MONTH_NAMES})-(\\d{2}) ${TIME} GMT$`);
/** obsolete asctime-date: `Sun Nov  6 08:49:37 1994`. */
const ASCTIME_DATE = new RegExp(`^(?:${DAY_NAMES}) (${MONTH_NAMES}) ([ \\d]\\d) ${TIME} (\\d{4})$`);

/**
 * Parses an HTTP-date in any of the three formats a recipient MUST accept (§5.6.7), to epoch
 * milliseconds; undefined when invalid. Never Date.parse: it reads asctime as local time and
 * accepts many non-HTTP forms.
 */
export function parseHttpDate(value: string, now: number = Date.now()): number | undefined {
  const text = value.trim();
  let match = IMF_FIXDATE.exec(text);
  if (match) return toEpoch(match[3]!, match[2]!, match[1]!, match[4]!, match[5]!, match[6]!);
  match = RFC850_DATE.exec(text);
  if (match) {
    // §5.6.7: a two-digit year more than 50 years in the future is the most recent past year
    // with those two digits.
    const yy = Number(match[3]);
    const thisYear = new Date(now).getUTCFullYear();
    let year = Math.floor(thisYear / 100) * 100 + yy;
    if (year > thisYear + 50) year -= 100;
    return toEpoch(String(year), match[2]!, match[1]!, match[4]!, match[5]!, match[6]!);
  }
  match = ASCTIME_DATE.exec(text);
  if (match) return toEpoch(match[6]!, match[1]!, match[2]!.trim(), match[3]!, match[4]!, match[5]!);
  return undefined;
}

function toEpoch(year: string, month: string, day: string, hour: string, minute: string, second: string): number | undefined {
  const m = MONTHS.indexOf(month);
  const d = Number(day);
  const h = Number(hour);
  const min = Number(minute);
  const s = Number(second);
  // §5.6.7 allows second 60 (leap second); Date.UTC folds it into the next minute.
  if (d < 1 || d > 31 || h > 23 || min > 59 || s > 60) return undefined;
  const time = Date.UTC(Number(year), m, d, h, min, s);
  // Rejects 31 Feb and the like: Date.UTC would silently roll over into the next month.
  if (new Date(time - (s === 60 ? 1000 : 0)).getUTCDate() !== d) return undefined;
  return time;
}

/** IMF-fixdate for `Last-Modified` (§8.8.2, §5.6.7). */
export function formatHttpDate(epochMs: number): string {
  return new Date(epochMs).toUTCString();
}
