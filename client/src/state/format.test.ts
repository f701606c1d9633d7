import { describe, expect, it } from 'vitest';
import { coverAt, formatTime } from './format.js';

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
