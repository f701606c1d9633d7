/**
 * Streaming benchmark: our stream plugin vs @fastify/static vs nginx, same file, same machine,
 * same load, side by side. Not a test: run it by hand.
 *
 *   npx tsx --conditions=source bench/stream.ts
 *
 * Every server runs in its own child process; the load generator (wrk, or autocannon when wrk
 * is missing) runs separately. Loads:
 *   probe  `Range: bytes=0-1`              iOS Safari's first request for every track
 *   1 MiB  `Range: bytes=1048576-2097151`  a typical chunk of progressive playback
 *   seek   `Range: bytes=7200000-`         an open-ended range from the middle of an hour
 * Then 200 slow readers of the whole one-hour file, sampling the server's resident memory.
 *
 * Environment: BENCH_SECONDS (per run, default 4), BENCH_WARMUP (default 1), BENCH_ONLY (a
 * comma-separated subset of probe,mib,seek,slow, for quick iterations).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
const TRACK_ID = 'hour';
const TRACK_FILE = 'hour.mp3';
const NGINX = '/usr/sbin/nginx';
const WRK = '/usr/bin/wrk';

// --- Child mode: one server per process ----------------------------------------------------

async function serve(kind: string, root: string, port: number): Promise<void> {
  const { default: Fastify } = await import('fastify');
  // Same server options as the app (server/src/app.ts): no logger in a benchmark.
  const app = Fastify({ logger: false, trustProxy: false, keepAliveTimeout: 65_000 });
  if (kind === 'ours') {
    const { default: streamPlugin } = await import('../server/src/plugins/stream.js');
    const path = join(root, TRACK_FILE);
    await app.register(streamPlugin, {
      root,
      resolve: (id: string) => (id === TRACK_ID ? { path, mimeType: 'audio/mpeg' } : undefined),
    });
  } else {
    const { default: fastifyStatic } = await import('@fastify/static');
    await app.register(fastifyStatic, { root, prefix: '/stream/' });
  }
  await app.listen({ port, host: '127.0.0.1' });
  process.stdout.write('ready\n');
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

// --- Parent mode ---------------------------------------------------------------------------

interface Server {
  name: string;
  url: string;
  child: ChildProcess;
}

interface Load {
  key: string;
  name: string;
  range: string;
  connections: number;
}

interface Result {
  requestsPerSec: number;
  bytesPerSec: number;
  errors: number;
}

const seconds = Number(process.env.BENCH_SECONDS ?? 4);
const warmup = Number(process.env.BENCH_WARMUP ?? 1);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function waitForLine(child: ChildProcess, line: string, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start:\n${output}`)), 15_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(line)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`${what} exited (${code}):\n${output}`)));
  });
}

async function startNode(kind: 'ours' | 'static', root: string): Promise<Server> {
  const port = await freePort();
  const child = spawn(process.execPath, [...process.execArgv, SELF, 'serve', kind, root, String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await waitForLine(child, 'ready', kind);
  const url = kind === 'ours' ? `http://127.0.0.1:${port}/stream/${TRACK_ID}` : `http://127.0.0.1:${port}/stream/${TRACK_FILE}`;
  return { name: kind === 'ours' ? 'ours' : '@fastify/static', url, child };
}

async function startNginx(root: string, work: string): Promise<Server> {
  const port = await freePort();
  for (const dir of ['logs', 'tmp']) mkdirSync(join(work, dir), { recursive: true });
  // One worker: the Node servers are one process (one event loop) too. sendfile on, as in
  // Debian's stock nginx.conf. No access log (the Node servers log nothing either).
  const config = `user root;
daemon off;
worker_processes 1;
pid ${work}/nginx.pid;
error_log ${work}/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  keepalive_timeout 65s;
  types { audio/mpeg mp3; }
  default_type application/octet-stream;
  client_body_temp_path ${work}/tmp/body;
  proxy_temp_path ${work}/tmp/proxy;
  fastcgi_temp_path ${work}/tmp/fastcgi;
  uwsgi_temp_path ${work}/tmp/uwsgi;
  scgi_temp_path ${work}/tmp/scgi;
  server {
    listen 127.0.0.1:${port};
    location /stream/ { alias ${root}/; }
  }
}
`;
  const configPath = join(work, 'nginx.conf');
  writeFileSync(configPath, config);
  const child = spawn(NGINX, ['-e', join(work, 'logs', 'error.log'), '-p', work, '-c', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  const url = `http://127.0.0.1:${port}/stream/${TRACK_FILE}`;
  // nginx prints nothing when it starts: poll until it answers.
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${readFileSync(join(work, 'logs', 'error.log'), 'utf8')}`);
    try {
      const response = await fetch(url, { method: 'HEAD' });
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (attempt > 100) throw new Error('nginx did not start');
    await sleep(100);
  }
  return { name: 'nginx', url, child };
}

function stop(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (server.child.exitCode !== null) return resolve();
    server.child.once('exit', () => resolve());
    // nginx: QUIT is a graceful stop; TERM a fast one. Node: TERM closes the app.
    server.child.kill('SIGTERM');
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Parses "12.34MB" as bytes (wrk prints binary units). */
function parseSize(text: string): number {
  const match = /([\d.]+)([KMGT]?)B/.exec(text);
  if (!match) return NaN;
  const scale = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 }[match[2] as '' | 'K' | 'M' | 'G' | 'T'];
  return Number(match[1]) * scale;
}

