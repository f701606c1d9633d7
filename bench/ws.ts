/**
 * WebSocket benchmark: our RFC 6455 server beside the `ws` library, same machine, same client.
 * Not a test: run it by hand (or `npm run bench -- ws`).
 *
 *   npx tsx --conditions=source bench/ws.ts
 *
 * Processes: each server runs in its own child; the load runs in another child, so neither
 * shares an event loop with what it measures. Figures:
 *   echo     round trips per second, 64 B and 16 KiB, text and binary: CONNECTIONS raw TCP
 *            connections sending a prebuilt masked frame, each the next one when the whole echo
 *            came back (the first echo checked byte for byte); and the server process's CPU
 *            time (user + system) per round trip during those runs
 *   fan-out  time for one now-playing update to reach 1,000 connected `/ws` clients, p50/p99
 *            over UPDATES updates (measured in the client process: from the sender's `send`
 *            to the last of the 1,000 raw TCP listeners seeing the update's bytes)
 *   memory   server RSS growth for 1,000 idle connections (after GC), ours vs ws
 *
 * Environment: BENCH_SECONDS (per echo run, default 2.5), BENCH_CONNECTIONS (default 8),
 * BENCH_ONLY (echo, memory or fanout: run just that part).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { connect, type Socket } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import WebSocket, { WebSocketServer } from 'ws';
import { DEVICES_MIN_INTERVAL_MS } from '../server/src/now-playing/hub.js';
import { Opcode } from '../server/src/ws/constants.js';
import { encodeFrame, headerSize } from '../server/src/ws/sender.js';
import { bundleForNode } from './bundle.js';

const SELF = fileURLToPath(import.meta.url);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 2.5);
const WARMUP_MS = 300;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
const FANOUT_CLIENTS = 1000;
const UPDATES = 100;
const IDLE_CONNECTIONS = 1000;
const ONLY = process.env.BENCH_ONLY;
const runs = (part: 'echo' | 'memory' | 'fanout') => ONLY === undefined || ONLY === part;

type Kind = 'ours' | 'ws';
type Request =
  | { cmd: 'echo'; url: string; size: number; binary: boolean; connections: number; ms: number }
  | { cmd: 'fanout'; url: string; clients: number; updates: number }
  | { cmd: 'idle-open'; url: string; count: number }
  | { cmd: 'idle-close' }
  | { cmd: 'memory' }
  | { cmd: 'cpu' };

function reply(message: unknown): void {
  process.send!(message);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// --- Server child ------------------------------------------------------------------------------

async function serve(kind: Kind): Promise<void> {
  let port: number;
  if (kind === 'ours') {
    const { default: Fastify } = await import('fastify');
    const { default: websocketPlugin } = await import('../server/src/plugins/websocket.js');
    const { default: nowPlayingPlugin } = await import('../server/src/plugins/now-playing.js');
    const app = Fastify({ logger: false });
    await app.register(websocketPlugin);
    const track = { title: 'Benchmark Track', artist: 'The Loops' };
    await app.register(nowPlayingPlugin, { library: { getTrack: (id: string) => (id === 'bench' ? track : undefined) }, echo: true });
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as { port: number }).port;
  } else {
    const server = createServer();
    // Defaults, as most apps use it (permessage-deflate is off by default on the server).
    const wss = new WebSocketServer({ server, path: '/ws/echo' });
    wss.on('connection', (socket) => {
      socket.on('message', (data, isBinary) => socket.send(data as Buffer, { binary: isBinary }));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as { port: number }).port;
  }
  process.on('message', (message: Request) => {
    if (message.cmd === 'memory') {
      for (let i = 0; i < 3; i++) globalThis.gc?.();
      const usage = process.memoryUsage();
      reply({ result: { rss: usage.rss, live: usage.heapUsed + usage.external } });
    } else if (message.cmd === 'cpu') {
      const { user, system } = process.cpuUsage();
      reply({ result: user + system });
    }
  });
  reply({ ready: true, port });
}

// --- Client child ------------------------------------------------------------------------------

async function openClients(url: string, count: number): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  // In batches, so the listen backlog never overflows.
  for (let i = 0; i < count; i += 100) {
    const batch = Array.from({ length: Math.min(100, count - i) }, () => new WebSocket(url, { perMessageDeflate: false }));
    await Promise.all(batch.map((socket) => once(socket, 'open')));
    sockets.push(...batch);
  }
  return sockets;
}

async function closeClients(sockets: WebSocket[]): Promise<void> {
  await Promise.all(
    sockets.map((socket) => {
      const closed = once(socket, 'close');
      socket.close();
      return closed;
    }),
  );
}

/** The server's echo of `payload`: an unmasked final frame (the writer of `server/src/ws`). */
const serverFrame = (payload: Buffer, binary: boolean): Buffer => encodeFrame(binary ? Opcode.Binary : Opcode.Text, payload);

