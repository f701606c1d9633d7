import { describe, expect, it } from 'vitest';
import { coverAt, formatAgo, formatTime } from './format.js';

describe('formatTime', () => {
  it.each([
    [0, '0:00'],
    [5.9, '0:05'],
    [65, '1:05'],
    [599, '9:59'],
    [3599, '59:59'],
    [3600, '1:00:00'],
    [3725, '1:02:05'],
    [NaN, '0:00'],
    [Infinity, '0:00'],
    [-3, '0:00'],
  ])('%s s reads %s', (seconds, text) => expect(formatTime(seconds)).toBe(text));
});

describe('coverAt', () => {
  it('appends the size', () => {
    expect(coverAt('/cover/a1', 96)).toBe('/cover/a1?size=96');
    expect(coverAt('/cover/a1?v=2', 512)).toBe('/cover/a1?v=2&size=512');
  });
});

describe('formatAgo', () => {
  const now = Date.parse('2026-05-10T12:00:00Z');
  it.each([
    ['2026-05-10T12:00:00Z', 'active now'],
    ['2026-05-10T11:58:30Z', 'active now'],
    ['2026-05-10T11:58:00Z', '2 minutes ago'],
    ['2026-05-10T11:01:00Z', '59 minutes ago'],
    ['2026-05-10T11:00:00Z', '1 hour ago'],
    ['2026-05-10T10:00:00Z', '2 hours ago'],
    ['2026-05-09T12:00:00Z', '1 day ago'],
    ['2026-04-11T12:00:00Z', '29 days ago'],
    ['not a date', 'unknown'],
  ])('%s reads %s', (iso, text) => expect(formatAgo(iso, now)).toBe(text));

  it('gives the date beyond a month', () => {
    expect(formatAgo('2025-01-02T12:00:00Z', now)).toMatch(/^on .*2025/);
  });
});
