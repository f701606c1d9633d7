/**
 * Exact MP3 duration benchmark: `npx tsx --conditions=source bench/mp3-duration.ts`.
 *
 * Compares our frame-header walker (`server/src/library/mp3-duration.ts`, what the library's
 * background pass uses for MP3s whose duration is a guess) with music-metadata's own frame walk
 * (`parseFile(path, { duration: true })`), on MP3s without a Xing/Info/VBRI header written with
 * the project's fixture writers, whose true duration is known (frames x 24 ms):
 *
 * - the VBR-without-Xing fixture of the tests (an ID3v2 tag + 6 s of VBR frames);
 * - a 4-minute VBR track without a header (a song);
 * - a 1-hour VBR stream without a header (an audiobook chapter, a DJ mix).
 *
 * For each: the best of N runs (files in a temporary folder, read once first so the page cache
 * is warm), the seconds each reports against the truth, and ours beside music-metadata as a
 * ratio. Options: --runs N (default 5; the 1-hour file runs at most 3 times for music-metadata).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseFile } from 'music-metadata';
import { exactMp3Duration } from '../server/src/library/mp3-duration.js';
import { FRAME_SECONDS, framesFor, id3v2Tag, vbrStreamWithoutHeader } from '../server/synth/index.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Math.max(1, Number(values.runs));

interface Case {
  name: string;
  file: string;
  trueSeconds: number;
  /** Runs for the slower side on big files: enough for a best-of, not a coffee break. */
  runs: number;
}

interface Measure {
  bestMs: number;
  seconds: number | undefined;
}

async function best(times: number, measure: () => Promise<number | undefined>): Promise<Measure> {
  let bestMs = Infinity;
  let seconds: number | undefined;
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    seconds = await measure();
    bestMs = Math.min(bestMs, performance.now() - started);
  }
  return { bestMs, seconds };
}

const ours = (file: string) => exactMp3Duration(file).then((result) => result?.seconds);
const musicMetadata = (file: string) => parseFile(file, { duration: true, skipCovers: true }).then(({ format }) => format.duration);

function exactness(seconds: number | undefined, truth: number): string {
  if (seconds === undefined) return 'no duration';
  const error = seconds - truth;
  return Math.abs(error) < 1e-6 ? `${seconds.toFixed(3)} s (exact)` : `${seconds.toFixed(3)} s (off by ${error > 0 ? '+' : ''}${error.toFixed(3)} s)`;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'musicsharer-mp3-duration-'));
  try {
    const cases: Case[] = [];
    const add = async (name: string, fileName: string, seconds: number, bytes: Buffer, caseRuns: number) => {
      const file = join(dir, fileName);
      await writeFile(file, bytes);
      await readFile(file); // warm the page cache: measure the walk, not the disk
      cases.push({ name, file, trueSeconds: framesFor(seconds) * FRAME_SECONDS, runs: caseRuns });
    };
    await add('VBR without Xing, 6 s (test fixture)', 'fixture.mp3', 6, Buffer.concat([id3v2Tag({ title: 'Headerless', artist: 'V', album: 'Vbr' }), vbrStreamWithoutHeader(6)]), runs);
    await add('VBR without Xing, 4 min', 'song.mp3', 240, Buffer.concat([id3v2Tag({ title: 'Song' }), vbrStreamWithoutHeader(240)]), runs);
    await add('VBR without Xing, 1 hour', 'hour.mp3', 3600, Buffer.concat([id3v2Tag({ title: 'Hour' }), vbrStreamWithoutHeader(3600)]), Math.min(runs, 3));

    console.log(`Node ${process.version}; best of ${runs} runs (1-hour file: ${Math.min(runs, 3)}); ratio = music-metadata ms / ours ms (> 1: ours faster)\n`);
    for (const { name, file, trueSeconds, runs: caseRuns } of cases) {
      const mine = await best(caseRuns, () => ours(file));
      const theirs = await best(caseRuns, () => musicMetadata(file));
      console.log(name);
      console.log(`  truth            ${trueSeconds.toFixed(3)} s`);
      console.log(`  ours             ${mine.bestMs.toFixed(1).padStart(9)} ms   ${exactness(mine.seconds, trueSeconds)}`);
      console.log(`  music-metadata   ${theirs.bestMs.toFixed(1).padStart(9)} ms   ${exactness(theirs.seconds, trueSeconds)}`);
      console.log(`  ratio            ${(theirs.bestMs / mine.bestMs).toFixed(1)}x\n`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
