/** Shared helpers for the library tests: temp libraries, a capturing logger, polling. */
import { mkdir, mkdtemp, readdir, readFile, readlink, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach } from 'node:test';
import pino from 'pino';
import { LibraryService, type LibraryServiceOptions } from '../../src/library/service.js';
import { cbrStream, id3v2Tag, type Id3Fields } from '../../synth/index.js';

export function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { log, lines };
}

export interface TempLibrary {
  /** Real path of the media folder. */
  root: string;
  dataDir: string;
  put(relPath: string, data: Buffer | string): Promise<string>;
  cleanup(): Promise<void>;
}

export async function tempLibrary(): Promise<TempLibrary> {
  const base = await realpath(await mkdtemp(join(tmpdir(), 'musicsharer-lib-')));
  const root = join(base, 'media');
  const dataDir = join(base, 'data');
  await mkdir(root, { recursive: true });
  return {
    root,
    dataDir,
    async put(relPath, data) {
      const full = join(root, relPath);
      await mkdir(dirname(full), { recursive: true });
      await writeFile(full, data);
      return full;
    },
    cleanup: () => rm(base, { recursive: true, force: true }),
  };
}

/** A small tagged MP3: an ID3v2 tag and `seconds` of silent CBR frames. */
export function mp3(fields: Id3Fields, seconds = 1): Buffer {
  return Buffer.concat([id3v2Tag(fields), cbrStream(seconds)]);
}

/** Band/Record/1.mp3 .. N.mp3, titled "Song 1" .. "Song N". */
export async function putAlbum(lib: TempLibrary, count: number): Promise<void> {
  for (let i = 1; i <= count; i++) await lib.put(`Band/Record/${i}.mp3`, mp3({ title: `Song ${i}`, artist: 'Band', album: 'Record', track: String(i) }));
}

/** Polls until `check` returns a truthy value (watcher tests: no fixed sleeps). */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 20_000): Promise<NonNullable<Awaited<T>>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<Awaited<T>>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * inotify watches this process holds, as the kernel lists them (Linux: one `inotify wd:` line
 * per watch in the fdinfo of each inotify descriptor); undefined without /proc.
 */
export async function inotifyWatches(): Promise<number | undefined> {
  let fds: string[];
  try {
    fds = await readdir('/proc/self/fd');
  } catch {
    return undefined;
  }
  let watches = 0;
  for (const fd of fds) {
    const target = await readlink(`/proc/self/fd/${fd}`).catch(() => '');
    if (target !== 'anon_inode:inotify') continue;
    const info = await readFile(`/proc/self/fdinfo/${fd}`, 'utf8').catch(() => '');
    watches += info.split('\n').filter((line) => line.startsWith('inotify wd:')).length;
  }
  return watches;
}

/**
 * For a describe block: a fresh temporary library with `tracks` songs before each test, and
 * `open()` for services over it (no watcher, no periodic check unless asked), all closed after.
 */
export function libraryServices(tracks: number, defaults: LibraryServiceOptions = {}) {
  let lib: TempLibrary | undefined;
  const services: LibraryService[] = [];
  beforeEach(async () => {
    lib = await tempLibrary();
    await putAlbum(lib, tracks);
  });
  afterEach(async () => {
    for (const service of services.splice(0)) await service.close();
    await lib?.cleanup();
  });
  return {
    get lib(): TempLibrary {
      if (!lib) throw new Error('no library outside a test');
      return lib;
    },
    open(options: LibraryServiceOptions = {}) {
      const { log, lines } = capturingLogger();
      const service = new LibraryService(this.lib.root, log, { dataDir: this.lib.dataDir, watch: false, rescanIntervalMs: 0, ...defaults, ...options });
      services.push(service);
      return { service, lines };
    },
  };
}
