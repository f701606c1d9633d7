/** Frame-header parsing and frame counting, byte by byte. */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Mp3FrameCounter, exactMp3Duration, id3v2Size, isInfoFrame, parseFrameHeader, trailingTagsSize } from '../../src/library/mp3-duration.js';
import { FRAME_SECONDS, cbrStream, framesFor, id3v2Tag, silentFrame, vbrStream, vbrStreamWithoutHeader } from '../../synth/index.js';

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');

function count(bytes: Buffer, chunkSizes: number[] = [bytes.length]) {
  const counter = new Mp3FrameCounter();
  let offset = 0;
  for (let i = 0; offset < bytes.length; i++) {
    const size = chunkSizes[i % chunkSizes.length]!;
    counter.push(bytes.subarray(offset, offset + size));
    offset += size;
  }
  return counter.end();
}

describe('parseFrameHeader', () => {
  for (const [name, bytes, expected] of [
    // FF FB 90 64: MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, no padding, joint stereo
    ['MPEG-1 L3 128k 44.1k', 'FFFB9064', { version: 1, layer: 3, bitrate: 128_000, sampleRate: 44_100, length: 417, samples: 1152, crc: false, mono: false }],
    // padding bit set: one byte more
    ['MPEG-1 L3 128k 44.1k padded', 'FFFB9264', { version: 1, layer: 3, bitrate: 128_000, sampleRate: 44_100, length: 418, samples: 1152, crc: false, mono: false }],
    // FF FB 14 C0: our synth frames (32 kbit/s, 48 kHz, mono)
    ['MPEG-1 L3 32k 48k mono', 'FFFB14C0', { version: 1, layer: 3, bitrate: 32_000, sampleRate: 48_000, length: 96, samples: 1152, crc: false, mono: true }],
    // FF F3 80 C4: MPEG-2 Layer III, 64 kbit/s, 22.05 kHz, no CRC, mono: 576 samples, 72*64000/22050 = 208
    ['MPEG-2 L3 64k 22.05k', 'FFF380C4', { version: 2, layer: 3, bitrate: 64_000, sampleRate: 22_050, length: 208, samples: 576, crc: false, mono: true }],
    // FF E3 ...: MPEG-2.5 Layer III, 8 kbit/s, 11.025 kHz: 72*8000/11025 = 52
    ['MPEG-2.5 L3 8k 11.025k', 'FFE31000', { version: 2.5, layer: 3, bitrate: 8_000, sampleRate: 11_025, length: 52, samples: 576, crc: false, mono: false }],
    // FF FD: MPEG-1 Layer II with CRC: 144*192000/48000 = 576
    ['MPEG-1 L2 192k 48k CRC', 'FFFCA400', { version: 1, layer: 2, bitrate: 192_000, sampleRate: 48_000, length: 576, samples: 1152, crc: true, mono: false }],
    // FF FF: MPEG-1 Layer I 384k 44.1k: (12*384000/44100)*4 = 104*4 = 416
    ['MPEG-1 L1 384k 44.1k', 'FFFFC000', { version: 1, layer: 1, bitrate: 384_000, sampleRate: 44_100, length: 416, samples: 384, crc: false, mono: false }],
  ] as const) {
    test(name, () => assert.deepEqual(parseFrameHeader(hex(bytes)), expected));
  }

  for (const [name, bytes] of [
    ['no sync', 'FF7B9064'],
    ['reserved version', 'FFEB9064'],
    ['reserved layer', 'FFF99064'],
    ['free-format bitrate', 'FFFB0064'],
    ['bad bitrate index', 'FFFBF064'],
    ['reserved sample rate', 'FFFB9C64'],
    ['reserved emphasis', 'FFFB9066'],
    ['too short', 'FFFB90'],
  ] as const) {
    test(`rejects ${name}`, () => assert.equal(parseFrameHeader(hex(bytes)), null));
  }

  test('matches the synth frames at every bitrate', () => {
    for (const kbps of [32, 64, 128, 320]) {
      const frame = silentFrame(kbps);
      const header = parseFrameHeader(frame)!;
      assert.equal(header.length, frame.length, `${kbps}k`);
      assert.equal(header.bitrate, kbps * 1000);
    }
  });
});

