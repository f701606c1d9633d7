/**
 * The stream plugin end to end, over real HTTP against a listening server: Node's fetch
 * (undici) for most rules, raw `net` sockets where exact bytes matter (the Safari probe,
 * framing, URL encodings fetch would normalise). Fixtures are generated here, at test time.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, renameSync, rmSync, symlinkSync, utimesSync, writeFileSync, appendFileSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { type FastifyInstance } from 'fastify';
import { audioMimeType } from '../src/http/content-type.ts';
import streamPlugin from '../src/plugins/stream.ts';
import { DEFAULT_STAT_FRESH_MS } from '../src/stream/open-files.ts';
import { cbrStream, flacFile, id3v2Tag, m4aFile, wavFile } from '../synth/index.ts';

// --- Fixtures ------------------------------------------------------------------------------

/** Deterministic pseudo-random bytes (xorshift32): every offset distinguishable. */
function noise(length: number, seed = 0x9e3779b9): Buffer {
  const out = Buffer.allocUnsafe(length);
  let x = seed >>> 0;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/**
 * An MP3 whose bytes differ at every offset: an ID3v2 tag, then CBR frames whose headers are
 * kept and whose main data is overwritten with noise, so an off-by-one anywhere shows.
 */
function noisyMp3(seconds: number, kbps: number, seed: number): Buffer {
  const frames = cbrStream(seconds, kbps);
  const frameLength = (144 * kbps * 1000) / 48_000;
  const fill = noise(frames.length, seed);
  for (let offset = 0; offset < frames.length; offset += frameLength) {
    fill.copy(frames, offset + 21, offset + 21, offset + frameLength); // 4 header + 17 side info
  }
  return Buffer.concat([id3v2Tag({ title: 'Noise', artist: 'Tests' }), frames]);
}

/** A minimal Ogg page header: enough to be served as audio/ogg (no generator exists for Ogg). */
function oggFile(): Buffer {
  return Buffer.concat([Buffer.from('OggS\0\x02', 'latin1'), noise(4000, 7)]);
}

const base = realpathSync(mkdtempSync(join(tmpdir(), 'musicsharer-stream-')));
const root = join(base, 'media');
const outside = join(base, 'outside');
mkdirSync(root);
mkdirSync(outside);
const SECRET = Buffer.from('SECRET-OUTSIDE-THE-MEDIA-FOLDER '.repeat(100));
writeFileSync(join(outside, 'secret.mp3'), SECRET);

const files = {
  track: { name: 'track.mp3', data: noisyMp3(20, 128, 1) },
  /** One hour at 32 kbit/s: 14.4 MB. */
  hour: { name: 'album/hour.mp3', data: cbrStream(3600, 32) },
  flac: { name: 'song.flac', data: flacFile(5, { title: 'Flac' }) },
  m4a: { name: 'song.m4a', data: m4aFile(5, { title: 'M4a' }) },
  wav: { name: 'song.wav', data: wavFile(2, { frequency: 440 }) },
  ogg: { name: 'song.ogg', data: oggFile() },
  empty: { name: 'empty.mp3', data: Buffer.alloc(0) },
  changing: { name: 'changing.mp3', data: noisyMp3(5, 128, 2) },
  replaced: { name: 'replaced.mp3', data: noisyMp3(5, 128, 3) },
  growing: { name: 'growing.mp3', data: noisyMp3(5, 128, 4) },
  doomed: { name: 'doomed.mp3', data: noisyMp3(1, 128, 5) },
} as const;
type FileId = keyof typeof files;

mkdirSync(join(root, 'album'));
// Stamp each frame of the hour with its index, so a seek that lands on the wrong frame shows.
for (let i = 0, offset = 0; offset < files.hour.data.length; i++, offset += 96) files.hour.data.writeUInt32BE(i, offset + 21);
const ONE_DAY_AGO = new Date(Date.now() - 86_400_000);
for (const file of Object.values(files)) {
  writeFileSync(join(root, file.name), file.data);
  // Old enough for Last-Modified to be a strong validator in If-Range (§8.8.2.2).
  utimesSync(join(root, file.name), ONE_DAY_AGO, ONE_DAY_AGO);
}
// Links a library could have been fooled by, or files swapped for links after a scan.
symlinkSync(join(outside, 'secret.mp3'), join(root, 'link.mp3'));
symlinkSync(outside, join(root, 'linkdir'));

const paths: Record<string, string> = Object.fromEntries(Object.entries(files).map(([id, file]) => [id, join(root, file.name)]));
paths.link = join(root, 'link.mp3');
paths.linkdir = join(root, 'linkdir', 'secret.mp3');
paths.outside = join(outside, 'secret.mp3');
paths.traversal = `${root}/../outside/secret.mp3`;
paths.gone = join(root, 'never-existed.mp3');
paths.dir = join(root, 'album');

function resolve(id: string): { path: string; mimeType: string } | undefined {
  const path = paths[id];
  return path === undefined ? undefined : { path, mimeType: audioMimeType(path) ?? 'audio/mpeg' };
}

// --- Server and clients --------------------------------------------------------------------

interface LogLine {
  level: number;
  msg: string;
}

const logs: LogLine[] = [];
let app: FastifyInstance;
let port: number;
let origin: string;

before(async () => {
  app = Fastify({
    logger: { level: 'info', stream: { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) } },
  });
  // A hook's header (as CORS would set) must survive the plugin's hijacked replies.
  app.addHook('onRequest', async (request, reply) => {
    const trace = request.headers['x-test-trace'];
    if (typeof trace === 'string') reply.header('X-Test-Trace', trace);
  });
  await app.register(streamPlugin, { root, resolve });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  assert.ok(address && typeof address === 'object');
  port = address.port;
  origin = `http://127.0.0.1:${port}`;
});

