/**
 * Pairing, the password, sessions (issue 12), through HTTP and the WebSocket on loopback.
 */
import assert from 'node:assert/strict';
import { readdir, readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { CLOSE_SESSION_REVOKED } from '@musicsharer/shared';
import { START_LINK_TTL_MS } from '../../src/auth/pair-links.js';
import { createFixtureLibrary, type FixtureLibrary } from '../fixtures/library.js';
import { logSink } from '../fixtures/log-sink.js';
import { cookieOf, listenWithAuth, type AuthApp } from './helpers.js';

const json = (cookie?: string, extra: Record<string, string> = {}) => ({ 'content-type': 'application/json', ...(cookie ? { cookie } : {}), ...extra });

let fixture: FixtureLibrary;
before(async () => {
  fixture = await createFixtureLibrary();
});
after(() => fixture?.cleanup());

describe('pairing links', () => {
  let server: AuthApp;
  before(async () => {
    server = await listenWithAuth(fixture.root);
  });
  after(() => server?.app.close());

  test('opening a link: 303 to / and a session cookie (HttpOnly, SameSite=Lax, Path=/, a year, not Secure over http)', async () => {
    const response = await fetch(await server.pairLink(), { redirect: 'manual' });
    assert.equal(response.status, 303);
    assert.equal(response.headers.get('location'), '/');
    const field = response.headers.get('set-cookie')!;
    assert.match(field, /^musicsharer_session=[A-Za-z0-9_-]{43}; /);
    const attributes = field.split('; ').slice(1);
    for (const attribute of ['HttpOnly', 'SameSite=Lax', 'Path=/', 'Max-Age=31536000']) assert.ok(attributes.includes(attribute), field);
    assert.ok(!attributes.includes('Secure'), field);
    const me = await fetch(`${server.base}/api/session`, { headers: { cookie: cookieOf(response) } });
    assert.equal(me.status, 200);
    const body = (await me.json()) as { auth: boolean; session: { current: boolean; name: string } };
    assert.equal(body.auth, true);
    assert.equal(body.session.current, true);
  });

  test('a link works once: the second opening is a 410 page that says how to get a new one, and sets no cookie', async () => {
    const link = await server.pairLink();
    assert.equal((await fetch(link, { redirect: 'manual' })).status, 303);
    const again = await fetch(link, { redirect: 'manual' });
    assert.equal(again.status, 410);
    assert.equal(again.headers.get('set-cookie'), null);
    assert.match(again.headers.get('content-type')!, /^text\/html/);
    const page = await again.text();
    assert.match(page, /used or has expired/);
    assert.match(page, /npm run pair/);
    assert.match(page, /Add a device/);
  });

  test('an expired link (older than 15 minutes) and a made-up one get the same 410', async () => {
    const { token } = await server.app.auth.stores!.pairLinks.create(START_LINK_TTL_MS, Date.now() - START_LINK_TTL_MS - 1000);
    for (const path of [`/pair/${token}`, '/pair/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', '/pair/..%2f..%2fetc%2fpasswd', `/pair/${'x'.repeat(5000)}`]) {
      const response = await fetch(server.base + path, { redirect: 'manual' });
      assert.equal(response.status, 410, path);
      assert.equal(response.headers.get('set-cookie'), null);
    }
  });

  test('a link opened by two browsers at once pairs only one', async () => {
    const link = await server.pairLink();
    const answers = await Promise.all(Array.from({ length: 8 }, () => fetch(link, { redirect: 'manual' })));
    assert.deepEqual(answers.map((a) => a.status).sort(), [303, 410, 410, 410, 410, 410, 410, 410]);
  });

  test('Secure is added when the request came over HTTPS through a trusted proxy, and only then', async () => {
    const proxied = await listenWithAuth(fixture.root, {}, { trustProxy: ['127.0.0.1'] });
    try {
      const viaProxy = await fetch(await proxied.pairLink(), { redirect: 'manual', headers: { 'x-forwarded-proto': 'https' } });
      assert.match(viaProxy.headers.get('set-cookie')!, /; Secure/);
    } finally {
      await proxied.app.close();
    }
    // Not trusted: the header is anyone's to send.
    const direct = await fetch(await server.pairLink(), { redirect: 'manual', headers: { 'x-forwarded-proto': 'https' } });
    assert.doesNotMatch(direct.headers.get('set-cookie')!, /Secure/);
  });
});

describe('pairing codes', () => {
  let server: AuthApp;
  let owner: string;
  before(async () => {
    server = await listenWithAuth(fixture.root);
    owner = await server.pair();
  });
  after(() => server?.app.close());

  const makeCode = async () => {
    const response = await fetch(`${server.base}/api/pair-codes`, { method: 'POST', headers: { cookie: owner } });
    assert.equal(response.status, 201);
    return (await response.json()) as { code: string; url: string; expiresAt: string };
  };
  const enter = (code: string) => fetch(`${server.base}/api/pair`, { method: 'POST', headers: json(), body: JSON.stringify({ code }) });

  test('a paired device makes a 6-digit code and a link, both valid 5 minutes; the code pairs a new browser once', async () => {
    const before = Date.now();
    const made = await makeCode();
    assert.match(made.code, /^\d{6}$/);
    assert.match(made.url, new RegExp(`^${server.base}/pair/[A-Za-z0-9_-]{43}$`));
    const ttl = Date.parse(made.expiresAt) - before;
    assert.ok(ttl > 4.9 * 60_000 && ttl <= 5 * 60_000 + 1000, `expires in ${ttl} ms`);
    const paired = await enter(made.code);
    assert.equal(paired.status, 204);
    const me = await fetch(`${server.base}/api/session`, { headers: { cookie: cookieOf(paired) } });
    assert.equal(me.status, 200);
    assert.equal((await enter(made.code)).status, 401, 'a code works once');
    // The link made with it works too (once).
    assert.equal((await fetch(made.url, { redirect: 'manual' })).status, 303);
  });

  test('five wrong codes in a row kill the code for everyone', async () => {
    const { code } = await makeCode();
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    for (let i = 0; i < 5; i++) {
      const answer = await enter(wrong);
      assert.equal(answer.status, 401);
      assert.equal(answer.headers.get('set-cookie'), null);
    }
    assert.equal((await enter(code)).status, 401, 'the right code no longer works');
    // A new code works.
    assert.equal((await enter((await makeCode()).code)).status, 204);
  });

  test('four wrong codes leave it alive', async () => {
    const { code } = await makeCode();
    for (let i = 0; i < 4; i++) assert.equal((await enter('000000' === code ? '000001' : '000000')).status, 401);
    assert.equal((await enter(code)).status, 204);
  });

  test('malformed bodies get 400', async () => {
    for (const body of ['', '{}', '{"code":{}}', `{"code":"${'1'.repeat(40)}"}`, '[]', 'not json']) {
      const response = await fetch(`${server.base}/api/pair`, { method: 'POST', headers: json(), body });
      assert.equal(response.status, 400, body);
    }
  });
});

describe('password and login', () => {
  let server: AuthApp;
  let owner: string;
  let dataDir: string;
  const PASSWORD = 'correct horse battery';
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'musicsharer-auth-data-'));
    // Through a trusted proxy, so each test can come from its own client address.
    server = await listenWithAuth(fixture.root, {}, { dataDir, trustProxy: ['127.0.0.1'] });
    owner = await server.pair();
  });
  after(async () => {
    await server?.app.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  const login = (password: string, address: string) =>
    fetch(`${server.base}/api/login`, { method: 'POST', headers: json(undefined, { 'x-forwarded-for': address }), body: JSON.stringify({ password }) });

  test('without a password set, login answers 401 like a wrong password', async () => {
    assert.equal((await login('anything at all', '10.0.0.1')).status, 401);
  });

  test('a password needs a session and at least 10 characters; only its scrypt hash is stored', async () => {
    const put = (cookie: string | undefined, password: string) => fetch(`${server.base}/api/password`, { method: 'PUT', headers: json(cookie), body: JSON.stringify({ password }) });
    assert.equal((await put(undefined, PASSWORD)).status, 401);
    assert.equal((await put(owner, 'too short')).status, 400);
    assert.equal((await put(owner, PASSWORD)).status, 204);
    const stored = await readFile(join(dataDir, 'password.json'), 'utf8');
    assert.doesNotMatch(stored, /correct horse/);
    assert.equal(JSON.parse(stored).algorithm, 'scrypt');
    const status = (await (await fetch(`${server.base}/api/session`, { headers: { cookie: owner } })).json()) as { passwordSet: boolean };
    assert.equal(status.passwordSet, true);
  });

  test('the right password signs in; a wrong one is 401', async () => {
    const right = await login(PASSWORD, '10.0.0.2');
    assert.equal(right.status, 204);
    assert.equal((await fetch(`${server.base}/api/session`, { headers: { cookie: cookieOf(right) } })).status, 200);
    const wrong = await login('correct horse battery!', '10.0.0.2');
    assert.equal(wrong.status, 401);
    assert.equal(wrong.headers.get('set-cookie'), null);
  });

  test('five failures in 15 minutes from one address: every further attempt is 429 with Retry-After, even the right one; other addresses are not affected', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await login(`wrong ${i} password`, '10.0.0.3')).status, 401);
    const blocked = await login(PASSWORD, '10.0.0.3');
    assert.equal(blocked.status, 429);
    const retryAfter = Number(blocked.headers.get('retry-after'));
    assert.ok(retryAfter > 14 * 60 && retryAfter <= 15 * 60, `Retry-After ${retryAfter}`);
    assert.equal(blocked.headers.get('set-cookie'), null);
    assert.equal((await login(PASSWORD, '10.0.0.4')).status, 204);
  });
});

