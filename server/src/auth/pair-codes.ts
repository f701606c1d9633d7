/**
 * The 6-digit pairing code a paired device shows for another ("Add a device"). One code is live
 * at a time (a new one replaces it), for DEVICE_LINK_TTL_MS; it works once; five wrong codes in a
 * row kill it for everyone, so guessing one of a million codes has a 5-in-a-million chance per
 * code made. Kept in memory only (a code outlives no restart), as a hash all the same.
 */
import { newSixDigitCode, sameSecret, tokenHash } from './secrets.js';

export const MAX_WRONG_CODES = 5;
export const CODE_PATTERN = /^\d{6}$/;

interface LiveCode {
  hash: string;
  expiresAt: number;
  wrong: number;
}

export class PairCodes {
  #live: LiveCode | undefined;

  create(ttlMs: number, now = Date.now()): { code: string; expiresAt: number } {
    const code = newSixDigitCode();
    this.#live = { hash: tokenHash(code), expiresAt: now + ttlMs, wrong: 0 };
    return { code, expiresAt: now + ttlMs };
  }

  /** True once for the live code; a wrong one counts towards killing it. */
  redeem(code: string, now = Date.now()): boolean {
    const live = this.#live;
    if (live === undefined) return false;
    if (now >= live.expiresAt) {
      this.#live = undefined;
      return false;
    }
    if (CODE_PATTERN.test(code) && sameSecret(tokenHash(code), live.hash)) {
      this.#live = undefined;
      return true;
    }
    if (++live.wrong >= MAX_WRONG_CODES) this.#live = undefined;
    return false;
  }

  get live(): boolean {
    return this.#live !== undefined;
  }
}
