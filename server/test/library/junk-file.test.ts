/**
 * A huge junk file (a sparse 4 GB file whose only content is one fake MP3 frame header) must
 * not stall the library: its tag read gives up after a bounded number of bytes, it is logged
 * once, remembered across rescans and restarts until it changes, and an album copied while it
 * sits there appears.
 */
import assert from 'node:assert/strict';
import { mkdir, open, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { TAG_READ_BUDGET_BYTES } from '../../src/library/file-tokenizer.js';
import { exactMp3Duration, MP3_JUNK_BUDGET_BYTES } from '../../src/library/mp3-duration.js';
import type { LibraryServiceOptions } from '../../src/library/service.js';
import { readTrack, UnreadableAudioError } from '../../src/library/tags.js';
import { cbrStream, framesFor } from '../../synth/index.js';
import { inotifyWatches, libraryServices, mp3, waitFor } from './helpers.js';

const JUNK_SIZE = 4 * 1024 ** 3;
/** MPEG-1 Layer III, 128 kbit/s, 44.1 kHz: a valid header, followed by nothing but zeros. */
const FAKE_FRAME_HEADER = Buffer.from('fffb9064', 'hex');

/** A sparse file: `size` bytes on paper, one block on disk. */
async function sparseFile(path: string, head: Buffer, size: number): Promise<void> {
  const handle = await open(path, 'w');
  try {
    await handle.write(head, 0, head.length, 0);
  } finally {
    await handle.close();
  }
  await truncate(path, size);
}

describe('a huge junk file', () => {
  const h = libraryServices(3, { exactDurations: false });
  const openService = (options: LibraryServiceOptions = {}) => h.open(options);
  const skips = (lines: Array<Record<string, unknown>>, path: string) => lines.filter((l) => l.msg === 'skipped unreadable audio file' && l.path === path).length;

  test(`a tag read gives up after ${TAG_READ_BUDGET_BYTES / 1024 ** 2} MiB without audio`, async () => {
    const path = join(h.lib.root, 'junk.mp3');
    await sparseFile(path, FAKE_FRAME_HEADER, JUNK_SIZE);
    await assert.rejects(readTrack({ realPath: path, relPath: 'junk.mp3', size: JUNK_SIZE, mtimeMs: 0, ino: 0, mimeType: 'audio/mpeg' }), UnreadableAudioError);
  });

  test(`the frame count stops after ${MP3_JUNK_BUDGET_BYTES / 1024 ** 2} MiB without a frame`, async () => {
    // One second of audio, then more zeros than the budget, then another second: the second
    // second is not reached (a junk file is not walked to its end).
    const path = join(h.lib.root, 'gap.mp3');
    const audio = cbrStream(1);
    await sparseFile(path, audio, audio.length + MP3_JUNK_BUDGET_BYTES + 1024 * 1024);
    const handle = await open(path, 'r+');
    try {
      await handle.write(audio, 0, audio.length, audio.length + MP3_JUNK_BUDGET_BYTES + 1024 * 1024);
    } finally {
      await handle.close();
    }
    const exact = await exactMp3Duration(path);
    assert.equal(exact?.frames, framesFor(1));
  });

  test('an album copied while it sits in the folder appears; the junk is skipped and logged once, across rescans and restarts', async () => {
    const { service, lines } = openService({ watch: true, debounceMs: 50 });
    await service.start();
    const watches = await inotifyWatches();
    await mkdir(join(h.lib.root, 'Junk'));
    await sparseFile(join(h.lib.root, 'Junk/junk.mp3'), FAKE_FRAME_HEADER, JUNK_SIZE);
    // The folder update that found the junk is under way (it watches the folder once it has
    // listed it, and the junk is being read by then); now an album is copied in.
    if (watches !== undefined) await waitFor('the junk folder to be listed', async () => ((await inotifyWatches()) ?? 0) > watches);
    await h.lib.put('Other/Album/1.mp3', mp3({ title: 'New song', artist: 'Other', album: 'Album', track: '1' }));
    await waitFor('the new album', () => [...service.catalog.records()].some((r) => r.title === 'New song'));
    await waitFor('the junk to be skipped', () => skips(lines, 'Junk/junk.mp3') > 0);

    assert.ok(![...service.catalog.records()].some((r) => r.path === 'Junk/junk.mp3'), 'the junk is not a track');
    assert.equal(skips(lines, 'Junk/junk.mp3'), 1);
    await service.scan();
    assert.equal(skips(lines, 'Junk/junk.mp3'), 1, 'a rescan does not read it again');
    await service.close();

    const restarted = openService();
    await restarted.service.start();
    assert.equal(skips(restarted.lines, 'Junk/junk.mp3'), 0, 'a restart does not read it again (the index remembers it)');
    assert.equal(restarted.service.catalog.size, 4);

    // Changed: read again (and skipped again).
    await truncate(join(h.lib.root, 'Junk/junk.mp3'), JUNK_SIZE - 1);
    await restarted.service.scan();
    assert.equal(skips(restarted.lines, 'Junk/junk.mp3'), 1, 'a changed file is read again');
  });
});
