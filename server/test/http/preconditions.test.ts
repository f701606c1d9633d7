import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  evaluatePreconditions,
  formatHttpDate,
  parseHttpDate,
  type ConditionalFields,
  type PreconditionOutcome,
} from '../../src/http/preconditions.ts';

const ETAG = '"abc-123"';
const OTHER = '"xyz-999"';
/** Last-Modified: Sun, 06 Nov 1994 08:49:37 GMT, with milliseconds the HTTP date drops. */
const MODIFIED = Date.UTC(1994, 10, 6, 8, 49, 37) + 250;
const MODIFIED_DATE = 'Sun, 06 Nov 1994 08:49:37 GMT';
const BEFORE = 'Sun, 06 Nov 1994 08:49:36 GMT';
const AFTER = 'Sun, 06 Nov 1994 08:49:38 GMT';
const NOW = Date.UTC(2025, 0, 1);
const current = { etag: ETAG, lastModified: MODIFIED };

type Fields = Partial<ConditionalFields>;

/** [fields, expected, why]; method defaults to GET, hasRange to false. */
const cases: [Fields, PreconditionOutcome, string][] = [
  [{}, 'full', 'no conditions, no Range'],
  [{ hasRange: true }, 'range', 'no conditions, Range'],

  // If-Match (§13.1.1): strong comparison; false -> 412
  [{ ifMatch: ETAG }, 'full', 'If-Match: the current tag'],
  [{ ifMatch: '*' }, 'full', 'If-Match: * (the file exists)'],
  [{ ifMatch: `${OTHER}, ${ETAG}` }, 'full', 'If-Match: a list containing the tag'],
  [{ ifMatch: OTHER }, 412, 'If-Match: another tag'],
  [{ ifMatch: `W/${ETAG}` }, 412, 'If-Match: the weak form never matches (strong comparison)'],
  [{ ifMatch: 'garbage' }, 412, 'If-Match: malformed matches nothing'],

  // If-Unmodified-Since (§13.1.4)
  [{ ifUnmodifiedSince: MODIFIED_DATE }, 'full', 'If-Unmodified-Since: the Last-Modified date'],
  [{ ifUnmodifiedSince: AFTER }, 'full', 'If-Unmodified-Since: later'],
  [{ ifUnmodifiedSince: BEFORE }, 412, 'If-Unmodified-Since: earlier -> modified since -> 412'],
  [{ ifUnmodifiedSince: 'yesterday' }, 'full', 'If-Unmodified-Since: invalid date is ignored'],
  [{ ifMatch: ETAG, ifUnmodifiedSince: BEFORE }, 'full', 'step 2 is skipped when If-Match is present'],

  // If-None-Match (§13.1.2): weak comparison; false -> 304 for GET/HEAD
  [{ ifNoneMatch: ETAG }, 304, 'If-None-Match: the current tag'],
  [{ ifNoneMatch: `W/${ETAG}` }, 304, 'If-None-Match: the weak form matches (weak comparison)'],
  [{ ifNoneMatch: `${OTHER},${ETAG}` }, 304, 'If-None-Match: a list containing the tag'],
  [{ ifNoneMatch: '*' }, 304, 'If-None-Match: * (the file exists)'],
  [{ ifNoneMatch: OTHER }, 'full', 'If-None-Match: another tag'],
  [{ ifNoneMatch: OTHER, hasRange: true }, 'range', 'If-None-Match: another tag, Range applies'],
  [{ method: 'HEAD', ifNoneMatch: ETAG }, 304, 'HEAD is evaluated as GET'],
  [{ method: 'DELETE', ifNoneMatch: ETAG }, 412, 'If-None-Match false on another method -> 412'],

  // If-Modified-Since (§13.1.3)
  [{ ifModifiedSince: MODIFIED_DATE }, 304, 'If-Modified-Since: the Last-Modified date'],
  [{ ifModifiedSince: AFTER }, 304, 'If-Modified-Since: later'],
  [{ ifModifiedSince: BEFORE }, 'full', 'If-Modified-Since: earlier -> modified'],
  [{ ifModifiedSince: 'not a date' }, 'full', 'If-Modified-Since: invalid date is ignored'],
  [{ ifModifiedSince: `${MODIFIED_DATE}, ${MODIFIED_DATE}` }, 'full', 'If-Modified-Since: two members are invalid'],
  [{ method: 'POST', ifModifiedSince: AFTER }, 'full', 'If-Modified-Since only applies to GET and HEAD'],

  // If-Range (§13.1.5)
  [{ hasRange: true, ifRange: ETAG }, 'range', 'If-Range: the current tag'],
  [{ hasRange: true, ifRange: OTHER }, 'full', 'If-Range: another tag -> whole file'],
  [{ hasRange: true, ifRange: `W/${ETAG}` }, 'full', 'If-Range: a weak tag never matches'],
  [{ hasRange: true, ifRange: MODIFIED_DATE }, 'range', 'If-Range: exactly the Last-Modified date'],
  [{ hasRange: true, ifRange: AFTER }, 'full', 'If-Range: a later date is not an exact match'],
  [{ hasRange: true, ifRange: BEFORE }, 'full', 'If-Range: an earlier date'],
  [{ hasRange: true, ifRange: 'garbage' }, 'full', 'If-Range: malformed -> whole file'],
  [{ hasRange: true, ifRange: `"abc-123` }, 'full', 'If-Range: unterminated tag'],
  [{ ifRange: OTHER }, 'full', 'If-Range without Range is ignored'],
  [{ method: 'HEAD', hasRange: true, ifRange: ETAG }, 'range', 'HEAD with Range and If-Range, as GET'],
  [{ method: 'POST', hasRange: true }, 'full', 'Range only applies to GET (and HEAD)'],

  // §13.2.2 precedence
  [{ ifMatch: OTHER, ifNoneMatch: OTHER }, 412, '1 before 3: If-Match false wins over If-None-Match true'],
  [{ ifMatch: OTHER, ifNoneMatch: ETAG }, 412, '1 before 3: 412 rather than 304'],
  [{ ifUnmodifiedSince: BEFORE, ifNoneMatch: ETAG }, 412, '2 before 3'],
  [{ ifMatch: ETAG, ifNoneMatch: ETAG }, 304, 'If-Match true, then If-None-Match false -> 304'],
  [{ ifNoneMatch: OTHER, ifModifiedSince: AFTER }, 'full', '4 is skipped when If-None-Match is present'],
  [{ ifNoneMatch: ETAG, ifModifiedSince: BEFORE }, 304, 'If-None-Match decides, If-Modified-Since ignored'],
  [{ ifNoneMatch: ETAG, hasRange: true, ifRange: ETAG }, 304, '3 before 5: 304 even with a Range'],
  [{ ifModifiedSince: AFTER, hasRange: true }, 304, '4 before 5: 304 even with a Range'],
  [{ ifMatch: OTHER, hasRange: true, ifRange: ETAG }, 412, '1 before 5'],
  [{ ifMatch: ETAG, ifNoneMatch: OTHER, hasRange: true, ifRange: ETAG }, 'range', 'all true -> range'],
];

