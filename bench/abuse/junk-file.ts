/**
 * Item 7 of issue 11: a 4 GB sparse file whose only content is one fake MP3 frame header is
 * dropped into the media folder, and an album is copied in right after it. Measured: the
 * server's CPU seconds until it is idle again, and how long the album takes to be listed.
 *
 * Before the fix (the same file, read by the tag reader alone: `readTrack` in
 * server/test/library/junk-file.test.ts with the read budget off) one pass took 294 s, and the
 * probe saw 6.5 CPU-minutes over three passes and an album invisible for over 60 s.
 */
import { mkdir, open, truncate, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cbrStream, id3v2Tag } from '../../server/synth/index.js';
import { makeLibrary, type Load } from './common.js';

const JUNK_SIZE = 4 * 1024 ** 3;
const ALBUM_TRACKS = 5;
/** Clock ticks per second of /proc/PID/stat (USER_HZ: 100 on Linux). */
const TICKS = 100;

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS; // utime, stime
}

export const junkFile: Load = {
  name: 'junk-file',
  async run({ work, startServer, row }) {
    const media = join(work, 'media');
    const trackCount = await makeLibrary(media, 2, 5);
    const server = await startServer({ media, trackCount });
    const cpuBefore = cpuSeconds(server.pid);
    const started = performance.now();

    const junk = join(media, 'Junk', 'junk.mp3');
    await mkdir(join(media, 'Junk'));
    const handle = await open(junk, 'w');
    await handle.write(Buffer.from('fffb9064', 'hex'));
    await handle.close();
    await truncate(junk, JUNK_SIZE);
    const album = join(media, 'Copied', 'Album');
    await mkdir(album, { recursive: true });
    for (let t = 1; t <= ALBUM_TRACKS; t++) {
      await writeFile(join(album, `${t}.mp3`), Buffer.concat([id3v2Tag({ title: `Copied ${t}`, artist: 'Copied', album: 'Album' }), cbrStream(2)]));
    }

    let albumMs = NaN;
    for (let waited = 0; waited < 120_000; waited += 100) {
      const scan = (await (await fetch(`${server.base}/api/scan`)).json()) as { trackCount: number };
      if (scan.trackCount === trackCount + ALBUM_TRACKS) {
        albumMs = performance.now() - started;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // Idle again: less than 20 ms of CPU in a second (at most 2 minutes).
    let last = cpuSeconds(server.pid);
    for (let i = 0; i < 120; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const now = cpuSeconds(server.pid);
      if (now - last < 0.02) break;
      last = now;
    }
    const cpu = cpuSeconds(server.pid) - cpuBefore;
    console.log(`junk-file: server CPU ${cpu.toFixed(2)} s; copied album listed after ${(albumMs / 1000).toFixed(2)} s`);
    row('4 GB sparse junk file + an album copied', 'server CPU until idle', `${cpu.toFixed(2)} s`, '< 5 s (was ~390 s)', cpu < 5);
    row('', 'copied album listed after', `${(albumMs / 1000).toFixed(2)} s`, '< 5 s (was > 60 s)', albumMs < 5000);
  },
};
