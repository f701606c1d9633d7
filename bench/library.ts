/**
 * Library benchmark: `npx tsx --conditions=source bench/library.ts` (or `npm run bench -- library`).
 *
 * 1. Generates 10,000 tagged MP3s (an ID3v2 tag + a few silent frames, with the project's own
 *    writers) and reads them once so the page cache is warm.
 * 2. First scan: a LibraryService with an empty data folder, start() until the scan ends.
 * 3. Unchanged restart: a new LibraryService on the same data folder: load the index and the
 *    stat-only rescan, until start() resolves. It must read no tags.
 * 4. Through `npm start` itself, as a person restarts the server: one start builds the index
 *    (and whatever the checkout needs built), then three restarts are timed from the command
 *    until GET /api/tracks lists every track. None of them may build anything.
 * 5. Memory: in a fresh process, a 100,000-track index (synthesized records, saved with the
 *    real IndexStore) is loaded into a Catalog and every view (tracks, albums, artists) built.
 *
 * Options: --tracks N (default 10000), --index-tracks N (default 100000), --keep (keep the files).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { Catalog } from '../server/src/library/catalog.js';
import { albumId, artistId, trackId } from '../server/src/library/ids.js';
import { IndexStore } from '../server/src/library/index-store.js';
import type { TrackRecord } from '../server/src/library/record.js';
import { LibraryService } from '../server/src/library/service.js';
import { id3v2Tag, vbrStream } from '../server/synth/index.js';

const TARGETS = { firstScanFilesPerSec: 800, restartMs: 1000, npmStartListedMs: 1500, indexRssMb: 300 };
const PEERS = { polarisFilesPerSec: 1200, gonicFilesPerSec: 85 };

const { values } = parseArgs({
  options: {
    tracks: { type: 'string', default: '10000' },
    'index-tracks': { type: 'string', default: '100000' },
    keep: { type: 'boolean', default: false },
    'memory-child': { type: 'string' },
  },
});

/** A realistic record: the strings a tagged track of a real library carries. */
function syntheticRecord(i: number, root: string): TrackRecord {
  const artist = `Artist Name ${i % 5000}`;
  const album = `Album Title Number ${Math.floor(i / 12)}`;
  const path = `${artist}/${album}/${String((i % 12) + 1).padStart(2, '0')} Track Title ${i}.flac`;
  const id = trackId(path);
  return {
    id,
    title: `Track Title ${i}`,
    artist,
    album,
    albumArtist: artist,
    trackNo: (i % 12) + 1,
    discNo: 1,
    year: 1960 + (i % 60),
    genre: ['Rock', 'Jazz', 'Classical', 'Electronic', 'Folk'][i % 5]!,
    duration: 180 + (i % 240),
    codec: 'FLAC',
    bitrate: 900_000 + i,
    path,
    url: `/stream/${id}`,
    mimeType: 'audio/flac',
    albumId: albumId(artist, album),
    artistId: artistId(artist),
    coverUrl: null,
    realPath: join(root, path),
    size: 30_000_000 + i,
    mtimeMs: 1_700_000_000_000 + i,
    ...(i % 3 === 0 ? { embeddedPicture: true as const } : {}),
  };
}

async function memoryChild(indexFile: string): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const baseline = process.memoryUsage().rss;
  const started = performance.now();
  const snapshot = (await new IndexStore(indexFile).load())!;
  const catalog = new Catalog();
  for (const record of snapshot.records) catalog.upsert(record);
  snapshot.records.length = 0;
  const loadMs = performance.now() - started;
  const viewsStarted = performance.now();
  const counts = [catalog.tracks().length, catalog.albums().length, catalog.artists().length];
  const viewsMs = performance.now() - viewsStarted;
  gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  process.stdout.write(JSON.stringify({ rss, heapUsed, baseline, loadMs, viewsMs, counts }));
}

async function generate(root: string, count: number): Promise<void> {
  const perAlbum = 10;
  const albumsPerArtist = 10;
  const audio = vbrStream(0.1); // a Xing header and a few silent frames
  const jobs: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const a = Math.floor(i / (perAlbum * albumsPerArtist));
    const b = Math.floor(i / perAlbum);
    const artist = `Artist ${a}`;
    const album = `Album ${b}`;
    const dir = join(root, artist, album);
    if (i % perAlbum === 0) await mkdir(dir, { recursive: true });
    const tag = id3v2Tag({ title: `Song ${i}`, artist, album, albumArtist: artist, track: `${(i % perAlbum) + 1}/${perAlbum}`, year: String(1970 + (a % 50)), genre: 'Rock' });
    jobs.push(writeFile(join(dir, `${String((i % perAlbum) + 1).padStart(2, '0')} Song ${i}.mp3`), Buffer.concat([tag, audio])));
    if (jobs.length >= 64) await Promise.all(jobs.splice(0));
  }
  await Promise.all(jobs);
}

