/**
 * Login attempts per client address: after MAX_FAILURES failures within WINDOW_MS, every further
 * attempt is refused (429) until the oldest of them leaves the window. Bounded: at most
 * MAX_ADDRESSES addresses are remembered (the oldest forgotten first), and an IPv6 client is
 * counted by its /64, since one host can have a whole /64 to itself.
 */
import { isIPv6 } from 'node:net';

export const MAX_FAILURES = 5;
export const WINDOW_MS = 15 * 60 * 1000;
export const MAX_ADDRESSES = 10_000;

/** The key an address is counted under: IPv4 as is (also when IPv4-mapped), IPv6 by its /64. */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!isIPv6(address)) return address;
  const [head = '', tail = ''] = address.toLowerCase().split('%')[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

export class FailureLimiter {
  readonly #failures = new Map<string, number[]>();

  /** Milliseconds until this address may try again; 0 when it may now. */
  retryAfterMs(address: string, now = Date.now()): number {
    const times = this.#recent(addressKey(address), now);
    return times.length >= MAX_FAILURES ? times[0]! + WINDOW_MS - now : 0;
  }

  fail(address: string, now = Date.now()): void {
    const key = addressKey(address);
    const times = this.#recent(key, now);
    times.push(now);
    this.#failures.delete(key); // re-inserted last: the Map's order is the age order
    this.#failures.set(key, times.slice(-MAX_FAILURES));
    if (this.#failures.size > MAX_ADDRESSES) this.#failures.delete(this.#failures.keys().next().value!);
  }

  succeed(address: string): void {
    this.#failures.delete(addressKey(address));
  }

  get size(): number {
    return this.#failures.size;
  }

  #recent(key: string, now: number): number[] {
    const times = (this.#failures.get(key) ?? []).filter((t) => now - t < WINDOW_MS);
    if (times.length === 0) this.#failures.delete(key);
    return times;
  }
}
