/**
 * Secrets: how they are made, kept and compared. Tokens (sessions, pairing links) are 256 random
 * bits; only their SHA-256 is kept (a stolen data folder holds nothing that opens a session).
 * SHA-256 suits them because they are random: nothing to guess. A password is not, so it gets
 * scrypt with a random salt, at one of OWASP's equivalent settings (Password Storage Cheat Sheet:
 * N=2^17 r=8 p=1, or N=2^14 r=8 p=5): the latter needs 16 MiB per derivation instead of 128, which
 * matters on a small home server; about 0.35 s of CPU on this 2-core VM.
 */
import { hash, randomBytes, randomInt, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** 32 random bytes, base64url: 43 characters, URL- and cookie-safe. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The shape of `newToken()`: anything else is refused before any lookup or file access. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/**
 * The at-rest form of a token: SHA-256, base64url (43 characters). On every protected request:
 * the one-shot `crypto.hash` (Node 20.12+) takes 0.8 µs here where a Hash object takes 2.
 */
export function tokenHash(token: string): string {
  return hash('sha256', token, 'base64url');
}

/** The same hash as bytes (for a constant-time compare without allocating). */
export function tokenDigest(token: string): Buffer {
  return hash('sha256', token, 'buffer') as unknown as Buffer;
}

/** A token's length (`newToken()`): a cookie of another length is refused before hashing. */
export const TOKEN_LENGTH = 43;

/**
 * Equality of two secrets (or their hashes) of a public length, in time that does not depend on
 * where they differ; no allocation, so it can run on every request.
 */
export function sameSecret(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** A six-digit code, uniform over 000000-999999. */
export function newSixDigitCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

export interface PasswordHash {
  algorithm: 'scrypt';
  N: number;
  r: number;
  p: number;
  /** base64 */
  salt: string;
  /** base64, KEY_LENGTH bytes */
  hash: string;
}

const KEY_LENGTH = 32;
export const SCRYPT_PARAMS = { N: 2 ** 14, r: 8, p: 5 } as const;

function derive(password: string, salt: Buffer, params: { N: number; r: number; p: number }): Promise<Buffer> {
  // scrypt needs 128 * N * r bytes (16 MiB here); allow twice that for stored hashes made with other settings.
  const options: ScryptOptions = { ...params, maxmem: 256 * params.N * params.r };
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

export async function hashPassword(password: string, params: { N: number; r: number; p: number } = SCRYPT_PARAMS): Promise<PasswordHash> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, params);
  return { algorithm: 'scrypt', ...params, salt: salt.toString('base64'), hash: key.toString('base64') };
}

/**
 * True when `password` matches. With no stored hash a dummy derivation still runs, so a server
 * without a password answers in the same time as a wrong one.
 */
export async function verifyPassword(password: string, stored: PasswordHash | undefined): Promise<boolean> {
  const reference = stored ?? DUMMY;
  const key = await derive(password, Buffer.from(reference.salt, 'base64'), reference);
  const expected = Buffer.from(reference.hash, 'base64');
  return stored !== undefined && key.length === expected.length && timingSafeEqual(key, expected);
}

const DUMMY: PasswordHash = { algorithm: 'scrypt', ...SCRYPT_PARAMS, salt: Buffer.alloc(16).toString('base64'), hash: Buffer.alloc(KEY_LENGTH).toString('base64') };
