/** The Ogg page reading behind Ogg/Opus durations (pure functions; the files themselves: transcode/library-formats.test.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lastGranule, opusPreSkip } from '../../src/library/ogg-duration.ts';

/** An Ogg page header (27 bytes, no segments) with this granule position, then `body` bytes. */
function page(granule: bigint, body = 0, version = 0): Buffer {
  const header = Buffer.alloc(27 + body, 0x11);
  header.write('OggS', 0, 'latin1');
  header[4] = version;
  header[5] = 0;
  header.writeBigInt64LE(granule, 6);
  header[26] = 0;
  return header;
}

test('lastGranule: the last page that has one', () => {
  const cases: [string, Buffer, bigint | undefined][] = [
    ['one page', page(480_000n), 480_000n],
    ['the last of several', Buffer.concat([page(1000n, 50), page(2000n, 50), page(3000n, 10)]), 3000n],
    ['a last page with no packet end (-1) is passed over', Buffer.concat([page(2000n, 50), page(-1n, 10)]), 2000n],
    ['a capture pattern cut off at the end is passed over', Buffer.concat([page(2000n, 50), Buffer.from('OggS\0')]), 2000n],
    ['a tail starting mid-page', Buffer.concat([Buffer.alloc(100, 0x22), page(77n)]), 77n],
    ['"OggS" with an unknown version is not a page', Buffer.concat([page(5n, 10), page(9n, 0, 1)]), 5n],
    ['no page', Buffer.alloc(1000, 0x33), undefined],
    ['empty', Buffer.alloc(0), undefined],
  ];
  for (const [name, tail, expected] of cases) assert.equal(lastGranule(tail), expected, name);
});

test('opusPreSkip: from the OpusHead packet', () => {
  const head = Buffer.concat([page(0n, 0), Buffer.from('OpusHead'), Buffer.from([1, 2]), Buffer.from([0x38, 0x01]), Buffer.alloc(10)]);
  assert.equal(opusPreSkip(head), 312);
  assert.equal(opusPreSkip(Buffer.from('OpusHead\x01')), undefined);
  assert.equal(opusPreSkip(Buffer.alloc(100)), undefined);
});
