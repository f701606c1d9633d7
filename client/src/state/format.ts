import type { CoverSize } from '@musicsharer/shared';

/** "m:ss" under an hour, "h:mm:ss" from an hour on. Unknown or negative times read "0:00". */
export function formatTime(seconds: number): string {
  const total = Number.isFinite(seconds) && seconds > 0 ? Math.floor(seconds) : 0;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** A cover URL at one of the server's thumbnail sizes. */
export function coverAt(url: string, size: CoverSize): string {
  return `${url}${url.includes('?') ? '&' : '?'}size=${size}`;
}

/**
 * How long ago an ISO time was, for a list of devices: "active now" within two minutes (the
 * server renews last-seen times at most once a minute), then minutes, hours, days, and the date
 * beyond a month.
 */
export function formatAgo(iso: string, now = Date.now()): string {
  const then = Date.parse(iso);
  if (!Number.isFinite(then)) return 'unknown';
  const minutes = Math.floor((now - then) / 60_000);
  if (minutes < 2) return 'active now';
  const ago = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'} ago`;
  if (minutes < 60) return ago(minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return ago(hours, 'hour');
  const days = Math.floor(hours / 24);
  if (days < 31) return ago(days, 'day');
  return `on ${new Date(then).toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' })}`;
}
