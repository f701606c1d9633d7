/**
 * DNS rebinding guard (plugins/host-check.ts): requests for a host name that is not this
 * server's get 421, over HTTP and WebSocket alike. Raw TCP requests on loopback, so the test
 * chooses the `Host` field byte for byte.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { bareHostname, hostnameOf } from '../src/http/host.js';
import hostCheckPlugin from '../src/plugins/host-check.js';
import { listenOnLoopback } from './fixtures/app.js';
import { createFixtureLibrary, type FixtureLibrary } from './fixtures/library.js';

/**
 * One request on its own connection; the status code, head and body of the answer. `upgrade`:
 * a WebSocket handshake, read up to the end of the answer's head (a 101 keeps the socket open).
 */
async function rawRequest(port: number, path: string, host: string | undefined, upgrade?: { origin: string }): Promise<{ status: number; head: string; body: string }> {
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const fields = [
    ...(host === undefined ? [] : [`Host: ${host}`]),
    ...(upgrade
      ? ['Connection: Upgrade', 'Upgrade: websocket', 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', `Origin: ${upgrade.origin}`]
      : ['Connection: close']),
  ];
  socket.write(`GET ${path} HTTP/1.${host === undefined ? 0 : 1}\r\n${fields.map((f) => `${f}\r\n`).join('')}\r\n`);
  let text = '';
  await new Promise<void>((resolve) => {
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (upgrade && text.includes('\r\n\r\n')) socket.destroy();
    });
    socket.on('close', () => resolve());
  });
  const [head = '', body = ''] = text.split('\r\n\r\n', 2);
  return { status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0), head, body };
}

describe('the Host field, parsed', () => {
  const cases: [string, string | undefined][] = [
    ['127.0.0.1:4533', '127.0.0.1'],
    ['Music.Example.COM', 'music.example.com'],
    ['music.example.com.:80', 'music.example.com'],
    ['[::1]:4533', '::1'],
    ['[FE80::1]', 'fe80::1'],
    ['localhost:', 'localhost'],
    ['', undefined],
    ['evil.example:port', undefined],
    ['[::1', undefined],
    ['[not-v6]:80', undefined],
    ['a b', undefined],
    ['under_score.example', undefined],
    ['-lead.example', undefined],
    ['x'.repeat(64) + '.example', undefined],
    ['user@host', undefined],
  ];
  for (const [field, expected] of cases) {
    test(`${JSON.stringify(field)} -> ${expected ?? 'refused'}`, () => assert.equal(hostnameOf(field), expected));
  }
  test('--allowed-host values take no port', () => {
    assert.equal(bareHostname('Music.Example'), 'music.example');
    assert.equal(bareHostname('::1'), '::1');
    assert.equal(bareHostname('[::1]'), '::1');
    assert.equal(bareHostname('music.example:80'), undefined);
    assert.equal(bareHostname('http://music.example'), undefined);
  });
});

describe('the whole app answers only to its own names', () => {
  let fixture: FixtureLibrary;
  let app: FastifyInstance;
  let port: number;

  before(async () => {
    fixture = await createFixtureLibrary();
    let base: string;
    ({ app, base } = await listenOnLoopback(fixture.root, {}, { allowedHosts: ['music.example.com'] }));
    port = Number(new URL(base).port);
  });
  after(async () => {
    await app.close();
    await fixture.cleanup();
  });

  const lanAddress = Object.values(networkInterfaces())
    .flatMap((entries) => entries ?? [])
    .find((entry) => !entry.internal && entry.family === 'IPv4')?.address;
  const ours = ['127.0.0.1:PORT', 'localhost:PORT', 'LOCALHOST.', '[::1]:PORT', 'music.example.com', `${hostname()}:PORT`, `${hostname()}.local:PORT`, ...(lanAddress ? [`${lanAddress}:PORT`] : [])];
  for (const host of ours) {
    test(`Host: ${host} -> served`, async () => {
      const answer = await rawRequest(port, '/api/scan', host.replace('PORT', String(port)));
      assert.equal(answer.status, 200, answer.head);
    });
  }
  test('HTTP/1.0 without Host (not a browser) -> served', async () => {
    assert.equal((await rawRequest(port, '/api/scan', undefined)).status, 200);
  });

  const foreign = ['evil.example', 'evil.example:PORT', 'music.example.com.evil.example', '192.0.2.1:PORT', 'a b'];
  for (const path of ['/api/tracks', '/stream/abc', '/', '/no/such/route']) {
    for (const host of foreign) {
      test(`Host: ${host}, GET ${path} -> 421`, async () => {
        const answer = await rawRequest(port, path, host.replace('PORT', String(port)));
        // Node itself answers 400 to a field value it cannot parse; either way nothing is served.
        if (host === 'a b' && answer.status === 400) return;
        assert.equal(answer.status, 421, answer.head);
        assert.deepEqual(JSON.parse(answer.body), {
          statusCode: 421,
          error: 'Misdirected Request',
          message: 'this server does not answer to that host name (see --allowed-host)',
        });
      });
    }
  }

  test('a WebSocket upgrade for another host name -> 421, no 101', async () => {
    // The rebinding page's own origin: the Origin check alone (Origin = Host) would let it in.
    const refused = await rawRequest(port, '/ws', `evil.example:${port}`, { origin: `http://evil.example:${port}` });
    assert.equal(refused.status, 421, refused.head);
    const accepted = await rawRequest(port, '/ws', `127.0.0.1:${port}`, { origin: `http://127.0.0.1:${port}` });
    assert.equal(accepted.status, 101, accepted.head);
  });
});

describe('addresses the machine gains later (a new network)', () => {
  test('an unknown address re-reads the interfaces, at most once a second', async () => {
    let reads = 0;
    let addresses = ['192.0.2.10'];
    const app = Fastify();
    await app.register(hostCheckPlugin, {
      interfaceAddresses: () => {
        reads++;
        return addresses;
      },
    });
    app.get('/', async () => ({ ok: true }));
    try {
      const status = async (host: string) => (await app.inject({ url: '/', headers: { host } })).statusCode;
      assert.equal(await status('192.0.2.10:4533'), 200);
      addresses = ['192.0.2.10', '198.51.100.20'];
      // Just read at start: the new address is not seen yet, and a burst of unknown addresses
      // does not re-read the interfaces on every request.
      for (let i = 0; i < 5; i++) assert.equal(await status(`198.51.100.20:4533`), 421);
      assert.equal(reads, 1);
      await new Promise((resolve) => setTimeout(resolve, 1050));
      assert.equal(await status('198.51.100.20:4533'), 200);
      assert.equal(reads, 2);
    } finally {
      await app.close();
    }
  });
});
