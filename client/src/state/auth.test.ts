import { apiPaths } from '@musicsharer/shared';
import { describe, expect, it, vi } from 'vitest';
import { fakeFetch, reply, unauthorized } from '../../test/fixtures.js';
import { codeDigits, createAuth, passwordProblem, retryAfterMinutes, tooManyAttempts } from './auth.js';

function setup(routes: Parameters<typeof fakeFetch>[0], now = () => Date.parse('2026-05-10T12:00:00Z')) {
  const fetch = fakeFetch(routes);
  const onSignedIn = vi.fn();
  const onSignedOut = vi.fn();
  return { fetch, onSignedIn, onSignedOut, auth: createAuth({ fetch, onSignedIn, onSignedOut, now }) };
}

describe('auth helpers', () => {
  it('keeps the digits of a typed code, six at most', () => {
    expect(codeDigits('123 456')).toBe('123456');
    expect(codeDigits('12-34-56-78')).toBe('123456');
    expect(codeDigits('abc')).toBe('');
  });

  it.each([
    ['600', 10],
    ['61', 2],
    ['1', 1],
    ['0', 1],
    ['Sun, 10 May 2026 12:30:00 GMT', 30],
    [null, null],
    ['soon', null],
  ])('Retry-After %s waits %s minutes', (header, minutes) => {
    expect(retryAfterMinutes(header, Date.parse('2026-05-10T12:00:00Z'))).toBe(minutes);
  });

  it('says how long to wait', () => {
    expect(tooManyAttempts(10)).toBe('Too many attempts. Try again in 10 minutes.');
    expect(tooManyAttempts(1)).toBe('Too many attempts. Try again in 1 minute.');
    expect(tooManyAttempts(null)).toBe('Too many attempts. Try again later.');
  });

  it('checks a new password before sending it', () => {
    expect(passwordProblem('short', 'short')).toBe('Use at least 10 characters.');
    expect(passwordProblem('long enough 1', 'long enough 2')).toBe('The two passwords do not match.');
    expect(passwordProblem('long enough', 'long enough')).toBeNull();
  });
});

describe('auth model', () => {
  it('check: 200 signs in with what the server said, 401 signs out, 404 means no access control', async () => {
    const session = { auth: true, passwordSet: true, session: null };
    const a = setup({ [apiPaths.session]: session });
    expect(await a.auth.check()).toBe('in');
    expect(a.auth.info.value).toEqual(session);

    const b = setup({ [apiPaths.session]: unauthorized() });
    expect(await b.auth.check()).toBe('out');
    expect(b.auth.status.value).toBe('out');

    const c = setup({});
    expect(await c.auth.check()).toBe('in');
    expect(c.auth.info.value?.auth).toBe(false);
  });

  it('check: no answer is an error at start, but leaves a running app alone', async () => {
    let up = false;
    const fetch = vi.fn(async () => {
      if (!up) throw new TypeError('Failed to fetch');
      return reply(200, { auth: true, passwordSet: false, session: null });
    });
    const auth = createAuth({ fetch, onSignedIn: vi.fn(), onSignedOut: vi.fn() });
    expect(await auth.check()).toBe('error');
    expect(auth.error.value).toMatch(/Could not reach musicsharer/);
    up = true;
    expect(await auth.check()).toBe('in');
    up = false;
    expect(await auth.check()).toBe('in');
    expect(auth.status.value).toBe('in');
  });

  it('a pairing code: the request, then signed in on 204, the message on 401', async () => {
    let answer = unauthorized();
    const { auth, fetch, onSignedIn } = setup({ [apiPaths.pair]: () => answer });
    expect(await auth.pair('654 321')).toBe('That code is wrong or has expired. Ask for a new one.');
    expect(fetch.requests.at(-1)).toEqual({ url: apiPaths.pair, method: 'POST', body: { code: '654321' } });
    expect(onSignedIn).not.toHaveBeenCalled();
    answer = reply(204);
    expect(await auth.pair('654321')).toBeNull();
    expect(onSignedIn).toHaveBeenCalledTimes(1);
    // Too short: not even sent.
    expect(await auth.pair('12')).toBe('Enter the 6-digit code.');
    expect(fetch.requests).toHaveLength(2);
  });

  it('a new pairing code counts down from the time the server gave it, on this clock', async () => {
    const local = Date.parse('2026-05-10T12:00:00Z');
    const { auth, fetch } = setup(
      {
        // The server's clock is an hour behind this device's.
        [apiPaths.pairCodes]: reply(201, { code: '123456', url: 'http://192.168.1.20:4533/pair/abc', expiresAt: '2026-05-10T11:05:00.000Z' }, { date: 'Sun, 10 May 2026 11:00:00 GMT' }),
      },
      () => local,
    );
    const ticket = await auth.newPairCode();
    expect(fetch.requests.at(-1)).toEqual({ url: apiPaths.pairCodes, method: 'POST', body: undefined });
    expect(ticket).toEqual({ code: '123456', url: 'http://192.168.1.20:4533/pair/abc', expiresAt: local + 5 * 60_000 });
  });

  it('revoking this browser’s own session signs it out; another’s does not', async () => {
    const { auth, fetch, onSignedOut } = setup({ [apiPaths.session]: { auth: true, passwordSet: false, session: null }, [apiPaths.sessionById('s2')]: reply(204), [apiPaths.sessionById('s1')]: reply(204) });
    await auth.check();
    await auth.revoke({ id: 's2', current: false });
    expect(fetch.requests.at(-1)).toMatchObject({ url: '/api/sessions/s2', method: 'DELETE' });
    expect(onSignedOut).not.toHaveBeenCalled();
    await auth.revoke({ id: 's1', current: true });
    expect(onSignedOut).toHaveBeenCalledTimes(1);
    expect(auth.status.value).toBe('out');
  });
});