after(async () => {
  await app.close();
  rmSync(base, { recursive: true, force: true });
});

const url = (id: string) => `${origin}/stream/${id}`;

async function get(id: string, headers: Record<string, string> = {}, method = 'GET') {
  const response = await fetch(url(id), { method, headers });
  const body = Buffer.from(await response.arrayBuffer());
  return { status: response.status, headers: response.headers, body };
}

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  /** Header names as sent, in order (to check for duplicates). */
  names: string[];
  body: Buffer;
}

/**
 * Sends raw requests on one connection (pipelined) and parses exactly one response per
 * request, framing bodies by Content-Length alone: a byte too many or too few breaks the next
 * response. Chunked framing fails the test: we never send it.
 */
function exchange(requests: string[]): Promise<RawResponse[]> {
  return new Promise((resolvePromise, reject) => {
    const socket = connect(port, '127.0.0.1');
    const responses: RawResponse[] = [];
    let buffer = Buffer.alloc(0);
    const methods = requests.map((request) => request.slice(0, request.indexOf(' ')));
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end === -1) return;
        const lines = buffer.subarray(0, end).toString('latin1').split('\r\n');
        const status = Number(lines[0]!.split(' ')[1]);
        const headers: Record<string, string> = {};
        const names: string[] = [];
        for (const line of lines.slice(1)) {
          const colon = line.indexOf(':');
          names.push(line.slice(0, colon));
          headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
        }
        if (headers['transfer-encoding'] !== undefined) return reject(new Error(`chunked response: ${lines.join(' | ')}`));
        const bodyless = methods[responses.length] === 'HEAD' || status === 304 || status === 204;
        const length = bodyless ? 0 : Number(headers['content-length']);
        if (!Number.isInteger(length)) return reject(new Error(`no Content-Length: ${lines.join(' | ')}`));
        if (buffer.length < end + 4 + length) return;
        responses.push({ status, headers, names, body: buffer.subarray(end + 4, end + 4 + length) });
        buffer = buffer.subarray(end + 4 + length);
        if (responses.length === requests.length) {
          socket.destroy();
          if (buffer.length > 0) return reject(new Error(`${buffer.length} bytes after the last response`));
          return resolvePromise(responses);
        }
      }
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`connection closed after ${responses.length} of ${requests.length} responses`)));
    socket.write(requests.join(''));
  });
}

function request(method: string, target: string, headers: Record<string, string> = {}): string {
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  return `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${lines.join('')}\r\n`;
}

const slice = (id: FileId, start: number, end: number) => files[id].data.subarray(start, end + 1);

// --- Tests ---------------------------------------------------------------------------------

