/**
 * Transcoding benchmark (issue 15): our `GET /stream/:id?format=mp3` beside a plain ffmpeg pipe
 * (what every other server does), same source, same machine, in the same run. Not a test: a
 * timing never fails it; PASS/MISS beside each of the issue's targets.
 *
 *   npx tsx --conditions=source bench/transcode.ts      (or npm run bench -- transcode)
 *
 * Source: one hour of 44.1 kHz stereo Ogg Vorbis whose tone changes every minute
 * (bench/transcode/source.ts; made once per machine and kept in the temporary folder: 1-3 min).
 * Ours is the production server (`node server/dist/main.js --no-auth`, built when stale:
 * bench/abuse/common.ts) in its own process; the peer a tiny node:http server that pipes
 * `ffmpeg -i SRC -f mp3 -b:a 192k pipe:1` (bench/transcode/pipe-server.ts), in its own process
 * too. Every request is a fresh loopback connection (bench/transcode/http.ts). The source is read
 * once first, so both find it in the page cache.
 *
 * Cold = never transcoded: a fresh server over a fresh data folder for each cold request (the
 * server's idle encoders of one measurement must not eat the CPU of the next). Per round, in
 * turns: ours `bytes=0-1`, the pipe's first bytes, ours from the byte offset of 50:00, the pipe
 * restarted with `-ss 3000` (the best a pipe can do: it has no length and no ranges, so a
 * player cannot seek on first play at all). Medians of BENCH_ROUNDS (default 3).
 * Then the encoder speed: the whole hour read sequentially from a fresh data folder, once each
 * (55-75 s each here, so not BENCH_ROUNDS times; BENCH_SPEED=0 skips it, and "cached" with it),
 * with the CPU time of the server and of the ffmpeg runs it reaped. Cached = the same requests
 * again on that server, after the whole file was read once. ~2.5 min in all.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { linkSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, copyFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, percentile, startProductionServer, stopServer, type RunningServer } from './abuse/common.js';
import { timedGet, type Timed } from './transcode/http.js';
import { hourSource, warmPageCache } from './transcode/source.js';
import { decodeMp3, dominantMinute, probeDuration } from '../server/test/transcode/fixtures.js';
import { layoutFor, SAMPLE_RATE, SAMPLES_PER_FRAME } from '../server/src/transcode/mp3-layout.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SPEED = process.env.BENCH_SPEED !== '0';
const BITRATE = 192;
const SEEK_SEC = 3000;
/** The issue's targets, in ms. */
const TARGET_FIRST_MS = 2000;
const TARGET_SEEK_MS = 3000;
/** A seek reads 10 s of audio (417 whole frames: 240,192 bytes at 192 kbit/s) and hangs up, as a player moving on would. */
const SEEK_READ_SEC = 10;
const PIPE_SERVER = fileURLToPath(new URL('./transcode/pipe-server.ts', import.meta.url));
const TICKS_PER_SECOND = 100; // USER_HZ on Linux

interface Cpu {
  own: number;
  children: number;
}

/** CPU seconds of a process (own: all its threads) and of its children it has waited for (every ffmpeg it ran). */
function cpuSeconds(pid: number): Cpu {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ').map(Number);
  // utime, stime, cutime, cstime: fields 14-17 of stat.
  return { own: (fields[11]! + fields[12]!) / TICKS_PER_SECOND, children: (fields[13]! + fields[14]!) / TICKS_PER_SECOND };
}

/** CPU seconds used by `pid` and its children since `before`. */
function cpuSince(pid: number, before: Cpu): Cpu {
  const now = cpuSeconds(pid);
  return { own: now.own - before.own, children: now.children - before.children };
}

/** Waits until `pid` has no child left (its last ffmpeg reaped, so its CPU time is counted), at most 5 s. */
async function childrenReaped(pid: number): Promise<void> {
  for (let i = 0; i < 100 && readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim() !== ''; i++) await new Promise((r) => setTimeout(r, 50));
}

async function startPipeServer(source: string): Promise<{ child: ChildProcess; base: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, [...process.execArgv, PIPE_SERVER, source, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
    child.once('exit', (code) => reject(new Error(`the pipe server exited (${code})`)));
  });
  return { child, base: `http://127.0.0.1:${port}` };
}

