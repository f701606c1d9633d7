/**
 * Pairing links (`/pair/<token>`): single use, short-lived. Each link is one file in
 * `<data>/pair-links/`, named by the SHA-256 of its token and holding its expiry, so another
 * process (`npm run pair`) can make links the running server honours, and "single use" holds
 * across processes: redeeming unlinks the file, and only one unlink of it can succeed.
 */
import { mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';
import { newToken, tokenHash, TOKEN_PATTERN } from './secrets.js';

/** The link printed at start and by `npm run pair`. */
export const START_LINK_TTL_MS = 15 * 60 * 1000;
/** A link (and code) made by a paired device for another. */
export const DEVICE_LINK_TTL_MS = 5 * 60 * 1000;
/** Links waiting at once; the oldest go first (a paired device can make many). */
export const MAX_PENDING_LINKS = 64;

const SUFFIX = '.json';

export class PairLinks {
  readonly dir: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'pair-links');
  }

  async create(ttlMs: number, now = Date.now()): Promise<{ token: string; expiresAt: number }> {
    await this.sweep(now);
    const token = newToken();
    const expiresAt = now + ttlMs;
    await writeFileAtomic(join(this.dir, tokenHash(token) + SUFFIX), `${JSON.stringify({ expiresAt })}\n`);
    return { token, expiresAt };
  }

  /** True exactly once for a live link's token; false for a used, expired or unknown one. */
  async redeem(token: string, now = Date.now()): Promise<boolean> {
    if (!TOKEN_PATTERN.test(token)) return false;
    const file = join(this.dir, tokenHash(token) + SUFFIX);
    let expiresAt: number;
    try {
      expiresAt = Number((JSON.parse(await readFile(file, 'utf8')) as { expiresAt?: unknown }).expiresAt);
    } catch {
      return false; // no such link (or a torn file, which cannot happen with atomic writes)
    }
    try {
      await unlink(file);
    } catch {
      return false; // redeemed by another request in between
    }
    return Number.isFinite(expiresAt) && now < expiresAt;
  }

  /** Removes expired links, and the oldest beyond MAX_PENDING_LINKS - 1 (room for one more). */
  async sweep(now = Date.now()): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const names = (await readdir(this.dir)).filter((name) => name.endsWith(SUFFIX));
    const links: { name: string; expiresAt: number }[] = [];
    for (const name of names) {
      let expiresAt = 0;
      try {
        expiresAt = Number((JSON.parse(await readFile(join(this.dir, name), 'utf8')) as { expiresAt?: unknown }).expiresAt) || 0;
      } catch {
        // unreadable: removed below
      }
      links.push({ name, expiresAt });
    }
    links.sort((a, b) => b.expiresAt - a.expiresAt);
    const stale = links.filter((link, i) => link.expiresAt <= now || i >= MAX_PENDING_LINKS - 1);
    await Promise.all(stale.map((link) => unlink(join(this.dir, link.name)).catch(() => {})));
  }
}
