import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fileEntityTag, parseEntityTag, parseEntityTagList, strongMatch, weakMatch } from '../../src/http/etag.ts';

describe('fileEntityTag', () => {
  const file = { ino: 1234, size: 14_400_000, mtimeMs: 1_700_000_000_123.456 };

  test('is a strong, quoted tag that parses back', () => {
    const tag = fileEntityTag(file);
    assert.match(tag, /^"[0-9a-z-]+"$/);
    assert.deepEqual(parseEntityTag(tag), { weak: false, opaque: tag });
  });

  test('is stable for the same file', () => {
    assert.equal(fileEntityTag({ ...file }), fileEntityTag(file));
  });

  const changes: [string, object][] = [
    ['a write (mtime, even by a microsecond)', { mtimeMs: file.mtimeMs + 0.001 }],
    ['a size change', { size: file.size + 1 }],
    ['a replacement by rename (inode)', { ino: file.ino + 1 }],
  ];
  for (const [what, change] of changes) {
    test(`changes with ${what}`, () => assert.notEqual(fileEntityTag({ ...file, ...change }), fileEntityTag(file)));
  }
});

describe('parseEntityTagList (§13.1.1, §13.1.2)', () => {
  const cases: [string, ReturnType<typeof parseEntityTagList>][] = [
    ['*', '*'],
    [' * ', '*'],
    ['"a"', [{ weak: false, opaque: '"a"' }]],
    ['W/"a"', [{ weak: true, opaque: '"a"' }]],
    ['"a", W/"b" ,"c"', [{ weak: false, opaque: '"a"' }, { weak: true, opaque: '"b"' }, { weak: false, opaque: '"c"' }]],
    ['"a,b", "c"', [{ weak: false, opaque: '"a,b"' }, { weak: false, opaque: '"c"' }]],
    [',"a",,', [{ weak: false, opaque: '"a"' }]],
    ['""', [{ weak: false, opaque: '""' }]],
    ['', []],
    ['a', undefined],
    ['"a" "b"', undefined],
    ['w/"a"', undefined],
    ['"a', undefined],
    ['"a b"', undefined],
    ['"a"x', undefined],
    ['*, "a"', undefined],
  ];
  for (const [value, expected] of cases) {
    test(JSON.stringify(value), () => assert.deepEqual(parseEntityTagList(value), expected));
  }
});

describe('parseEntityTag (If-Range)', () => {
  test('one tag filling the value', () => {
    assert.deepEqual(parseEntityTag(' "x" '), { weak: false, opaque: '"x"' });
    assert.deepEqual(parseEntityTag('W/"x"'), { weak: true, opaque: '"x"' });
  });
  test('anything more or less is not a tag', () => {
    for (const value of ['"x", "y"', '"x"y', 'x', '', 'W/x']) assert.equal(parseEntityTag(value), undefined, value);
  });
});

describe('comparison (§8.8.3.2)', () => {
  const strong1 = { weak: false, opaque: '"1"' };
  const weak1 = { weak: true, opaque: '"1"' };
  const strong2 = { weak: false, opaque: '"2"' };
  const weak2 = { weak: true, opaque: '"2"' };
  // The table of §8.8.3.2.
  const table: [typeof strong1, typeof strong1, boolean, boolean][] = [
    [weak1, weak1, false, true],
    [weak1, weak2, false, false],
    [weak1, strong1, false, true],
    [strong1, strong1, true, true],
  ];
  for (const [a, b, strong, weak] of table) {
    const name = (t: typeof a) => `${t.weak ? 'W/' : ''}${t.opaque}`;
    test(`${name(a)} vs ${name(b)}: strong ${strong}, weak ${weak}`, () => {
      assert.equal(strongMatch(a, b), strong);
      assert.equal(weakMatch(a, b), weak);
      assert.equal(strongMatch(b, a), strong);
      assert.equal(weakMatch(b, a), weak);
    });
  }
  test('different strong tags', () => {
    assert.equal(strongMatch(strong1, strong2), false);
    assert.equal(weakMatch(strong1, strong2), false);
  });
});
