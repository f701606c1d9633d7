/**
 * Streaming benchmark: our stream plugin vs @fastify/static vs nginx, same file, same machine,
 * same load, side by side. Not a test: run it by hand.
 *
 *   npx tsx --conditions=source bench/stream.ts
 *
 * Every server runs in its own child process; the load generator (wrk, or autocannon when wrk
 * is missing) runs separately. The Node servers run as plain `node` on an esbuild bundle of
 * this file (as in production, where the server runs compiled JavaScript): under tsx every
 * process carries a loader thread that adds ~70 MB of RSS. Loads:
 *   probe  `Range: bytes=0-1`              iOS Safari's first request for every track
 *   1 MiB  `Range: bytes=1048576-2097151`  a typical chunk of progressive playback
 *   seek   `Range: bytes=7200000-`         an open-ended range from the middle of an hour
 * Then 200 slow readers of the whole one-hour file, sampling the server's resident memory.
 *
 * The machine is shared (2 cores, other work running): every server gets the same warm-up,
 * then the servers take turns, ROUNDS times, and each keeps its best run. Besides requests/s the
 * table shows the server's own CPU time per request (from /proc/PID/stat, all threads), which
 * outside load disturbs much less than throughput.
 *
 * Environment: BENCH_SECONDS (per run, default 3), BENCH_WARMUP (default 2), BENCH_ROUNDS
 * (default 2), BENCH_ONLY (a
 * comma-separated subset of probe,mib,seek,slow, for quick iterations).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleForNode } from './bundle.js';

const SELF = fileURLToPath(import.meta.url);
const TRACK_ID = 'hour';
const TRACK_FILE = 'hour.mp3';
const NGINX = '/usr/sbin/nginx';
const WRK = '/usr/bin/wrk';

// --- Child mode: one server per process ----------------------------------------------------

async function serve(kind: string, root: string, port: number): Promise<void> {
  if (kind === 'floor') return serveFloor(root, port);
  const { default: Fastify } = await import('fastify');
  // The server options of the running app (server/src/app.ts, main.ts): a logger at info
  // level that logs no line per successful request, here writing to /dev/null. (With a logger
  // Fastify still sets up response listeners for every request: ~2 µs of a probe, measured.)
  const { requestLogOptions } = await import('../server/src/request-log.js');
  const { createWriteStream } = await import('node:fs');
  const app = Fastify({
    logger: { level: 'info', stream: createWriteStream('/dev/null') },
    ...requestLogOptions(false),
    trustProxy: false,
    keepAliveTimeout: 65_000,
  });
  let ready = 'ready';
  if (kind === 'auth') {
    // Access control as the app has it (plugins/auth.ts): the session check runs first on the
    // stream route; the load sends a live session's cookie.
    const { default: authPlugin } = await import('../server/src/plugins/auth.js');
    await app.register(authPlugin, { enabled: true, dataDir: mkdtempSync(join(root, '..', 'auth-data-')) /* inside the bench's work folder, removed with it */ });
    const { token } = await app.auth.stores!.sessions.create('bench', '127.0.0.1');
    const { SESSION_COOKIE } = await import('../server/src/auth/cookie.js');
    ready = `ready ${SESSION_COOKIE}=${token}`;
  }
  if (kind === 'ours' || kind === 'auth') {
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
  process.stdout.write(`${ready}\n`);
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

/**
 * A reference, not a contender: what Node's HTTP layer alone costs for the probe. Bare
 * `node:http`, no framework, no routing, no validation; an lstat once the last is
 * `DEFAULT_STAT_FRESH_MS` old (the rule ours follows), the same 206 header fields (derived once per version of the file) and 2
 * bytes from memory.
 * It answers `bytes=0-1` and nothing else.
 */
async function serveFloor(root: string, port: number): Promise<void> {
  const { createServer: createHttpServer } = await import('node:http');
  const { lstatSync } = await import('node:fs');
  const { DEFAULT_STAT_FRESH_MS } = await import('../server/src/stream/open-files.js');
  const path = join(root, TRACK_FILE);
  const head = readFileSync(path).subarray(0, 2);
  // Header values are derived once per version of the file, as ours does.
  let version = '';
  let fields: string[] = [];
  let checkedAt = -Infinity;
  const server = createHttpServer({ keepAliveTimeout: 65_000 }, (request, response) => {
    if (request.headers.range !== 'bytes=0-1') {
      response.writeHead(400).end();
      return;
    }
    const now = performance.now();
    if (now - checkedAt >= DEFAULT_STAT_FRESH_MS) {
      checkedAt = now;
      const stats = lstatSync(path);
      const current = `${stats.ino}-${stats.size}-${stats.mtimeMs}`;
      if (current !== version) {
        version = current;
        fields = [
          'Accept-Ranges', 'bytes', 'ETag', `"${current}"`, 'Last-Modified', stats.mtime.toUTCString(),
          'Cache-Control', 'no-cache', 'X-Content-Type-Options', 'nosniff',
          'Content-Type', 'audio/mpeg', 'Content-Length', '2', 'Content-Range', `bytes 0-1/${stats.size}`,
        ];
      }
    }
    response.writeHead(206, fields);
    response.end(head);
  });
  server.listen(port, '127.0.0.1', () => process.stdout.write('ready\n'));
  process.on('SIGTERM', () => {
    server.close(() => process.exit(0));
    server.closeAllConnections(); // idle keep-alive connections would hold close() open
  });
}

// --- Parent mode ---------------------------------------------------------------------------

interface Server {
  name: string;
  url: string;
  child: ChildProcess;
  /** The process that does the serving (nginx: its worker, not the master). */
  servingPid: number;
  /** Sent with every request of the load (the session cookie for access control). */
  headers?: Record<string, string>;
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
  /** Server CPU time (user + system, all threads) per request, microseconds. */
  cpuMicrosPerRequest: number;
  /** The same per MiB sent (what counts for large bodies). */
  cpuMicrosPerMiB: number;
}

/** CPU time of a process so far (user + system, all its threads), in clock ticks. */
function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
}

