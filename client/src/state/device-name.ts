import { MAX_DEVICE_NAME } from '@musicsharer/shared';

/** localStorage key that overrides this browser's device name. */
export const DEVICE_NAME_KEY = 'musicsharer.deviceName';

/** A readable name for this device from its user agent: "iPhone", "iPad", "Mac", "Chrome on Linux". */
export function guessDeviceName(userAgent: string, maxTouchPoints = 0): string {
  const ua = userAgent;
  let platform = 'Browser';
  if (/iPhone|iPod/.test(ua)) return 'iPhone';
  if (/iPad/.test(ua) || (/Macintosh/.test(ua) && maxTouchPoints > 1)) return 'iPad';
  if (/Android/.test(ua)) platform = 'Android';
  else if (/CrOS/.test(ua)) platform = 'ChromeOS';
  else if (/Macintosh|Mac OS X/.test(ua)) platform = 'Mac';
  else if (/Windows/.test(ua)) platform = 'Windows';
  else if (/Linux|X11/.test(ua)) platform = 'Linux';

  let browser: string | null = null;
  if (/Firefox\//.test(ua)) browser = 'Firefox';
  else if (/Edg\//.test(ua)) browser = 'Edge';
  else if (/Chrom(e|ium)\//.test(ua)) browser = 'Chrome';
  else if (/Safari\//.test(ua)) browser = 'Safari';

  // Safari on a Mac is just "Mac", like the iPhone is just "iPhone".
  if (platform === 'Mac' && (browser === 'Safari' || browser === null)) return 'Mac';
  return browser ? `${browser} on ${platform}` : platform;
}

/** The name this device announces: the localStorage override when set, else a guess from the user agent. */
export function readDeviceName(storage: Pick<Storage, 'getItem'> | null, userAgent: string, maxTouchPoints = 0): string {
  let saved: string | null = null;
  try {
    saved = storage?.getItem(DEVICE_NAME_KEY) ?? null;
  } catch {
    // Storage can throw (private mode, blocked cookies): fall back to the guess.
  }
  const name = saved?.trim() || guessDeviceName(userAgent, maxTouchPoints);
  return name.slice(0, MAX_DEVICE_NAME);
}