describe('evaluatePreconditions (RFC 9110 §13.2.2)', () => {
  for (const [fields, expected, why] of cases) {
    test(why, () => {
      const request: ConditionalFields = { method: 'GET', hasRange: false, ...fields };
      assert.equal(evaluatePreconditions(request, current, NOW), expected);
    });
  }

  test('If-Range with a date is only strong once a second has passed since the modification', () => {
    const request: ConditionalFields = { method: 'GET', hasRange: true, ifRange: MODIFIED_DATE };
    const secondStart = Math.floor(MODIFIED / 1000) * 1000;
    assert.equal(evaluatePreconditions(request, current, secondStart + 999), 'full');
    assert.equal(evaluatePreconditions(request, current, secondStart + 1000), 'range');
  });
});

describe('HTTP-date (§5.6.7)', () => {
  const epoch = Date.UTC(1994, 10, 6, 8, 49, 37);
  const valid: [string, number][] = [
    ['Sun, 06 Nov 1994 08:49:37 GMT', epoch],
    ['Sunday, 06-Nov-94 08:49:37 GMT', epoch],
    ['Sun Nov  6 08:49:37 1994', epoch],
    ['Sun Nov 16 08:49:37 1994', Date.UTC(1994, 10, 16, 8, 49, 37)],
    ['  Sun, 06 Nov 1994 08:49:37 GMT  ', epoch],
    ['Thu, 01 Jan 1970 00:00:00 GMT', 0],
    ['Wed, 31 Dec 2098 23:59:60 GMT', Date.UTC(2099, 0, 1)],
  ];
  for (const [text, expected] of valid) {
    test(`parses ${JSON.stringify(text)}`, () => assert.equal(parseHttpDate(text, NOW), expected));
  }

  const invalid = [
    '',
    'yesterday',
    '1994-11-06T08:49:37Z',
    'Sun, 06 Nov 1994 08:49:37 UTC',
    'Sun, 06 Nov 1994 08:49:37 +0000',
    'Sun, 6 Nov 1994 08:49:37 GMT',
    'Sun, 06 nov 1994 08:49:37 GMT',
    'Sun, 31 Feb 1994 08:49:37 GMT',
    'Sun, 06 Nov 1994 24:00:00 GMT',
    'Sun, 06 Nov 1994 08:60:00 GMT',
    'Sun, 00 Nov 1994 08:49:37 GMT',
    '784111777',
  ];
  for (const text of invalid) {
    test(`rejects ${JSON.stringify(text)}`, () => assert.equal(parseHttpDate(text, NOW), undefined));
  }

  test('rfc850 two-digit years more than 50 years ahead are in the past century', () => {
    const now = Date.UTC(2025, 0, 1);
    assert.equal(new Date(parseHttpDate('Monday, 01-Jan-74 00:00:00 GMT', now)!).getUTCFullYear(), 2074);
    assert.equal(new Date(parseHttpDate('Monday, 01-Jan-76 00:00:00 GMT', now)!).getUTCFullYear(), 1976);
  });

  test('formats IMF-fixdate, dropping milliseconds, and round-trips', () => {
    assert.equal(formatHttpDate(epoch + 999), 'Sun, 06 Nov 1994 08:49:37 GMT');
    assert.equal(parseHttpDate(formatHttpDate(epoch)), epoch);
  });
});
