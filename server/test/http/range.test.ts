import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_MAX_RANGES, contentRange, parseRange, rangeLength, unsatisfiedRange, type RangeResult } from '../../src/http/range.ts';

const SIZE = 1000;

/** [header, expected] for a 1000-byte representation. */
const cases: [string, RangeResult, string][] = [
  // single ranges (§14.1.1 int-range)
  ['bytes=0-1', [{ start: 0, end: 1 }], "iOS Safari's probe"],
  ['bytes=0-0', [{ start: 0, end: 0 }], 'first byte'],
  ['bytes=999-999', [{ start: 999, end: 999 }], 'last byte'],
  ['bytes=0-999', [{ start: 0, end: 999 }], 'everything, explicitly'],
  ['bytes=100-199', [{ start: 100, end: 199 }], 'middle'],
  ['bytes=007-010', [{ start: 7, end: 10 }], 'leading zeros are digits'],
  // open-ended and clamped (§14.1.3)
  ['bytes=500-', [{ start: 500, end: 999 }], 'open-ended'],
  ['bytes=0-', [{ start: 0, end: 999 }], 'open-ended from 0'],
  ['bytes=900-5000', [{ start: 900, end: 999 }], 'last-pos beyond the end is clamped'],
  ['bytes=900-99999999999999999999999999', [{ start: 900, end: 999 }], 'a huge last-pos is clamped, no overflow'],
  // suffix ranges
  ['bytes=-100', [{ start: 900, end: 999 }], 'suffix'],
  ['bytes=-1', [{ start: 999, end: 999 }], 'suffix of one byte'],
  ['bytes=-1000', [{ start: 0, end: 999 }], 'suffix of exactly the size'],
  ['bytes=-5000', [{ start: 0, end: 999 }], 'oversize suffix means the whole file'],
  ['bytes=-99999999999999999999999999', [{ start: 0, end: 999 }], 'huge suffix means the whole file'],
  // the unit is case-insensitive (§14.1)
  ['BYTES=0-1', [{ start: 0, end: 1 }], 'upper-case unit'],
  ['Bytes=0-1', [{ start: 0, end: 1 }], 'mixed-case unit'],
  // list syntax (§5.6.1): OWS around elements, empty elements ignored
  ['bytes=0-1, 5-6', [{ start: 0, end: 1 }, { start: 5, end: 6 }], 'OWS after a comma'],
  ['bytes=0-1 ,\t5-6', [{ start: 0, end: 1 }, { start: 5, end: 6 }], 'OWS around a comma'],
  ['bytes=,0-1,,5-6,', [{ start: 0, end: 1 }, { start: 5, end: 6 }], 'empty list elements'],
  // several ranges: coalescing and order
  ['bytes=0-1,5-6', [{ start: 0, end: 1 }, { start: 5, end: 6 }], 'two ranges'],
  ['bytes=0-5,3-10', [{ start: 0, end: 10 }], 'overlapping ranges coalesce'],
  ['bytes=0-4,5-9', [{ start: 0, end: 9 }], 'adjacent ranges coalesce'],
  ['bytes=0-9,2-3', [{ start: 0, end: 9 }], 'a contained range coalesces'],
  ['bytes=0-0,0-0,0-0', [{ start: 0, end: 0 }], 'repeated ranges coalesce'],
  ['bytes=500-599,0-99', [{ start: 500, end: 599 }, { start: 0, end: 99 }], 'request order is kept'],
  ['bytes=500-599,0-99,550-650', [{ start: 500, end: 650 }, { start: 0, end: 99 }], 'a coalesced range takes the place of its first member'],
  ['bytes=-100,0-1', [{ start: 900, end: 999 }, { start: 0, end: 1 }], 'suffix and int ranges mixed'],
  ['bytes=-100,950-', [{ start: 900, end: 999 }], 'suffix and open-ended overlap'],
  ['bytes=0-1,5000-6000', [{ start: 0, end: 1 }], 'unsatisfiable members are dropped'],
  ['bytes=5000-6000,0-1', [{ start: 0, end: 1 }], 'unsatisfiable first member is dropped'],
  // unsatisfiable (§14.1.1): valid syntax, nothing overlaps -> 416
  ['bytes=1000-', 'unsatisfiable', 'first-pos at the size'],
  ['bytes=1000-2000', 'unsatisfiable', 'beyond the end'],
  ['bytes=99999999999999999999999999-', 'unsatisfiable', 'a huge first-pos'],
  ['bytes=-0', 'unsatisfiable', 'zero-length suffix'],
  ['bytes=1000-1000,2000-', 'unsatisfiable', 'several, none satisfiable'],
  // syntactically invalid or another unit -> ignored (200)
  ['', 'ignore', 'empty'],
  ['bytes', 'ignore', 'no ='],
  ['bytes=', 'ignore', 'no range-spec'],
  ['bytes=,', 'ignore', 'only empty elements'],
  ['bytes=-', 'ignore', 'neither position'],
  ['bytes=1', 'ignore', 'no dash'],
  ['bytes=abc', 'ignore', 'letters'],
  ['bytes=1-0', 'ignore', 'last-pos before first-pos (§14.1.1 invalid)'],
  ['bytes=0-1,3-2', 'ignore', 'one invalid member invalidates the header'],
  ['bytes=--1', 'ignore', 'double dash'],
  ['bytes=1-2-3', 'ignore', 'two dashes'],
  ['bytes=+1-2', 'ignore', 'sign'],
  ['bytes=0x10-0x20', 'ignore', 'hex'],
  ['bytes=1.5-2', 'ignore', 'decimal point'],
  ['bytes=1e3-', 'ignore', 'exponent'],
  ['bytes=1 -2', 'ignore', 'space inside a range-spec'],
  ['bytes=0-1;q=1', 'ignore', 'parameters'],
  ['items=0-1', 'ignore', 'unknown unit (§14.2 MUST ignore)'],
  ['bytes0-1', 'ignore', 'missing ='],
  ['bites=0-1', 'ignore', 'misspelt unit'],
];

