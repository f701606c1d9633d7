/**
 * What every load of the abuse benchmark (bench/abuse.ts) shares: a generated library, the
 * production server in its own process, its resident memory, a well-behaved client, and the
 * result table.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cbrStream, id3v2Tag } from '../../server/synth/index.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface RunningServer {
  child: ChildProcess;
  pid: number;
  port: number;
  /** `http://127.0.0.1:PORT` */
  base: string;
}

/** What a load gets: its own work folder, a library, and a way to start servers over it. */
export interface LoadContext {
  work: string;
  media: string;
  trackCount: number;
  /** Starts the production server over `media` (extra flags, environment); stopped after the load. */
  startServer(options?: ServerOptions): Promise<RunningServer>;
  /** One line of the result table. */
  row(load: string, measure: string, ours: string, target: string, met: boolean): void;
}

export interface ServerOptions {
  args?: string[];
  env?: Record<string, string>;
  media?: string;
  trackCount?: number;
  /** Run the server under `ulimit -n` this many descriptors. */
  fdLimit?: number;
}

export interface Load {
  name: string;
  run(context: LoadContext): Promise<void>;
}

export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) / 1024;
}

/** Samples the RSS of `pid` every 50 ms until the returned function is called; it returns the peak. */
export function samplePeakRss(pid: number): () => number {
  let peak = rssMb(pid);
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssMb(pid));
    } catch {
      // the process is gone
    }
  }, 50);
  return () => {
    clearInterval(timer);
    return peak;
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** `albums` albums of `tracksPerAlbum` tagged two-second MP3s; returns the track count. */
export async function makeLibrary(dir: string, albums: number, tracksPerAlbum: number): Promise<number> {
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

let built = false;

/** The production server (`node server/dist/main.js`, built first when stale) until its scan is done. */
export async function startProductionServer(media: string, data: string, trackCount: number, { args = [], env = {}, fdLimit }: ServerOptions = {}): Promise<RunningServer> {
  if (!built) {
    const build = spawnSync('npx', ['tsc', '-b', 'shared', 'server'], { cwd: ROOT, stdio: 'inherit' });
    if (build.status !== 0) throw new Error('server build failed');
    built = true;
  }
  const port = await freePort();
  const command = [process.execPath, join(ROOT, 'server/dist/main.js'), '--media', media, '--data', data, '--port', String(port), '--host', '127.0.0.1', '--no-auth', ...args];
  const quoted = command.map((word) => `'${word.replaceAll("'", "'\\''")}'`).join(' ');
  // Under a descriptor limit: bash sets it, then becomes the server (exec), so the pid is the server's.
  const [file, argv] = fdLimit === undefined ? [command[0]!, command.slice(1)] : ['bash', ['-c', `ulimit -n ${fdLimit} && exec ${quoted}`]];
  const child = spawn(file, argv, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, LOG_LEVEL: 'warn', ...env } });
  const base = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 600; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode})`);
    try {
      const scan = (await (await fetch(`${base}/api/scan`)).json()) as { scanning: boolean; trackCount: number };
      if (!scan.scanning && scan.trackCount === trackCount) return { child, pid: child.pid!, port, base };
    } catch {
      // not listening yet
    }
  }
  child.kill('SIGKILL');
  throw new Error('the server did not finish its scan within 60 s');
}

export async function stopServer(server: RunningServer): Promise<void> {
  if (server.child.exitCode !== null) return;
  server.child.kill('SIGTERM');
  await once(server.child, 'exit');
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/**
 * A well-behaved client: one request every `everyMs` until `stop.done`; the latencies in ms
 * (a failure or a time-out counts as `timeoutMs`).
 */
export async function normalClient(url: string, everyMs: number, timeoutMs: number, stop: { done: boolean }): Promise<number[]> {
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