async function warm(root: string, count: number): Promise<void> {
  // Reads every file once: the scan then measures our code, not the disk.
  const catalog = new Catalog();
  void catalog;
  const { walkAudioFiles } = await import('../server/src/library/walk.js');
  let n = 0;
  for await (const file of walkAudioFiles(root)) {
    await readFile(file.realPath);
    n++;
  }
  if (n !== count) throw new Error(`expected ${count} files, found ${n}`);
}

const repositoryRoot = fileURLToPath(new URL('..', import.meta.url));

/**
 * `npm start -- --media root --data dataDir` on a free loopback port, until `ready(base URL)`
 * resolves; then SIGTERM to its process group (npm, the shell, the server), which saves the index.
 * Resolves to the milliseconds from the spawn to `ready`, and what the start wrote on stderr.
 */
/**
 * `npm start` as a person runs it (access control on): the time until `ready` holds, asked as a
 * device paired through the start banner's link (as the phone would be).
 */
async function npmStartUntil(root: string, dataDir: string, ready: (base: string, cookie: string) => Promise<boolean>): Promise<{ ms: number; stderr: string }> {
  const started = performance.now();
  const child = spawn('npm', ['start', '--', '--media', root, '--data', dataDir, '--port', '0', '--host', '127.0.0.1'], {
    cwd: repositoryRoot,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  try {
    const deadline = started + 120_000;
    let base: string | undefined;
    let cookie: string | undefined;
    for (;;) {
      if (performance.now() > deadline || child.exitCode !== null) throw new Error(`npm start: nothing listed in time\n${stdout}\n${stderr}`);
      base ??= /Listening on (http:\/\/127\.0\.0\.1:\d+)\//.exec(stdout)?.[1];
      const link = /Pair a device: (\S+)/.exec(stdout)?.[1];
      if (cookie === undefined && link !== undefined) {
        const paired = await fetch(link, { redirect: 'manual' });
        cookie = paired.headers.get('set-cookie')?.split(';')[0];
      }
      if (base !== undefined && cookie !== undefined && (await ready(base, cookie))) return { ms: performance.now() - started, stderr };
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  } finally {
    process.kill(-child.pid!, 'SIGTERM');
    await exited;
  }
}

/**
 * The library holds `count` tracks (a one-track page says so), and then the whole list, as the
 * web client asks for it (Safari accepts Brotli), comes back with all of them.
 */
async function listsTracks(base: string, cookie: string, count: number): Promise<boolean> {
  const page = (await (await fetch(`${base}/api/tracks?limit=1`, { headers: { cookie } })).json()) as { total: number };
  if (page.total !== count) return false;
  const list = (await (await fetch(`${base}/api/tracks`, { headers: { cookie, 'accept-encoding': 'gzip, deflate, br' } })).json()) as { tracks: unknown[] };
  return list.tracks.length === count;
}

function row(name: string, value: string, target: string, ok: boolean, note = ''): string {
  return `| ${name.padEnd(34)} | ${value.padStart(14)} | ${target.padEnd(10)} | ${ok ? 'ok  ' : 'MISS'} | ${note}`;
}

async function main(): Promise<void> {
  if (values['memory-child']) return memoryChild(values['memory-child']);
  const tracks = Number(values.tracks);
  const indexTracks = Number(values['index-tracks']);
  const base = await mkdtemp(join(tmpdir(), 'musicsharer-bench-library-'));
  const root = join(base, 'media');
  const log = pino({ level: 'warn' });
  try {
    let t = performance.now();
    await generate(root, tracks);
    const generateMs = performance.now() - t;
    t = performance.now();
    await warm(root, tracks);
    const warmMs = performance.now() - t;
    process.stdout.write(`generated ${tracks} MP3s in ${(generateMs / 1000).toFixed(1)} s, warmed the cache in ${(warmMs / 1000).toFixed(1)} s\n`);

    const dataDir = join(base, 'data');
    const options = { dataDir, watch: false, rescanIntervalMs: 0, exactDurations: false };
    const first = new LibraryService(root, log, options);
    t = performance.now();
    const firstResult = await first.start();
    const firstMs = performance.now() - t;
    await first.close(); // saves the index
    if (firstResult.read !== tracks) throw new Error(`first scan read ${firstResult.read} of ${tracks}`);
    const filesPerSec = (tracks * 1000) / firstMs;

    const restarts: number[] = [];
    let restartRead = 0;
    for (let i = 0; i < 3; i++) {
      const again = new LibraryService(root, log, options);
      t = performance.now();
      const result = await again.start();
      restarts.push(performance.now() - t);
      restartRead += result.read;
      if (again.catalog.size !== tracks) throw new Error(`restart found ${again.catalog.size} tracks`);
      await again.close();
    }
    const restartMs = Math.min(...restarts);

    // Through `npm start`: the first start scans (and builds the checkout if it needs it).
    const npmDataDir = join(base, 'npm-start-data');
    await npmStartUntil(root, npmDataDir, async (url, cookie) => {
      const status = (await (await fetch(`${url}/api/scan`, { headers: { cookie } })).json()) as { scanning: boolean; trackCount: number };
      return !status.scanning && status.trackCount === tracks;
    });
    const npmStarts: number[] = [];
    let builds = 0;
    for (let i = 0; i < 3; i++) {
      const { ms, stderr } = await npmStartUntil(root, npmDataDir, (url, cookie) => listsTracks(url, cookie, tracks));
      npmStarts.push(ms);
      if (/building/.test(stderr)) builds++;
    }
    const npmStartMs = Math.min(...npmStarts);

    // 100,000-track index, loaded in a fresh process.
    const indexFile = join(base, 'big-index.ndjson');
    const bigRoot = '/srv/music/Library';
    await new IndexStore(indexFile).save({ root: bigRoot, records: Array.from({ length: indexTracks }, (_, i) => syntheticRecord(i, bigRoot)), folderImages: [] });
    const child = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', '--conditions=source', fileURLToPath(import.meta.url), '--memory-child', indexFile], {
      encoding: 'utf8',
    });
    if (child.status !== 0) throw new Error(`memory child failed: ${child.stderr}`);
    const memory = JSON.parse(child.stdout) as { rss: number; heapUsed: number; baseline: number; loadMs: number; viewsMs: number; counts: number[] };
    const mb = (bytes: number) => bytes / 1024 / 1024;

    process.stdout.write(
      [
        '',
        `| measure                            |          value | target     |      | notes`,
        `| ---------------------------------- | -------------: | ---------- | ---- | -----`,
        row(`first scan, ${tracks.toLocaleString('en')} MP3s`, `${Math.round(filesPerSec)} files/s`, `>= ${TARGETS.firstScanFilesPerSec}`, filesPerSec >= TARGETS.firstScanFilesPerSec,
          `${(firstMs / 1000).toFixed(2)} s; Polaris ~${PEERS.polarisFilesPerSec}/s (x${(filesPerSec / PEERS.polarisFilesPerSec).toFixed(2)}), gonic ~${PEERS.gonicFilesPerSec}/s (x${(filesPerSec / PEERS.gonicFilesPerSec).toFixed(1)})`),
        row('unchanged restart (load + rescan)', `${Math.round(restartMs)} ms`, `< ${TARGETS.restartMs} ms`, restartMs < TARGETS.restartMs,
          `best of 3 (${restarts.map((ms) => Math.round(ms)).join(', ')} ms); tags read: ${restartRead}`),
        row('npm start until tracks listed', `${Math.round(npmStartMs)} ms`, `< ${TARGETS.npmStartListedMs} ms`, npmStartMs < TARGETS.npmStartListedMs && builds === 0,
          `unchanged library; best of 3 (${npmStarts.map((ms) => Math.round(ms)).join(', ')} ms), from the command to GET /api/tracks listing all; starts that built: ${builds}`),
        row(`RSS, ${indexTracks.toLocaleString('en')}-track index`, `${mb(memory.rss).toFixed(0)} MB`, `< ${TARGETS.indexRssMb} MB`, mb(memory.rss) < TARGETS.indexRssMb,
          `process total, views built; ${mb(memory.rss - memory.baseline).toFixed(0)} MB over a bare process; heap ${mb(memory.heapUsed).toFixed(0)} MB; load ${Math.round(memory.loadMs)} ms, views ${Math.round(memory.viewsMs)} ms`),
        '',
      ].join('\n'),
    );
  } finally {
    if (values.keep) process.stdout.write(`kept ${base}\n`);
    else await rm(base, { recursive: true, force: true });
  }
}

await main();
