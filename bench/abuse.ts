/**
 * Abuse benchmark: what hostile or broken clients on the network cost the server, beside the
 * targets of issue 11. Not a test: `npx tsx --conditions=source bench/abuse.ts` (or `npm run
 * bench -- abuse`).
 *
 * The server is the production build (`node server/dist/main.js`, built first with `tsc -b`
 * when stale), in its own process, over a generated library; the hostile load and a
 * well-behaved client run in this process. Resident memory is sampled from /proc/PID/status.
 *
 * Loads (BENCH_ONLY=pipeline,… picks some):
 *   pipeline  150 connections each pipeline 20,000 `GET /api/tracks` and never read; meanwhile
 *             a normal client asks for the track list every 100 ms. Targets: server RSS under
 *             500 MB, the normal client's p90 under 1 s.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cbrStream, id3v2Tag } from '../server/synth/index.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const only = new Set((process.env.BENCH_ONLY ?? 'pipeline').split(',').map((s) => s.trim()));

interface RunningServer {
  child: ChildProcess;
  port: number;
  base: string;
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) / 1024;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function makeLibrary(dir: string, albums: number, tracksPerAlbum: number): Promise<number> {
  for (let a = 0; a < albums; a++) {
    const folder = join(dir, `Artist ${a % 7}`, `Album ${a}`);
    await mkdir(folder, { recursive: true });
    for (let t = 1; t <= tracksPerAlbum; t++) {
      const tag = id3v2Tag({ title: `Track ${t} of album ${a}`, artist: `Artist ${a % 7}`, album: `Album ${a}`, track: String(t), year: '2024' });
      await writeFile(join(folder, `${String(t).padStart(2, '0')}.mp3`), Buffer.concat([tag, cbrStream(2)]));
    }
  }
  return albums * tracksPerAlbum;
}

async function startServer(media: string, data: string, trackCount: number, extraArgs: string[] = []): Promise<RunningServer> {
  const build = spawnSync('npx', ['tsc', '-b', 'shared', 'server'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('server build failed');
  const port = await freePort();
  const child = spawn(process.execPath, [join(ROOT, 'server/dist/main.js'), '--media', media, '--data', data, '--port', String(port), '--host', '127.0.0.1', ...extraArgs], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, LOG_LEVEL: 'warn' },
  });
  const base = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 300; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    try {
      const scan = (await (await fetch(`${base}/api/scan`)).json()) as { scanning: boolean; trackCount: number };
      if (!scan.scanning && scan.trackCount === trackCount) return { child, port, base };
    } catch {
      // not listening yet
    }
  }
  child.kill();
  throw new Error('the server did not finish its scan within 30 s');
}

async function stop(server: RunningServer): Promise<void> {
  server.child.kill('SIGTERM');
  if (server.child.exitCode === null) await once(server.child, 'exit');
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** A normal client: one request every `everyMs` until `stop`; the latencies in ms (timeouts as `timeoutMs`). */
async function normalClient(url: string, everyMs: number, timeoutMs: number, stop: { done: boolean }): Promise<number[]> {
  const latencies: number[] = [];
  while (!stop.done) {
    const started = performance.now();
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      await response.arrayBuffer();
      latencies.push(performance.now() - started);
    } catch {
      latencies.push(timeoutMs);
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  return latencies;
}

const rows: string[][] = [];
function row(load: string, measure: string, value: string, target: string, met: boolean): void {
  rows.push([load, measure, value, target, met ? 'met' : 'NOT MET']);
}

async function pipelineFlood(server: RunningServer): Promise<void> {
  const connections = 150;
  const perConnection = 20_000;
  const flood = Buffer.from(`GET /api/tracks HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n\r\n`.repeat(perConnection));
  const startRss = rssMb(server.child.pid!);
  const sockets: net.Socket[] = [];
  const stopClient = { done: false };
  const latencies = normalClient(`${server.base}/api/tracks`, 100, 5000, stopClient);
  let peak = startRss;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(server.child.pid!))), 50);
  for (let i = 0; i < connections; i++) {
    const socket = net.connect(server.port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.pause();
    await once(socket, 'connect');
    socket.write(flood);
    sockets.push(socket);
  }
  await new Promise((resolve) => setTimeout(resolve, 10_000));
  stopClient.done = true;
  const times = await latencies;
  clearInterval(sampler);
  for (const socket of sockets) socket.destroy();
  const p90 = percentile(times, 90);
  console.log(`pipeline: RSS ${startRss.toFixed(0)} -> peak ${peak.toFixed(0)} MB; normal client ${times.length} requests, p50 ${percentile(times, 50).toFixed(1)} ms, p90 ${p90.toFixed(1)} ms`);
  row(`${connections} conns x ${perConnection.toLocaleString('en')} unread pipelined requests`, 'server peak RSS', `${peak.toFixed(0)} MB`, '< 500 MB', peak < 500);
  row('', "another client's GET /api/tracks, p90", `${p90.toFixed(1)} ms`, '< 1,000 ms', p90 < 1000);
}

const work = await mkdtemp(join(tmpdir(), 'musicsharer-abuse-'));
try {
  const media = join(work, 'media');
  const trackCount = await makeLibrary(media, 2, 5);
  if (only.has('pipeline')) {
    const server = await startServer(media, join(work, 'data'), trackCount);
    try {
      await pipelineFlood(server);
    } finally {
      await stop(server);
    }
  }
  const widths = [0, 1, 2, 3, 4].map((i) => Math.max(...[['load', 'measure', 'ours', 'target', ''], ...rows].map((r) => r[i]!.length)));
  const format = (r: string[]) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ');
  console.log(`\n${format(['load', 'measure', 'ours', 'target', ''])}\n${rows.map(format).join('\n')}`);
} finally {
  await rm(work, { recursive: true, force: true });
}
