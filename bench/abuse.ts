/**
 * Abuse benchmark: what hostile or broken clients on the network cost the server, beside the
 * targets of issue 11. Not a test: `npx tsx --conditions=source bench/abuse.ts` (or `npm run
 * bench -- abuse`); `BENCH_ONLY=pipeline,...` picks loads.
 *
 * Each load starts the production build (`node server/dist/main.js`, built with `tsc -b` when
 * stale) in its own process over a generated library, and runs the hostile clients and a
 * well-behaved one from this process. Resident memory is sampled from /proc/PID/status.
 * One file per load in bench/abuse/.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeLibrary, startProductionServer, stopServer, type Load, type RunningServer } from './abuse/common.js';
import { covers } from './abuse/covers.js';
import { idleConnections } from './abuse/idle-connections.js';
import { junkFile } from './abuse/junk-file.js';
import { pipeline } from './abuse/pipeline.js';
import { tracks } from './abuse/tracks.js';
import { wsStorm } from './abuse/ws-storm.js';

const LOADS: Load[] = [pipeline, idleConnections, tracks, wsStorm, covers, junkFile];

const only = process.env.BENCH_ONLY?.split(',').map((name) => name.trim());
const rows: string[][] = [];
const work = await mkdtemp(join(tmpdir(), 'musicsharer-abuse-'));
try {
  const media = join(work, 'media');
  const trackCount = await makeLibrary(media, 2, 5);
  for (const load of LOADS.filter((l) => !only || only.includes(l.name))) {
    const servers: RunningServer[] = [];
    const loadWork = join(work, load.name);
    try {
      await load.run({
        work: loadWork,
        media,
        trackCount,
        startServer: async (options = {}) => {
          const server = await startProductionServer(options.media ?? media, join(loadWork, `data-${servers.length}`), options.trackCount ?? trackCount, options);
          servers.push(server);
          return server;
        },
        row: (...cells) => rows.push([...cells.slice(0, 4) as string[], cells[4] ? 'met' : 'NOT MET']),
      });
    } finally {
      for (const server of servers) await stopServer(server);
    }
  }
  const header = ['load', 'measure', 'ours', 'target', ''];
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((r) => r[i]!.length)));
  const format = (r: string[]) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd();
  console.log(`\n${format(header)}\n${rows.map(format).join('\n')}`);
} finally {
  await rm(work, { recursive: true, force: true });
}
