/**
 * Connection limits (connections/limits.ts): the real server, in its own process under a low
 * descriptor limit (`ulimit -n`), flooded with idle connections from one loopback address
 * (127.0.0.1); a client from another (127.0.0.2: all of 127/8 is loopback on Linux) must still
 * be served. Without the limits the server runs out of descriptors and turns everyone away.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { FD_RESERVE, limitsFor } from '../src/connections/limits.js';
import { createFixtureLibrary, type FixtureLibrary } from './fixtures/library.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FD_LIMIT = 256;

/** GET `path` from `localAddress`; the status code, or the error's code. */
function get(port: number, path: string, localAddress: string): Promise<number | string> {
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path, localAddress, agent: false, timeout: 10_000 }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('timeout', () => request.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    request.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

/** Opens `count` connections from 127.0.0.1 that never send a byte. */
async function idleConnections(port: number, count: number): Promise<net.Socket[]> {
  const sockets: net.Socket[] = [];
  for (let i = 0; i < count; i++) {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress: '127.0.0.1' });
    socket.on('error', () => undefined);
    sockets.push(socket);
    await Promise.race([once(socket, 'connect'), once(socket, 'close')]);
  }
  return sockets;
}

describe(`the server under a ${FD_LIMIT}-descriptor limit`, () => {
  let fixture: FixtureLibrary;
  let data: string;
  let server: ChildProcess;
  let port: number;

  before(async () => {
    fixture = await createFixtureLibrary();
    data = await mkdtemp(join(tmpdir(), 'musicsharer-limits-'));
    const command = `ulimit -n ${FD_LIMIT} && exec "${process.execPath}" --import tsx --conditions=source server/src/main.ts --media "${fixture.root}" --data "${data}" --host 127.0.0.1 --port 0 --no-auth`;
    server = spawn('bash', ['-c', command], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    server.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    server.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    port = await new Promise<number>((resolve, reject) => {
      const timer = setInterval(() => {
        const match = /http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
        if (match) {
          clearInterval(timer);
          resolve(Number(match[1]));
        }
      }, 50);
      server.once('exit', (code) => {
        clearInterval(timer);
        reject(new Error(`the server exited (${code}):\n${output}`));
      });
    });
  });
  after(async () => {
    server.kill('SIGKILL');
    await rm(data, { recursive: true, force: true });
    await fixture.cleanup();
  });

  test('idle connections past the descriptor limit from one address: a client from another address is served', async () => {
    assert.equal(await get(port, '/api/scan', '127.0.0.2'), 200);
    const flood = await idleConnections(port, FD_LIMIT + 50);
    try {
      // Everyone else: an API answer and the track list, from other addresses.
      assert.equal(await get(port, '/api/scan', '127.0.0.2'), 200);
      assert.equal(await get(port, '/api/tracks', '127.0.0.3'), 200);
      // What the flooding address keeps open is bounded.
      const { maxPerAddress } = limitsFor(FD_LIMIT);
      const stillOpen = flood.filter((socket) => !socket.destroyed && !socket.closed && !socket.readableEnded).length;
      assert.ok(stillOpen <= maxPerAddress, `${stillOpen} of ${flood.length} idle connections from one address kept open (at most ${maxPerAddress})`);
      // The flooding address itself is still served too (an idle connection of its own makes room).
      assert.equal(await get(port, '/api/scan', '127.0.0.1'), 200);
    } finally {
      for (const socket of flood) socket.destroy();
    }
  });

  test('the limits follow the descriptor limit', () => {
    const limits = limitsFor(FD_LIMIT);
    assert.equal(limits.maxConnections, FD_LIMIT - FD_RESERVE);
    assert.ok(limits.maxPerAddress + limits.newClientReserve < limits.maxConnections);
    assert.deepEqual(limitsFor(1024), { maxConnections: 896, maxPerAddress: 112, newClientReserve: 112 });
  });
});
