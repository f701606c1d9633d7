/** The ZIP writer read back by yauzl (an independent reader): plain and ZIP64 layouts, exact lengths. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import yauzl from 'yauzl';
import { attachment, safeFileName } from '../../src/http/content-disposition.js';
import { archiveNames } from '../../src/share/download.js';
import { centralDirectory, crcOf, dataDescriptor, localHeader, planZip, type ZipOptions } from '../../src/share/zip-writer.js';

function build(files: { name: string; data: Buffer }[], options: ZipOptions = {}): { zip: Buffer; length: number } {
  const plan = planZip(files.map((f) => ({ name: f.name, size: f.data.length, mtime: new Date(2024, 4, 17, 12, 30, 10) })), options);
  const parts: Buffer[] = [];
  const crcs: number[] = [];
  plan.planned.forEach((p, i) => {
    const crc = crcOf(files[i]!.data, 0);
    crcs.push(crc);
    parts.push(localHeader(p), files[i]!.data, dataDescriptor(p, crc));
  });
  parts.push(centralDirectory(plan, crcs));
  return { zip: Buffer.concat(parts), length: plan.length };
}

/** CRC-32 (IEEE), written here bit by bit: independent of the zlib the writer uses. */
function referenceCrc(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function read(zip: Buffer): Promise<{ name: string; data: Buffer; mtime: Date; crc32: number }[]> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true, strictFileNames: true, validateEntrySizes: true }, (error, file) => {
      if (error) return reject(error);
      const out: { name: string; data: Buffer; mtime: Date; crc32: number }[] = [];
      file.on('entry', (entry: yauzl.Entry) =>
        file.openReadStream(entry, (err, stream) => {
          if (err) return reject(err);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c)).on('error', reject).on('end', () => {
            out.push({ name: entry.fileName, data: Buffer.concat(chunks), mtime: entry.getLastModDate(), crc32: entry.crc32 });
            file.readEntry();
          });
        }),
      );
      file.on('end', () => resolve(out)).on('error', reject);
      file.readEntry();
    });
  });
}

describe('ZIP writer', () => {
  const files = [
    { name: 'Album/01 Ünïcödé.mp3', data: randomBytes(70_000) },
    { name: 'Album/02 empty.mp3', data: Buffer.alloc(0) },
    { name: 'Album/03 small.flac', data: randomBytes(13) },
  ];

  for (const [label, options] of [
    ['stored entries with data descriptors', {}],
    ['ZIP64 fields when sizes and offsets pass the limit', { zip64Limit: 100 }],
  ] as const) {
    test(`${label}: the exact length announced, every file back with its CRC checked`, async () => {
      const { zip, length } = build(files, options);
      assert.equal(zip.length, length);
      const entries = await read(zip);
      assert.deepEqual(entries.map((e) => e.name), files.map((f) => f.name));
      entries.forEach((entry, i) => {
        assert.deepEqual(entry.data, files[i]!.data);
        assert.equal(entry.crc32, referenceCrc(files[i]!.data), 'the CRC-32 in the central directory');
      });
      assert.equal(entries[0]!.mtime.getFullYear(), 2024);
    });
  }

  test('the data descriptor repeats the CRC-32 and sizes', () => {
    const { zip } = build(files);
    const at = 30 + Buffer.byteLength(files[0]!.name) + files[0]!.data.length;
    assert.equal(zip.readUInt32LE(at), 0x08074b50);
    assert.equal(zip.readUInt32LE(at + 4), referenceCrc(files[0]!.data));
    assert.equal(zip.readUInt32LE(at + 8), files[0]!.data.length);
  });
});

describe('download names', () => {
  test('Content-Disposition carries an ASCII fallback and the exact UTF-8 name', () => {
    assert.equal(attachment('Café "Live".zip'), `attachment; filename="Caf_ _Live_.zip"; filename*=UTF-8''Caf%C3%A9%20%22Live%22.zip`);
  });

  test('names lose separators and control characters; duplicates in an archive are numbered', () => {
    assert.equal(safeFileName('AC/DC: Live\u0000', 'x'), 'AC_DC_ Live_');
    assert.equal(safeFileName('..', 'fallback'), 'fallback');
    const names = archiveNames('Box', [
      { path: 'Box/CD1/01.mp3', realPath: '', size: 0, mtimeMs: 0, mimeType: '' },
      { path: 'Box/CD2/01.mp3', realPath: '', size: 0, mtimeMs: 0, mimeType: '' },
    ]);
    assert.deepEqual(names, ['Box/01.mp3', 'Box/01 (2).mp3']);
  });
});