/**
 * One masked client frame, built once and sent again and again: the load generator must not be
 * what limits the round trips. (With the `ws` client as the generator, masking 16 KiB in
 * JavaScript for every message made the client, not the servers, the bottleneck: the faster
 * server then slept between messages, and waking it was billed to the client as kernel time.)
 * The key is random and never all zeros: `ws` skips unmasking a zero key, ours never does, and
 * a browser's keys are random.
 */
function maskedFrame(payload: Buffer, binary: boolean): Buffer {
  const mask = randomBytes(4);
  if ((mask[0]! | mask[1]! | mask[2]! | mask[3]!) === 0) mask[0] = 1;
  // The server's frame of the same payload, with the MASK bit set, the key after the header and
  // the payload XORed with it (§5.3).
  const size = headerSize(payload.length);
  const unmasked = serverFrame(payload, binary);
  unmasked[1]! |= 0x80;
  const masked = Buffer.from(payload.map((byte, i) => byte ^ mask[i & 3]!));
  return Buffer.concat([unmasked.subarray(0, size), mask, masked]);
}

async function echo(request: Extract<Request, { cmd: 'echo' }>): Promise<number> {
  const sockets = await openRawSockets(request.url, request.connections);
  const payload = Buffer.alloc(request.size, 0x7a); // 'z': valid UTF-8 for the text runs
  const frame = maskedFrame(payload, request.binary);
  const expected = serverFrame(payload, request.binary);
  let counting = false;
  let count = 0;
  let running = true;
  const failures: Error[] = [];
  for (const socket of sockets) {
    // Each connection has one message in flight: the next goes when the whole echo is back.
    // The first echo is compared byte for byte; later ones are counted by length.
    let first: Buffer | undefined = Buffer.alloc(0);
    let received = 0;
    socket.on('data', (chunk: Buffer) => {
      if (first !== undefined) {
        first = Buffer.concat([first, chunk]);
        if (first.length < expected.length) return;
        if (!first.equals(expected)) failures.push(new Error(`unexpected echo from ${request.url}: ${first.subarray(0, 16).toString('hex')}...`));
        received = first.length;
        first = undefined;
      } else {
        received += chunk.length;
      }
      if (received < expected.length) return;
      received -= expected.length;
      if (counting) count++;
      if (running) socket.write(frame);
    });
    socket.write(frame);
  }
  await sleep(WARMUP_MS);
  counting = true;
  const start = performance.now();
  await sleep(request.ms);
  counting = false;
  const elapsed = performance.now() - start;
  running = false;
  for (const socket of sockets) socket.destroy();
  if (failures.length > 0) throw failures[0];
  return (count / elapsed) * 1000;
}

/**
 * Raw TCP WebSocket clients (handshake only): for the echo load, and as the fan-out's listeners,
 * where the moment the frame's bytes arrive is the moment the update reached the client, without
 * a client library's parsing in the measurement.
 */
