/**
 * The stream plugin's decision on its own: for one version of a file and one request, the
 * status, header fields and body segments, with no socket and no read. (The rules each field
 * follows are tested in ../http/; here, how they compose into one answer.)
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { decideAnswer, type Answer, type BytesAnswer } from '../../src/stream/answer.ts';
import { FileEntry } from '../../src/stream/file-entry.ts';

const folder = mkdtempSync(join(tmpdir(), 'musicsharer-answer-'));
after(() => rmSync(folder, { recursive: true, force: true }));

/** A real file's entry, modified a day ago (so Last-Modified is a strong validator, §8.8.2.2). */
function entryFor(name: string, size: number): FileEntry {
  const path = join(folder, name);
  writeFileSync(path, Buffer.alloc(size, 1));
  const dayAgo = new Date(Date.now() - 86_400_000);
  utimesSync(path, dayAgo, dayAgo);
  return new FileEntry(path, 'audio/mpeg', statSync(path));
}

const file = entryFor('track.mp3', 1000);
const options = { maxRanges: undefined, boundary: () => 'BOUNDARY' };
const decide = (headers: IncomingHttpHeaders = {}, method = 'GET', entry = file) => decideAnswer({ method, headers }, entry, options);

function bytes(answer: Answer): BytesAnswer {
  assert.equal(answer.kind, 'bytes', JSON.stringify(answer));
  return answer as BytesAnswer;
}

/** The header fields as an object (names as sent). */
const fieldsOf = (answer: BytesAnswer) =>
  Object.fromEntries(Array.from({ length: answer.fields.length / 2 }, (_, i) => [answer.fields[2 * i], answer.fields[2 * i + 1]]));

describe('decideAnswer', () => {
  test('GET without Range: 200, the whole file as one segment, Content-Length of the file', () => {
    const answer = bytes(decide());
    assert.equal(answer.statusCode, 200);
    assert.deepEqual(answer.body, [{ start: 0, end: 999 }]);
    assert.equal(answer.file, file);
    assert.deepEqual(fieldsOf(answer), {
      'Accept-Ranges': 'bytes',
      ETag: file.etag,
      'Last-Modified': file.lastModified,
      'Cache-Control': 'no-cache',
      'X-Content-Type-Options': 'nosniff',
      'Content-Type': 'audio/mpeg',
      'Content-Length': '1000',
    });
  });

  test('HEAD gets the GET answer\'s status and fields, and no body', () => {
    for (const headers of [{}, { range: 'bytes=0-1' }, { range: 'bytes=0-1,10-19' }]) {
      const get = bytes(decide(headers));
      const head = bytes(decide(headers, 'HEAD'));
      assert.equal(head.statusCode, get.statusCode);
      assert.deepEqual(head.fields, get.fields);
      assert.deepEqual(head.body, []);
    }
  });

  test('one range: 206 with Content-Range, the range as the body', () => {
    const answer = bytes(decide({ range: 'bytes=0-1' }));
    assert.equal(answer.statusCode, 206);
    assert.deepEqual(answer.body, [{ start: 0, end: 1 }]);
    assert.equal(fieldsOf(answer)['Content-Range'], 'bytes 0-1/1000');
    assert.equal(fieldsOf(answer)['Content-Length'], '2');
  });

  test('several ranges: multipart/byteranges, framing and ranges in order, the length of it all', () => {
    const answer = bytes(decide({ range: 'bytes=0-1,10-19' }));
    assert.equal(answer.statusCode, 206);
    assert.equal(fieldsOf(answer)['Content-Type'], 'multipart/byteranges; boundary=BOUNDARY');
    assert.deepEqual(
      answer.body.map((segment) => (Buffer.isBuffer(segment) ? segment.toString('latin1') : segment)),
      [
        '--BOUNDARY\r\nContent-Type: audio/mpeg\r\nContent-Range: bytes 0-1/1000\r\n\r\n',
        { start: 0, end: 1 },
        '\r\n--BOUNDARY\r\nContent-Type: audio/mpeg\r\nContent-Range: bytes 10-19/1000\r\n\r\n',
        { start: 10, end: 19 },
        '\r\n--BOUNDARY--\r\n',
      ],
    );
    const length = answer.body.reduce((sum, segment) => sum + (Buffer.isBuffer(segment) ? segment.length : segment.end - segment.start + 1), 0);
    assert.equal(fieldsOf(answer)['Content-Length'], String(length));
  });

  test('a matching If-None-Match: 304 with the validators and no body', () => {
    const answer = bytes(decide({ 'if-none-match': file.etag, range: 'bytes=0-1' }));
    assert.equal(answer.statusCode, 304);
    assert.deepEqual(answer.fields, file.common);
    assert.deepEqual(answer.body, []);
  });

  test('a failed If-Match: 412 with the current ETag', () => {
    assert.deepEqual(decide({ 'if-match': '"other"' }), {
      kind: 'error',
      statusCode: 412,
      error: 'Precondition Failed',
      message: 'the track has changed',
      headers: { ETag: file.etag },
    });
  });

  test('no range inside the file: 416 with the current length', () => {
    assert.deepEqual(decide({ range: 'bytes=1000-' }), {
      kind: 'error',
      statusCode: 416,
      error: 'Range Not Satisfiable',
      message: 'no requested range overlaps the track',
      headers: { 'Content-Range': 'bytes */1000', ETag: file.etag },
    });
  });

  test('Range ignored: an If-Range of another version, or more range-specs than allowed -> 200, the whole file', () => {
    assert.equal(bytes(decide({ range: 'bytes=0-1', 'if-range': '"another-version"' })).statusCode, 200);
    const few = decideAnswer({ method: 'GET', headers: { range: 'bytes=0-1,5-6' } }, file, { ...options, maxRanges: 1 });
    assert.deepEqual(bytes(few).body, [{ start: 0, end: 999 }]);
  });

  test('an empty file: 200 with Content-Length 0 and no body segment', () => {
    const answer = bytes(decide({}, 'GET', entryFor('empty.mp3', 0)));
    assert.equal(answer.statusCode, 200);
    assert.equal(fieldsOf(answer)['Content-Length'], '0');
    assert.deepEqual(answer.body, []);
  });
});