const TICKS_PER_SECOND = Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim()) || 100;

const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const warmup = Number(process.env.BENCH_WARMUP ?? 2);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Resolves with the line that starts with `line`. */
function waitForLine(child: ChildProcess, line: string, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start:\n${output}`)), 15_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const found = output.split('\n').find((l, i, all) => l.startsWith(line) && i < all.length - 1);
      if (found !== undefined) {
        clearTimeout(timer);
        resolve(found);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`${what} exited (${code}):\n${output}`)));
  });
}

/** The command prefix for a server child: plain node on a bundle, or tsx when that fails. */
async function serverCommand(work: string): Promise<{ args: string[]; note: string }> {
  try {
    return { args: [await bundleForNode(SELF, work)], note: 'servers: plain node on an esbuild bundle (as compiled in production)' };
  } catch (error) {
    return { args: [...process.execArgv, SELF], note: `note: esbuild bundle failed (${String(error)}): servers run under tsx, RSS includes its loader` };
  }
}

const NODE_SERVER_NAMES = { ours: 'ours', auth: 'ours + access control', static: '@fastify/static', floor: 'node:http floor' } as const;

async function startNode(kind: keyof typeof NODE_SERVER_NAMES, root: string, command: string[]): Promise<Server> {
  const port = await freePort();
  const child = spawn(process.execPath, [...command, 'serve', kind, root, String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const ready = await waitForLine(child, 'ready', kind);
  const url = kind === 'ours' || kind === 'auth' ? `http://127.0.0.1:${port}/stream/${TRACK_ID}` : `http://127.0.0.1:${port}/stream/${TRACK_FILE}`;
  const cookie = ready.split(' ')[1];
  return { name: NODE_SERVER_NAMES[kind], url, child, servingPid: child.pid!, ...(cookie ? { headers: { Cookie: cookie } } : {}) };
}

async function startNginx(root: string, work: string): Promise<Server> {
  const port = await freePort();
  for (const dir of ['logs', 'tmp']) mkdirSync(join(work, dir), { recursive: true });
  // One worker: the Node servers are one process (one event loop) too. sendfile on, as in
  // Debian's stock nginx.conf. No access log (the Node servers log no line per request either).
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
  // worker_processes 1: the master's only child is the worker that serves.
  const workerPid = Number(readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/)[0]);
  if (!Number.isInteger(workerPid) || workerPid <= 0) throw new Error('nginx worker not found');
  return { name: 'nginx', url, child, servingPid: workerPid };
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

