import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { negotiateContentCoding, type ContentCoding } from '../../src/http/content-coding.ts';

describe('negotiateContentCoding (RFC 9110 §12.5.3)', () => {
  const offered = ['br', 'gzip', 'deflate'] as const;
  const cases: [string | undefined, ContentCoding, string][] = [
    [undefined, 'identity', 'no field: the plain body'],
    ['', 'identity', 'an empty field: identity only'],
    ['gzip, deflate, br', 'br', "Safari's field: all equal, our preference"],
    ['gzip, deflate, br, zstd', 'br', "Chrome's field; zstd is not offered"],
    ['gzip', 'gzip', 'gzip ties with the implicit identity and wins'],
    ['GZIP', 'gzip', 'names are case-insensitive (§8.4.1)'],
    ['x-gzip', 'gzip', 'x-gzip is gzip (§8.4.1.3)'],
    ['deflate', 'deflate', 'deflate alone'],
    ['br;q=0.5, gzip;q=0.8', 'gzip', 'the highest weight wins'],
    ['br;q=1.0, gzip;q=0.999', 'br', 'three decimals'],
    ['gzip;q=0.5', 'gzip', 'identity not named weighs as the least wanted coding listed'],
    ['gzip;q=0.5, identity', 'identity', 'identity named at 1 outweighs gzip at 0.5'],
    ['gzip;q=0.5, identity;q=0', 'gzip', 'identity refused'],
    ['br;q=0, gzip', 'gzip', 'q=0 refuses'],
    ['*', 'br', '* weighs everything at 1'],
    ['*;q=0.1, gzip;q=0.2', 'gzip', 'a coding named outweighs *'],
    ['*;q=0, gzip;q=0', 'identity', 'nothing acceptable: identity all the same'],
    ['identity', 'identity', 'identity only'],
    ['gzip;q=2', 'identity', 'a weight above 1 is malformed: the element is ignored'],
    ['gzip;q=0.5x', 'identity', 'a malformed weight'],
    ['gzip;level=9', 'identity', 'a parameter other than q is not in the grammar'],
    ['gzip ; q=0.7 , br ; Q=0.6, identity;q=0.5', 'gzip', 'optional whitespace around ; and ='],
    [' , ,gzip,', 'gzip', 'empty list elements (§5.6.1)'],
    ['compress, zstd', 'identity', 'only codings we do not offer'],
  ];
  for (const [field, expected, why] of cases) {
    test(`${JSON.stringify(field)} -> ${expected} (${why})`, () => assert.equal(negotiateContentCoding(field, offered), expected));
  }

  test('only offered codings are chosen', () => {
    assert.equal(negotiateContentCoding('br, gzip', ['gzip']), 'gzip');
    assert.equal(negotiateContentCoding('br', []), 'identity');
  });
});
