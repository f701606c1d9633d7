/**
 * The stream plugin's hot path stays synchronous: once a file is warm, a `bytes=0-1` probe, a
 * HEAD, a 304, a 412 and a 416 are answered within the handler call, which returns no promise
 * (a promise and an await were ~15% of a probe's cost). Observed by wrapping the route handler
 * through Fastify's public `onRoute` hook, over real HTTP.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Fastify, { type FastifyInstance, type RouteHandlerMethod } from 'fastify';
import streamPlugin from '../../src/plugins/stream.ts';

const root = realpathSync(mkdtempSync(join(tmpdir(), 'musicsharer-hot-path-')));
const path = join(root, 'track.mp3');
writeFileSync(path, Buffer.alloc(200_000, 7));

/** What each handler call returned: 'sync' (answered within the call) or 'promise'. */
const returned: string[] = [];
let app: FastifyInstance;
let origin: string;

before(async () => {
  app = Fastify();
  app.addHook('onRoute', (route) => {
    const handler = route.handler as RouteHandlerMethod;
    route.handler = function (this: FastifyInstance, request, reply) {
      const result = handler.call(this, request, reply);
      returned.push(result === undefined ? 'sync' : 'promise');
      return result;
    } as RouteHandlerMethod;
  });
  await app.register(streamPlugin, {
    root,
    resolve: (id) => (id === 'track' ? { path, mimeType: 'audio/mpeg' } : undefined),
    // The file stays fresh for the whole test, so no answer depends on lstat timing.
    statFreshMs: 60_000,
  });
  origin = await app.listen({ port: 0, host: '127.0.0.1' });
});

after(async () => {
  await app.close();
  rmSync(root, { recursive: true, force: true });
});

async function ask(headers: Record<string, string>, method = 'GET'): Promise<{ status: number; handler: string | undefined }> {
  const response = await fetch(`${origin}/stream/track`, { method, headers });
  await response.arrayBuffer();
  return { status: response.status, handler: returned.at(-1) };
}

test('a cold file waits on I/O; once warm, probe, HEAD, 304, 412 and 416 are answered synchronously', async () => {
  const first = await ask({ range: 'bytes=0-1' });
  assert.deepEqual(first, { status: 206, handler: 'promise' }, 'the first request stats, opens and reads the file');
  const etag = (await fetch(`${origin}/stream/track`, { method: 'HEAD' })).headers.get('etag')!;

  assert.deepEqual(await ask({ range: 'bytes=0-1' }), { status: 206, handler: 'sync' });
  assert.deepEqual(await ask({}, 'HEAD'), { status: 200, handler: 'sync' });
  assert.deepEqual(await ask({ range: 'bytes=100-199' }, 'HEAD'), { status: 206, handler: 'sync' });
  assert.deepEqual(await ask({ 'if-none-match': etag }), { status: 304, handler: 'sync' });
  assert.deepEqual(await ask({ 'if-match': '"other"' }), { status: 412, handler: 'sync' });
  assert.deepEqual(await ask({ range: 'bytes=999999-' }), { status: 416, handler: 'sync' });
  // A body beyond the first bytes in memory is read from the file: that one waits.
  assert.deepEqual(await ask({ range: 'bytes=100000-100099' }), { status: 206, handler: 'promise' });
});