describe('parseRange', () => {
  for (const [header, expected, why] of cases) {
    test(`${JSON.stringify(header)}: ${why}`, () => {
      assert.deepEqual(parseRange(header, SIZE), expected);
    });
  }

  test('an empty representation satisfies no range', () => {
    assert.equal(parseRange('bytes=0-1', 0), 'unsatisfiable');
    assert.equal(parseRange('bytes=-5', 0), 'unsatisfiable');
    assert.equal(parseRange('bytes=0-', 0), 'unsatisfiable');
    assert.equal(parseRange('bytes=x', 0), 'ignore');
  });

  test('a one-byte representation', () => {
    assert.deepEqual(parseRange('bytes=0-1', 1), [{ start: 0, end: 0 }]);
    assert.deepEqual(parseRange('bytes=-5', 1), [{ start: 0, end: 0 }]);
    assert.equal(parseRange('bytes=1-', 1), 'unsatisfiable');
  });

  test('sizes beyond 2^32 (a long WAV) are exact', () => {
    const size = 5 * 2 ** 32;
    assert.deepEqual(parseRange('bytes=4294967296-', size), [{ start: 2 ** 32, end: size - 1 }]);
    assert.deepEqual(parseRange('bytes=-10', size), [{ start: size - 10, end: size - 1 }]);
  });

  describe('the cap on the number of ranges (§14.2, §17.15)', () => {
    const tiny = (count: number) => `bytes=${Array.from({ length: count }, (_, i) => `${i * 2}-${i * 2}`).join(',')}`;

    test(`${DEFAULT_MAX_RANGES} ranges are served`, () => {
      const result = parseRange(tiny(DEFAULT_MAX_RANGES), 10_000);
      assert.ok(Array.isArray(result));
      assert.equal(result.length, DEFAULT_MAX_RANGES);
    });

    test(`${DEFAULT_MAX_RANGES + 1} ranges are ignored`, () => {
      assert.equal(parseRange(tiny(DEFAULT_MAX_RANGES + 1), 10_000), 'ignore');
    });

    test('thousands of tiny ranges are ignored', () => {
      assert.equal(parseRange(tiny(3000), 10_000), 'ignore');
    });

    test('the cap counts range-specs, even ones that would coalesce or are unsatisfiable', () => {
      assert.equal(parseRange(`bytes=${'0-0,'.repeat(DEFAULT_MAX_RANGES + 1)}`, 10), 'ignore');
      assert.equal(parseRange(`bytes=${'50000-,'.repeat(DEFAULT_MAX_RANGES + 1)}`, 10), 'ignore');
    });

    test('empty list elements do not count', () => {
      assert.deepEqual(parseRange(`bytes=${','.repeat(5000)}0-1`, 10), [{ start: 0, end: 1 }]);
    });

    test('the cap is an option', () => {
      assert.equal(parseRange('bytes=0-0,2-2,4-4', 10, { maxRanges: 2 }), 'ignore');
      assert.deepEqual(parseRange('bytes=0-0,2-2', 10, { maxRanges: 2 }), [{ start: 0, end: 0 }, { start: 2, end: 2 }]);
    });
  });
});

describe('Content-Range values (§14.4)', () => {
  test('a satisfied range', () => {
    assert.equal(contentRange({ start: 0, end: 1 }, 14_400_000), 'bytes 0-1/14400000');
  });
  test('an unsatisfied range gives the current length', () => {
    assert.equal(unsatisfiedRange(1234), 'bytes */1234');
  });
  test('range length is inclusive', () => {
    assert.equal(rangeLength({ start: 0, end: 1 }), 2);
    assert.equal(rangeLength({ start: 5, end: 5 }), 1);
  });
});
