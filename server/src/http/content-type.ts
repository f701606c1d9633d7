/**
 * Audio MIME types by file extension. iOS Safari refuses `audio/x-flac`, so FLAC is served
 * as `audio/flac`; m4a/aac in an MP4 container is `audio/mp4`.
 */
import { extname } from 'node:path';

const AUDIO_TYPES: Readonly<Record<string, string>> = {
  '.mp3': 'audio/mpeg',
  '.m4a': 'audio/mp4',
  '.m4b': 'audio/mp4',
  '.mp4': 'audio/mp4',
  '.aac': 'audio/aac',
  '.flac': 'audio/flac',
  '.ogg': 'audio/ogg',
  '.oga': 'audio/ogg',
  '.opus': 'audio/ogg',
  '.wav': 'audio/wav',
};

export const AUDIO_EXTENSIONS: readonly string[] = Object.keys(AUDIO_TYPES);

/** The MIME type to serve a file with, or undefined when it is not an audio file we serve. */
export function audioMimeType(filePath: string): string | undefined {
  return AUDIO_TYPES[extname(filePath).toLowerCase()];
}