describe('iOS Safari', () => {
  const SAFARI = {
    'X-Playback-Session-Id': '3F1E2D3C-4B5A-4978-8796-A5B4C3D2E1F0',
    Range: 'bytes=0-1',
    Accept: '*/*',
    'User-Agent': 'AppleCoreMedia/1.0.0.21E236 (iPhone; U; CPU OS 17_4 like Mac OS X; en_us)',
    'Accept-Language': 'en-US,en;q=0.9',
    'Accept-Encoding': 'identity',
    Connection: 'keep-alive',
  };

  test('the bytes=0-1 probe gets 206, exactly 2 bytes and the true size; then the whole file on the same connection', async () => {
    const size = files.track.data.length;
    const [probe, rest] = await exchange([
      request('GET', '/stream/track', SAFARI),
      request('GET', '/stream/track', { ...SAFARI, Range: `bytes=0-${size - 1}` }),
    ]);
    assert.equal(probe!.status, 206);
    assert.equal(probe!.headers['content-range'], `bytes 0-1/${size}`);
    assert.equal(probe!.headers['content-length'], '2');
    assert.equal(probe!.headers['content-type'], 'audio/mpeg');
    assert.equal(probe!.headers['accept-ranges'], 'bytes');
    assert.equal(probe!.headers['content-encoding'], undefined);
    assert.deepEqual(probe!.body, slice('track', 0, 1));
    // Framing held: the second response parsed right after the 2 bytes.
    assert.equal(rest!.status, 206);
    assert.equal(rest!.headers['content-range'], `bytes 0-${size - 1}/${size}`);
    assert.deepEqual(rest!.body, files.track.data);
  });

  test('a seek in the 1-hour MP3: open-ended range from the middle', async () => {
    const size = files.hour.data.length;
    assert.equal(size, 14_400_000);
    const response = await get('hour', { range: 'bytes=7200000-' });
    assert.equal(response.status, 206);
    assert.equal(response.headers.get('content-range'), `bytes 7200000-${size - 1}/${size}`);
    assert.equal(response.headers.get('content-length'), String(size - 7_200_000));
    assert.ok(response.body.equals(slice('hour', 7_200_000, size - 1)));
  });
});

describe('single ranges over HTTP', () => {
  const size = files.track.data.length;
  const cases: [string, number, number][] = [
    ['bytes=0-1', 0, 1],
    ['bytes=100-4195', 100, 4195],
    ['bytes=1000-', 1000, size - 1],
    ['bytes=-500', size - 500, size - 1],
    ['bytes=-99999999', 0, size - 1],
    [`bytes=${size - 10}-${size + 1000}`, size - 10, size - 1],
    ['BYTES=5-9', 5, 9],
    ['bytes=65530-65545', 65530, 65545],
    ['bytes=0-65535', 0, 65535],
  ];
  for (const [range, start, end] of cases) {
    test(`${range} -> 206 ${start}-${end}`, async () => {
      const response = await get('track', { range });
      assert.equal(response.status, 206);
      assert.equal(response.headers.get('content-range'), `bytes ${start}-${end}/${size}`);
      assert.equal(response.headers.get('content-length'), String(end - start + 1));
      assert.ok(response.body.equals(slice('track', start, end)), 'body bytes equal the file slice');
    });
  }

  for (const range of ['bytes=abc', 'bytes=5-1', 'items=0-1', 'bytes=', 'bytes=0-1;x']) {
    test(`invalid ${range} is ignored -> 200 whole file`, async () => {
      const response = await get('track', { range });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-range'), null);
      assert.ok(response.body.equals(files.track.data));
    });
  }

  for (const range of [`bytes=${size}-`, 'bytes=99999999-99999999', 'bytes=-0']) {
    test(`unsatisfiable ${range} -> 416 with bytes */size`, async () => {
      const response = await get('track', { range });
      assert.equal(response.status, 416);
      assert.equal(response.headers.get('content-range'), `bytes */${size}`);
      assert.equal(response.headers.get('accept-ranges'), 'bytes');
    });
  }
});