async function openRawSockets(url: string, count: number): Promise<Socket[]> {
  const { hostname, port, pathname } = new URL(url);
  const open = () =>
    new Promise<Socket>((resolve, reject) => {
      const socket = connect({ host: hostname, port: Number(port) }, () => {
        socket.write(
          `GET ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
        );
      });
      socket.setNoDelay(true);
      socket.once('error', reject);
      socket.once('data', (chunk: Buffer) => (chunk.includes('101 Switching') ? resolve(socket) : reject(new Error(String(chunk)))));
    });
  const sockets: Socket[] = [];
  for (let i = 0; i < count; i += 100) sockets.push(...(await Promise.all(Array.from({ length: Math.min(100, count - i) }, open))));
  return sockets;
}

async function fanout(request: Extract<Request, { cmd: 'fanout' }>): Promise<number[]> {
  const listeners = await openRawSockets(request.url, request.clients);
  const [sender] = await openClients(request.url, 1);
  sender!.send(JSON.stringify({ type: 'hello', name: 'Bench sender' }));
  await once(sender!, 'message'); // welcome
  let expected = Buffer.alloc(0);
  let arrived = 0;
  let done: (() => void) | undefined;
  for (const listener of listeners) {
    let tail: Buffer | undefined; // the marker may straddle two reads (rarely)
    listener.on('data', (chunk: Buffer) => {
      const haystack = tail === undefined ? chunk : Buffer.concat([tail, chunk]);
      if (haystack.includes(expected)) {
        tail = undefined;
        if (++arrived === request.clients) done?.();
      } else {
        tail = Buffer.from(haystack.subarray(Math.max(0, haystack.length - expected.length)));
      }
    });
  }
  const latencies: number[] = [];
  for (let i = 0; i < request.updates; i++) {
    const position = 1000 + i + 0.5;
    expected = Buffer.from(`"positionSec":${position},`);
    arrived = 0;
    const all = new Promise<void>((resolve) => (done = resolve));
    const start = performance.now();
    sender!.send(JSON.stringify({ type: 'nowPlaying', trackId: 'bench', positionSec: position, paused: false }));
    await all;
    latencies.push(performance.now() - start);
    // Each update at rest: the hub sends `devices` broadcasts at most once per
    // DEVICES_MIN_INTERVAL_MS, and an update inside that window waits for it (by design).
    await sleep(DEVICES_MIN_INTERVAL_MS + 5);
  }
  for (const listener of listeners) listener.destroy();
  await closeClients([sender!]);
  return latencies;
}

async function client(): Promise<void> {
  let idle: WebSocket[] = [];
  process.on('message', (request: Request) => {
    void (async () => {
      if (request.cmd === 'echo') reply({ result: await echo(request) });
      else if (request.cmd === 'fanout') reply({ result: await fanout(request) });
      else if (request.cmd === 'idle-open') {
        idle = await openClients(request.url, request.count);
        reply({ result: idle.length });
      } else if (request.cmd === 'idle-close') {
        await closeClients(idle);
        idle = [];
        reply({ result: 0 });
      }
    })();
  });
  reply({ ready: true });
}

// --- Parent ------------------------------------------------------------------------------------

/** The children run as plain `node` on a bundle of this file (see bundle.ts). */
let childEntry: { path: string; execArgv: string[] } = { path: SELF, execArgv: process.execArgv };

async function bundleForChildren(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'musicsharer-bench-ws-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  try {
    childEntry = { path: await bundleForNode(SELF, dir), execArgv: [] };
    return 'children: plain node on an esbuild bundle (as compiled in production)';
  } catch (error) {
    return `note: esbuild bundle failed (${String(error)}): children run under tsx`;
  }
}

function start(args: string[]): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(childEntry.path, args, { execArgv: [...childEntry.execArgv, '--expose-gc'], stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('message', (message: { port?: number }) => resolve({ child, port: message.port ?? 0 }));
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
  });
}

function ask<T>(child: ChildProcess, request: Request): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (message: { result?: T }) => resolve(message.result as T));
    child.send(request);
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const KB_PER_CONN = (bytes: number) => `${(bytes / IDLE_CONNECTIONS / 1024).toFixed(1)} KiB/conn`;

async function main(): Promise<void> {
  const started = performance.now();
  console.log(
    `WebSocket benchmark: node ${process.version}, ${cpus().length} CPU(s) (${cpus()[0]?.model ?? 'unknown'}), ` +
      `load average ${loadavg()[0]!.toFixed(1)}, ${CONNECTIONS} connections, ${SECONDS} s per echo run`,
  );
  console.log(await bundleForChildren());
  const servers = {
    ours: await start(['--role=server', '--kind=ours']),
    ws: await start(['--role=server', '--kind=ws']),
  };
  const { child: load } = await start(['--role=client']);
  const url = (kind: Kind, path: string) => `ws://127.0.0.1:${servers[kind].port}${path}`;

  const rows: string[][] = [];
  for (const size of runs('echo') ? [64, 16 * 1024] : []) {
    for (const binary of [false, true]) {
      // Half the time each, in the order ours, ws, ws, ours: a change in the machine's load
      // during the run weighs on both sides alike.
      const rate: Record<Kind, number> = { ours: 0, ws: 0 };
      // The server's own CPU time per round trip: round trips/s also carry the client's and the
      // kernel's work and move with the machine's load; this moves much less.
      const cpu: Record<Kind, { micros: number; trips: number }> = { ours: { micros: 0, trips: 0 }, ws: { micros: 0, trips: 0 } };
      const ms = (SECONDS * 1000) / 2;
      for (const kind of ['ours', 'ws', 'ws', 'ours'] as const) {
        const cpuBefore = await ask<number>(servers[kind].child, { cmd: 'cpu' });
        const perSecond = await ask<number>(load, { cmd: 'echo', url: url(kind, '/ws/echo'), size, binary, connections: CONNECTIONS, ms });
        cpu[kind].micros += (await ask<number>(servers[kind].child, { cmd: 'cpu' })) - cpuBefore;
        cpu[kind].trips += (perSecond * ms) / 1000;
        rate[kind] += perSecond / 2;
      }
      const perTrip = (kind: Kind) => cpu[kind].micros / cpu[kind].trips;
      rows.push([
        `echo ${size === 64 ? '64 B' : '16 KiB'} ${binary ? 'binary' : 'text'}`,
        `${Math.round(rate.ours).toLocaleString('en')} rt/s, ${perTrip('ours').toFixed(1)} µs CPU/rt`,
        `${Math.round(rate.ws).toLocaleString('en')} rt/s, ${perTrip('ws').toFixed(1)} µs CPU/rt`,
        `${(rate.ours / rate.ws).toFixed(2)}x rt/s, ${(perTrip('ws') / perTrip('ours')).toFixed(2)}x less CPU`,
      ]);
    }
  }

  // Memory after the echo runs: run before them, it left our 16 KiB text echoes at twice their
  // CPU per round trip (98 against 43 µs; `ws` unchanged), most likely its forced GCs shrinking
  // V8's young generation, where those 16 KiB strings are made. One open/close cycle first, so
  // first-use allocations do not count as per-connection memory; live memory is measured after
  // GC on both sides, so what the echoes left behind cancels out.
  type Memory = { rss: number; live: number };
  const memory: Record<Kind, Memory> = { ours: { rss: 0, live: 0 }, ws: { rss: 0, live: 0 } };
  for (const kind of runs('memory') ? (['ours', 'ws'] as const) : []) {
    await ask(load, { cmd: 'idle-open', url: url(kind, '/ws/echo'), count: IDLE_CONNECTIONS });
    await ask(load, { cmd: 'idle-close' });
    // The client has seen every close; give the server the same time to let go of its side
    // (measured at once, `ws` ranged 1.3-2.5 KiB per connection from run to run).
    await sleep(500);
    const before = await ask<Memory>(servers[kind].child, { cmd: 'memory' });
    await ask(load, { cmd: 'idle-open', url: url(kind, '/ws/echo'), count: IDLE_CONNECTIONS });
    await sleep(500);
    const after = await ask<Memory>(servers[kind].child, { cmd: 'memory' });
    memory[kind] = { rss: after.rss - before.rss, live: after.live - before.live };
    await ask(load, { cmd: 'idle-close' });
  }
  // Live memory (V8 heap in use + external buffers, after GC) is what the connections hold;
  // RSS also moves with pages the allocator keeps or returns, so it is shown but noisier.
  const memoryRow = runs('memory') && [
    `${IDLE_CONNECTIONS} idle connections: live heap+external (RSS)`,
    `${KB_PER_CONN(memory.ours.live)} (RSS ${mib(memory.ours.rss)})`,
    `${KB_PER_CONN(memory.ws.live)} (RSS ${mib(memory.ws.rss)})`,
    `${(memory.ours.live / memory.ws.live).toFixed(2)}x`,
  ];

  if (memoryRow) rows.push(memoryRow);

  const latencies = !runs('fanout') ? [] : (await ask<number[]>(load, { cmd: 'fanout', url: url('ours', '/ws'), clients: FANOUT_CLIENTS, updates: UPDATES })).sort(
    (a, b) => a - b,
  );
  if (latencies.length > 0) rows.push([
    `now-playing update -> ${FANOUT_CLIENTS} clients`,
    `p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms`,
    '-',
    `target p99 < 50 ms`,
  ]);

  const header = ['', 'ours', 'ws', 'ours/ws'];
  const widths = header.map((_, column) => Math.max(...[header, ...rows].map((row) => row[column]!.length)));
  const line = (row: string[]) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  console.log('\n' + line(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const row of rows) console.log(line(row));
  console.log(`\n(${((performance.now() - started) / 1000).toFixed(1)} s; echo: higher is better; memory: lower is better)`);

  for (const child of [servers.ours.child, servers.ws.child, load]) {
    child.removeAllListeners('exit');
    child.kill();
  }
}

const role = process.argv.find((arg) => arg.startsWith('--role='))?.slice('--role='.length);
const kind = process.argv.find((arg) => arg.startsWith('--kind='))?.slice('--kind='.length) as Kind | undefined;
if (role === 'server') await serve(kind ?? 'ours');
else if (role === 'client') await client();
else await main();
