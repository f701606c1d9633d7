/**
 * Sessions: which browsers may use this server. A session is a random token in the browser's
 * cookie; this store keeps only the token's SHA-256 (secrets.ts), in memory and in
 * `<data>/sessions.json`, written crash-safely (atomic-file.ts), so sessions survive restarts
 * and a copy of the data folder opens nothing.
 *
 * Hot path: `authenticate` runs on every protected request (each Range request of a player):
 * one SHA-256 of 43 bytes, one Map lookup, a constant-time compare of the hashes, two field
 * writes. Disk writes for "last seen" are batched (at most one per SAVE_DELAY_MS); creating and
 * revoking a session are written before they are answered.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { SavedJson } from '../saved-json.js';
import { timingSafeEqual } from 'node:crypto';
import { newToken, sameSecret, tokenDigest, tokenHash, TOKEN_LENGTH } from './secrets.js';

export interface SessionRecord {
  /** Public id (random, unrelated to the token): what the API lists and revokes. */
  id: string;
  tokenHash: string;
  name: string;
  createdAt: number;
  lastSeenAt: number;
  address: string;
  /** When the browser was last sent the cookie (renewal, see `needsRenewal`). */
  cookieSetAt: number;
}

export const MAX_SESSIONS = 100;
/** The characters of a token that find it among those already verified (48 bits). */
const SELECTOR_LENGTH = 8;
/** The cookie's one-year lifetime is renewed on use, at most once a day. */
export const COOKIE_RENEW_AFTER_MS = 24 * 60 * 60 * 1000;
/** A session not used for a year (the cookie's lifetime) is gone. */
export const SESSION_LIFETIME_MS = 365 * 24 * 60 * 60 * 1000;
const SAVE_DELAY_MS = 30_000;
/** "Last seen" moves in memory on every request; it is worth a disk write after this long. */
const SEEN_WORTH_SAVING_MS = 60_000;

const FORMAT = { format: 'musicsharer-sessions', version: 1 };

export type RevokedListener = (id: string) => void;

export class SessionStore {
  readonly #saved: SavedJson;
  readonly #log: FastifyBaseLogger;
  readonly #max: number;
  readonly #byHash = new Map<string, SessionRecord>();
  readonly #byId = new Map<string, SessionRecord>();
  readonly #revokedListeners = new Set<RevokedListener>();
  /** Each session's token hash as bytes, made once. */
  readonly #digests = new WeakMap<SessionRecord, Buffer>();
  /** Tokens verified since start, by selector (see `#recent`): at most one per live session. */
  readonly #verified = new Map<string, { token: string; session: SessionRecord }>();

  private constructor(file: string, log: FastifyBaseLogger, max: number) {
    this.#saved = new SavedJson(file, log, FORMAT, () => [...this.#byId.values()]);
    this.#log = log;
    this.#max = max;
  }

  static async open(file: string, log: FastifyBaseLogger, options: { max?: number; now?: number } = {}): Promise<SessionStore> {
    const store = new SessionStore(file, log, options.max ?? MAX_SESSIONS);
    await store.#load(options.now ?? Date.now());
    return store;
  }

  get size(): number {
    return this.#byId.size;
  }