/** Splits a multipart/byteranges body into its parts (RFC 2046 §5.1.1). */
function parseMultipart(body: Buffer, boundary: string): { headers: Record<string, string>; data: Buffer }[] {
  const parts: { headers: Record<string, string>; data: Buffer }[] = [];
  const delimiter = Buffer.from(`--${boundary}`);
  let position = body.indexOf(delimiter);
  assert.equal(position, 0, 'the body starts with the first delimiter');
  for (;;) {
    const next: number = position + delimiter.length;
    if (body.subarray(next, next + 4).toString() === '--\r\n') {
      assert.equal(next + 4, body.length, 'nothing after the close delimiter');
      return parts;
    }
    const headerEnd: number = body.indexOf('\r\n\r\n', next);
    const headers: Record<string, string> = {};
    for (const line of body.subarray(next + 2, headerEnd).toString('latin1').split('\r\n')) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    const match = /^bytes (\d+)-(\d+)\/\d+$/.exec(headers['content-range'] ?? '');
    assert.ok(match, 'each part has a Content-Range');
    const length = Number(match[2]) - Number(match[1]) + 1;
    const dataStart: number = headerEnd + 4;
    parts.push({ headers, data: body.subarray(dataStart, dataStart + length) });
    position = dataStart + length + 2; // CRLF before the next delimiter
    assert.equal(body.subarray(dataStart + length, position).toString(), '\r\n');
  }
}

describe('several ranges', () => {
  const size = files.track.data.length;

  test('-> 206 multipart/byteranges, parts in request order with Content-Type and Content-Range, overlaps coalesced', async () => {
    const response = await get('track', { range: 'bytes=5000-5099, 0-9, 5-14, -10' });
    assert.equal(response.status, 206);
    const type = response.headers.get('content-type') ?? '';
    const boundary = /^multipart\/byteranges; boundary=(\S+)$/.exec(type)?.[1];
    assert.ok(boundary, type);
    assert.equal(response.headers.get('content-range'), null, 'no Content-Range on the multipart message itself');
    assert.equal(Number(response.headers.get('content-length')), response.body.length);
    const parts = parseMultipart(response.body, boundary);
    const expected: [number, number][] = [
      [5000, 5099],
      [0, 14],
      [size - 10, size - 1],
    ];
    assert.equal(parts.length, expected.length);
    parts.forEach((part, i) => {
      const [start, end] = expected[i]!;
      assert.equal(part.headers['content-type'], 'audio/mpeg');
      assert.equal(part.headers['content-range'], `bytes ${start}-${end}/${size}`);
      assert.ok(part.data.equals(slice('track', start, end)), `part ${i} bytes`);
    });
  });

  test('ranges that coalesce into one -> a plain single-range 206', async () => {
    const response = await get('track', { range: 'bytes=0-9,10-19,5-25' });
    assert.equal(response.status, 206);
    assert.equal(response.headers.get('content-type'), 'audio/mpeg');
    assert.equal(response.headers.get('content-range'), `bytes 0-25/${size}`);
    assert.ok(response.body.equals(slice('track', 0, 25)));
  });

  test('a header of thousands of tiny ranges is ignored -> 200 whole file', async () => {
    // 1200 ranges: about 12 KB, under Node's 16 KiB header limit.
    const range = `bytes=${Array.from({ length: 1200 }, (_, i) => `${i * 2}-${i * 2}`).join(',')}`;
    const response = await get('track', { range });
    assert.equal(response.status, 200);
    assert.ok(response.body.equals(files.track.data));
  });

  test('multipart HEAD announces the same length without a body', async () => {
    const [head] = await exchange([request('HEAD', '/stream/track', { Range: 'bytes=0-1,10-11' })]);
    const whole = await get('track', { range: 'bytes=0-1,10-11' });
    assert.equal(head!.status, 206);
    // Boundaries are random per response, so the length matches but the type differs.
    assert.equal(head!.headers['content-length'], whole.headers.get('content-length'));
    assert.equal(head!.body.length, 0);
  });
});

