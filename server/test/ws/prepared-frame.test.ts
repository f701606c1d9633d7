/**
 * Prepared frames over loopback: one frame encoded once reaches many connections intact (read by
 * the raw client's own decoder), and a connection whose peer stops reading is still dropped at
 * its outgoing-buffer bound.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import websocketPlugin from '../../src/plugins/websocket.js';
import type { WebSocketConnection } from '../../src/ws/connection.js';
import { CloseCode, Opcode } from '../../src/ws/constants.js';
import { prepareTextFrame } from '../../src/ws/sender.js';
import { RawClient } from './helpers.js';

const MAX_BUFFERED_BYTES = 64 * 1024;

describe('prepared frames over loopback', () => {
  let app: FastifyInstance;
  let port: number;
  /** Server-side connections, in the order the clients opened them. */
  const connections: WebSocketConnection[] = [];

  before(async () => {
    app = Fastify({ logger: false });
    await app.register(websocketPlugin, { limits: { maxBufferedBytes: MAX_BUFFERED_BYTES } });
    app.websocketRoute('/fanout', (connection) => {
      connections.push(connection);
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    port = address.port;
  });
  after(() => app.close());

  /** Opens `count` raw clients; the server has their connections once each 101 is read. */
  async function open(count: number): Promise<{ clients: RawClient[]; serverSide: WebSocketConnection[] }> {
    const first = connections.length;
    const clients = await Promise.all(Array.from({ length: count }, () => RawClient.open(port, '/fanout')));
    assert.equal(connections.length, first + count);
    return { clients, serverSide: connections.slice(first) };
  }

  test('one prepared frame reaches every connection, byte for byte', async () => {
    const { clients, serverSide } = await open(50);
    const text = JSON.stringify({ type: 'devices', devices: [{ name: 'Küche 🎵' }] });
    const frame = prepareTextFrame(text);
    for (const connection of serverSide) assert.equal(connection.sendPrepared(frame), true);
    // Again, the same frame object: nothing in it was used up by the first round.
    for (const connection of serverSide) assert.equal(connection.sendPrepared(frame), true);
    for (const client of clients) {
      for (let round = 0; round < 2; round++) {
        const received = await client.readFrame();
        assert.deepEqual(
          { fin: received.fin, rsv: received.rsv, opcode: received.opcode, masked: received.masked, text: received.payload.toString() },
          { fin: true, rsv: 0, opcode: Opcode.Text, masked: false, text },
        );
      }
      assert.equal(client.pending.length, 0, 'nothing else arrived');
    }
    for (const client of clients) client.destroy();
  });

  test('a peer that stops reading is dropped once its outgoing buffer passes the bound', async () => {
    const { clients, serverSide } = await open(1);
    const [client, connection] = [clients[0]!, serverSide[0]!];
    client.socket.pause(); // reads nothing more: the kernel's buffers fill, then ours
    const closed = once(connection, 'close');
    const frame = prepareTextFrame('x'.repeat(16 * 1024));
    let accepted = 0;
    // Loopback buffers hold a few MiB at most; 64 MiB is far past any of them.
    while (accepted < 4096 && connection.sendPrepared(frame)) accepted++;
    assert.ok(accepted < 4096, 'the connection refused a frame');
    const [code] = await closed;
    assert.equal(code, CloseCode.Abnormal, 'cut without a close handshake');
    assert.equal(connection.sendPrepared(frame), false, 'a closed connection sends nothing');
    client.destroy();
  });
});
