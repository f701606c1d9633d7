/** The index on disk: round trip, corruption detection, and kill -9 in the middle of a save. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { INDEX_FORMAT, INDEX_VERSION, IndexCorruptError, IndexStore } from '../../src/library/index-store.js';
import { fakeRecord } from './fixtures/records.js';

const writer = fileURLToPath(new URL('./fixtures/index-writer.ts', import.meta.url));

describe('IndexStore', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'musicsharer-index-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('no index yet: undefined', async () => {
    assert.equal(await new IndexStore(join(dir, 'none.ndjson')).load(), undefined);
  });

  test('round trip keeps every field, awkward strings included', async () => {
    const store = new IndexStore(join(dir, 'round.ndjson'));
    const records = Array.from({ length: 2500 }, (_, i) => fakeRecord(i, '/music'));
    const folderImages: Array<[string, string]> = [['A/B', 'cover.jpg'], ['C', 'Folder.PNG']];
    const failed = [{ path: 'A/junk.mp3', size: 4 * 1024 ** 3, mtimeMs: 1700000000123.5, ino: 42, reason: 'no audio found' }];
    await store.save({ root: '/music', records, folderImages, failed });
    const loaded = await store.load();
    assert.deepEqual(loaded, { root: '/music', records, folderImages, failed });
    assert.deepEqual(await readdir(dir).then((names) => names.filter((n) => n.includes('.tmp-'))), [], 'no temporary file left');
  });

  for (const [name, mangle] of [
    ['cut short in the middle of a line', (text: string) => text.slice(0, Math.floor(text.length / 2))],
    ['cut short at a line end', (text: string) => text.split('\n').slice(0, 50).join('\n') + '\n'],
    ['an entry that is not JSON', (text: string) => text.replace('"title"', '"title')],
    ['another format version', (text: string) => text.replace(`"version":${INDEX_VERSION}`, `"version":${INDEX_VERSION + 1}`)],
    ['not an index at all', () => 'hello\n'],
    ['empty', () => ''],
    ['an entry that is not a track', (text: string) => text.replace(/\n\{[^\n]*\n/, '\n{"id":1}\n')],
  ] as const) {
    test(`rejects an index ${name}`, async () => {
      const file = join(dir, `bad-${name.replace(/\W+/g, '-')}.ndjson`);
      const store = new IndexStore(file);
      await store.save({ root: '/music', records: Array.from({ length: 200 }, (_, i) => fakeRecord(i, '/music')), folderImages: [] });
      await writeFile(file, mangle(await readFile(file, 'utf8')));
      await assert.rejects(store.load(), IndexCorruptError);
    });
  }

  test('a version 1 index (no failed files) is still read', async () => {
    const file = join(dir, 'v1.ndjson');
    const records = Array.from({ length: 3 }, (_, i) => fakeRecord(i, '/music'));
    await new IndexStore(file).save({ root: '/music', records, folderImages: [] });
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace(`"version":${INDEX_VERSION}`, '"version":1').replace(/,"failed":0/, ''));
    assert.deepEqual(await new IndexStore(file).load(), { root: '/music', records, folderImages: [], failed: [] });
  });

  test('from a version 2 index, an Ogg record without a duration is left out (the scan reads it again); a version 3 one is kept', async () => {
    const records = [
      fakeRecord(0, '/music'),
      { ...fakeRecord(1, '/music'), mimeType: 'audio/ogg', duration: null },
      { ...fakeRecord(2, '/music'), mimeType: 'audio/ogg', duration: 61.5 },
    ];
    const file = join(dir, 'v2-ogg.ndjson');
    await new IndexStore(file).save({ root: '/music', records, folderImages: [] });
    assert.deepEqual((await new IndexStore(file).load())?.records, records);
    await writeFile(file, (await readFile(file, 'utf8')).replace(`"version":${INDEX_VERSION}`, '"version":2'));
    assert.deepEqual((await new IndexStore(file).load())?.records, [records[0], records[2]]);
  });

  test('the header names the format', async () => {
    const file = join(dir, 'header.ndjson');
    await new IndexStore(file).save({ root: '/m', records: [], folderImages: [] });
    const header = JSON.parse((await readFile(file, 'utf8')).split('\n')[0]!) as Record<string, unknown>;
    assert.equal(header.format, INDEX_FORMAT);
    assert.equal(header.version, INDEX_VERSION);
  });

  test('kill -9 at any moment of a save leaves an index that loads', async () => {
    const base = 6000; // ~2 MB per save: the process spends nearly all its time writing
    let killedMidWrite = 0;
    const rounds = 6;
    for (let round = 0; round < rounds; round++) {
      const file = join(dir, `crash-${round}.ndjson`);
      const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', writer, file, String(base)], { stdio: ['ignore', 'pipe', 'inherit'] });
      const saved: number[] = [];
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
      // Kill after a varying number of completed saves, plus a varying delay into the next one.
      const after = 1 + (round % 3);
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          for (const line of chunk.toString().trim().split('\n')) saved.push(Number(line.split(' ')[1]));
          if (saved.length >= after) resolve();
        });
        child.on('exit', () => reject(new Error('writer exited before it was killed')));
      });
      await new Promise((resolve) => setTimeout(resolve, round * 7));
      const leftovers = () => readdir(dir).then((names) => names.filter((n) => n.startsWith(`crash-${round}.ndjson.tmp-`)));
      child.kill('SIGKILL');
      assert.equal(await exited, 'SIGKILL');
      if ((await leftovers()).length > 0) killedMidWrite++;

      const loaded = await new IndexStore(file).load();
      assert.ok(loaded, 'an index is there');
      assert.ok(loaded.records.length >= base && loaded.records.length < base + 1000, `${loaded.records.length} tracks`);
      assert.ok(saved.includes(loaded.records.length) || loaded.records.length === base + (saved.length % 1000), 'one of the saved versions, whole');
      assert.deepEqual(loaded.records.at(-1), fakeRecord(loaded.records.length - 1, '/music'));
      assert.deepEqual(await leftovers(), [], 'the stray temporary file is removed on load');
    }
    // The test only means something if some kills landed in the middle of a save.
    assert.ok(killedMidWrite > 0, `no kill landed mid-write in ${rounds} rounds`);
  });
});