  /** A new session for a browser; the token goes in its cookie and nowhere else. */
  async create(name: string, address: string, now = Date.now()): Promise<{ token: string; session: SessionRecord }> {
    while (this.#byId.size >= this.#max) this.#drop(this.#leastRecentlyUsed()!, 'the oldest unused session made room for a new one');
    const token = newToken();
    const session: SessionRecord = { id: randomBytes(12).toString('base64url'), tokenHash: tokenHash(token), name, createdAt: now, lastSeenAt: now, address, cookieSetAt: now };
    this.#add(session);
    await this.#saved.saveNow();
    return { token, session };
  }

  /**
   * The session this cookie value opens, marked as seen now from `address`; undefined for a
   * value that is not a live session's token.
   */
  authenticate(token: string, address: string, now = Date.now()): SessionRecord | undefined {
    if (token.length !== TOKEN_LENGTH) return undefined;
    const session = this.#recent(token) ?? this.#verify(token);
    if (session === undefined) return undefined;
    if (now - session.lastSeenAt > SESSION_LIFETIME_MS) {
      this.#drop(session, 'expired');
      this.#scheduleSave();
      return undefined;
    }
    if (now - session.lastSeenAt > SEEN_WORTH_SAVING_MS || session.address !== address) this.#scheduleSave();
    session.lastSeenAt = now;
    session.address = address;
    return session;
  }

  /** The browser should be sent its cookie again (a fresh one-year lifetime). */
  needsRenewal(session: SessionRecord, now = Date.now()): boolean {
    if (now - session.cookieSetAt < COOKIE_RENEW_AFTER_MS) return false;
    session.cookieSetAt = now;
    this.#scheduleSave();
    return true;
  }

  rename(id: string, name: string): void {
    const session = this.#byId.get(id);
    if (session === undefined || session.name === name) return;
    session.name = name;
    this.#scheduleSave();
  }

  list(): SessionRecord[] {
    return [...this.#byId.values()].sort((a, b) => b.lastSeenAt - a.lastSeenAt);
  }

  get(id: string): SessionRecord | undefined {
    return this.#byId.get(id);
  }

  /** Ends a session (written before this resolves); false when there is no such session. */
  async revoke(id: string): Promise<boolean> {
    const session = this.#byId.get(id);
    if (session === undefined) return false;
    this.#drop(session, 'revoked');
    await this.#saved.saveNow();
    return true;
  }

  /** Called with the id of every session that ends (revoked, evicted, expired). */
  onRevoked(listener: RevokedListener): () => void {
    this.#revokedListeners.add(listener);
    return () => this.#revokedListeners.delete(listener);
  }

  /** Writes what is pending (on close). */
  flush(): Promise<void> {
    return this.#saved.flush();
  }

  /**
   * The hot path: a token this process has already verified, found by its first characters (a
   * selector, as in the split-token pattern) and then compared whole in constant time. Hashing
   * every request cost ~20 µs of a ~80 µs probe on this machine (OpenSSL 3 looks the digest up
   * on every one-shot call); this costs well under 1 µs. Raw tokens stay in memory only, one per
   * live session at most (only a token that passed `#verify` gets in).
   */
  #recent(token: string): SessionRecord | undefined {
    const known = this.#verified.get(token.slice(0, SELECTOR_LENGTH));
    return known !== undefined && sameSecret(known.token, token) && this.#byId.get(known.session.id) === known.session ? known.session : undefined;
  }

  /** The slow path: by the token's SHA-256, as stored. */
  #verify(token: string): SessionRecord | undefined {
    const digest = tokenDigest(token);
    const session = this.#byHash.get(digest.toString('base64url'));
    // The Map finds the entry by the hash; the compare is constant-time all the same.
    if (session === undefined || !timingSafeEqual(digest, this.#digestOf(session))) return undefined;
    this.#verified.set(token.slice(0, SELECTOR_LENGTH), { token, session });
    return session;
  }

  #digestOf(session: SessionRecord): Buffer {
    let digest = this.#digests.get(session);
    if (digest === undefined) this.#digests.set(session, (digest = Buffer.from(session.tokenHash, 'base64url')));
    return digest;
  }

  #add(session: SessionRecord): void {
    this.#byHash.set(session.tokenHash, session);
    this.#byId.set(session.id, session);
  }

  #drop(session: SessionRecord, reason: string): void {
    this.#byHash.delete(session.tokenHash);
    this.#byId.delete(session.id);
    for (const [selector, known] of this.#verified) if (known.session === session) this.#verified.delete(selector);
    this.#log.info({ session: session.id, name: session.name, reason }, 'session ended');
    for (const listener of this.#revokedListeners) listener(session.id);
  }

  #leastRecentlyUsed(): SessionRecord | undefined {
    let oldest: SessionRecord | undefined;
    for (const session of this.#byId.values()) if (oldest === undefined || session.lastSeenAt < oldest.lastSeenAt) oldest = session;
    return oldest;
  }

  #scheduleSave(): void {
    this.#saved.saveSoon(SAVE_DELAY_MS);
  }

  async #load(now: number): Promise<void> {
    for (const entry of await this.#saved.load()) {
      if (!isSessionRecord(entry) || now - entry.lastSeenAt > SESSION_LIFETIME_MS) continue;
      if (this.#byId.size < this.#max) this.#add(entry);
    }
  }
}

function isSessionRecord(value: unknown): value is SessionRecord {
  const v = value as Record<string, unknown>;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.id === 'string' &&
    typeof v.tokenHash === 'string' &&
    typeof v.name === 'string' &&
    typeof v.address === 'string' &&
    [v.createdAt, v.lastSeenAt, v.cookieSetAt].every((n) => typeof n === 'number' && Number.isFinite(n))
  );
}
