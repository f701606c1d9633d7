import { apiPaths } from '@musicsharer/shared';
import { describe, expect, it } from 'vitest';
import { fakeFetch, makeShare, reply } from '../../test/fixtures.js';
import { HttpError } from './api.js';
import { createShares, expired, expiryLabel, expiryText } from './shares.js';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const at = (ms: number) => new Date(NOW + ms).toISOString();
const HOUR = 3_600_000;

describe('share links', () => {
  it('reads expiry times as the list shows them', () => {
    expect(expiryText(null, NOW)).toBe('never expires');
    expect(expiryText(at(7 * 24 * HOUR - 5000), NOW)).toBe('expires in 7 days');
    expect(expiryText(at(6 * 24 * HOUR + 60_000), NOW)).toBe('expires in 6 days');
    expect(expiryText(at(24 * HOUR - 5000), NOW)).toBe('expires in 24 hours');
    expect(expiryText(at(5 * HOUR), NOW)).toBe('expires in 5 hours');
    expect(expiryText(at(90_000), NOW)).toBe('expires in 2 minutes');
    expect(expiryText(at(1000), NOW)).toBe('expires in 1 minute');
    expect(expiryText(at(0), NOW)).toBe('expired');
    expect(expiryText(at(-HOUR), NOW)).toBe('expired');
    expect([expired({ expiresAt: at(-1) }, NOW), expired({ expiresAt: at(1) }, NOW), expired({ expiresAt: null }, NOW)]).toEqual([true, false, false]);
    expect([1, 7, 30, null].map((d) => expiryLabel(d as 1 | 7 | 30 | null))).toEqual(['1 day', '7 days', '30 days', 'Never']);
  });

  it('talks to /api/shares: list, create, PATCH, DELETE (a link already gone counts as revoked)', async () => {
    const share = makeShare();
    const fetch = fakeFetch({
      [apiPaths.shares]: (_url: URL, init: RequestInit | undefined) => (init?.method === 'POST' ? reply(201, share) : { shares: [share] }),
      [apiPaths.shareById('k1')]: (_url: URL, init: RequestInit | undefined) => (init?.method === 'DELETE' ? reply(204) : { ...share, download: true }),
      [apiPaths.shareById('gone')]: reply(404, { statusCode: 404 }),
      [apiPaths.shareById('broken')]: reply(500, { statusCode: 500 }),
    });
    const shares = createShares(fetch);
    expect(await shares.list()).toEqual([share]);
    expect(await shares.create({ type: 'album', id: 'a1', expiresInDays: 7, download: false })).toEqual(share);
    expect((await shares.update('k1', { download: true })).download).toBe(true);
    await shares.revoke('k1');
    await shares.revoke('gone');
    await expect(shares.revoke('broken')).rejects.toBeInstanceOf(HttpError);
    await expect(shares.update('broken', { download: true })).rejects.toMatchObject({ status: 500 });
    expect(fetch.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'GET /api/shares',
      'POST /api/shares',
      'PATCH /api/shares/k1',
      'DELETE /api/shares/k1',
      'DELETE /api/shares/gone',
      'DELETE /api/shares/broken',
      'PATCH /api/shares/broken',
    ]);
  });
});
