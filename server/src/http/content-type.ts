/**
 * Audio MIME types by file extension: every format music-metadata reads tags from and ffmpeg
 * decodes. iOS Safari refuses `audio/x-flac`, so FLAC is served as `audio/flac`; m4a/aac in an
 * MP4 container is `audio/mp4`.
 */
import { extname } from 'node:path';

const AUDIO_TYPES: Readonly<Record<string, string>> = {
  // What Safari plays as it is.
  '.mp3': 'audio/mpeg',
  '.m4a': 'audio/mp4', // AAC or ALAC
  '.m4b': 'audio/mp4',
  '.mp4': 'audio/mp4',
  '.aac': 'audio/aac',
  '.flac': 'audio/flac',
  '.wav': 'audio/wav',
  '.aif': 'audio/aiff',
  '.aiff': 'audio/aiff',
  '.aifc': 'audio/aiff',
  // Ogg: Safari only from iOS 18.4 (Opus, Vorbis); the client decides, else asks for MP3.
  '.ogg': 'audio/ogg',
  '.oga': 'audio/ogg',
  '.opus': 'audio/ogg',
  // No browser plays these: always transcoded (`?format=mp3`). Types as their tools register them.
  '.wma': 'audio/x-ms-wma',
  '.wv': 'audio/x-wavpack',
  '.ape': 'audio/x-ape',
  '.mpc': 'audio/x-musepack',
  '.dsf': 'audio/x-dsf',
  '.dff': 'audio/x-dff',
  '.mka': 'audio/x-matroska',
  '.webm': 'audio/webm',
};

export const AUDIO_EXTENSIONS: readonly string[] = Object.keys(AUDIO_TYPES);

/** The MIME type to serve a file with, or undefined when it is not an audio file we serve. */
export function audioMimeType(filePath: string): string | undefined {
  return AUDIO_TYPES[extname(filePath).toLowerCase()];
}