describe('validators and preconditions', () => {
  let etag: string;
  let lastModified: string;
  const size = files.track.data.length;

  before(async () => {
    const response = await get('track');
    etag = response.headers.get('etag')!;
    lastModified = response.headers.get('last-modified')!;
  });

  test('strong ETag and Last-Modified', () => {
    assert.match(etag, /^"[^"]+"$/, 'strong: no W/ prefix');
    assert.equal(lastModified, ONE_DAY_AGO.toUTCString());
  });

  const cases: [string, () => Record<string, string>, number][] = [
    ['If-None-Match: current -> 304', () => ({ 'if-none-match': etag }), 304],
    ['If-None-Match: weak form of current -> 304', () => ({ 'if-none-match': `W/${etag}` }), 304],
    ['If-None-Match: * -> 304', () => ({ 'if-none-match': '*' }), 304],
    ['If-None-Match: other -> 200', () => ({ 'if-none-match': '"other"' }), 200],
    ['If-Modified-Since: Last-Modified -> 304', () => ({ 'if-modified-since': lastModified }), 304],
    ['If-Modified-Since: earlier -> 200', () => ({ 'if-modified-since': new Date(Date.parse(lastModified) - 1000).toUTCString() }), 200],
    ['If-Match: current -> 200', () => ({ 'if-match': etag }), 200],
    ['If-Match: other -> 412', () => ({ 'if-match': '"other"' }), 412],
    ['If-Match: weak form -> 412 (strong comparison)', () => ({ 'if-match': `W/${etag}` }), 412],
    ['If-Unmodified-Since: earlier -> 412', () => ({ 'if-unmodified-since': new Date(Date.parse(lastModified) - 1000).toUTCString() }), 412],
    ['If-Unmodified-Since: Last-Modified -> 200', () => ({ 'if-unmodified-since': lastModified }), 200],
    ['If-Range: current tag + Range -> 206', () => ({ 'if-range': etag, range: 'bytes=0-1' }), 206],
    ['If-Range: weak tag + Range -> 200 (a weak tag never matches)', () => ({ 'if-range': `W/${etag}`, range: 'bytes=0-1' }), 200],
    ['If-Range: other tag + Range -> 200', () => ({ 'if-range': '"other"', range: 'bytes=0-1' }), 200],
    ['If-Range: exact date + Range -> 206', () => ({ 'if-range': lastModified, range: 'bytes=0-1' }), 206],
    ['If-Range: another date + Range -> 200', () => ({ 'if-range': new Date(Date.parse(lastModified) + 1000).toUTCString(), range: 'bytes=0-1' }), 200],
    ['If-Range: unsatisfiable Range, other tag -> 200 (Range ignored)', () => ({ 'if-range': '"other"', range: `bytes=${size}-` }), 200],
    ['§13.2.2: If-Match false before If-None-Match -> 412', () => ({ 'if-match': '"other"', 'if-none-match': etag }), 412],
    ['§13.2.2: If-None-Match present -> If-Modified-Since ignored -> 200', () => ({ 'if-none-match': '"other"', 'if-modified-since': lastModified }), 200],
    ['§13.2.2: 304 before Range', () => ({ 'if-none-match': etag, range: 'bytes=0-1' }), 304],
    ['§13.2.2: 412 before 416', () => ({ 'if-match': '"other"', range: `bytes=${size}-` }), 412],
  ];
  for (const [name, headers, status] of cases) {
    test(name, async () => {
      const response = await get('track', headers());
      assert.equal(response.status, status);
      assert.equal(response.headers.get('accept-ranges'), 'bytes');
      if (status === 304) {
        assert.equal(response.body.length, 0);
        assert.equal(response.headers.get('etag'), etag, '§15.4.5: a 304 carries the ETag');
      }
      if (status === 200) assert.ok(response.body.equals(files.track.data));
      if (status === 206) assert.ok(response.body.equals(slice('track', 0, 1)));
    });
  }
});

