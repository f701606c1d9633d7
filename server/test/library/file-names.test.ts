/**
 * A file whose name is not valid UTF-8 (an old Latin-1 rip) cannot be opened by the string
 * Node decodes its name to: the scan says so once, by name, and not on every rescan, and
 * `GET /api/unplayable` lists it with the reason until it is renamed.
 */
import assert from 'node:assert/strict';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { BAD_NAME_MESSAGE } from '../../src/library/scanner.js';
import { LibraryService } from '../../src/library/service.js';
import { listenOnLoopback } from '../fixtures/app.js';
import { capturingLogger, mp3, tempLibrary, type TempLibrary } from './helpers.js';

describe('file names that are not valid UTF-8', () => {
  let lib: TempLibrary;
  let service: LibraryService | undefined;

  beforeEach(async () => {
    lib = await tempLibrary();
    await lib.put('Band/Record/1.mp3', mp3({ title: 'Song 1', artist: 'Band', album: 'Record', track: '1' }));
    // "café.mp3" in Latin-1: the byte E9 alone is not UTF-8. A Buffer path writes the bytes as they are.
    await writeFile(Buffer.concat([Buffer.from(join(lib.root, 'Band/Record/')), Buffer.from('caf\xe9.mp3', 'latin1')]), mp3({ title: 'Cafe' }));
  });
  afterEach(async () => {
    await service?.close();
    await lib.cleanup();
  });

  test('are reported once, by their lossily decoded name, not as read errors on every scan', async () => {
    const { log, lines } = capturingLogger();
    service = new LibraryService(lib.root, log, { dataDir: lib.dataDir, watch: false, rescanIntervalMs: 0 });
    await service.start();
    await service.scan();
    await service.scan();
    const reported = lines.filter((l) => l.msg === BAD_NAME_MESSAGE);
    assert.deepEqual(
      reported.map((l) => [l.level, l.path]),
      [[40, 'Band/Record/caf\uFFFD.mp3']],
    );
    assert.ok(!lines.some((l) => l.msg === 'could not read folder entry'), 'not a read error');
    assert.deepEqual([...service.catalog.records()].map((r) => r.title), ['Song 1'], 'not listed as a track that cannot play');
  });

  test('are listed with the reason by GET /api/unplayable, beside corrupt files, until renamed', async () => {
    await lib.put('Band/Record/broken.mp3', Buffer.from('this is not audio at all, just text in an .mp3 file'));
    const { app, base } = await listenOnLoopback(lib.root, {}, { dataDir: lib.dataDir, rescanIntervalSec: 0 });
    try {
      const list = async () => (await (await fetch(`${base}/api/unplayable`)).json()) as { total: number; files: { path: string; reason: string }[] };
      const before = await list();
      assert.equal(before.total, 2);
      const byPath = new Map(before.files.map((f) => [f.path, f.reason]));
      assert.equal(byPath.get('Band/Record/caf\uFFFD.mp3'), BAD_NAME_MESSAGE);
      assert.ok(byPath.get('Band/Record/broken.mp3'), 'the corrupt file, with its reason');
      // Renamed to a UTF-8 name: a track, and no longer unplayable.
      await rename(Buffer.concat([Buffer.from(join(lib.root, 'Band/Record/')), Buffer.from('caf\xe9.mp3', 'latin1')]), join(lib.root, 'Band/Record/café.mp3'));
      await app.library.scan();
      const after = await list();
      assert.deepEqual(after.files.map((f) => f.path), ['Band/Record/broken.mp3']);
      assert.ok(app.library.catalog.tracks().some((t) => t.title === 'Cafe'));
    } finally {
      await app.close();
    }
  });
});
