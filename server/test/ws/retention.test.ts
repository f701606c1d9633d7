/**
 * Memory per idle connection is what 1,000 phones cost: once a socket is upgraded, nothing of
 * its HTTP exchange (the Fastify request, the IncomingMessage and its header strings) may stay
 * reachable for the connection's lifetime.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { after, before, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import WebSocket from 'ws';
import { startServer, type TestServer } from './helpers.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let server: TestServer;
const upgradeRequests: WeakRef<IncomingMessage>[] = [];

before(async () => {
  server = await startServer({
    setup: (app) =>
      app.addHook('onRequest', async (request) => {
        if (request.headers.upgrade) upgradeRequests.push(new WeakRef(request.raw));
      }),
  });
});
after(() => server.app.close());

async function collected(refs: WeakRef<object>[]): Promise<number> {
  for (let i = 0; i < 10; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return refs.filter((ref) => ref.deref() === undefined).length;
}

for (const path of ['/ws/echo', '/ws']) {
  test(`an open connection on ${path} keeps nothing of its upgrade request`, async () => {
    upgradeRequests.length = 0;
    const clients = Array.from({ length: 5 }, () => new WebSocket(server.url + path, { perMessageDeflate: false }));
    await Promise.all(clients.map((client) => once(client, 'open')));
    // The connections work (and stay open) while their requests are collected.
    clients[0]!.send(JSON.stringify({ type: 'ping' }));
    await once(clients[0]!, 'message');
    assert.equal(upgradeRequests.length, 5);
    assert.equal(await collected(upgradeRequests), 5, 'every IncomingMessage collected');
    assert.ok(clients.every((client) => client.readyState === WebSocket.OPEN));
    await Promise.all(
      clients.map((client) => {
        const closed = once(client, 'close');
        client.close();
        return closed;
      }),
    );
  });
}
