/** The small parts of access control, each on its own: cookies, the login limiter, codes, the session table's bound. */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import pino from 'pino';
import { browserName } from '../../src/auth/browser-name.js';
import { readCookie } from '../../src/auth/cookie.js';
import { addressKey, FailureLimiter, MAX_ADDRESSES, WINDOW_MS } from '../../src/auth/failure-limiter.js';
import { PairCodes } from '../../src/auth/pair-codes.js';
import { MAX_PENDING_LINKS, PairLinks } from '../../src/auth/pair-links.js';
import { MAX_SESSIONS, SessionStore } from '../../src/auth/session-store.js';
import { redactUrl } from '../../src/request-log.js';

describe('readCookie', () => {
  test('finds one cookie among others, by its whole name', () => {
    assert.equal(readCookie('a=1; musicsharer_session=abc; b=2', 'musicsharer_session'), 'abc');
    assert.equal(readCookie('musicsharer_session=abc', 'musicsharer_session'), 'abc');
    assert.equal(readCookie('xmusicsharer_session=evil; musicsharer_session=good', 'musicsharer_session'), 'good');
    assert.equal(readCookie('a=1;musicsharer_session=t ', 'musicsharer_session'), 't');
    assert.equal(readCookie('a=1', 'musicsharer_session'), undefined);
    assert.equal(readCookie(undefined, 'musicsharer_session'), undefined);
  });
});

describe('the login limiter', () => {
  test('five failures block until the first leaves the 15-minute window', () => {
    const limiter = new FailureLimiter();
    const t0 = 1_000_000;
    for (let i = 0; i < 5; i++) {
      assert.equal(limiter.retryAfterMs('10.1.1.1', t0 + i * 1000), 0);
      limiter.fail('10.1.1.1', t0 + i * 1000);
    }
    assert.equal(limiter.retryAfterMs('10.1.1.1', t0 + 5000), WINDOW_MS - 5000);
    assert.equal(limiter.retryAfterMs('10.1.1.2', t0 + 5000), 0, 'another address');
    assert.equal(limiter.retryAfterMs('10.1.1.1', t0 + WINDOW_MS), 0, 'the window passed');
  });

  test('counts IPv6 clients by their /64 and IPv4-mapped addresses as IPv4', () => {
    assert.equal(addressKey('2001:db8:1:2:aaaa::1'), addressKey('2001:db8:1:2:bbbb:cccc:dddd:eeee'));
    assert.notEqual(addressKey('2001:db8:1:2::1'), addressKey('2001:db8:1:3::1'));
    assert.equal(addressKey('::ffff:192.168.1.9'), '192.168.1.9');
    assert.equal(addressKey('192.168.1.9'), '192.168.1.9');
  });

  test('remembers at most MAX_ADDRESSES addresses', () => {
    const limiter = new FailureLimiter();
    for (let i = 0; i < MAX_ADDRESSES + 50; i++) limiter.fail(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    assert.equal(limiter.size, MAX_ADDRESSES);
  });
});

describe('pairing codes and links', () => {
  test('a code expires', () => {
    const codes = new PairCodes();
    const { code } = codes.create(1000, 0);
    assert.equal(codes.redeem(code, 1000), false);
  });

  test('pending links are bounded; the oldest go first', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'musicsharer-links-'));
    try {
      const links = new PairLinks(dir);
      const first = await links.create(60_000);
      for (let i = 0; i < MAX_PENDING_LINKS + 5; i++) await links.create(60_000 + i);
      assert.equal(await links.redeem(first.token), false, 'the oldest link made room');
      const last = await links.create(120_000);
      assert.equal(await links.redeem(last.token), true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the session table', () => {
  test(`at most ${MAX_SESSIONS} sessions: the longest unused goes first`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'musicsharer-sessions-'));
    try {
      const store = await SessionStore.open(join(dir, 'sessions.json'), pino({ level: 'silent' }));
      const tokens: string[] = [];
      for (let i = 0; i < MAX_SESSIONS; i++) tokens.push((await store.create(`device ${i}`, '10.0.0.1', 1000 + i)).token);
      // Session 0 is used now: session 1 is then the longest unused.
      assert.ok(store.authenticate(tokens[0]!, '10.0.0.1', 5000));
      const ended: string[] = [];
      store.onRevoked((id) => ended.push(id));
      await store.create('newcomer', '10.0.0.2', 6000);
      assert.equal(store.size, MAX_SESSIONS);
      assert.equal(store.authenticate(tokens[1]!, '10.0.0.1', 6001), undefined);
      assert.ok(store.authenticate(tokens[0]!, '10.0.0.1', 6001));
      assert.ok(store.authenticate(tokens[2]!, '10.0.0.1', 6001));
      assert.equal(ended.length, 1);
      const saved = JSON.parse(await readFile(join(dir, 'sessions.json'), 'utf8')) as { entries: unknown[] };
      assert.equal(saved.entries.length, MAX_SESSIONS);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('names and logs', () => {
  test("a session's first name comes from the browser", () => {
    assert.equal(browserName('Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1'), 'Safari on iPhone');
    assert.equal(browserName('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'), 'Chrome on Linux');
    assert.equal(browserName(undefined), 'A browser');
  });

  test('a pairing token and a share id are cut from logged URLs', () => {
    assert.equal(redactUrl('/pair/abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG'), '/pair/[redacted]');
    assert.equal(redactUrl('/api/tracks?limit=5'), '/api/tracks?limit=5');
    assert.equal(redactUrl('/s/93_eFC-z7WyWhoKV5zgXtQ/stream/abc'), '/s/[redacted]/stream/abc');
    assert.equal(redactUrl('/s/93_eFC-z7WyWhoKV5zgXtQ'), '/s/[redacted]');
    assert.equal(redactUrl('/albums/s/x'), '/albums/s/x');
    assert.equal(redactUrl('http://music.local:4533/pair/abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG'), 'http://music.local:4533/pair/[redacted]');
  });
});