/** The whole hour read once: wall time, bytes, CPU seconds. */
interface WholeRead {
  ms: number;
  bytes: number;
  cpu: Cpu;
}

interface Track {
  id: string;
  duration: number;
}

async function onlyTrack(server: RunningServer): Promise<Track> {
  const { tracks } = (await (await fetch(`${server.base}/api/tracks`)).json()) as { tracks: Track[] };
  if (tracks.length !== 1) throw new Error(`expected one track, the server lists ${tracks.length}`);
  return tracks[0]!;
}

const seconds = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`);
const median = (values: number[]) => percentile(values, 50);
const verdict = (ms: number, target: number) => `${ms <= target ? 'PASS' : 'MISS'} (target <= ${target / 1000} s)`;

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const line = (row: string[]) => `| ${row.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(rows[0]!), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}

async function main(): Promise<void> {
  const started = Date.now();
  console.log(`machine: ${availableParallelism()} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const source = await hourSource();
  if (source.madeInSec !== undefined) console.log(`source made in ${source.madeInSec.toFixed(0)} s (kept for the next runs: ${source.path})`);
  const durationSec = probeDuration(source.path);
  const work = realpathSync(mkdtempSync(join(tmpdir(), 'musicsharer-bench-transcode-')));
  const media = join(work, 'media');
  mkdirSync(media);
  const file = join(media, 'hour.ogg');
  try {
    linkSync(source.path, file); // the same inode: no copy of 50 MB, and it is in the page cache already
  } catch {
    copyFileSync(source.path, file);
  }
  await warmPageCache(file);

  let dataDirs = 0;
  const servers = new Set<RunningServer>();
  const freshServer = async () => {
    const server = await startProductionServer(media, join(work, `data-${dataDirs++}`), 1);
    servers.add(server);
    return server;
  };
  const done = async (server: RunningServer) => {
    servers.delete(server);
    await stopServer(server);
  };
  const pipe = await startPipeServer(file);
  const cleanup = async () => {
    for (const server of servers) await stopServer(server);
    pipe.child.kill('SIGTERM');
    rmSync(work, { recursive: true, force: true });
  };
  process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));

  try {
    // What the server will promise, from the catalog's duration (music-metadata), and where 50:00 lies.
    const probe = await freshServer();
    const track = await onlyTrack(probe);
    await done(probe);
    const layout = layoutFor(track.duration, BITRATE);
    const seekFrame = Math.floor((SEEK_SEC * SAMPLE_RATE) / SAMPLES_PER_FRAME);
    const seekOffset = seekFrame * layout.frameSize;
    const seekRange = `bytes=${seekOffset}-`;
    const seekBytes = Math.ceil((SEEK_READ_SEC * SAMPLE_RATE) / SAMPLES_PER_FRAME) * layout.frameSize;
    const ffprobeSize = layoutFor(durationSec, BITRATE).size;
    console.log(
      `source: ${durationSec.toFixed(3)} s (ffprobe), ${track.duration} s (the catalog); MP3 at ${BITRATE} kbit/s: N = ${layout.size} bytes (${layout.frames} frames of ${layout.frameSize})${ffprobeSize === layout.size ? '' : `; from ffprobe's duration it would be ${ffprobeSize}`}`,
    );
    console.log(`50:00 = frame ${seekFrame} = byte ${seekOffset}; each seek reads ${seekBytes} bytes (${SEEK_READ_SEC} s of audio) and hangs up`);
    const mp3 = (server: RunningServer) => `${server.base}/stream/${encodeURIComponent(track.id)}?format=mp3&bitrate=${BITRATE}`;
    const problems: string[] = [];
    /** Correctness targets: every answer had the right Content-Range, every seek minute 50's audio. */
    const correct = { length: true, minute: true };
    /** The answer is a 206 for bytes `from`-`to` of exactly N. */
    const expectRange = (what: string, answer: Timed, from: number, to = layout.size - 1) => {
      const expected = `bytes ${from}-${to}/${layout.size}`;
      if (answer.status !== 206 || answer.headers['content-range'] !== expected) {
        correct.length = false;
        problems.push(`${what}: ${answer.status} Content-Range ${answer.headers['content-range']}, expected 206 ${expected}`);
      }
    };
    /** Which minute the seek's audio comes from, at its start and 5-9 s in (decoded at 8 kHz). */
    const minutesOf = (answer: Timed) => {
      const pcm = decodeMp3(answer.body);
      return [dominantMinute(pcm, 0.1, 0.9), dominantMinute(pcm, 5, 9)];
    };

    const cold = { first: [] as number[], seek: [] as number[], seek10: [] as number[], pipeByte: [] as number[], pipeFrame: [] as number[], pipeSeek: [] as number[] };
    for (let round = 1; round <= ROUNDS; round++) {
      let server = await freshServer();
      const first = await timedGet(mp3(server), { range: 'bytes=0-1' });
      await done(server);
      expectRange(`cold bytes=0-1, round ${round}`, first, 0, 1);
      cold.first.push(first.firstByteMs);

      const piped = await timedGet(`${pipe.base}/`, { stopAfter: 64 * 1024 });
      cold.pipeByte.push(piped.firstByteMs);
      cold.pipeFrame.push(piped.firstFrameMs);

      server = await freshServer();
      const seek = await timedGet(mp3(server), { range: seekRange, stopAfter: seekBytes, keep: seekBytes });
      await done(server);
      expectRange(`cold seek, round ${round}`, seek, seekOffset);
      const minutes = minutesOf(seek);
      if (minutes.some((m) => m !== 50)) {
        correct.minute = false;
        problems.push(`cold seek, round ${round}: the audio is from minutes ${minutes.join(', ')}, not 50`);
      }
      cold.seek.push(seek.firstByteMs);
      cold.seek10.push(seek.totalMs);

      const pipeSeek = await timedGet(`${pipe.base}/?ss=${SEEK_SEC}`, { stopAfter: 64 * 1024 });
      cold.pipeSeek.push(pipeSeek.firstFrameMs);
      console.log(
        `  round ${round}: ours first ${seconds(first.firstByteMs)}, seek ${seconds(seek.firstByteMs)} (10 s of audio in ${seconds(seek.totalMs)}, minute ${minutes[0]}); pipe first byte ${seconds(piped.firstByteMs)}, first frame ${seconds(piped.firstFrameMs)}, -ss ${SEEK_SEC} ${seconds(pipeSeek.firstFrameMs)}`,
      );
    }

    let speed: { ours: WholeRead; pipe: WholeRead } | undefined;
    const cached = { first: [] as number[], seek: [] as number[] };
    if (SPEED) {
      const server = await freshServer();
      let cpu = cpuSeconds(server.pid);
      const whole = await timedGet(mp3(server));
      await childrenReaped(server.pid);
      const ours = { ms: whole.totalMs, bytes: whole.bytes, cpu: cpuSince(server.pid, cpu) };
      if (whole.status !== 200 || whole.bytes !== layout.size) problems.push(`whole file: ${whole.status}, ${whole.bytes} bytes, expected 200 and N = ${layout.size}`);
      console.log(`  whole hour, ours: ${seconds(ours.ms)}, ${ours.bytes} bytes; CPU: server ${ours.cpu.own.toFixed(1)} s, its ffmpeg runs ${ours.cpu.children.toFixed(1)} s`);
      for (let round = 1; round <= ROUNDS; round++) {
        const first = await timedGet(mp3(server), { range: 'bytes=0-1' });
        expectRange(`cached bytes=0-1, round ${round}`, first, 0, 1);
        const seek = await timedGet(mp3(server), { range: seekRange, stopAfter: seekBytes, keep: seekBytes });
        expectRange(`cached seek, round ${round}`, seek, seekOffset);
        cached.first.push(first.firstByteMs);
        cached.seek.push(seek.firstByteMs);
      }
      await done(server);
      cpu = cpuSeconds(pipe.child.pid!);
      const piped = await timedGet(`${pipe.base}/`);
      await childrenReaped(pipe.child.pid!);
      speed = { ours, pipe: { ms: piped.totalMs, bytes: piped.bytes, cpu: cpuSince(pipe.child.pid!, cpu) } };
      console.log(`  whole hour, pipe: ${seconds(speed.pipe.ms)}, ${speed.pipe.bytes} bytes; CPU: server ${speed.pipe.cpu.own.toFixed(1)} s, its ffmpeg ${speed.pipe.cpu.children.toFixed(1)} s`);
    }

    const ratio = (ours: number, peer: number) => `${(ours / peer).toFixed(2)}x`;
    const rows = [['measure (median of ' + ROUNDS + ')', 'ours', 'ffmpeg pipe', 'ours ÷ pipe', 'target']];
    const firstMs = median(cold.first);
    const seekMs = median(cold.seek);
    rows.push(['cold: first audio byte (ours bytes=0-1; pipe: first MP3 frame)', seconds(firstMs), seconds(median(cold.pipeFrame)), ratio(firstMs, median(cold.pipeFrame)), verdict(firstMs, TARGET_FIRST_MS)]);
    rows.push(['cold: first body byte (pipe: its ID3 tag, sent with frame 1)', seconds(firstMs), seconds(median(cold.pipeByte)), ratio(firstMs, median(cold.pipeByte)), '']);
    rows.push(['cold: exact length in the first answer', `${layout.size} (checked)`, 'none (chunked 200)', '', `${correct.length ? 'PASS' : 'MISS'} (Content-Range total = N, every answer)`]);
    rows.push([`cold: seek to 50:00 (ours Range from byte ${seekOffset}; pipe restarted -ss ${SEEK_SEC})`, seconds(seekMs), seconds(median(cold.pipeSeek)), ratio(seekMs, median(cold.pipeSeek)), verdict(seekMs, TARGET_SEEK_MS)]);
    rows.push(['cold: seek to 50:00 by Range on first play', 'yes', 'impossible (no length, no ranges)', '', '']);
    rows.push([`cold: seek, ${SEEK_READ_SEC} s of audio received`, seconds(median(cold.seek10)), '', '', `${correct.minute ? 'PASS' : 'MISS'} (minute 50's tone at 0.1-0.9 s and 5-9 s)`]);
    if (speed) {
      const hours = durationSec / 3600;
      rows.push(['cached: bytes=0-1 (after one whole read)', seconds(median(cached.first)), seconds(median(cold.pipeFrame)) + ' (no cache: encodes again)', ratio(median(cached.first), median(cold.pipeFrame)), '']);
      rows.push(['cached: seek to 50:00', seconds(median(cached.seek)), seconds(median(cold.pipeSeek)) + ' (no cache: encodes again)', ratio(median(cached.seek), median(cold.pipeSeek)), '']);
      rows.push(['whole hour read sequentially, cold: wall time', seconds(speed.ours.ms), seconds(speed.pipe.ms), ratio(speed.ours.ms, speed.pipe.ms), '']);
      rows.push(['encoder speed (x real time; higher is faster)', `${((durationSec * 1000) / speed.ours.ms).toFixed(1)}x`, `${((durationSec * 1000) / speed.pipe.ms).toFixed(1)}x`, ratio(speed.pipe.ms, speed.ours.ms), '']);
      const total = (cpu: Cpu) => (cpu.own + cpu.children) / hours;
      const split = (cpu: Cpu) => `${total(cpu).toFixed(1)} (${(cpu.own / hours).toFixed(1)} + ${(cpu.children / hours).toFixed(1)})`;
      rows.push(['CPU s per hour of audio (server + its ffmpeg)', split(speed.ours.cpu), split(speed.pipe.cpu), ratio(total(speed.ours.cpu), total(speed.pipe.cpu)), '']);
      rows.push(['bytes of the whole file', `${speed.ours.bytes} (= N)`, `${speed.pipe.bytes}`, '', '']);
    }
    console.log(`\n${table(rows)}\n`);
    for (const problem of problems) console.log(`PROBLEM: ${problem}`);
    console.log(`load average now ${loadavg().map((l) => l.toFixed(2)).join(' ')}; total bench time: ${((Date.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    await cleanup();
  }
}

await main();
