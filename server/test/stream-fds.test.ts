/**
 * The stream plugin and the file system: HEAD never opens the file, aborted streams leave no
 * open file descriptor, slow readers get backpressure, and a folder swapped for a link after
 * the stat is still refused. Counts this process's fds in /proc/self/fd, so only raw `net`
 * sockets are used here (a fetch keep-alive pool would add and drop fds on its own schedule).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { type FastifyInstance } from 'fastify';
import streamPlugin, { type StreamPluginOptions } from '../src/plugins/stream.ts';
import { nodeStreamFs, type StreamFs } from '../src/stream/stream-fs.ts';
import { cbrStream } from '../synth/index.ts';

const hasProcFd = existsSync('/proc/self/fd');
const fdCount = () => readdirSync('/proc/self/fd').length;
/** What each open fd points at, for failure messages. */
const fdTargets = () =>
  readdirSync('/proc/self/fd')
    .map((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`);
      } catch {
        return '?';
      }
    })
    .sort()
    .join(', ');

const base = realpathSync(mkdtempSync(join(tmpdir(), 'musicsharer-fds-')));
/**
 * Open fds on the test's media files. The process count alone is not enough: the test runner
 * and tsx open and close fds of their own meanwhile (on Node 22 a cache file and two sockets
 * open at the baseline were closed during the test, so the count fell below it).
 */
const mediaFdCount = () =>
  readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).startsWith(base + sep);
    } catch {
      return false;
    }
  }).length;
const root = join(base, 'media');
const outside = join(base, 'outside');
mkdirSync(root);
mkdirSync(outside);
/** One hour at 128 kbit/s: 57.6 MB, far more than loopback socket buffers hold. */
const hour = cbrStream(3600, 128);
writeFileSync(join(root, 'hour.mp3'), hour);
writeFileSync(join(outside, 'secret.mp3'), 'SECRET');
symlinkSync(outside, join(root, 'linkdir'));

const tracks: Record<string, string> = { hour: join(root, 'hour.mp3'), linkdir: join(root, 'linkdir', 'secret.mp3') };
const resolve = (id: string) => (tracks[id] ? { path: tracks[id], mimeType: 'audio/mpeg' } : undefined);

after(() => rmSync(base, { recursive: true, force: true }));

/** The real file-system calls, counted. */
function countingFs(overrides: Partial<StreamFs> = {}) {
  const counts = { open: 0, read: 0, bytesRead: 0 };
  const fs: StreamFs = {
    ...nodeStreamFs,
    open: (path, flags) => {
      counts.open++;
      return nodeStreamFs.open(path, flags);
    },
    read: async (fd, buffer, length, position) => {
      counts.read++;
      const n = await nodeStreamFs.read(fd, buffer, length, position);
      counts.bytesRead += n;
      return n;
    },
    ...overrides,
  };
  return { fs, counts };
}

interface Server {
  app: FastifyInstance;
  port: number;
  logs: { level: number; msg: string }[];
}

async function start(options: Partial<StreamPluginOptions> = {}): Promise<Server> {
  const logs: Server['logs'] = [];
  const app = Fastify({ logger: { level: 'info', stream: { write: (line: string) => void logs.push(JSON.parse(line)) } } });
  await app.register(streamPlugin, { root, resolve, ...options });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  assert.ok(address && typeof address === 'object');
  return { app, port: address.port, logs };
}

/** Waits for a condition that must eventually hold; fails (instead of hanging) after 20 s. */
async function eventually(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`never happened: ${what}; open fds: ${hasProcFd ? fdTargets() : '?'}`);
    await sleep(20);
  }
}

/** Waits until `value()` stops changing for a while (a plateau), and returns it. */
async function settle(value: () => number): Promise<number> {
  let last = value();
  let stable = 0;
  while (stable < 15) {
    await sleep(40);
    const now = value();
    stable = now === last ? stable + 1 : 0;
    last = now;
  }
  return last;
}

/**
 * Sends raw requests on one connection and resolves with the raw text of the responses once
 * `responses` complete ones arrived, each framed by its Content-Length (HEAD, 304: no body).
 */
function rawRequests(port: number, text: string, responses: number): Promise<string> {
  const methods = [...text.matchAll(/^(GET|HEAD) /gm)].map((m) => m[1]);
  return new Promise((resolvePromise, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      let offset = 0;
      for (let i = 0; i < responses; i++) {
        const end = data.indexOf('\r\n\r\n', offset);
        if (end === -1) return;
        const head = data.subarray(offset, end).toString('latin1');
        const bodyless = methods[i] === 'HEAD' || / 304 /.test(head.slice(0, 16));
        const length = bodyless ? 0 : Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        offset = end + 4 + length;
        if (data.length < offset) return;
      }
      socket.destroy();
      resolvePromise(data.toString('latin1'));
    });
    socket.on('error', reject);
    socket.write(text);
  });
}

/** GETs the whole hour over a raw socket and resolves once `bytes` arrived (the socket stays open). */
function startReading(port: number, bytes: number): Promise<Socket> {
  return new Promise((resolvePromise, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = 0;
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received >= bytes) {
        socket.pause();
        socket.off('data', onData);
        resolvePromise(socket);
      }
    };
    socket.on('data', onData);
    socket.on('error', reject);
    socket.write(`GET /stream/hour HTTP/1.1\r\nHost: localhost\r\nRange: bytes=100-\r\n\r\n`);
  });
}

describe('HEAD never touches the file', () => {
  const { fs, counts } = countingFs();
  let server: Server;
  before(async () => {
    server = await start({ fs });
  });
  after(() => server.app.close());

  test('HEAD with and without ranges and conditions: no open, no read; a GET then opens it once', async () => {
    const heads = [
      {},
      { Range: 'bytes=0-1' },
      { Range: 'bytes=7200000-' },
      { Range: 'bytes=0-1,100-200' },
      { Range: 'bytes=999999999-' },
      { 'If-None-Match': '*' },
      { 'If-Match': '"nope"' },
    ].map((headers) => {
      const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
      return `HEAD /stream/hour HTTP/1.1\r\nHost: localhost\r\n${lines.join('')}\r\n`;
    });
    const answer = await rawRequests(server.port, heads.join(''), heads.length);
    assert.deepEqual(
      [...answer.matchAll(/^HTTP\/1\.1 (\d+)/gm)].map((m) => Number(m[1])),
      [200, 206, 206, 206, 416, 304, 412],
    );
    assert.match(answer, new RegExp(`Content-Length: ${hour.length}`));
    assert.equal(counts.open, 0, 'HEAD opened the file');
    assert.equal(counts.read, 0, 'HEAD read the file');

    // The counter works: a GET opens the file.
    const probe = await rawRequests(server.port, 'GET /stream/hour HTTP/1.1\r\nHost: localhost\r\nRange: bytes=0-1\r\n\r\n', 1);
    assert.match(probe, /^HTTP\/1\.1 206/);
    assert.equal(counts.open, 1);
  });

  test('HEAD leaves the process fd count unchanged', { skip: !hasProcFd && 'no /proc/self/fd' }, async () => {
    const { fs: freshFs, counts: freshCounts } = countingFs();
    const fresh = await start({ fs: freshFs });
    try {
      const baseline = fdCount();
      const heads = Array.from({ length: 20 }, () => 'HEAD /stream/hour HTTP/1.1\r\nHost: localhost\r\n\r\n').join('');
      await rawRequests(fresh.port, heads, 20);
      await eventually(() => fdCount() <= baseline, 'fd count back to its baseline after HEADs');
      assert.equal(freshCounts.open, 0);
    } finally {
      await fresh.app.close();
    }
  });
});

describe('aborted streams', { skip: !hasProcFd && 'no /proc/self/fd' }, () => {
  test('clients that abort mid-stream leave no open fd and nothing in the log above info', async () => {
    // idleCloseMs 0: no fd is kept between responses, so every open fd belongs to a stream.
    const server = await start({ idleCloseMs: 0 });
    try {
      const baseline = fdCount();
      const readers = await Promise.all(Array.from({ length: 8 }, () => startReading(server.port, 512 * 1024)));
      assert.ok(mediaFdCount() > 0, 'the streams hold fds while they run');
      for (const socket of readers) socket.destroy();
      await eventually(() => mediaFdCount() === 0 && fdCount() <= baseline, 'no media file open and fd count back to its baseline after the aborts');
      const noisy = server.logs.filter((line) => line.level >= 40);
      assert.deepEqual(noisy, [], 'a client closing a stream early is not an error');
    } finally {
      await server.app.close();
    }
  });

  test('with the open-file cache on: aborted streams release the shared fd, closing the app closes it', async () => {
    const before = fdCount();
    const server = await start();
    const readers = await Promise.all(Array.from({ length: 8 }, () => startReading(server.port, 512 * 1024)));
    for (const socket of readers) socket.destroy();
    // Let the server notice the aborts; then a close must not wait on any stream.
    await settle(fdCount);
    await server.app.close();
    await eventually(() => mediaFdCount() === 0 && fdCount() <= before, 'no media file open and fd count back to its value before the app');
    assert.deepEqual(server.logs.filter((line) => line.level >= 40), []);
  });
});

describe('backpressure', () => {
  test('a client that stops reading stops the reads: the server never reads ahead of the socket', async () => {
    const { fs, counts } = countingFs();
    const server = await start({ fs });
    const socket = await startReading(server.port, 1);
    try {
      const readWhilePaused = await settle(() => counts.bytesRead);
      // Loopback socket buffers hold a few MB; the file is 57.6 MB.
      assert.ok(readWhilePaused > 0);
      assert.ok(readWhilePaused < hour.length / 4, `read ${readWhilePaused} bytes while the client read nothing`);
      // Resuming the client resumes the reads.
      let received = 0;
      socket.on('data', (chunk: Buffer) => (received += chunk.length));
      socket.resume();
      await eventually(() => received > readWhilePaused + 8 * 1024 * 1024, 'the stream moves on once the client reads');
      assert.ok(counts.bytesRead > readWhilePaused);
    } finally {
      socket.destroy();
      await server.app.close();
    }
  });
});

describe('links planted between the stat and the open', () => {
  test('a parent folder that is a link is refused by the check on the open fd', { skip: !hasProcFd && 'no /proc/self/fd' }, async () => {
    // realpath() lies, as if the folder was swapped for a link right after the lookup.
    const { fs } = countingFs({ realpath: async (path) => path });
    const server = await start({ fs });
    try {
      const answer = await rawRequests(server.port, 'GET /stream/linkdir HTTP/1.1\r\nHost: localhost\r\n\r\n', 1);
      assert.match(answer, /^HTTP\/1\.1 404/);
      assert.ok(!answer.includes('SECRET'));
      assert.ok(server.logs.some((line) => line.level === 40 && /refusing/.test(line.msg)));
    } finally {
      await server.app.close();
    }
  });
});

/**
 * The real file-system calls, with every open (path -> fd) and every finished close recorded;
 * `closeDelayMs` holds each close back, so a caller that does not wait for it shows.
 */
function recordingFs(closeDelayMs = 0) {
  const opened: string[] = [];
  const pathOf = new Map<number, string>();
  const closed: string[] = [];
  const fs: StreamFs = {
    ...nodeStreamFs,
    open: async (path, flags) => {
      const fd = await nodeStreamFs.open(path, flags);
      opened.push(path);
      pathOf.set(fd, path);
      return fd;
    },
    close: async (fd) => {
      const path = pathOf.get(fd) ?? `fd ${fd}`;
      if (closeDelayMs > 0) await sleep(closeDelayMs);
      await nodeStreamFs.close(fd);
      closed.push(path);
    },
  };
  return { fs, opened, closed };
}

describe('the open-file table', () => {
  const names = ['a', 'b', 'c'] as const;
  const small = Object.fromEntries(names.map((name) => [name, join(root, `${name}.mp3`)]));
  for (const name of names) writeFileSync(small[name]!, cbrStream(2, 128));
  const resolveSmall = (id: string) => (small[id] ? { path: small[id], mimeType: 'audio/mpeg' } : undefined);
  const probe = (port: number, id: string) =>
    rawRequests(port, `GET /stream/${id} HTTP/1.1\r\nHost: localhost\r\nRange: bytes=0-1\r\n\r\n`, 1);

  test('full: the least recently used file is closed, the most recently used stay open', async () => {
    const { fs, opened, closed } = recordingFs();
    // No idle sweep during the test: only the table's bound closes anything.
    const server = await start({ fs, resolve: resolveSmall, maxOpenFiles: 2, idleCloseMs: 60_000 });
    try {
      for (const id of ['a', 'b', 'c', 'b', 'c', 'b', 'c']) assert.match(await probe(server.port, id), /^HTTP\/1\.1 206/);
      assert.deepEqual(opened, [small.a, small.b, small.c], 'b and c were opened once each, and stay open');
      await eventually(() => closed.length > 0, 'the evicted fd closes');
      await sleep(50);
      assert.deepEqual(closed, [small.a], 'only a, the least recently used, was closed');
    } finally {
      await server.app.close();
    }
  });

  test('full of files being read: one is retired and closed once its body ends, the newcomer stays', async () => {
    const { fs, opened, closed } = recordingFs();
    const server = await start({ fs, resolve: (id) => (id === 'hour' ? resolve(id) : resolveSmall(id)), maxOpenFiles: 1, idleCloseMs: 60_000 });
    const reader = await startReading(server.port, 64 * 1024);
    try {
      assert.match(await probe(server.port, 'a'), /^HTTP\/1\.1 206/);
      assert.match(await probe(server.port, 'a'), /^HTTP\/1\.1 206/);
      assert.deepEqual(opened, [tracks.hour, small.a], 'a was opened once');
      await sleep(50);
      assert.deepEqual(closed, [], 'the hour stays open while its body is read');
      reader.destroy();
      await eventually(() => closed.length > 0, 'the retired fd closes once its body ends');
      assert.deepEqual(closed, [tracks.hour]);
    } finally {
      reader.destroy();
      await server.app.close();
    }
  });

  test('app.close() resolves once every idle fd is closed', async () => {
    const { fs, opened, closed } = recordingFs(100);
    const server = await start({ fs, resolve: resolveSmall, idleCloseMs: 60_000 });
    for (const id of names) assert.match(await probe(server.port, id), /^HTTP\/1\.1 206/);
    assert.equal(opened.length, 3);
    assert.deepEqual(closed, []);
    await server.app.close();
    assert.deepEqual([...closed].sort(), opened.sort());
  });
});
