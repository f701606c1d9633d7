import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { formatLogLine, readableLogDestination } from '../src/log-format.js';

const at = new Date(2026, 10, 24, 9, 5, 7).getTime(); // local time, as the terminal shows it

test('a pino line becomes time, level, message and the other fields', () => {
  const json = JSON.stringify({ level: 30, time: at, pid: 1, hostname: 'box', module: 'library', tracks: 3, ms: 17, msg: 'library scan finished' });
  assert.equal(formatLogLine(json), '09:05:07 INFO  library scan finished  module=library tracks=3 ms=17');
});

test('strings with spaces or quotes are quoted; objects are JSON', () => {
  const json = JSON.stringify({ level: 40, time: at, msg: 'refusing', path: '/music/A B.mp3', name: 'x"y', req: { method: 'GET' } });
  assert.equal(formatLogLine(json), '09:05:07 WARN  refusing  path="/music/A B.mp3" name="x\\"y" req={"method":"GET"}');
});

test("an error's stack follows, indented", () => {
  const json = JSON.stringify({ level: 50, time: at, msg: 'opening a media file failed', err: { type: 'Error', message: 'EIO', stack: 'Error: EIO\n    at open' } });
  assert.equal(formatLogLine(json), '09:05:07 ERROR opening a media file failed\n    Error: EIO\n        at open');
});

test('what is not a JSON object passes unchanged', () => {
  for (const line of ['plain text', '[1,2]', '42', '{"broken"']) assert.equal(formatLogLine(line), line);
});

test('as a pino destination: one readable line per log call', () => {
  const written: string[] = [];
  const log = pino({ level: 'info', timestamp: () => `,"time":${at}` }, readableLogDestination({ write: (text: string) => written.push(text) }));
  log.info({ tracks: 2 }, 'scan done');
  log.debug('not at this level');
  log.error(new Error('boom'), 'failed');
  assert.equal(written.length, 2);
  assert.equal(written[0], '09:05:07 INFO  scan done  tracks=2\n');
  assert.match(written[1]!, /^09:05:07 ERROR failed\n {4}Error: boom\n {8}at /);
});
