/**
 * A minimal ID3v2.4 tag writer (id3.org/id3v2.4.0-structure): text frames in UTF-8 and an
 * optional attached picture. Enough to tag fixture and demo tracks.
 */

export interface Id3Fields {
  title?: string;
  artist?: string;
  album?: string;
  albumArtist?: string;
  /** "3" or "3/12" */
  track?: string;
  /** "1" or "1/2" */
  disc?: string;
  year?: string;
  genre?: string;
  picture?: { mime: string; data: Buffer };
}

const TEXT_FRAMES: Record<Exclude<keyof Id3Fields, 'picture'>, string> = {
  title: 'TIT2',
  artist: 'TPE1',
  album: 'TALB',
  albumArtist: 'TPE2',
  track: 'TRCK',
  disc: 'TPOS',
  year: 'TDRC',
  genre: 'TCON',
};

const UTF8 = 0x03;

/** ID3v2 sizes are "synchsafe": 7 bits per byte (§6.2). */
export function synchsafe(size: number): Buffer {
  if (size >= 2 ** 28) throw new RangeError('ID3 size too large');
  return Buffer.from([(size >> 21) & 0x7f, (size >> 14) & 0x7f, (size >> 7) & 0x7f, size & 0x7f]);
}

function frame(id: string, body: Buffer): Buffer {
  const header = Buffer.alloc(10);
  header.write(id, 0, 'latin1');
  synchsafe(body.length).copy(header, 4);
  return Buffer.concat([header, body]);
}

export function id3v2Tag(fields: Id3Fields): Buffer {
  const frames: Buffer[] = [];
  for (const [key, id] of Object.entries(TEXT_FRAMES) as [keyof typeof TEXT_FRAMES, string][]) {
    const value = fields[key];
    if (value !== undefined) frames.push(frame(id, Buffer.concat([Buffer.from([UTF8]), Buffer.from(value, 'utf8')])));
  }
  if (fields.picture) {
    // APIC: encoding, MIME type\0, picture type (3 = front cover), description\0, data (§4.14)
    frames.push(
      frame(
        'APIC',
        Buffer.concat([
          Buffer.from([UTF8]),
          Buffer.from(`${fields.picture.mime}\0`, 'latin1'),
          Buffer.from([0x03]),
          Buffer.from([0x00]),
          fields.picture.data,
        ]),
      ),
    );
  }
  const body = Buffer.concat(frames);
  const header = Buffer.alloc(10);
  header.write('ID3', 0, 'latin1');
  header[3] = 4; // v2.4.0
  header[4] = 0;
  header[5] = 0; // no flags
  synchsafe(body.length).copy(header, 6);
  return Buffer.concat([header, body]);
}
