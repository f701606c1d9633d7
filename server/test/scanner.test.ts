import assert from 'node:assert/strict';
import { appendFile, rename, rm, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { Catalog } from '../src/library/catalog.js';
import { scanLibrary } from '../src/library/scanner.js';
import { createFixtureLibrary, type FixtureLibrary } from './fixtures/library.js';

function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { log, lines };
}

describe('scanLibrary', () => {
  let fixture: FixtureLibrary;
  before(async () => {
    fixture = await createFixtureLibrary({ hourLong: false });
  });
  after(() => fixture.cleanup());

  test('reads every audio track and logs the unreadable ones', async () => {
    const catalog = new Catalog();
    const { log, lines } = capturingLogger();
    const result = await scanLibrary(fixture.root, catalog, { log });
    assert.equal(catalog.size, fixture.tracks.length);
    assert.equal(result.read, fixture.tracks.length);
    const skipped = lines.filter((l) => l.msg === 'skipped unreadable audio file').map((l) => l.path).sort();
    assert.deepEqual(skipped, ['Broken/corrupt.mp3', 'Broken/empty.mp3']);
    assert.equal(result.skipped, 2);
  });

  test('a rescan of an unchanged folder reads no tags; changes are picked up', async () => {
    const catalog = new Catalog();
    const { log } = capturingLogger();
    await scanLibrary(fixture.root, catalog, { log });
    const unchanged = await scanLibrary(fixture.root, catalog, { log });
    assert.equal(unchanged.read, 0);
    assert.equal(unchanged.removed, 0);
    assert.equal(catalog.size, fixture.tracks.length);

    const untagged = join(fixture.root, 'Loose/untagged track.mp3');
    await appendFile(untagged, Buffer.alloc(96));
    await utimes(untagged, new Date(), new Date(Date.now() + 5000));
    await rename(join(fixture.root, 'Formats/tone.wav'), join(fixture.root, 'Formats/renamed tone.wav'));
    await rm(join(fixture.root, 'Formats/apple.m4a'));
    const changed = await scanLibrary(fixture.root, catalog, { log });
    assert.equal(changed.read, 2, 'the modified and the renamed file are read again');
    assert.equal(changed.removed, 2, 'the old name of the renamed file and the deleted file are gone');
    const titles = [...catalog.records()].map((r) => r.title);
    assert.ok(titles.includes('renamed tone'));
    assert.ok(!titles.includes('Apple'));
  });

  test('scans read tags with bounded concurrency', async () => {
    const catalog = new Catalog();
    const { log } = capturingLogger();
    let inFlightMax = 0;
    // Progress is reported as each read starts and ends: `reading` is the number in flight.
    await scanLibrary(fixture.root, catalog, {
      log,
      concurrency: 2,
      onProgress: (p) => {
        inFlightMax = Math.max(inFlightMax, p.reading);
      },
    });
    assert.equal(inFlightMax, 2, `exactly 2 reads in flight at most, saw ${inFlightMax}`);
  });
});