describe('Mp3FrameCounter', () => {
  const stream = vbrStreamWithoutHeader(6);
  const frames = framesFor(6);

  test('counts every frame of a VBR stream without a header', () => {
    const result = count(stream)!;
    assert.equal(result.frames, frames);
    assert.equal(result.samples, frames * 1152);
    assert.equal(result.sampleRate, 48_000);
    assert.ok(Math.abs(result.seconds - frames * FRAME_SECONDS) < 1e-9);
    assert.equal(result.audioBytes, stream.length);
  });

  test('the count does not depend on how the bytes are chopped', () => {
    for (const sizes of [[1], [3], [4], [5, 7], [95, 96, 97], [1000], [4096]]) {
      assert.equal(count(stream, sizes)?.frames, frames, `chunks of ${sizes.join(',')}`);
    }
  });

  test('a Xing header frame is not audio', () => {
    const withXing = vbrStream(6);
    assert.ok(isInfoFrame(withXing, 0, parseFrameHeader(withXing)!));
    assert.equal(count(withXing)?.frames, frames);
    assert.equal(count(withXing, [7])?.frames, frames);
  });

  test('junk before the audio and between frames is skipped', () => {
    const junk = Buffer.from('garbage \xff\xfb\x00 not a frame', 'latin1');
    const a = cbrStream(1);
    const b = cbrStream(1, 64);
    const result = count(Buffer.concat([junk, a, junk, b]), [13]);
    assert.equal(result?.frames, framesFor(1) * 2);
  });

  test('a frame cut short at the end does not count', () => {
    const cut = stream.subarray(0, stream.length - 10);
    assert.equal(count(cut)?.frames, frames - 1);
    assert.equal(count(cut, [64])?.frames, frames - 1);
  });

  test('no frames: null', () => {
    assert.equal(count(Buffer.from('no audio here at all')), null);
    assert.equal(count(Buffer.alloc(0)), null);
    // A lone header with nothing after it is not trusted.
    assert.equal(count(hex('FFFB9064')), null);
  });
});

describe('tags around the audio', () => {
  test('id3v2Size reads the synchsafe size and the footer flag', () => {
    assert.equal(id3v2Size(hex('494433 0400 00 00000101')), 10 + 129);
    assert.equal(id3v2Size(hex('494433 0400 10 00000101')), 10 + 129 + 10);
    assert.equal(id3v2Size(hex('494433 0400 00 00008001')), 0, 'not synchsafe');
    assert.equal(id3v2Size(hex('FFFB9064 00000000 0000')), 0);
    const tag = id3v2Tag({ title: 'x' });
    assert.equal(id3v2Size(tag), tag.length);
  });

  const id3v1 = Buffer.concat([Buffer.from('TAG', 'latin1'), Buffer.alloc(125)]);
  function apeTag(withHeader: boolean): Buffer {
    const items = Buffer.from('some APE items');
    const block = (isHeader: boolean) => {
      const b = Buffer.alloc(32);
      b.write('APETAGEX', 0, 'latin1');
      b.writeUInt32LE(2000, 8);
      b.writeUInt32LE(items.length + 32, 12);
      b.writeUInt32LE(1, 16);
      b.writeUInt32LE(((withHeader ? 0x8000_0000 : 0) | (isHeader ? 0x2000_0000 : 0)) >>> 0, 20);
      return b;
    };
    return Buffer.concat([...(withHeader ? [block(true)] : []), items, block(false)]);
  }

  test('trailingTagsSize finds ID3v1, APEv2 (with and without header) and Lyrics3v2', () => {
    const audio = cbrStream(0.2);
    assert.equal(trailingTagsSize(audio), 0);
    assert.equal(trailingTagsSize(Buffer.concat([audio, id3v1])), 128);
    assert.equal(trailingTagsSize(Buffer.concat([audio, apeTag(true)])), apeTag(true).length);
    assert.equal(trailingTagsSize(Buffer.concat([audio, apeTag(false), id3v1])), apeTag(false).length + 128);
    const lyrics = Buffer.from('LYRICSBEGINsome words', 'latin1');
    const lyrics3 = Buffer.concat([lyrics, Buffer.from(`${String(lyrics.length).padStart(6, '0')}LYRICS200`, 'latin1')]);
    assert.equal(trailingTagsSize(Buffer.concat([audio, apeTag(true), lyrics3, id3v1])), apeTag(true).length + lyrics3.length + 128);
  });

  describe('exactMp3Duration on files', () => {
    let dir: string;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'musicsharer-mp3dur-'));
    });
    after(() => rm(dir, { recursive: true, force: true }));

    test('skips ID3v2 at the start and APEv2 + ID3v1 at the end', async () => {
      // The tags hold bytes that look like frame syncs: counting them would be wrong.
      const fakeSync = Buffer.concat([silentFrame(32), silentFrame(32)]);
      const picture = { mime: 'image/jpeg', data: fakeSync };
      const file = join(dir, 'tagged.mp3');
      await writeFile(file, Buffer.concat([id3v2Tag({ title: 'T', picture }), id3v2Tag({ album: 'second tag' }), vbrStreamWithoutHeader(6), apeTag(true), id3v1]));
      const result = await exactMp3Duration(file);
      assert.equal(result?.frames, framesFor(6));
      assert.ok(Math.abs(result!.seconds - framesFor(6) * FRAME_SECONDS) < 1e-9);
    });

    test('a long file in many chunks', async () => {
      const file = join(dir, 'long.mp3');
      await writeFile(file, vbrStreamWithoutHeader(600)); // ~5 MB: crosses many read chunks
      assert.equal((await exactMp3Duration(file))?.frames, framesFor(600));
    });

    test('not MPEG audio: null', async () => {
      const file = join(dir, 'text.mp3');
      await writeFile(file, 'just some text'.repeat(100));
      assert.equal(await exactMp3Duration(file), null);
    });
  });
});
