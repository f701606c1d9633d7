/**
 * A minimal MPEG-4 audio (m4a) writer (ISO/IEC 14496-12 boxes, iTunes-style `ilst` tags):
 * one AAC track header with its duration and tags, no samples. Enough for tag reading and
 * streaming tests, not for playback.
 */

export interface M4aFields {
  title?: string;
  artist?: string;
  album?: string;
  trackNumber?: number;
}

function box(type: string, ...children: Buffer[]): Buffer {
  const body = Buffer.concat(children);
  const header = Buffer.alloc(8);
  header.writeUInt32BE(8 + body.length, 0);
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, body]);
}

function fullBox(type: string, version: number, flags: number, ...children: Buffer[]): Buffer {
  const vf = Buffer.alloc(4);
  vf.writeUInt32BE(((version & 0xff) << 24) | (flags & 0xffffff));
  return box(type, vf, ...children);
}

function u32s(...values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, i * 4));
  return b;
}

const UNITY_MATRIX = u32s(0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000);

function textItem(type: string, value: string): Buffer {
  // data box: type 1 = UTF-8, locale 0
  return box(type, box('data', u32s(1, 0), Buffer.from(value, 'utf8')));
}

export function m4aFile(seconds: number, fields: M4aFields = {}, sampleRate = 44_100): Buffer {
  const duration = Math.round(seconds * sampleRate);
  const mvhd = fullBox('mvhd', 0, 0, u32s(0, 0, sampleRate, duration, 0x10000), Buffer.from([1, 0, 0, 0]), Buffer.alloc(8), UNITY_MATRIX, Buffer.alloc(24), u32s(2));
  const tkhd = fullBox('tkhd', 0, 7, u32s(0, 0, 1, 0, duration), Buffer.alloc(8), Buffer.from([0, 0, 0, 0, 1, 0, 0, 0]), UNITY_MATRIX, u32s(0, 0));
  const mdhd = fullBox('mdhd', 0, 0, u32s(0, 0, sampleRate, duration), Buffer.from([0x55, 0xc4, 0, 0]));
  const hdlr = fullBox('hdlr', 0, 0, u32s(0), Buffer.from('soun', 'latin1'), Buffer.alloc(12), Buffer.from('SoundHandler\0', 'latin1'));
  const mp4a = Buffer.alloc(28);
  mp4a.writeUInt16BE(1, 6); // data reference index
  mp4a.writeUInt16BE(2, 16); // channels
  mp4a.writeUInt16BE(16, 18); // sample size
  mp4a.writeUInt32BE(sampleRate * 0x10000, 24); // 16.16 fixed point
  const stbl = box(
    'stbl',
    fullBox('stsd', 0, 0, u32s(1), box('mp4a', mp4a)),
    fullBox('stts', 0, 0, u32s(0)),
    fullBox('stsc', 0, 0, u32s(0)),
    fullBox('stsz', 0, 0, u32s(0, 0)),
    fullBox('stco', 0, 0, u32s(0)),
  );
  const minf = box('minf', fullBox('smhd', 0, 0, u32s(0)), box('dinf', fullBox('dref', 0, 0, u32s(1), fullBox('url ', 0, 1))), stbl);
  const trak = box('trak', tkhd, box('mdia', mdhd, hdlr, minf));

  const items: Buffer[] = [];
  if (fields.title !== undefined) items.push(textItem('\xa9nam', fields.title));
  if (fields.artist !== undefined) items.push(textItem('\xa9ART', fields.artist));
  if (fields.album !== undefined) items.push(textItem('\xa9alb', fields.album));
  if (fields.trackNumber !== undefined) {
    const trkn = Buffer.alloc(8);
    trkn.writeUInt16BE(fields.trackNumber, 2);
    items.push(box('trkn', box('data', u32s(0, 0), trkn)));
  }
  const metaHdlr = fullBox('hdlr', 0, 0, u32s(0), Buffer.from('mdir', 'latin1'), Buffer.from('appl', 'latin1'), Buffer.alloc(9));
  const udta = box('udta', fullBox('meta', 0, 0, metaHdlr, box('ilst', ...items)));

  const ftyp = box('ftyp', Buffer.from('M4A ', 'latin1'), u32s(0), Buffer.from('M4A mp42isom', 'latin1'));
  return Buffer.concat([ftyp, box('moov', mvhd, trak, udta), box('mdat')]);
}
