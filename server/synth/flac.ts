/**
 * A minimal FLAC file writer (xiph.org/flac/format.html): STREAMINFO and a Vorbis comment
 * block. No audio frames: enough for tag reading and streaming tests, not for playback.
 */

export interface FlacFields {
  title?: string;
  artist?: string;
  album?: string;
  trackNumber?: string;
}

function metadataBlock(type: number, body: Buffer, last: boolean): Buffer {
  const header = Buffer.alloc(4);
  header[0] = (last ? 0x80 : 0) | type;
  header.writeUIntBE(body.length, 1, 3);
  return Buffer.concat([header, body]);
}

function streamInfo(seconds: number, sampleRate: number): Buffer {
  const info = Buffer.alloc(34);
  info.writeUInt16BE(4096, 0); // min block size
  info.writeUInt16BE(4096, 2); // max block size
  const totalSamples = BigInt(Math.round(seconds * sampleRate));
  // sample rate (20 bits) | channels-1 (3) | bits per sample-1 (5) | total samples (36)
  const packed = (BigInt(sampleRate) << 44n) | (0n << 41n) | (15n << 36n) | totalSamples;
  info.writeBigUInt64BE(packed, 10);
  return info; // MD5 left zero: "not computed"
}

function vorbisComment(fields: FlacFields): Buffer {
  const comments = Object.entries({
    TITLE: fields.title,
    ARTIST: fields.artist,
    ALBUM: fields.album,
    TRACKNUMBER: fields.trackNumber,
  })
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([key, value]) => Buffer.from(`${key}=${value}`, 'utf8'));
  const vendor = Buffer.from('musicsharer', 'utf8');
  const parts: Buffer[] = [];
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    return b;
  };
  parts.push(u32(vendor.length), vendor, u32(comments.length));
  for (const comment of comments) parts.push(u32(comment.length), comment);
  return Buffer.concat(parts);
}

export function flacFile(seconds: number, fields: FlacFields = {}, sampleRate = 44_100): Buffer {
  return Buffer.concat([
    Buffer.from('fLaC', 'latin1'),
    metadataBlock(0, streamInfo(seconds, sampleRate), false),
    metadataBlock(4, vorbisComment(fields), true),
  ]);
}
