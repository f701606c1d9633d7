/**
 * Tags -> TrackRecord. `toTrackRecord` is pure (metadata in, record out); `readTrack` does the
 * I/O through music-metadata.
 */
import { apiPaths } from '@musicsharer/shared';
import { parseFromTokenizer, type IAudioMetadata } from 'music-metadata';
import { basename, extname, posix } from 'node:path';
import { HeadCachedFileTokenizer } from './file-tokenizer.js';
import { albumId, artistId, trackId } from './ids.js';
import { oggDuration } from './ogg-duration.js';
import { UNKNOWN_ALBUM, UNKNOWN_ARTIST, type AudioFile, type TrackRecord } from './record.js';

function text(value: string | undefined | null): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

function positiveInt(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : null;
}

function finitePositive(value: number | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : null;
}

/** "03 - Song_Name.mp3" -> "03 - Song_Name": the file name is the best title we have. */
export function titleFromFileName(relPath: string): string {
  const name = basename(relPath, extname(relPath)).trim();
  return name || basename(relPath);
}

export function toTrackRecord(file: AudioFile, metadata: Pick<IAudioMetadata, 'common' | 'format'>): TrackRecord {
  const { common, format } = metadata;
  const artist = text(common.artist) ?? text(common.artists?.[0]);
  const albumArtist = text(common.albumartist);
  const album = text(common.album);
  // Untagged files group by their folder, which is how most people lay out music.
  const folder = posix.dirname(file.relPath);
  const albumTitle = album ?? (folder === '.' ? UNKNOWN_ALBUM : posix.basename(folder));
  const artistName = albumArtist ?? artist ?? UNKNOWN_ARTIST;
  const id = trackId(file.relPath);
  return {
    id,
    title: text(common.title) ?? titleFromFileName(file.relPath),
    artist,
    album,
    albumArtist,
    trackNo: positiveInt(common.track?.no),
    discNo: positiveInt(common.disk?.no),
    year: positiveInt(common.year),
    genre: text(common.genre?.[0]),
    duration: finitePositive(format.duration),
    codec: text(format.codec),
    bitrate: finitePositive(format.bitrate),
    path: file.relPath,
    url: apiPaths.stream(id),
    mimeType: file.mimeType,
    albumId: albumId(artistName, albumTitle),
    artistId: artistId(artistName),
    coverUrl: null,
    realPath: file.realPath,
    size: file.size,
    mtimeMs: file.mtimeMs,
    ...(common.picture && common.picture.length > 0 ? { embeddedPicture: true as const } : {}),
    ...(hasEstimatedDuration(format) ? { estimatedDuration: true as const } : {}),
  };
}

/**
 * MPEG audio whose duration is not from a Xing/Info/VBRI header: music-metadata guessed it from
 * the file size (first frames of equal bitrate: "CBR") or gave none (VBR without a header).
 * An Info header also reports "CBR", but comes with the encoder (`tool`) from its LAME tag.
 */
export function hasEstimatedDuration(format: Pick<IAudioMetadata['format'], 'container' | 'codec' | 'duration' | 'codecProfile' | 'tool'>): boolean {
  const mpegAudio = format.container === 'MPEG' && /layer/i.test(format.codec ?? '');
  return mpegAudio && (!format.duration || (format.codecProfile === 'CBR' && !format.tool));
}

/** Thrown for files that are not readable audio: the scan logs and skips them. */
export class UnreadableAudioError extends Error {
  override name = 'UnreadableAudioError';
}

export async function readTrack(file: AudioFile): Promise<TrackRecord> {
  if (file.size === 0) throw new UnreadableAudioError('empty file');
  let metadata: IAudioMetadata;
  try {
    // Pictures are parsed (not kept): an ID3v2 tag is read whole anyway, and knowing which
    // files carry one lets albums list a cover without reading any picture during the scan.
    const tokenizer = await HeadCachedFileTokenizer.open(file.realPath, { size: file.size, mimeType: file.mimeType });
    try {
      metadata = await parseFromTokenizer(tokenizer, { duration: false, skipCovers: false });
    } finally {
      await tokenizer.close();
    }
  } catch (error) {
    throw new UnreadableAudioError((error as Error).message);
  }
  // music-metadata is lenient: a file with no recognisable audio stream parses to an empty
  // format. Treat "no codec and no duration" as corrupt rather than list a track that cannot play.
  if (!metadata.format.codec && !metadata.format.duration && !metadata.format.container) {
    throw new UnreadableAudioError('no audio stream found');
  }
  // Ogg says its length only on its last page, which music-metadata reads only when it reads
  // every page: read that page ourselves.
  if (metadata.format.duration === undefined && metadata.format.container === 'Ogg') {
    const seconds = await oggDuration(file.realPath, file.size, metadata.format.codec, metadata.format.sampleRate).catch(() => undefined);
    if (seconds !== undefined) metadata = { ...metadata, format: { ...metadata.format, duration: seconds } };
  }
  return toTrackRecord(file, metadata);
}
