import { describe, expect, it } from 'vitest';
import { DEVICE_NAME_KEY, guessDeviceName, readDeviceName } from './device-name.js';

const UA = {
  iphone: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1',
  ipad: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15',
  macSafari: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15',
  macChrome: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36',
  linuxChrome: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36',
  linuxWebKit: 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15',
  windowsFirefox: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:143.0) Gecko/20100101 Firefox/143.0',
  android: 'Mozilla/5.0 (Linux; Android 15; Pixel 9) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Mobile Safari/537.36',
};

describe('device name', () => {
  it('guesses from the user agent', () => {
    expect(guessDeviceName(UA.iphone)).toBe('iPhone');
    expect(guessDeviceName(UA.ipad, 5)).toBe('iPad');
    expect(guessDeviceName(UA.macSafari)).toBe('Mac');
    expect(guessDeviceName(UA.macChrome)).toBe('Chrome on Mac');
    expect(guessDeviceName(UA.linuxChrome)).toBe('Chrome on Linux');
    expect(guessDeviceName(UA.linuxWebKit)).toBe('Safari on Linux');
    expect(guessDeviceName(UA.windowsFirefox)).toBe('Firefox on Windows');
    expect(guessDeviceName(UA.android)).toBe('Chrome on Android');
  });

  it('prefers the localStorage override, trimmed and cut to length', () => {
    const storage = new Map<string, string>([[DEVICE_NAME_KEY, '  Kitchen speaker  ']]);
    const get = { getItem: (k: string) => storage.get(k) ?? null };
    expect(readDeviceName(get, UA.iphone)).toBe('Kitchen speaker');
    storage.set(DEVICE_NAME_KEY, 'x'.repeat(100));
    expect(readDeviceName(get, UA.iphone)).toHaveLength(64);
    storage.set(DEVICE_NAME_KEY, '   ');
    expect(readDeviceName(get, UA.iphone)).toBe('iPhone');
    const throwing = { getItem: () => { throw new Error('denied'); } };
    expect(readDeviceName(throwing, UA.linuxChrome)).toBe('Chrome on Linux');
  });
});
