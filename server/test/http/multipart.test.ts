import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { multipartByteranges } from '../../src/http/multipart.ts';

/** Assembles the body the way the stream plugin writes it. */
function assemble(body: ReturnType<typeof multipartByteranges>, file: Buffer): Buffer {
  return Buffer.concat([...body.parts.flatMap((part) => [part.head, file.subarray(part.range.start, part.range.end + 1)]), body.tail]);
}

describe('multipartByteranges (§14.6)', () => {
  const file = Buffer.from('0123456789abcdefghij');

  test('lays out delimiters, part fields and bytes exactly', () => {
    const body = multipartByteranges([{ start: 0, end: 1 }, { start: 10, end: 12 }], file.length, 'audio/mpeg', 'BOUNDARY');
    assert.equal(body.contentType, 'multipart/byteranges; boundary=BOUNDARY');
    const expected =
      '--BOUNDARY\r\n' +
      'Content-Type: audio/mpeg\r\n' +
      'Content-Range: bytes 0-1/20\r\n' +
      '\r\n' +
      '01' +
      '\r\n--BOUNDARY\r\n' +
      'Content-Type: audio/mpeg\r\n' +
      'Content-Range: bytes 10-12/20\r\n' +
      '\r\n' +
      'abc' +
      '\r\n--BOUNDARY--\r\n';
    const bytes = assemble(body, file);
    assert.equal(bytes.toString('latin1'), expected);
    assert.equal(body.length, bytes.length);
  });

  test('the computed length matches the assembled body for many layouts', () => {
    const layouts = [
      [{ start: 0, end: 0 }, { start: 19, end: 19 }],
      [{ start: 5, end: 9 }, { start: 0, end: 2 }, { start: 12, end: 19 }],
    ];
    for (const ranges of layouts) {
      const body = multipartByteranges(ranges, file.length, 'audio/flac', 'b0undary');
      assert.equal(body.length, assemble(body, file).length);
      assert.deepEqual(body.parts.map((part) => part.range), ranges, 'parts keep the given order');
    }
  });
});
