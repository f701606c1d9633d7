/**
 * Finding ffmpeg: `--ffmpeg PATH`, else `ffmpeg` on the PATH, else the binary the optional npm
 * package `@ffmpeg-installer/ffmpeg` ships for this platform (from the npm registry, so
 * `npm install` on a machine with only Node and npm gets one). Each candidate is run once with
 * `-version`; the first that answers and has the libmp3lame encoder wins. Its version line is
 * part of every transcode's cache key and ETag: another ffmpeg may encode other bytes.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';

export interface Ffmpeg {
  path: string;
  /** The first line of `ffmpeg -version`. */
  version: string;
  /** Where it was found. */
  source: 'flag' | 'path' | 'npm';
}

export const INSTALL_HINT =
  'install ffmpeg to play WMA, WavPack, Ogg and other formats Safari cannot (Debian/Ubuntu: sudo apt install ffmpeg; macOS: brew install ffmpeg), or give its path with --ffmpeg';

/** Runs `path -version` and `-encoders`; undefined when it does not run or cannot encode MP3. */
async function probe(path: string): Promise<string | undefined> {
  const run = (args: string[]) =>
    new Promise<string | undefined>((resolve) => {
      execFile(path, args, { timeout: 10_000, maxBuffer: 4 * 1024 * 1024 }, (error, stdout) => resolve(error ? undefined : stdout));
    });
  const version = await run(['-hide_banner', '-version']);
  if (version === undefined) return undefined;
  const encoders = await run(['-hide_banner', '-encoders']);
  if (encoders === undefined || !/\blibmp3lame\b/.test(encoders)) return undefined;
  return version.split('\n')[0]!.trim();
}

/** The binary of `@ffmpeg-installer/ffmpeg` for this platform, if that optional package is installed. */
function npmBinary(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    return (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;
  } catch {
    return undefined;
  }
}

/**
 * The ffmpeg to use. With `flag` (a path), only that one: a wrong path is not silently replaced
 * by another ffmpeg. `flag === false` means none (tests of the missing case).
 */
export async function findFfmpeg(flag: string | false | undefined): Promise<Ffmpeg | undefined> {
  if (flag === false) return undefined;
  if (flag !== undefined) {
    const version = await probe(flag);
    return version === undefined ? undefined : { path: flag, version, source: 'flag' };
  }
  const onPath = await probe('ffmpeg');
  if (onPath !== undefined) return { path: 'ffmpeg', version: onPath, source: 'path' };
  const shipped = npmBinary();
  if (shipped !== undefined) {
    const version = await probe(shipped);
    if (version !== undefined) return { path: shipped, version, source: 'npm' };
  }
  return undefined;
}
