/**
 * A large generated library for the client performance budget: `artists x albumsPerArtist x
 * tracksPerAlbum` tiny tagged MP3 files (an ID3v2 tag, a Xing header and 5 silent frames, ~1 KB each),
 * laid out as Artist/Album/NN Title.mp3 with varied, deterministic names.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { id3v2Tag, vbrStream } from '../../server/synth/index.js';

export interface BigLibraryOptions {
  artists?: number;
  albumsPerArtist?: number;
  tracksPerAlbum?: number;
  /**
   * Keep the library in this folder and reuse it when a complete one with the same shape is
   * already there (cleanup() then leaves it). Default: a new temporary folder, removed by cleanup().
   */
  cacheDir?: string;
}

export interface BigLibrary {
  root: string;
  trackCount: number;
  albumCount: number;
  artistCount: number;
  /** Every album title contains this word (the first screen looks for it). */
  albumMarker: string;
  /** True when an existing library in `cacheDir` was reused. */
  reused: boolean;
  cleanup(): Promise<void>;
}

const WORDS = (
  'amber autumn blue broken candle cathedral cedar cloud copper crimson dawn desert distant dream echo ember empty evening ' +
  'falling feather fire forest frozen garden ghost glass golden harbor hollow horizon iron island ivory jade lantern late ' +
  'letter light lonely lost marble meadow midnight mirror morning mountain night northern ocean orchard paper quiet rain ' +
  'river rose salt secret shadow silver slow snow southern spring stone storm summer thunder tide velvet violet water ' +
  'western whisper wild willow winter wooden yellow'
).split(' ');

/** A small deterministic PRNG (mulberry32): the same library every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const capitalize = (word: string) => word[0]!.toUpperCase() + word.slice(1);

async function inBatches<T>(items: T[], size: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: size }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

export async function createBigLibrary(options: BigLibraryOptions = {}): Promise<BigLibrary> {
  const artists = options.artists ?? 400;
  const albumsPerArtist = options.albumsPerArtist ?? 5;
  const tracksPerAlbum = options.tracksPerAlbum ?? 10;
  const shape = `${artists}x${albumsPerArtist}x${tracksPerAlbum}`;
  const base = options.cacheDir ?? (await mkdtemp(join(tmpdir(), 'musicsharer-big-')));
  const root = join(base, 'media');
  const complete = join(base, `complete-${shape}-v2`);
  const albumMarker = 'Sessions';
  const counts = { trackCount: artists * albumsPerArtist * tracksPerAlbum, albumCount: artists * albumsPerArtist, artistCount: artists, albumMarker };
  const cleanup = () => (options.cacheDir ? Promise.resolve() : rm(base, { recursive: true, force: true }));
  if (options.cacheDir && existsSync(complete)) return { root, ...counts, reused: true, cleanup };
  if (options.cacheDir) await rm(base, { recursive: true, force: true });

  const random = prng(20_000);
  const word = () => WORDS[Math.floor(random() * WORDS.length)]!;
  const phrase = (n: number) => Array.from({ length: n }, () => capitalize(word())).join(' ');
  // 0.1 s of silence: 5 frames of 96 bytes after a Xing header, which gives the exact duration
  // (without one the server counts each file's frames in the background after the scan).
  const audio = vbrStream(0.1, [32]);

  const files: { path: string; data: Buffer }[] = [];
  const folders = new Set<string>();
  for (let a = 0; a < artists; a++) {
    const artist = `${phrase(2)} ${a + 1}`;
    for (let b = 0; b < albumsPerArtist; b++) {
      const album = `${phrase(1 + (b % 3))} ${albumMarker} ${b + 1}`;
      const year = String(1960 + Math.floor(random() * 65));
      const folder = join(root, artist, album);
      folders.add(folder);
      for (let t = 0; t < tracksPerAlbum; t++) {
        const title = phrase(1 + Math.floor(random() * 4));
        const tag = id3v2Tag({ title, artist, album, albumArtist: artist, track: `${t + 1}/${tracksPerAlbum}`, year, genre: capitalize(word()) });
        files.push({ path: join(folder, `${String(t + 1).padStart(2, '0')} ${title}.mp3`), data: Buffer.concat([tag, audio]) });
      }
    }
  }
  await inBatches([...folders], 16, (folder) => mkdir(folder, { recursive: true }));
  await inBatches(files, 64, (file) => writeFile(file.path, file.data));
  if (options.cacheDir) await writeFile(complete, `${files.length} tracks\n`);
  return { root, ...counts, reused: false, cleanup };
}
