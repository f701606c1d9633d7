/**
 * The library service with real files: the index survives restarts without re-reading tags, a
 * corrupt index means a rescan, the watcher picks up added, changed, moved and deleted files
 * and folders, the periodic check covers filesystems without events, and exact durations are
 * computed in the background.
 */
import assert from 'node:assert/strict';
import { mkdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { INDEX_FILE } from '../../src/library/index-store.js';
import { LibraryService, type LibraryServiceOptions } from '../../src/library/service.js';
import { FRAME_SECONDS, framesFor, id3v2Tag, vbrStreamWithoutHeader } from '../../synth/index.js';
import { capturingLogger, inotifyWatches, libraryServices, mp3, tempLibrary, waitFor } from './helpers.js';

describe('LibraryService', () => {
  const h = libraryServices(5);
  const open = (options: LibraryServiceOptions = {}) => h.open(options);
  const titles = (service: LibraryService) => new Set([...service.catalog.records()].map((r) => r.title));
  const byPath = (service: LibraryService, path: string) => [...service.catalog.records()].find((r) => r.path === path);

  test('a restart over an unchanged library reads no tags', async () => {
    const file = join(h.lib.root, 'Band/Record/1.mp3');
    const mtime = new Date('2024-01-02T03:04:05Z'); // whole seconds: restorable exactly
    await utimes(file, mtime, mtime);
    const first = open().service;
    assert.equal((await first.start()).read, 5);
    await first.close();

    // Same size, same mtime, different tag: only a tag read would notice.
    await writeFile(file, mp3({ title: 'Gong 1', artist: 'Band', album: 'Record', track: '1' }));
    await utimes(file, mtime, mtime);

    const second = open().service;
    const result = await second.start();
    assert.equal(result.read, 0, 'no tags read');
    assert.equal(second.catalog.size, 5);
    assert.ok(titles(second).has('Song 1'), 'the record came from the index');
    await second.close();

    // A changed mtime is a change: that file, and only it, is read again.
    await utimes(file, mtime, new Date(mtime.getTime() + 5000));
    const third = open().service;
    assert.equal((await third.start()).read, 1);
    assert.ok(titles(third).has('Gong 1'));
  });

  test('a corrupt index is logged and the folder rescanned', async () => {
    const first = open().service;
    await first.start();
    await first.close();
    await writeFile(join(h.lib.dataDir, INDEX_FILE), '{"format":"musicsharer-library-index","version":1,"root":"x","tracks":3,"folders":0}\n{"id":');
    const { service, lines } = open();
    assert.equal((await service.start()).read, 5);
    assert.ok(lines.some((l) => l.msg === 'library index unreadable: rescanning the whole folder'));
    assert.equal(service.catalog.size, 5);
  });

  test('an index of another folder is not used', async () => {
    const first = open().service;
    await first.start();
    await first.close();
    const other = await tempLibrary();
    const { log, lines } = capturingLogger();
    const service = new LibraryService(other.root, log, { dataDir: h.lib.dataDir, watch: false, rescanIntervalMs: 0 });
    try {
      await other.put('x.mp3', mp3({ title: 'Elsewhere' }));
      await service.start();
      assert.deepEqual([...titles(service)], ['Elsewhere']);
      assert.ok(lines.some((l) => l.msg === 'library index is for another folder: rescanning'));
    } finally {
      await service.close();
      await other.cleanup();
    }
  });

  test('without a data folder nothing is written, and it still works', async () => {
    const { log } = capturingLogger();
    const service = new LibraryService(h.lib.root, log, { watch: false, rescanIntervalMs: 0 });
    try {
      assert.equal((await service.start()).read, 5);
      await assert.rejects(stat(h.lib.dataDir), { code: 'ENOENT' });
    } finally {
      await service.close();
    }
  });

  test('files and folders added, changed, moved and deleted while running appear without a restart', async () => {
    const { service } = open({ watch: true, debounceMs: 100 });
    const changes: number[] = [];
    service.on('changed', ({ trackCount }) => changes.push(trackCount));
    await service.start();

    // Added: a file in a known folder, then a whole new album folder.
    await h.lib.put('Band/Record/6.mp3', mp3({ title: 'Song 6', artist: 'Band', album: 'Record' }));
    await waitFor('an added file', () => titles(service).has('Song 6'));
    await h.lib.put('Band/Second/1.mp3', mp3({ title: 'New Album Song', artist: 'Band', album: 'Second' }));
    await waitFor('a new folder', () => titles(service).has('New Album Song'));
    // The new folder is watched too.
    await h.lib.put('Band/Second/2.mp3', mp3({ title: 'Later Song', artist: 'Band', album: 'Second' }));
    await waitFor('a file in the new folder', () => titles(service).has('Later Song'));

    // Changed: new tags.
    await h.lib.put('Band/Record/2.mp3', mp3({ title: 'Song 2 (remastered)', artist: 'Band', album: 'Record' }, 2));
    await waitFor('a changed file', () => titles(service).has('Song 2 (remastered)') && !titles(service).has('Song 2'));

    // Moved: a file renamed, then a folder renamed.
    await rename(join(h.lib.root, 'Band/Record/3.mp3'), join(h.lib.root, 'Band/Record/03 renamed.mp3'));
    await waitFor('a renamed file', () => byPath(service, 'Band/Record/03 renamed.mp3') && !byPath(service, 'Band/Record/3.mp3'));
    await rename(join(h.lib.root, 'Band/Second'), join(h.lib.root, 'Band/Sophomore'));
    await waitFor('a renamed folder', () => byPath(service, 'Band/Sophomore/1.mp3') && !byPath(service, 'Band/Second/1.mp3'));
    await h.lib.put('Band/Sophomore/3.mp3', mp3({ title: 'In The Moved Folder', artist: 'Band', album: 'Second' }));
    await waitFor('a file in the moved folder', () => titles(service).has('In The Moved Folder'));

    // Deleted: a file, then a folder with everything in it.
    await rm(join(h.lib.root, 'Band/Record/4.mp3'));
    await waitFor('a deleted file', () => !titles(service).has('Song 4'));
    await rm(join(h.lib.root, 'Band/Sophomore'), { recursive: true });
    await waitFor('a deleted folder', () => ![...service.catalog.records()].some((r) => r.path.startsWith('Band/Sophomore/')));

    assert.deepEqual([...titles(service)].sort(), ['Song 1', 'Song 2 (remastered)', 'Song 3', 'Song 5', 'Song 6']);
    assert.ok(changes.length >= 8, `clients were told about each change (${changes.length} events)`);
    assert.equal(changes.at(-1), 5);

    // The index on disk follows.
    await service.flush();
    const restarted = open().service;
    await restarted.start();
    assert.deepEqual([...titles(restarted)].sort(), [...titles(service)].sort());
  });

  test('a folder deleted and made again, and the media folder itself (a disk remounted), stay watched', async () => {
    const { service, lines } = open({ watch: true, debounceMs: 100 });
    await service.start();

    // An album folder replaced by a new one of the same name: the new one is watched.
    await rm(join(h.lib.root, 'Band/Record'), { recursive: true });
    await h.lib.put('Band/Record/1.mp3', mp3({ title: 'Reissue 1', artist: 'Band', album: 'Record' }));
    await waitFor('the new folder listed', () => titles(service).has('Reissue 1') && !titles(service).has('Song 2'));
    await h.lib.put('Band/Record/2.mp3', mp3({ title: 'Reissue 2', artist: 'Band', album: 'Record' }));
    await waitFor('a file added to the new folder', () => titles(service).has('Reissue 2'));

    // The media folder itself goes away (unplugged, deleted): the library is kept meanwhile.
    await rm(h.lib.root, { recursive: true });
    await waitFor('the loss noticed', () => lines.some((line) => String(line.msg).includes('the media folder is gone')));
    assert.ok(titles(service).has('Reissue 1'), 'the library is kept while the folder is away');
    // It comes back, with other music: rescanned, and watched again.
    await h.lib.put('Back/Again/1.mp3', mp3({ title: 'Back Again', artist: 'Back', album: 'Again' }));
    await waitFor('the media folder back', () => titles(service).has('Back Again') && !titles(service).has('Reissue 1'), 8000);
    await h.lib.put('Back/Again/2.mp3', mp3({ title: 'Still Watched', artist: 'Back', album: 'Again' }));
    await waitFor('a file added after it came back', () => titles(service).has('Still Watched'));
    // An absent folder is a warning (once), not a stream of errors.
    assert.deepEqual(lines.filter((line) => Number(line.level) >= 50).map((line) => line.msg), []);
    assert.equal(lines.filter((line) => String(line.msg).includes('the media folder is gone')).length, 1);
  });

  test('without events, the periodic check finds changes', async () => {
    const { service } = open({ watch: false, rescanIntervalMs: 200 });
    await service.start();
    await h.lib.put('Band/Record/7.mp3', mp3({ title: 'Found By Polling' }));
    await rm(join(h.lib.root, 'Band/Record/5.mp3'));
    await waitFor('the periodic check', () => titles(service).has('Found By Polling') && !titles(service).has('Song 5'));
  });

  test('VBR MP3s without a Xing header get an exact duration after the scan', async () => {
    const frames = framesFor(6);
    await h.lib.put('Vbr/no-header.mp3', Buffer.concat([id3v2Tag({ title: 'Headerless', artist: 'V', album: 'Vbr' }), vbrStreamWithoutHeader(6)]));
    const { service } = open();
    const changes: number[] = [];
    service.on('changed', ({ trackCount }) => changes.push(trackCount));
    await service.start();
    const record = () => [...service.catalog.records()].find((r) => r.title === 'Headerless')!;
    const refined = await waitFor('the exact duration', () => (record().estimatedDuration ? undefined : record()));
    assert.ok(Math.abs(refined.duration! - frames * FRAME_SECONDS) < 1e-6, `duration ${refined.duration}`);
    // CBR files without a header are counted too, and keep their (already right) duration.
    await waitFor('all counted', () => ![...service.catalog.records()].some((r) => r.estimatedDuration));
    const cbr = byPath(service, 'Band/Record/1.mp3')!;
    assert.ok(Math.abs(cbr.duration! - framesFor(1) * FRAME_SECONDS) < 1e-6);
    await waitFor('clients told', () => changes.length >= 2);

    // Saved: a restart neither reads tags nor counts frames again.
    await service.close();
    const again = open().service;
    assert.equal((await again.start()).read, 0);
    const reloaded = [...again.catalog.records()].find((r) => r.title === 'Headerless')!;
    assert.equal(reloaded.estimatedDuration, undefined);
    assert.equal(reloaded.duration, refined.duration);
  });

  test('progress events are throttled to at most 4 a second, first and last always sent', async () => {
    for (let i = 0; i < 300; i++) await h.lib.put(`Many/${Math.floor(i / 20)}/${i}.mp3`, mp3({ title: `Many ${i}` }, 0.1));
    const { service } = open({ exactDurations: false });
    const events: Array<{ at: number; scanning: boolean }> = [];
    service.on('progress', (status) => events.push({ at: Date.now(), scanning: status.scanning }));
    const started = Date.now();
    await service.start();
    const elapsed = Date.now() - started;
    assert.equal(events[0]?.scanning, true);
    assert.equal(events.at(-1)?.scanning, false);
    const middle = events.slice(1, -1);
    for (let i = 1; i < middle.length; i++) assert.ok(middle[i]!.at - middle[i - 1]!.at >= 250, 'spaced by 250 ms');
    assert.ok(middle.length <= Math.floor(elapsed / 250) + 1, `${middle.length} events in ${elapsed} ms`);
    assert.equal(service.status.trackCount, 305);
  });

  test('close stops the watcher and saves the index', async (t) => {
    const before = await inotifyWatches();
    const { service } = open({ watch: true, debounceMs: 100, rescanIntervalMs: 60_000 });
    await service.start();
    await h.lib.put('Band/Record/8.mp3', mp3({ title: 'Seen While Open' }));
    await waitFor('a change while open', () => titles(service).has('Seen While Open'));
    await service.close();
    assert.match(await readFile(join(h.lib.dataDir, INDEX_FILE), 'utf8'), /Seen While Open/);
    // Changes after close are not picked up (and nothing throws).
    await mkdir(join(h.lib.root, 'After'), { recursive: true });
    await h.lib.put('After/x.mp3', mp3({ title: 'Too Late' }));
    await new Promise((resolve) => setTimeout(resolve, 500)); // five times the debounce
    assert.ok(!titles(service).has('Too Late'));
    // Every folder watch is gone, as the kernel counts them.
    const after = await inotifyWatches();
    if (before === undefined || after === undefined) {
      // CI runs on Linux, where /proc shows inotify watches: there the check must run.
      assert.ok(!/^(1|true)$/i.test(process.env.CI ?? ''), 'no inotify watches in /proc: the watcher check cannot run');
      return t.skip('no inotify in /proc on this system');
    }
    assert.equal(after, before);
  });
});
