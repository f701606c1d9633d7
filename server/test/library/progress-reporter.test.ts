/** Terminal progress: the line format, a bar on a TTY, plain lines otherwise, silence for short scans. */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { ScanStatus } from '@musicsharer/shared';
import { describe, test } from 'node:test';
import { formatProgress, progressBar, reportScanProgress } from '../../src/library/progress-reporter.js';
import type { LibraryEvents } from '../../src/library/service.js';

describe('progress formatting', () => {
  test('count, files/s and ETA', () => {
    assert.equal(formatProgress({ done: 2000, total: 10_000, elapsedMs: 2500 }), '2,000/10,000 files  800 files/s  ETA 0:10');
    assert.equal(formatProgress({ done: 1000, total: 150_000, elapsedMs: 1000 }), '1,000/150,000 files  1,000 files/s  ETA 2:29');
    assert.equal(formatProgress({ done: 100, total: 10_000_000, elapsedMs: 1000 }), '100/10,000,000 files  100 files/s  ETA 27:46:39');
    assert.equal(formatProgress({ done: 0, total: 10, elapsedMs: 0 }), '0/10 files  0 files/s');
    assert.equal(formatProgress({ done: 10, total: 10, elapsedMs: 1000 }), '10/10 files  10 files/s');
  });

  test('bar', () => {
    assert.equal(progressBar(0, 100, 10), '[----------]   0%');
    assert.equal(progressBar(50, 100, 10), '[#####-----]  50%');
    assert.equal(progressBar(100, 100, 10), '[##########] 100%');
    assert.equal(progressBar(5, 0, 4), '[----]   0%');
  });
});

describe('reportScanProgress', () => {
  function run(isTTY: boolean, steps: Array<[number, ScanStatus]>) {
    const library = new EventEmitter<LibraryEvents>();
    const written: string[] = [];
    let now = 0;
    const stop = reportScanProgress(library, { isTTY, write: (text: string) => written.push(text) }, { quietMs: 1000, lineIntervalMs: 5000, now: () => now });
    for (const [at, status] of steps) {
      now = at;
      library.emit('progress', status);
    }
    stop();
    assert.equal(library.listenerCount('progress'), 0, 'detached');
    return written;
  }
  const scanning = (done: number, total: number): ScanStatus => ({ scanning: true, done, total, trackCount: done });
  const finished = (done: number): ScanStatus => ({ scanning: false, done, total: done, trackCount: done });
  const long: Array<[number, ScanStatus]> = [
    [0, scanning(0, 0)],
    [500, scanning(400, 5000)],
    [2000, scanning(1600, 10_000)],
    [3000, scanning(2400, 10_000)],
    [8000, scanning(6400, 10_000)],
    [9000, scanning(7200, 10_000)],
    [12_500, finished(10_000)],
  ];

  test('a TTY gets one updating line with a bar, then a summary', () => {
    const written = run(true, long);
    assert.equal(written.length, 5, 'every update after the quiet time, and the summary');
    for (const text of written.slice(0, -1)) {
      // eslint-disable-next-line no-control-regex -- the line starts with an ANSI erase-line
      assert.match(text, /^\r\x1b\[Klibrary \[#*-*\] +\d+% [\d,]+\/[\d,]+ files {2}\d+ files\/s {2}ETA \d+:\d\d$/);
    }
    assert.equal(written[0], '\r\x1b[Klibrary [####--------------------]  16% 1,600/10,000 files  800 files/s  ETA 0:11');
    assert.equal(written.at(-1), '\r\x1b[Klibrary scan done: 10,000 tracks, 10,000 files in 12.5 s (800 files/s)\n');
  });

  test('without a TTY: a plain line every few seconds, then a summary', () => {
    const written = run(false, long);
    assert.deepEqual(written, [
      'library scan: 1,600/10,000 files  800 files/s  ETA 0:11\n',
      'library scan: 6,400/10,000 files  800 files/s  ETA 0:05\n',
      'library scan done: 10,000 tracks, 10,000 files in 12.5 s (800 files/s)\n',
    ]);
  });

  test('a short scan (an unchanged restart) prints nothing', () => {
    for (const isTTY of [true, false]) {
      assert.deepEqual(run(isTTY, [[0, scanning(0, 0)], [300, scanning(5000, 10_000)], [800, finished(10_000)]]), []);
    }
  });

  test('each scan is reported on its own', () => {
    const written = run(false, [...long, [20_000, scanning(0, 0)], [20_500, finished(10)]]);
    assert.equal(written.length, 3);
  });
});