async function runWrk(url: string, load: Load, duration: number): Promise<Result> {
  const args = ['-t1', `-c${load.connections}`, `-d${duration}s`, '-H', `Range: ${load.range}`, url];
  const child = spawn(WRK, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise((resolve) => child.once('exit', resolve));
  const requestsPerSec = Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1]);
  const bytesPerSec = parseSize(/Transfer\/sec:\s+(\S+)/.exec(output)?.[1] ?? '');
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(output)?.[1] ?? 0);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const errors = non2xx + (socketErrors ? socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0);
  if (!Number.isFinite(requestsPerSec)) throw new Error(`wrk output not understood:\n${output}`);
  return { requestsPerSec, bytesPerSec, errors };
}

async function runAutocannon(url: string, load: Load, duration: number): Promise<Result> {
  // autocannon ships no types: describe the little this file uses.
  type Autocannon = (options: object) => Promise<{
    requests: { average: number };
    throughput: { average: number };
    errors: number;
    timeouts: number;
    non2xx: number;
  }>;
  const specifier = 'autocannon';
  const { default: autocannon } = (await import(specifier)) as { default: Autocannon };
  const result = await autocannon({ url, connections: load.connections, duration, headers: { range: load.range } });
  return {
    requestsPerSec: result.requests.average,
    bytesPerSec: result.throughput.average,
    errors: result.errors + result.timeouts + result.non2xx,
  };
}

/** Checks the server answers the load as expected before timing it (status and length). */
async function verify(server: Server, load: Load, expectedLength: number): Promise<void> {
  const response = await fetch(server.url, { headers: { range: load.range } });
  const body = new Uint8Array(await response.arrayBuffer());
  if (response.status !== 206 || body.length !== expectedLength) {
    throw new Error(`${server.name} answered ${load.range} with ${response.status} and ${body.length} bytes, expected 206 and ${expectedLength}`);
  }
}

/**
 * 200 raw sockets each GET the whole hour-long file and read slowly: paused, resumed for one
 * chunk every 500 ms. Samples the server's VmRSS meanwhile; returns the peak in bytes.
 */
async function slowReaders(server: Server, count: number, durationMs: number): Promise<{ peakRss: number; received: number }> {
  const { hostname, port, pathname } = new URL(server.url);
  const pid = server.child.pid!;
  const sockets: Socket[] = [];
  let received = 0;
  let peakRss = 0;
  const sample = () => {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
    peakRss = Math.max(peakRss, kb * 1024);
  };
  for (let i = 0; i < count; i++) {
    const socket = connect(Number(port), hostname);
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    socket.write(`GET ${pathname} HTTP/1.1\r\nHost: ${hostname}\r\nUser-Agent: slow-reader\r\n\r\n`);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      socket.pause();
    });
    sockets.push(socket);
  }
  const resumer = setInterval(() => {
    for (const socket of sockets) socket.resume();
  }, 500);
  const sampler = setInterval(sample, 100);
  await sleep(durationMs);
  clearInterval(resumer);
  clearInterval(sampler);
  sample();
  for (const socket of sockets) socket.destroy();
  return { peakRss, received };
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const line = (row: string[]) => `| ${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(rows[0]!), rule, ...rows.slice(1).map(line)].join('\n');
}

const fmtRate = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(1)}k` : n.toFixed(0));
const fmtBytes = (n: number) => `${(n / 1024 ** 2).toFixed(0)} MiB/s`;