async function runWrk(server: Server, load: Load, duration: number): Promise<Omit<Result, 'cpuMicrosPerRequest' | 'cpuMicrosPerMiB'>> {
  const extra = Object.entries(server.headers ?? {}).flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
  const args = ['-t1', `-c${load.connections}`, `-d${duration}s`, '--timeout', '20s', '-H', `Range: ${load.range}`, ...extra, server.url];
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

async function runAutocannon(server: Server, load: Load, duration: number): Promise<Omit<Result, 'cpuMicrosPerRequest' | 'cpuMicrosPerMiB'>> {
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
  const result = await autocannon({ url: server.url, connections: load.connections, duration, headers: { range: load.range, ...server.headers } });
  return {
    requestsPerSec: result.requests.average,
    bytesPerSec: result.throughput.average,
    errors: result.errors + result.timeouts + result.non2xx,
  };
}

/** Checks the server answers the load as expected before timing it (status and length). */
async function verify(server: Server, load: Load, expectedLength: number): Promise<void> {
  const response = await fetch(server.url, { headers: { range: load.range, ...server.headers } });
  const body = new Uint8Array(await response.arrayBuffer());
  if (response.status !== 206 || body.length !== expectedLength) {
    throw new Error(`${server.name} answered ${load.range} with ${response.status} and ${body.length} bytes, expected 206 and ${expectedLength}`);
  }
}

/**
 * 200 raw sockets each GET the whole hour-long file and read slowly: paused, resumed for one
 * chunk every 500 ms. Samples the server's VmRSS meanwhile; returns the peak in bytes.
 */
async function slowReaders(server: Server, count: number, durationMs: number): Promise<{ idleRss: number; peakRss: number; received: number }> {
  const { hostname, port, pathname } = new URL(server.url);
  const pid = server.servingPid;
  const sockets: Socket[] = [];
  let received = 0;
  let peakRss = 0;
  const rss = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
  const idleRss = rss();
  const sample = () => {
    peakRss = Math.max(peakRss, rss());
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
  return { idleRss, peakRss, received };
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const line = (row: string[]) => `| ${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(rows[0]!), rule, ...rows.slice(1).map(line)].join('\n');
}

const fmtRate = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(1)}k` : n.toFixed(0));
const fmtBytes = (n: number) => `${(n / 1024 ** 2).toFixed(0)} MiB/s`;
const fmtMicros = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(1)} ms` : `${n.toFixed(0)} µs`);
/** Server CPU per request for the probe, per MiB sent for large bodies. */
const cpuCell = (load: Load, result: Result) =>
  load.key === 'probe' ? `${fmtMicros(result.cpuMicrosPerRequest)}/req` : `${fmtMicros(result.cpuMicrosPerMiB)}/MiB`;

async function main(): Promise<void> {
  const started = Date.now();
  const cpuList = cpus();
  console.log(`machine: ${availableParallelism()} cores (${cpuList[0]?.model.trim() ?? 'unknown CPU'}), Node ${process.version}, ${process.platform}`);

  const work = realpathSync(mkdtempSync(join(tmpdir(), 'musicsharer-bench-')));
  const media = join(work, 'media');
  mkdirSync(media);
  const { cbrStream } = await import('../server/synth/index.js');
  // One hour of 128 kbit/s MPEG-1 Layer III: 57.6 MB.
  const file = cbrStream(3600, 128);
  writeFileSync(join(media, TRACK_FILE), file);
  const size = file.length;
  console.log(`file: 1 hour MP3 at 128 kbit/s, ${size} bytes`);

  const useWrk = existsSync(WRK);
  if (!useWrk) console.log(`note: ${WRK} not found: using autocannon (in-process Node client, lower ceiling)`);
  const generator = useWrk ? runWrk : runAutocannon;
  console.log(
    `load generator: ${useWrk ? 'wrk -t1' : 'autocannon'}; per load and server: ${warmup}s warm-up, then ${rounds} rounds of ${seconds}s taken in turns, best kept; same connections for every server`,
  );

  const servers: Server[] = [];
  const references: Server[] = [];
  const cleanup = async () => {
    await Promise.all([...servers, ...references].map(stop));
    rmSync(work, { recursive: true, force: true });
  };
  process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));
  try {
    const command = await serverCommand(work);
    console.log(command.note);
    servers.push(await startNode('ours', media, command.args));
    servers.push(await startNode('static', media, command.args));
    if (existsSync(NGINX) && process.getuid?.() === 0) servers.push(await startNginx(media, join(work, 'nginx')));
    else console.log(`note: nginx column skipped (${existsSync(NGINX) ? 'needs root for "user root;"' : `${NGINX} not installed`})`);
    // A reference measured with the probe only, in the same rounds; shown in the target line.
    const floor = await startNode('floor', media, command.args);
    references.push(floor);
    let floorResult: Result | undefined;
    // Ours with the session check of access control (issue 12), on the probe only.
    const withAuth = await startNode('auth', media, command.args);
    references.push(withAuth);
    let authResult: Result | undefined;
    console.log('');

    const only = process.env.BENCH_ONLY?.split(',');
    const loads: (Load & { length: number })[] = [
      { key: 'probe', name: 'probe bytes=0-1', range: 'bytes=0-1', connections: 50, length: 2 },
      { key: 'mib', name: '1 MiB bytes=1048576-2097151', range: 'bytes=1048576-2097151', connections: 16, length: 1048576 },
      { key: 'seek', name: 'seek bytes=7200000-', range: 'bytes=7200000-', connections: 16, length: size - 7_200_000 },
    ].filter((load) => !only || only.includes(load.key));
    const results = new Map<string, Map<string, Result>>();
    for (const load of loads) {
      const row = new Map<string, Result>();
      const measured = load.key === 'probe' ? [...servers, withAuth, floor] : servers;
      for (const server of measured) {
        await verify(server, load, load.length);
        await generator(server, load, warmup);
      }
      for (let round = 0; round < rounds; round++) {
        for (const server of measured) {
          const ticks = cpuTicks(server.servingPid);
          const run = await generator(server, load, seconds);
          const cpuSeconds = (cpuTicks(server.servingPid) - ticks) / TICKS_PER_SECOND;
          const result = {
            ...run,
            cpuMicrosPerRequest: (cpuSeconds * 1e6) / (run.requestsPerSec * seconds),
            cpuMicrosPerMiB: (cpuSeconds * 1e6) / ((run.bytesPerSec * seconds) / 1024 ** 2),
          };
          if (result.errors > 0) console.log(`warning: ${server.name} had ${result.errors} errors on ${load.name}`);
          process.stdout.write(
            `  ${load.name.padEnd(28)} round ${round + 1}  ${server.name.padEnd(16)} ${fmtRate(result.requestsPerSec).padStart(6)} req/s ${fmtBytes(result.bytesPerSec).padStart(12)}  ${cpuCell(load, result).padStart(12)} CPU\n`,
          );
          if (server === floor) {
            if (!floorResult || result.requestsPerSec > floorResult.requestsPerSec) floorResult = result;
            continue;
          }
          if (server === withAuth) {
            if (!authResult || result.requestsPerSec > authResult.requestsPerSec) authResult = result;
            continue;
          }
          const best = row.get(server.name);
          if (!best || result.requestsPerSec > best.requestsPerSec) row.set(server.name, result);
        }
      }
      results.set(load.name, row);
    }

    const names = servers.map((s) => s.name);
    const hasNginx = names.includes('nginx');
    const header = ['load (c = connections)', ...names.map((n) => `${n} req/s`), ...names.map((n) => `${n} MiB/s`), ...names.map((n) => `${n} CPU`)];
    header.push('ours/static', 'CPU static/ours');
    if (hasNginx) header.push('ours/nginx MiB/s', 'CPU nginx/ours');
    const rows = [header];
    for (const load of loads) {
      const row = results.get(load.name)!;
      const ours = row.get('ours')!;
      const stat = row.get('@fastify/static')!;
      const cells = [`${load.name} (c=${load.connections})`];
      for (const name of names) cells.push(fmtRate(row.get(name)!.requestsPerSec));
      for (const name of names) cells.push((row.get(name)!.bytesPerSec / 1024 ** 2).toFixed(0));
      for (const name of names) cells.push(cpuCell(load, row.get(name)!));
      // The probe is about requests/s; large bodies about bytes/s (a 50 MB seek may not even
      // complete within a run on a slow server, while its bytes still count).
      const perRequest = load.key === 'probe';
      const pick = (r: Result) => (perRequest ? r.requestsPerSec : r.bytesPerSec);
      const cpu = (r: Result) => (perRequest ? r.cpuMicrosPerRequest : r.cpuMicrosPerMiB);
      cells.push(`${(pick(ours) / pick(stat)).toFixed(2)}x ${perRequest ? 'req/s' : 'MiB/s'}`);
      cells.push(`${(cpu(stat) / cpu(ours)).toFixed(2)}x`);
      if (hasNginx) {
        const nginx = row.get('nginx')!;
        cells.push(`${(ours.bytesPerSec / nginx.bytesPerSec).toFixed(2)}x`);
        cells.push(`${(cpu(nginx) / cpu(ours)).toFixed(2)}x`);
      }
      rows.push(cells);
    }
    console.log(`\n${table(rows)}\n`);

    if (!only || only.includes('slow')) {
      console.log('200 slow readers of the whole hour-long file (raw sockets, one chunk per 500 ms, 8 s), server RSS from /proc/PID/status:');
      const memoryRows = [['server', 'RSS before', 'peak RSS', 'bytes sent to readers']];
      for (const server of servers.filter((s) => s.name !== 'nginx')) {
        const { idleRss, peakRss, received } = await slowReaders(server, 200, 8000);
        memoryRows.push([server.name, `${(idleRss / 1e6).toFixed(0)} MB`, `${(peakRss / 1e6).toFixed(0)} MB`, `${(received / 1024 ** 2).toFixed(0)} MiB`]);
        if (server.name === 'ours') console.log(`target ours peak RSS < 150 MB: ${(peakRss / 1e6).toFixed(0)} MB`);
      }
      console.log(`${table(memoryRows)}\n`);
    }

    for (const load of loads) {
      const row = results.get(load.name)!;
      const ours = row.get('ours')!;
      const nginx = row.get('nginx');
      if (load.key === 'probe') {
        const stat = row.get('@fastify/static')!;
        console.log(
          `target probe >= 5x @fastify/static req/s: ${(ours.requestsPerSec / stat.requestsPerSec).toFixed(2)}x (server CPU per request: ${(stat.cpuMicrosPerRequest / ours.cpuMicrosPerRequest).toFixed(2)}x less)`,
        );
        if (authResult) {
          console.log(
            `target probe with access control (session cookie checked) >= 0.9x without: ${fmtRate(authResult.requestsPerSec)} vs ${fmtRate(ours.requestsPerSec)} req/s = ${(authResult.requestsPerSec / ours.requestsPerSec).toFixed(2)}x (CPU ${fmtMicros(authResult.cpuMicrosPerRequest)} vs ${fmtMicros(ours.cpuMicrosPerRequest)}/req); and >= 5x @fastify/static: ${(authResult.requestsPerSec / stat.requestsPerSec).toFixed(2)}x`,
          );
        }
        if (floorResult) {
          console.log(
            `  reference: bare node:http (no framework; same lstat rule, same headers, 2 bytes from memory): ${fmtRate(floorResult.requestsPerSec)} req/s, ${fmtMicros(floorResult.cpuMicrosPerRequest)}/req CPU = ${(floorResult.requestsPerSec / stat.requestsPerSec).toFixed(2)}x @fastify/static; ours = ${(ours.requestsPerSec / floorResult.requestsPerSec).toFixed(2)}x of it`,
          );
        }
      } else if (nginx) {
        console.log(`target ${load.name} >= 0.9x nginx throughput: ${(ours.bytesPerSec / nginx.bytesPerSec).toFixed(2)}x`);
      }
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
