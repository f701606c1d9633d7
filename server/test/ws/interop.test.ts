/**
 * Interop with independent clients: the `ws` package, and Node's own WebSocket. On Node 20 the
 * global WebSocket is behind --experimental-websocket, so that part runs in a child `node`
 * started with the flag (Node 22+ has it by default; the flag is then harmless).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import WebSocket from 'ws';
import { startServer, type TestServer } from './helpers.js';

const run = promisify(execFile);

let server: TestServer;
before(async () => {
  server = await startServer({ limits: { maxMessageBytes: 4 * 1024 * 1024, maxBufferedBytes: 16 * 1024 * 1024 } });
});
after(() => server.app.close());

async function openWs(path = '/ws/echo', options: WebSocket.ClientOptions = {}): Promise<WebSocket> {
  const ws = new WebSocket(server.url + path, options);
  await once(ws, 'open');
  return ws;
}

function nextMessage(ws: WebSocket): Promise<{ data: Buffer; isBinary: boolean }> {
  return new Promise((resolve, reject) => {
    const onClose = () => reject(new Error('closed'));
    ws.once('message', (data: Buffer, isBinary: boolean) => {
      ws.off('close', onClose); // one listener per call would pile up on a long-lived socket
      resolve({ data, isBinary });
    });
    ws.once('close', onClose);
  });
}

describe('interop with the ws package', () => {
  test('text and binary echo, of every length class', async () => {
    const ws = await openWs();
    for (const size of [0, 1, 125, 126, 65535, 65536, 1024 * 1024 + 3]) {
      const text = 'é'.repeat(Math.floor(size / 2)) + 'a'.repeat(size % 2);
      ws.send(text);
      const echoedText = await nextMessage(ws);
      assert.equal(echoedText.isBinary, false);
      assert.equal(echoedText.data.toString(), text);

      const binary = Buffer.alloc(size, 0xff);
      for (let i = 0; i < size; i += 997) binary[i] = i & 0xff;
      ws.send(binary);
      const echoedBinary = await nextMessage(ws);
      assert.equal(echoedBinary.isBinary, true);
      assert.ok(echoedBinary.data.equals(binary), `binary of ${size} bytes`);
    }
    ws.close();
    await once(ws, 'close');
  });

  test('the permessage-deflate offer is declined', async () => {
    const ws = await openWs('/ws/echo', { perMessageDeflate: true });
    assert.equal(ws.extensions, '');
    ws.send('still works');
    assert.equal((await nextMessage(ws)).data.toString(), 'still works');
    ws.terminate();
  });

  test('protocol ping gets a pong with the same payload', async () => {
    const ws = await openWs();
    ws.ping(Buffer.from('are you there'));
    const [payload] = (await once(ws, 'pong')) as [Buffer];
    assert.equal(payload.toString(), 'are you there');
    ws.terminate();
  });

  test('fragmented messages from ws are reassembled', async () => {
    const ws = await openWs();
    ws.send('part one, ', { fin: false });
    ws.send('part two', { fin: true });
    assert.equal((await nextMessage(ws)).data.toString(), 'part one, part two');
    ws.terminate();
  });

  test('close codes and reasons are echoed', async () => {
    const ws = await openWs();
    ws.close(4321, 'bye now');
    const [code, reason] = (await once(ws, 'close')) as [number, Buffer];
    assert.equal(code, 4321);
    assert.equal(reason.toString(), '');
  });

  test('app.close() closes ws clients with 1001', async () => {
    const own = await startServer();
    const ws = new WebSocket(own.url + '/ws');
    await once(ws, 'open');
    const closed = once(ws, 'close');
    await own.app.close();
    const [code] = (await closed) as [number];
    assert.equal(code, 1001);
  });
});

describe("interop with Node's own WebSocket (undici, in a child node with --experimental-websocket)", () => {
  test('text, binary, close', async () => {
    const script = `
      const ws = new WebSocket(process.argv[1]);
      ws.binaryType = 'arraybuffer';
      const got = [];
      ws.onopen = () => { ws.send('héllo'); ws.send(new Uint8Array([0, 1, 2, 255])); };
      ws.onmessage = (event) => {
        got.push(typeof event.data === 'string' ? event.data : Array.from(new Uint8Array(event.data)));
        if (got.length === 2) ws.close(1000, 'done');
      };
      ws.onclose = (event) => { console.log(JSON.stringify({ got, code: event.code, extensions: ws.extensions })); };
      ws.onerror = () => { console.log(JSON.stringify({ error: true })); process.exit(1); };
    `;
    const { stdout } = await run(process.execPath, ['--experimental-websocket', '--no-warnings', '-e', script, server.url + '/ws/echo'], {
      timeout: 60_000,
    });
    const result = JSON.parse(stdout) as { got: unknown[]; code: number; extensions: string };
    assert.deepEqual(result.got, ['héllo', [0, 1, 2, 255]]);
    assert.equal(result.code, 1000);
    assert.equal(result.extensions, '');
  });

  test('the now-playing protocol from a browser-style client', async () => {
    const script = `
      const ws = new WebSocket(process.argv[1]);
      const got = [];
      ws.onopen = () => ws.send(JSON.stringify({ type: 'hello', name: 'Node client' }));
      ws.onmessage = (event) => {
        const message = JSON.parse(event.data);
        got.push(message.type);
        if (message.type === 'welcome') ws.send(JSON.stringify({ type: 'ping' }));
        if (message.type === 'pong') { ws.close(); }
      };
      ws.onclose = (event) => console.log(JSON.stringify({ got, code: event.code }));
    `;
    const { stdout } = await run(process.execPath, ['--experimental-websocket', '--no-warnings', '-e', script, server.url + '/ws'], {
      timeout: 60_000,
    });
    const result = JSON.parse(stdout) as { got: string[]; code: number };
    assert.equal(result.got[0], 'welcome');
    assert.ok(result.got.includes('pong'));
    assert.equal(result.code, 1005);
  });
});
