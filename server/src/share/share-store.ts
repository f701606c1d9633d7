/**
 * Share links: which album, track or playlist each link opens, until when, whether it may be downloaded,
 * how often its page was loaded. Kept in `<data>/shares.json` (saved-json.ts: crash-safe).
 *
 * A share's id is the link itself (`/s/<id>`, 128 random bits) and is kept as it is, unlike a
 * session token: a link is made to be handed out, and its owner must be able to copy it again
 * from the "Shared links" screen. The file is readable by its owner only.
 *
 * A revoked share is remembered (without its target) so its link answers 410, not 404; at most
 * MAX_REVOKED are, the oldest forgotten first.
 */
import { randomBytes } from 'node:crypto';
import type { ShareExpiry, ShareType } from '@musicsharer/shared';
import type { FastifyBaseLogger } from 'fastify';
import { SavedJson } from '../saved-json.js';

export interface ShareRecord {
  id: string;
  type: ShareType;
  targetId: string;
  title: string;
  /** ms since the epoch, or null: never. */
  expiresAt: number | null;
  download: boolean;
  visits: number;
  createdAt: number;
  /** Set when revoked (the record is then a tombstone). */
  revokedAt: number | null;
}

/** Live shares at once; a new one past this is refused (409). */
export const MAX_SHARES = 10_000;
export const MAX_REVOKED = 10_000;
const DAY_MS = 24 * 60 * 60 * 1000;
/** Visits are counted in memory and written within this long. */
const VISITS_SAVE_DELAY_MS = 10_000;
const FORMAT = { format: 'musicsharer-shares', version: 1 };

/** 16 random bytes, base64url: 22 characters. */
const SHARE_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;

export type ShareState = 'live' | 'expired' | 'revoked';

export function expiryFrom(days: ShareExpiry, now: number): number | null {
  return days === null ? null : now + days * DAY_MS;
}

export class ShareStore {
  readonly #saved: SavedJson;
  /** Insertion order = creation order (the list shows newest first). */
  readonly #shares = new Map<string, ShareRecord>();
  #live = 0;

  private constructor(file: string, log: FastifyBaseLogger) {
    this.#saved = new SavedJson(file, log, FORMAT, () => [...this.#shares.values()]);
  }

  static async open(file: string, log: FastifyBaseLogger): Promise<ShareStore> {
    const store = new ShareStore(file, log);
    for (const entry of await store.#saved.load()) if (isShareRecord(entry)) store.#shares.set(entry.id, entry);
    store.#live = [...store.#shares.values()].filter((share) => share.revokedAt === null).length;
    return store;
  }

  /** Undefined when the store is full. */
  async create(target: { type: ShareType; targetId: string; title: string }, expiresInDays: ShareExpiry, download: boolean, now = Date.now()): Promise<ShareRecord | undefined> {
    if (this.#live >= MAX_SHARES) return undefined;
    const share: ShareRecord = { id: randomBytes(16).toString('base64url'), ...target, expiresAt: expiryFrom(expiresInDays, now), download, visits: 0, createdAt: now, revokedAt: null };
    this.#shares.set(share.id, share);
    this.#live++;
    await this.#saved.saveNow();
    return share;
  }

  /** The share with this id, revoked or not; undefined for an id never made (or long forgotten). */
  get(id: string): ShareRecord | undefined {
    return SHARE_ID_PATTERN.test(id) ? this.#shares.get(id) : undefined;
  }

  state(share: ShareRecord, now = Date.now()): ShareState {
    if (share.revokedAt !== null) return 'revoked';
    return share.expiresAt !== null && now >= share.expiresAt ? 'expired' : 'live';
  }

  /** Shares not revoked (live and expired), newest first. */
  list(): ShareRecord[] {
    const out: ShareRecord[] = [];
    for (const share of this.#shares.values()) if (share.revokedAt === null) out.push(share);
    return out.reverse();
  }

  async update(id: string, change: { expiresInDays?: ShareExpiry; download?: boolean }, now = Date.now()): Promise<ShareRecord | undefined> {
    const share = this.get(id);
    if (share === undefined || share.revokedAt !== null) return undefined;
    if (change.expiresInDays !== undefined) share.expiresAt = expiryFrom(change.expiresInDays, now);
    if (change.download !== undefined) share.download = change.download;
    await this.#saved.saveNow();
    return share;
  }

  async revoke(id: string, now = Date.now()): Promise<boolean> {
    const share = this.get(id);
    if (share === undefined || share.revokedAt !== null) return false;
    // A tombstone: nothing of what it opened stays.
    this.#shares.set(id, { ...share, targetId: '', title: '', revokedAt: now });
    this.#live--;
    this.#forgetOldTombstones();
    await this.#saved.saveNow();
    return true;
  }

  /** A page load of the link. */
  visit(share: ShareRecord): void {
    share.visits++;
    this.#saved.saveSoon(VISITS_SAVE_DELAY_MS);
  }

  flush(): Promise<void> {
    return this.#saved.flush();
  }

  #forgetOldTombstones(): void {
    let revoked = this.#shares.size - this.#live;
    if (revoked <= MAX_REVOKED) return;
    for (const [id, share] of this.#shares) {
      if (share.revokedAt === null) continue;
      this.#shares.delete(id);
      if (--revoked <= MAX_REVOKED) return;
    }
  }
}

function isShareRecord(value: unknown): value is ShareRecord {
  const v = value as Record<string, unknown>;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.id === 'string' &&
    SHARE_ID_PATTERN.test(v.id) &&
    (v.type === 'album' || v.type === 'track' || v.type === 'playlist') &&
    typeof v.targetId === 'string' &&
    typeof v.title === 'string' &&
    (v.expiresAt === null || typeof v.expiresAt === 'number') &&
    typeof v.download === 'boolean' &&
    typeof v.visits === 'number' &&
    typeof v.createdAt === 'number' &&
    (v.revokedAt === null || typeof v.revokedAt === 'number')
  );
}