describe('sessions', () => {
  test('listed with name, times, address and current; revoking one: its next request is 401 and its WebSocket closes within 2 s', async () => {
    const server = await listenWithAuth(fixture.root);
    try {
      const phone = await server.pair({ 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1' });
      const laptop = await server.pair();
      const socket = new WebSocket(server.base.replace('http', 'ws') + '/ws', { headers: { cookie: phone } });
      await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
      socket.send(JSON.stringify({ type: 'hello', name: 'Kitchen iPhone' }));
      await new Promise((resolve) => socket.once('message', resolve));

      const list = async (cookie: string) => {
        const response = await fetch(`${server.base}/api/sessions`, { headers: { cookie } });
        assert.equal(response.status, 200);
        return ((await response.json()) as { sessions: { id: string; name: string; createdAt: string; lastSeenAt: string; address: string; current: boolean }[] }).sessions;
      };
      const sessions = await list(laptop);
      assert.equal(sessions.length, 2);
      const phoneEntry = sessions.find((s) => !s.current)!;
      assert.equal(phoneEntry.name, 'Kitchen iPhone', 'named by the now-playing hello');
      assert.equal(sessions.find((s) => s.current)!.name.length > 0, true);
      for (const s of sessions) {
        assert.ok(Date.parse(s.createdAt) <= Date.parse(s.lastSeenAt));
        assert.equal(s.address, '127.0.0.1');
      }

      const closed = new Promise<{ code: number; at: number }>((resolve) => socket.once('close', (code) => resolve({ code, at: performance.now() })));
      const revokedAt = performance.now();
      assert.equal((await fetch(`${server.base}/api/sessions/${phoneEntry.id}`, { method: 'DELETE', headers: { cookie: laptop } })).status, 204);
      const { code, at } = await closed;
      assert.equal(code, CLOSE_SESSION_REVOKED);
      assert.ok(at - revokedAt < 2000, `closed after ${Math.round(at - revokedAt)} ms`);
      assert.equal((await fetch(`${server.base}/api/tracks`, { headers: { cookie: phone } })).status, 401);
      assert.equal((await fetch(`${server.base}/api/sessions/${phoneEntry.id}`, { method: 'DELETE', headers: { cookie: laptop } })).status, 404);
      assert.equal((await list(laptop)).length, 1);

      // Signing this browser out clears its cookie.
      const self = (await list(laptop))[0]!;
      const out = await fetch(`${server.base}/api/sessions/${self.id}`, { method: 'DELETE', headers: { cookie: laptop } });
      assert.equal(out.status, 204);
      assert.match(out.headers.get('set-cookie')!, /^musicsharer_session=; .*Max-Age=0/);
      assert.equal((await fetch(`${server.base}/api/session`, { headers: { cookie: laptop } })).status, 401);
    } finally {
      await server.app.close();
    }
  });

  test('sessions survive a restart; the data folder holds no token, code or password in the clear', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'musicsharer-auth-restart-'));
    const secrets: string[] = [];
    try {
      const first = await listenWithAuth(fixture.root, {}, { dataDir });
      const cookie = await first.pair();
      secrets.push(cookie.split('=')[1]!);
      const made = (await (await fetch(`${first.base}/api/pair-codes`, { method: 'POST', headers: { cookie } })).json()) as { code: string; url: string };
      secrets.push(made.url.split('/pair/')[1]!);
      const password = 'a long enough password';
      await fetch(`${first.base}/api/password`, { method: 'PUT', headers: json(cookie), body: JSON.stringify({ password }) });
      secrets.push(password);
      await first.app.close();

      const files = await readdir(dataDir, { recursive: true, withFileTypes: true });
      let text = '';
      for (const file of files) if (file.isFile()) text += await readFile(join(file.parentPath, file.name), 'latin1');
      assert.ok(text.includes('musicsharer-sessions'), 'the sessions file was read');
      for (const secret of secrets) assert.ok(!text.includes(secret), `a secret in the clear in ${dataDir}`);
      assert.ok(!new RegExp(`"${made.code}"`).test(text), 'the code is not stored');

      const second = await listenWithAuth(fixture.root, {}, { dataDir });
      try {
        assert.equal((await fetch(`${second.base}/api/tracks`, { headers: { cookie } })).status, 200, 'the session survived');
        assert.equal((await fetch(made.url.replace(first.base, second.base), { redirect: 'manual' })).status, 303, 'so did the unused link');
      } finally {
        await second.app.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('requests that change state from another origin', () => {
  test('403 for another site; the server\'s own origin and --allowed-origin pass', async () => {
    const server = await listenWithAuth(fixture.root, {}, { allowedOrigins: ['https://friend.example'] });
    try {
      const cookie = await server.pair();
      const post = (origin: string | undefined) => fetch(`${server.base}/api/pair-codes`, { method: 'POST', headers: { cookie, ...(origin ? { origin } : {}) } });
      assert.equal((await post('http://evil.example')).status, 403);
      assert.equal((await post('null')).status, 403);
      assert.equal((await post(server.base.replace('127.0.0.1', 'localhost'))).status, 403, 'another host name is another origin');
      assert.equal((await post(server.base)).status, 201);
      assert.equal((await post('https://friend.example')).status, 201);
      assert.equal((await post(undefined)).status, 201);
      // A GET is not a state change: no origin check.
      assert.equal((await fetch(`${server.base}/api/scan`, { headers: { cookie, origin: 'http://evil.example' } })).status, 200);
    } finally {
      await server.app.close();
    }
  });
});

describe('logs', () => {
  test('at debug with every request logged, no cookie, token, code or password appears', async () => {
    const sink = logSink();
    const server = await listenWithAuth(fixture.root, { logger: { level: 'trace', stream: sink.stream }, requestLogging: true });
    const secrets: string[] = [];
    try {
      const link = await server.pairLink();
      secrets.push(link.split('/pair/')[1]!);
      const cookie = cookieOf(await fetch(link, { redirect: 'manual' }));
      secrets.push(cookie.split('=')[1]!);
      await fetch(link, { redirect: 'manual' }); // used: 410
      const made = (await (await fetch(`${server.base}/api/pair-codes`, { method: 'POST', headers: { cookie } })).json()) as { code: string; url: string };
      secrets.push(made.code, made.url.split('/pair/')[1]!);
      await fetch(`${server.base}/api/pair`, { method: 'POST', headers: json(), body: JSON.stringify({ code: made.code }) });
      const password = 'never log this one';
      secrets.push(password);
      await fetch(`${server.base}/api/password`, { method: 'PUT', headers: json(cookie), body: JSON.stringify({ password }) });
      await fetch(`${server.base}/api/login`, { method: 'POST', headers: json(), body: JSON.stringify({ password }) });
      await fetch(`${server.base}/api/login`, { method: 'POST', headers: json(), body: JSON.stringify({ password: `${password}!` }) });
      await fetch(`${server.base}/api/tracks`, { headers: { cookie } });
    } finally {
      await server.app.close();
    }
    const text = JSON.stringify(sink.lines);
    assert.ok(sink.lines.length > 10, 'requests were logged');
    assert.match(text, /\/pair\/\[redacted\]/);
    for (const secret of secrets) assert.ok(!text.includes(secret), `"${secret.slice(0, 8)}…" is in the log`);
  });
});