describe('Accept-Ranges, types, framing', () => {
  test('Accept-Ranges: bytes on every answer', async () => {
    const etag = (await get('track')).headers.get('etag')!;
    const answers = [
      await get('track'),
      await get('track', { range: 'bytes=0-1' }),
      await get('track', { 'if-none-match': etag }),
      await get('track', { 'if-match': '"nope"' }),
      await get('track', { range: 'bytes=999999999-' }),
      await get('unknown'),
      await get('not..valid'),
      await get('track', {}, 'HEAD'),
    ];
    assert.deepEqual(
      answers.map((a) => a.status),
      [200, 206, 304, 412, 416, 404, 400, 200],
    );
    for (const answer of answers) assert.equal(answer.headers.get('accept-ranges'), 'bytes', `status ${answer.status}`);
  });

  const types: [FileId, string][] = [
    ['track', 'audio/mpeg'],
    ['m4a', 'audio/mp4'],
    ['flac', 'audio/flac'],
    ['ogg', 'audio/ogg'],
    ['wav', 'audio/wav'],
  ];
  for (const [id, type] of types) {
    test(`${files[id].name} is served as ${type}, whole and in ranges`, async () => {
      const whole = await get(id);
      assert.equal(whole.status, 200);
      assert.equal(whole.headers.get('content-type'), type);
      assert.ok(whole.body.equals(files[id].data));
      const part = await get(id, { range: 'bytes=4-11' });
      assert.equal(part.status, 206);
      assert.equal(part.headers.get('content-type'), type);
      assert.ok(part.body.equals(slice(id, 4, 11)));
    });
  }

  test('never chunked, never compressed, even when the client asks for gzip', async () => {
    for (const range of [undefined, 'bytes=0-1', 'bytes=100-', 'bytes=0-1,100-101']) {
      const [response] = await exchange([
        request('GET', '/stream/track', { 'Accept-Encoding': 'gzip, deflate, br', ...(range ? { Range: range } : {}) }),
      ]);
      assert.equal(response!.headers['transfer-encoding'], undefined);
      assert.equal(response!.headers['content-encoding'], undefined);
      assert.equal(Number(response!.headers['content-length']), response!.body.length);
      const lower = response!.names.map((n) => n.toLowerCase());
      assert.equal(new Set(lower).size, lower.length, `no duplicated header: ${lower.join(', ')}`);
    }
  });

  test('an empty file: 200 with Content-Length 0; any range is unsatisfiable', async () => {
    const whole = await get('empty');
    assert.equal(whole.status, 200);
    assert.equal(whole.headers.get('content-length'), '0');
    const ranged = await get('empty', { range: 'bytes=0-1' });
    assert.equal(ranged.status, 416);
    assert.equal(ranged.headers.get('content-range'), 'bytes */0');
  });
});

describe('HEAD', () => {
  const variants: [string, Record<string, string>][] = [
    ['no Range', {}],
    ['Range: bytes=0-1', { Range: 'bytes=0-1' }],
    ['open-ended Range', { Range: 'bytes=1000-' }],
    ['unsatisfiable Range', { Range: 'bytes=99999999-' }],
    ['If-None-Match', { 'If-None-Match': '*' }],
  ];
  for (const [name, headers] of variants) {
    test(`same status and headers as GET, no body: ${name}`, async () => {
      const [head, getResponse] = await exchange([request('HEAD', '/stream/hour', headers), request('GET', '/stream/hour', headers)]);
      assert.equal(head!.status, getResponse!.status);
      const { date: _d1, ...headHeaders } = head!.headers;
      const { date: _d2, ...getHeaders } = getResponse!.headers;
      assert.deepEqual(headHeaders, getHeaders);
      assert.equal(head!.body.length, 0);
    });
  }

  test('for each audio type', async () => {
    for (const id of ['track', 'm4a', 'flac', 'ogg', 'wav', 'empty'] as const) {
      const [head, getResponse] = await exchange([request('HEAD', `/stream/${id}`), request('GET', `/stream/${id}`)]);
      const { date: _d1, ...headHeaders } = head!.headers;
      const { date: _d2, ...getHeaders } = getResponse!.headers;
      assert.deepEqual(headHeaders, getHeaders, id);
    }
  });
});

describe('headers set by hooks', () => {
  test('reach every kind of answer, and only the request that set them', async () => {
    const traced = async (trace: string | undefined, headers: Record<string, string>, method = 'GET') => {
      const response = await get('hour', trace === undefined ? headers : { ...headers, 'x-test-trace': trace }, method);
      return { status: response.status, trace: response.headers.get('x-test-trace') };
    };
    // The probe twice, so the second answer comes from the prepared header fields.
    assert.deepEqual(await traced('a', { range: 'bytes=0-1' }), { status: 206, trace: 'a' });
    assert.deepEqual(await traced(undefined, { range: 'bytes=0-1' }), { status: 206, trace: null });
    assert.deepEqual(await traced('b', { range: 'bytes=0-1' }), { status: 206, trace: 'b' });
    assert.deepEqual(await traced(undefined, { range: 'bytes=0-1' }), { status: 206, trace: null });
    assert.deepEqual(await traced('c', { range: 'bytes=1000000-1000099' }), { status: 206, trace: 'c' });
    assert.deepEqual(await traced('d', { range: 'bytes=0-1' }, 'HEAD'), { status: 206, trace: 'd' });
    const etag = (await get('hour', { range: 'bytes=0-1' })).headers.get('etag')!;
    assert.deepEqual(await traced('e', { 'if-none-match': etag }), { status: 304, trace: 'e' });
    assert.deepEqual(await traced(undefined, { 'if-none-match': etag }), { status: 304, trace: null });
  });
});

