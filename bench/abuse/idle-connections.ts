/**
 * Item 9 of issue 11: the server runs under the common 1,024-descriptor limit; 1,100 idle
 * sockets from one address (127.0.0.1); then a client from another address (127.0.0.2) asks
 * for the track list. Target: it is served within 2 s.
 */
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import type { Load } from './common.js';

/** ms until `GET path` from `localAddress` is answered, or the error. */
function timedGet(port: number, path: string, localAddress: string, timeoutMs: number): Promise<{ ms: number; status: number | string }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path, localAddress, agent: false, timeout: timeoutMs }, (response) => {
      response.resume();
      response.on('end', () => resolve({ ms: performance.now() - started, status: response.statusCode ?? 0 }));
    });
    request.on('timeout', () => request.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    request.on('error', (error: NodeJS.ErrnoException) => resolve({ ms: performance.now() - started, status: error.code ?? error.message }));
  });
}

export const idleConnections: Load = {
  name: 'idle-connections',
  async run({ startServer, row }) {
    const server = await startServer({ fdLimit: 1024 });
    const sockets: net.Socket[] = [];
    for (let i = 0; i < 1100; i++) {
      const socket = net.connect({ port: server.port, host: '127.0.0.1', localAddress: '127.0.0.1' });
      socket.on('error', () => undefined);
      sockets.push(socket);
      await Promise.race([once(socket, 'connect'), once(socket, 'close')]);
    }
    const kept = sockets.filter((socket) => !socket.destroyed && !socket.readableEnded).length;
    const answer = await timedGet(server.port, '/api/tracks', '127.0.0.2', 10_000);
    for (const socket of sockets) socket.destroy();
    const served = answer.status === 200;
    console.log(`idle-connections: ${kept} of 1,100 idle sockets from one address still open; another address: ${served ? `served in ${answer.ms.toFixed(0)} ms` : `not served (${answer.status})`}`);
    row('1,100 idle sockets from one address, fd limit 1,024', 'another address served in', served ? `${answer.ms.toFixed(0)} ms` : `not (${answer.status})`, '< 2,000 ms', served && answer.ms < 2000);
  },
};
