import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { requestLogOptions } from '../src/request-log.js';
import { listenOnLoopback } from './fixtures/app.js';
import { logSink } from './fixtures/log-sink.js';
import { createFixtureLibrary, type FixtureLibrary } from './fixtures/library.js';

for (const requestLogging of [false, true]) {
  describe(`request logging ${requestLogging ? 'on (LOG_LEVEL=debug)' : 'off (the default)'}`, () => {
    let fixture: FixtureLibrary;
    let app: FastifyInstance;
    let base: string;
    const sink = logSink();

    before(async () => {
      fixture = await createFixtureLibrary();
      ({ app, base } = await listenOnLoopback(fixture.root, { logger: { level: 'info', stream: sink.stream }, requestLogging }));
    });
    after(async () => {
      await app.close();
      await fixture.cleanup();
    });

    test(requestLogging ? 'logs every request' : 'logs no line for a successful request, nor for a client mistake', async () => {
      const tracks = (await (await fetch(`${base}/api/tracks`)).json()) as { tracks: { url: string }[] };
      const probe = await fetch(base + tracks.tracks[0]!.url, { headers: { range: 'bytes=0-1' } });
      assert.equal(probe.status, 206);
      await probe.arrayBuffer();
      const missing = await fetch(`${base}/api/albums/nosuchalbum`);
      assert.equal(missing.status, 404);
      await missing.arrayBuffer();
      const failing = await fetch(`${base}/api/tracks?limit=-1`);
      assert.equal(failing.status, 400);
      await failing.arrayBuffer();
      await new Promise((resolve) => setImmediate(resolve));

      const completed = sink.lines.filter((l) => l.msg === 'request completed');
      const statuses = completed.map((l) => (l.res as { statusCode: number }).statusCode);
      if (requestLogging) {
        assert.deepEqual(statuses, [200, 206, 404, 400]);
        assert.equal(sink.lines.filter((l) => l.msg === 'incoming request').length, 4);
      } else {
        assert.deepEqual(statuses, []);
        assert.equal(sink.lines.filter((l) => l.msg === 'incoming request').length, 0);
        // A client's mistakes (the 404, the 400) are not the server's errors: no line at info.
        assert.deepEqual(sink.lines.filter((l) => l.reqId !== undefined), []);
      }
    });
  });
}

describe("a client's bad requests", () => {
  let fixture: FixtureLibrary;
  before(async () => {
    fixture = await createFixtureLibrary();
  });
  after(() => fixture.cleanup());

  /**
   * Sends `count` bad requests (failed validation, unknown route, unknown id, bad id) in turn to
   * an app logging at `level`; the log lines they added, and the seconds they took.
   */
  async function sendBadRequests(level: string, count: number): Promise<{ added: Record<string, unknown>[]; seconds: number }> {
    const sink = logSink();
    const { app, base } = await listenOnLoopback(fixture.root, { logger: { level, stream: sink.stream } });
    try {
      const before = sink.lines.length;
      const started = performance.now();
      const paths = ['/api/tracks?limit=-1', '/api/no/such/route', '/api/albums/nosuchalbum', '/stream/..%2f..%2fetc%2fpasswd'];
      for (let i = 0; i < count; i++) {
        const response = await fetch(base + paths[i % paths.length]!);
        assert.ok(response.status >= 400 && response.status < 500, `status ${response.status}`);
        await response.arrayBuffer();
      }
      return { added: sink.lines.slice(before), seconds: (performance.now() - started) / 1000 };
    } finally {
      await app.close();
    }
  }

  test('add no log line at the default level (info)', async () => {
    const { added, seconds } = await sendBadRequests('info', 400);
    console.log(`# 400 bad requests in ${seconds.toFixed(2)} s added ${JSON.stringify(added).length - 2} bytes of log at info`);
    assert.deepEqual(added, []);
  });

  test('at debug: one short line each, with the request id and the reason, no stack', async () => {
    // Replies a handler sends itself (an unknown id's 404, a bad id's 400) log nothing; Fastify's
    // own answers (a failed validation, an unknown route) one line each.
    const { added } = await sendBadRequests('debug', 4);
    // The library logs at debug too (an index save can land meanwhile): the requests' lines are ours.
    const lines = added.filter((line) => line.module !== 'library');
    assert.deepEqual(lines.map((l) => l.msg), ['client error', 'route not found'], JSON.stringify(lines));
    for (const line of lines) {
      assert.equal(line.level, 20);
      assert.match(String(line.reqId), /^req-/);
      assert.equal(JSON.stringify(line).includes('stack'), false, JSON.stringify(line));
      assert.ok(JSON.stringify(line).length < 400, JSON.stringify(line));
    }
    assert.match(String(lines[0]!.reason), /limit/);
  });
});

describe('request.log made on first use', () => {
  /** A parent logger that counts the children made of it and records what they log. */
  function countingParent() {
    const made: Record<string, unknown>[] = [];
    const lines: unknown[][] = [];
    const parent = {
      level: 'info',
      child(bindings: Record<string, unknown>) {
        made.push(bindings);
        const log = (...args: unknown[]) => lines.push([bindings, ...args]);
        return { ...parent, level: 'info', info: log, warn: log, error: log, debug: log, fatal: log, trace: log, silent: log };
      },
      info() {}, warn() {}, error() {}, debug() {}, fatal() {}, trace() {}, silent() {},
    };
    return { parent, made, lines };
  }
  const factory = requestLogOptions(false).childLoggerFactory!;
  const make = (parent: unknown) =>
    factory.call({} as never, parent as FastifyBaseLogger, { reqId: 'req-7' }, {}, {} as never);

  test('makes no child until something is logged, then exactly one, with the bindings', () => {
    const { parent, made, lines } = countingParent();
    const log = make(parent);
    assert.equal(log.level, 'info');
    assert.equal(made.length, 0);
    log.warn({ path: '/a' }, 'first');
    log.info('second %s', 'call');
    assert.deepEqual(made, [{ reqId: 'req-7' }]);
    assert.deepEqual(lines, [
      [{ reqId: 'req-7' }, { path: '/a' }, 'first'],
      [{ reqId: 'req-7' }, 'second %s', 'call'],
    ]);
  });

  test('child() and a level change go to the real child', () => {
    const { parent, made } = countingParent();
    const log = make(parent);
    log.child({ part: 1 });
    // The request's child first, then the child of that child (the fake makes both alike).
    assert.deepEqual(made, [{ reqId: 'req-7' }, { part: 1 }]);
    log.level = 'debug';
    assert.equal(log.level, 'debug');
    assert.equal(parent.level, 'info');
  });
});