/** A change is seen once the last lstat of the file is `DEFAULT_STAT_FRESH_MS` old. */
const statGoesStale = () => sleep(DEFAULT_STAT_FRESH_MS + 5);

describe('a file that changes', () => {
  test('rewritten in place: new ETag, new bytes; the old validators no longer match', async () => {
    const first = await get('changing', { range: 'bytes=0-1' }); // opens and caches the file
    const oldTag = first.headers.get('etag')!;
    const next = noisyMp3(5, 128, 42);
    assert.equal(next.length, files.changing.data.length, 'same size: only the mtime tells');
    writeFileSync(paths.changing!, next);
    await statGoesStale();
    const second = await get('changing');
    assert.notEqual(second.headers.get('etag'), oldTag);
    assert.ok(second.body.equals(next));
    assert.equal((await get('changing', { 'if-none-match': oldTag })).status, 200);
    const ifRange = await get('changing', { 'if-range': oldTag, range: 'bytes=0-1' });
    assert.equal(ifRange.status, 200, 'If-Range with the old tag -> the whole new file');
    assert.ok(ifRange.body.equals(next));
  });

  test('replaced by a rename while its fd is cached: the new file, never the old one', async () => {
    const first = await get('replaced', { range: 'bytes=0-99' });
    assert.ok(first.body.equals(slice('replaced', 0, 99)));
    const next = noisyMp3(5, 128, 43);
    assert.equal(next.length, files.replaced.data.length);
    const temporary = join(root, 'replaced.tmp');
    writeFileSync(temporary, next);
    utimesSync(temporary, ONE_DAY_AGO, ONE_DAY_AGO); // even with the same mtime: a new inode
    renameSync(temporary, paths.replaced!);
    await statGoesStale();
    const second = await get('replaced', { range: 'bytes=0-99' });
    assert.notEqual(second.headers.get('etag'), first.headers.get('etag'));
    assert.equal(second.headers.get('content-range'), `bytes 0-99/${next.length}`);
    assert.ok(second.body.equals(next.subarray(0, 100)));
  });

  test('appended to: new size, new ETag', async () => {
    const first = await get('growing', { range: 'bytes=0-1' });
    appendFileSync(paths.growing!, Buffer.from('more bytes'));
    await statGoesStale();
    const size = statSync(paths.growing!).size;
    const second = await get('growing', { range: 'bytes=-10' });
    assert.notEqual(second.headers.get('etag'), first.headers.get('etag'));
    assert.equal(second.headers.get('content-range'), `bytes ${size - 10}-${size - 1}/${size}`);
    assert.equal(second.body.toString(), 'more bytes');
  });

  test('deleted: 404', async () => {
    assert.equal((await get('doomed', { range: 'bytes=0-1' })).status, 206);
    rmSync(paths.doomed!);
    await statGoesStale();
    assert.equal((await get('doomed', { range: 'bytes=0-1' })).status, 404);
    assert.equal((await get('doomed', {}, 'HEAD')).status, 404);
  });
});

describe('a change inside the freshness window (statFreshMs)', () => {
  // A window long enough that the test runs inside it, and fds closed after every answer, so
  // the next body must open the path again and meets the replacement.
  let windowed: FastifyInstance;
  let windowedOrigin: string;
  const original = noisyMp3(5, 128, 50);
  const replacement = noisyMp3(5, 128, 51);
  const path = join(root, 'windowed.mp3');

  before(async () => {
    writeFileSync(path, original);
    windowed = Fastify();
    await windowed.register(streamPlugin, {
      root,
      resolve: (id) => (id === 'windowed' ? { path, mimeType: 'audio/mpeg' } : undefined),
      statFreshMs: 60_000,
      idleCloseMs: 0,
    });
    await windowed.listen({ port: 0, host: '127.0.0.1' });
    const address = windowed.server.address();
    assert.ok(address && typeof address === 'object');
    windowedOrigin = `http://127.0.0.1:${address.port}`;
  });
  after(() => windowed.close());

  const fetchRange = async (range: string) => {
    const response = await fetch(`${windowedOrigin}/stream/windowed`, { headers: { range } });
    return { status: response.status, etag: response.headers.get('etag'), body: Buffer.from(await response.arrayBuffer()) };
  };

  test('the version already served stays whole (its tag, its bytes); a body that meets the replacement serves the replacement', async () => {
    const probe = await fetchRange('bytes=0-1');
    assert.deepEqual(probe.body, original.subarray(0, 2));
    const temporary = join(root, 'windowed.tmp');
    writeFileSync(temporary, replacement);
    renameSync(temporary, path);

    // Inside the window, from memory: the old version, consistent with its old tag.
    const again = await fetchRange('bytes=0-1');
    assert.equal(again.status, 206);
    assert.equal(again.etag, probe.etag);
    assert.deepEqual(again.body, original.subarray(0, 2));

    // Past the cached first bytes the path is opened again and holds another inode: looked up
    // afresh and answered from the new file with its new tag, never old tag + new bytes.
    const far = await fetchRange('bytes=70000-70099');
    assert.equal(far.status, 206);
    assert.notEqual(far.etag, probe.etag);
    assert.deepEqual(far.body, replacement.subarray(70_000, 70_100));
  });
});

