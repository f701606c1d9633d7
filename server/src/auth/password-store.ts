/**
 * The optional password (`PUT /api/password`, `POST /api/login`): only its scrypt hash is kept,
 * in `<data>/password.json`. Derivations run one at a time (each takes 16 MiB and ~0.3 s of
 * CPU), with at most MAX_WAITING waiting: a flood of logins from many addresses cannot pile
 * up memory or starve the thread pool that file reads share.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { writeFileAtomic } from '../atomic-file.js';
import { hashPassword, verifyPassword, type PasswordHash } from './secrets.js';

export const MAX_WAITING = 8;

/** Too many password checks are waiting: try again in a moment. */
export class PasswordBusyError extends Error {
  override name = 'PasswordBusyError';
}

export class PasswordStore {
  readonly #file: string;
  #hash: PasswordHash | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #waiting = 0;

  private constructor(file: string) {
    this.#file = file;
  }

  static async open(dataDir: string, log: FastifyBaseLogger): Promise<PasswordStore> {
    const store = new PasswordStore(join(dataDir, 'password.json'));
    try {
      const stored = JSON.parse(await readFile(store.#file, 'utf8')) as PasswordHash;
      if (stored.algorithm !== 'scrypt' || typeof stored.salt !== 'string' || typeof stored.hash !== 'string') throw new Error('not a password file');
      store.#hash = stored;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') log.warn({ err: error, file: store.#file }, 'the password file is unreadable: no password is set');
    }
    return store;
  }

  get isSet(): boolean {
    return this.#hash !== undefined;
  }

  async set(password: string): Promise<void> {
    const hash = await this.#oneAtATime(() => hashPassword(password));
    await writeFileAtomic(this.#file, `${JSON.stringify(hash)}\n`);
    this.#hash = hash;
  }

  /** Throws PasswordBusyError when too many checks are waiting. */
  verify(password: string): Promise<boolean> {
    const stored = this.#hash;
    return this.#oneAtATime(() => verifyPassword(password, stored));
  }

  #oneAtATime<T>(work: () => Promise<T>): Promise<T> {
    if (this.#waiting >= MAX_WAITING) return Promise.reject(new PasswordBusyError('too many sign-in attempts at once'));
    this.#waiting++;
    const run = this.#queue.then(work).finally(() => this.#waiting--);
    this.#queue = run.catch(() => {});
    return run;
  }
}