async function main(): Promise<void> {
  const started = Date.now();
  const cpuList = cpus();
  console.log(`machine: ${availableParallelism()} cores (${cpuList[0]?.model.trim() ?? 'unknown CPU'}), Node ${process.version}, ${process.platform}`);

  const work = realpathSync(mkdtempSync(join(tmpdir(), 'musicsharer-bench-')));
  const media = join(work, 'media');
  mkdirSync(media);
  const { cbrStream } = await import('../server/src/synth/index.js');
  // One hour of 128 kbit/s MPEG-1 Layer III: 57.6 MB.
  const file = cbrStream(3600, 128);
  writeFileSync(join(media, TRACK_FILE), file);
  const size = file.length;
  console.log(`file: 1 hour MP3 at 128 kbit/s, ${size} bytes`);

  const useWrk = existsSync(WRK);
  if (!useWrk) console.log(`note: ${WRK} not found: using autocannon (in-process Node client, lower ceiling)`);
  const generator = useWrk ? runWrk : runAutocannon;
  console.log(`load generator: ${useWrk ? 'wrk -t1' : 'autocannon'}; ${warmup}s warm-up + ${seconds}s per run, same connections for every server\n`);

  const servers: Server[] = [];
  const cleanup = async () => {
    await Promise.all(servers.map(stop));
    rmSync(work, { recursive: true, force: true });
  };
  process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));
  try {
    servers.push(await startNode('ours', media));
    servers.push(await startNode('static', media));
    if (existsSync(NGINX) && process.getuid?.() === 0) servers.push(await startNginx(media, join(work, 'nginx')));
    else console.log(`note: nginx column skipped (${existsSync(NGINX) ? 'needs root for "user root;"' : `${NGINX} not installed`})\n`);

    const only = process.env.BENCH_ONLY?.split(',');
    const loads: (Load & { length: number })[] = [
      { key: 'probe', name: 'probe bytes=0-1', range: 'bytes=0-1', connections: 50, length: 2 },
      { key: 'mib', name: '1 MiB bytes=1048576-2097151', range: 'bytes=1048576-2097151', connections: 16, length: 1048576 },
      { key: 'seek', name: 'seek bytes=7200000-', range: 'bytes=7200000-', connections: 16, length: size - 7_200_000 },
    ].filter((load) => !only || only.includes(load.key));
    const results = new Map<string, Map<string, Result>>();
    for (const load of loads) {
      const row = new Map<string, Result>();
      for (const server of servers) {
        await verify(server, load, load.length);
        await generator(server.url, load, warmup);
        const result = await generator(server.url, load, seconds);
        if (result.errors > 0) console.log(`warning: ${server.name} had ${result.errors} errors on ${load.name}`);
        row.set(server.name, result);
        process.stdout.write(`  ${load.name.padEnd(30)} ${server.name.padEnd(16)} ${fmtRate(result.requestsPerSec).padStart(7)} req/s ${fmtBytes(result.bytesPerSec).padStart(13)}\n`);
      }
      results.set(load.name, row);
    }

    const names = servers.map((s) => s.name);
    const header = ['load (c = connections)', ...names.map((n) => `${n} req/s`), ...names.map((n) => `${n} MiB/s`)];
    header.push('ours / static');
    if (names.includes('nginx')) header.push('ours / nginx');
    const rows = [header];
    for (const load of loads) {
      const row = results.get(load.name)!;
      const ours = row.get('ours')!;
      const cells = [`${load.name} (c=${load.connections})`];
      for (const name of names) cells.push(fmtRate(row.get(name)!.requestsPerSec));
      for (const name of names) cells.push((row.get(name)!.bytesPerSec / 1024 ** 2).toFixed(0));
      cells.push(`${(ours.requestsPerSec / row.get('@fastify/static')!.requestsPerSec).toFixed(2)}x`);
      if (names.includes('nginx')) cells.push(`${(ours.requestsPerSec / row.get('nginx')!.requestsPerSec).toFixed(2)}x`);
      rows.push(cells);
    }
    console.log(`\n${table(rows)}\n`);

    if (!only || only.includes('slow')) {
      console.log('200 slow readers of the whole hour-long file (raw sockets, one chunk per 500 ms), 8 s:');
      const memoryRows = [['server', 'peak RSS', 'bytes sent to readers']];
      for (const server of servers.filter((s) => s.name !== 'nginx')) {
        const { peakRss, received } = await slowReaders(server, 200, 8000);
        memoryRows.push([server.name, `${(peakRss / 1024 ** 2).toFixed(0)} MB`, `${(received / 1024 ** 2).toFixed(0)} MiB`]);
      }
      console.log(`${table(memoryRows)}\n`);
    }

    const ratios = loads.map((load) => {
      const row = results.get(load.name)!;
      return { load, ours: row.get('ours')!, stat: row.get('@fastify/static')!, nginx: row.get('nginx') };
    });
    for (const r of ratios) {
      if (r.load.key === 'probe') console.log(`target probe >= 5x @fastify/static: ${(r.ours.requestsPerSec / r.stat.requestsPerSec).toFixed(2)}x`);
      else if (r.nginx) console.log(`target ${r.load.name} >= 0.9x nginx: ${(r.ours.bytesPerSec / r.nginx.bytesPerSec).toFixed(2)}x`);
    }
    console.log(`total bench time: ${((Date.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    await cleanup();
  }
}

if (process.argv[2] === 'serve') {
  await serve(process.argv[3]!, process.argv[4]!, Number(process.argv[5]));
} else {
  await main();
}