describe('nothing outside the media folder, however the URL is encoded', () => {
  const targets = [
    '/stream/..%2f..%2fetc%2fpasswd',
    '/stream/..%2F..%2Foutside%2Fsecret.mp3',
    '/stream/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    '/stream/%2e%2e',
    '/stream/..',
    '/stream/../../etc/passwd',
    '/stream/track/../../outside/secret.mp3',
    '/stream/%252e%252e%252fetc%252fpasswd',
    '/stream/track%00',
    '/stream/track%00.mp3',
    '/stream/%00',
    '/stream/..%5c..%5cetc%5cpasswd',
    '/stream/%c0%ae%c0%ae%c0%afetc%c0%afpasswd',
    `/stream/${'a'.repeat(65)}`,
    `/stream/${'a'.repeat(200)}`,
    '/stream/',
    '/stream//etc/passwd',
    '/stream/track?id=../../etc/passwd',
  ];
  for (const target of targets) {
    test(`${target} -> 400 or 404, never a file`, async () => {
      for (const method of ['GET', 'HEAD']) {
        const [response] = await exchange([request(method, target)]);
        assert.ok([400, 404, 414].includes(response!.status) || (target.includes('?') && response!.status === 200), `${method} ${response!.status}`);
        assert.ok(!response!.body.includes('root:'), 'no /etc/passwd');
        assert.ok(!response!.body.includes('SECRET'), 'no file from outside');
        if (target.includes('?')) assert.ok(response!.status !== 200 || response!.body.equals(method === 'HEAD' ? Buffer.alloc(0) : files.track.data));
      }
    });
  }

  const refused: [string, string][] = [
    ['outside', 'a resolve() answer outside the root'],
    ['traversal', 'a resolve() answer with .. out of the root'],
    ['link', 'a symbolic link to a file outside'],
    ['linkdir', 'a file under a folder that is a link to outside'],
    ['dir', 'a folder'],
    ['gone', 'a file that does not exist'],
  ];
  for (const [id, what] of refused) {
    test(`${what} -> 404 for GET, ranged GET and HEAD`, async () => {
      for (const [method, headers] of [['GET', {}], ['GET', { range: 'bytes=0-1' }], ['HEAD', {}]] as const) {
        const response = await get(id, headers, method);
        assert.equal(response.status, 404, `${method} ${JSON.stringify(headers)}`);
        assert.ok(!response.body.includes('SECRET'));
      }
    });
  }
});

describe('errors', () => {
  test('an unknown id -> 404 JSON {statusCode, error, message}', async () => {
    const response = await get('unknown-id');
    assert.equal(response.status, 404);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(Object.keys(JSON.parse(response.body.toString())).sort(), ['error', 'message', 'statusCode']);
    assert.equal(JSON.parse(response.body.toString()).statusCode, 404);
  });

  test('no error was logged by any test above, and nothing served from outside was attempted silently', () => {
    const errors = logs.filter((line) => line.level >= 50);
    assert.deepEqual(errors, []);
    // The link-through-a-folder case must have been refused with a warning, not by luck.
    assert.ok(logs.some((line) => line.level === 40 && /refusing/.test(line.msg)));
  });
});

// The file itself must be untouched by all of this.
test('fixtures are intact', () => {
  assert.ok(readFileSync(paths.track!).equals(files.track.data));
});
