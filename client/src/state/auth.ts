import { signal, type ReadonlySignal } from '@preact/signals';
import { apiPaths, MIN_PASSWORD_LENGTH, type PairCode, type Session, type SessionListResponse, type SessionStatus } from '@musicsharer/shared';
import { getJson, HttpError, sendJson, type Fetch } from './api.js';

/**
 * Access control as this browser sees it. The session itself is an HttpOnly cookie the page
 * never reads: "signed in" is what the server answers, nothing stored here.
 *
 *   checking -> in      GET /api/session answered 200 (or 404: a server without access control)
 *   checking -> out     it answered 401: the pairing screen
 *   checking -> error   no answer (offline, server down): a retry button
 *   in -> out           any later 401, a socket closed with 4401, or signing this device out
 */
export type AuthStatus = 'checking' | 'in' | 'out' | 'error';

export interface AuthOptions {
  fetch: Fetch;
  /** The server accepted a code or the password: the cookie is set, start the app. */
  onSignedIn: () => void;
  /** This browser lost its session: stop everything that talks to the server. */
  onSignedOut: () => void;
  now?: () => number;
}

/** A code for another device, with its deadline on this device's clock. */
export interface PairTicket {
  code: string;
  url: string;
  /** `Date.now()` value at which the code stops working. */
  expiresAt: number;
}

export interface AuthModel {
  status: ReadonlySignal<AuthStatus>;
  /** What `GET /api/session` said last; null before it answered. */
  info: ReadonlySignal<SessionStatus | null>;
  /** Why the check failed (status `error`). */
  error: ReadonlySignal<string | null>;
  check(): Promise<AuthStatus>;
  /** The server said this browser has no session (a 401, a revoked socket). */
  signOut(): void;
  /** Pair with a 6-digit code; resolves to null on success, else the message to show. */
  pair(code: string): Promise<string | null>;
  /** Sign in with the password; null on success, else the message to show. */
  login(password: string): Promise<string | null>;
  sessions(): Promise<Session[]>;
  /** Sign a session out; signing out this browser's own shows the pairing screen. */
  revoke(session: Pick<Session, 'id' | 'current'>): Promise<void>;
  newPairCode(): Promise<PairTicket>;
  /** Set the password; null on success, else the message to show. */
  setPassword(password: string): Promise<string | null>;
}

export const PAIR_CODE_LENGTH = 6;

export const MESSAGES = {
  wrongCode: 'That code is wrong or has expired. Ask for a new one.',
  shortCode: `Enter the ${PAIR_CODE_LENGTH}-digit code.`,
  wrongPassword: 'Wrong password.',
  noPassword: 'Enter the password.',
  offline: 'Could not reach musicsharer. Is this device on the same network as the server?',
  passwordSaved: 'Password saved.',
  passwordShort: `Use at least ${MIN_PASSWORD_LENGTH} characters.`,
  passwordMismatch: 'The two passwords do not match.',
} as const;

/** The digits of what was typed ("123 456" and "123-456" are fine), at most six. */
export function codeDigits(input: string): string {
  return input.replace(/\D/g, '').slice(0, PAIR_CODE_LENGTH);
}

/** Whole minutes to wait from a `Retry-After` (seconds, or an HTTP date), at least 1; null when absent or unreadable. */
export function retryAfterMinutes(header: string | null, now = Date.now()): number | null {
  if (!header) return null;
  const value = header.trim();
  const seconds = /^\d+$/.test(value) ? Number(value) : (Date.parse(value) - now) / 1000;
  if (!Number.isFinite(seconds)) return null;
  return Math.max(1, Math.ceil(seconds / 60));
}

export function tooManyAttempts(minutes: number | null): string {
  if (minutes === null) return 'Too many attempts. Try again later.';
  return `Too many attempts. Try again in ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}.`;
}

/** What is wrong with a new password before it is sent, or null. */
export function passwordProblem(password: string, confirm: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return MESSAGES.passwordShort;
  if (password !== confirm) return MESSAGES.passwordMismatch;
  return null;
}

export function createAuth(options: AuthOptions): AuthModel {
  const { fetch: fetchFn, now = Date.now } = options;
  const status = signal<AuthStatus>('checking');
  const info = signal<SessionStatus | null>(null);
  const error = signal<string | null>(null);

  function signOut() {
    if (status.peek() === 'out') return;
    status.value = 'out';
    options.onSignedOut();
  }

  /**
   * Asks the server who this browser is. At start it decides between the app and the pairing
   * screen; while the app runs (the socket cannot connect) a 401 signs out and anything else
   * leaves the app as it is.
   */
  async function check(): Promise<AuthStatus> {
    const running = status.peek() === 'in';
    const fail = (message: string): AuthStatus => {
      if (running) return 'in';
      error.value = message;
      status.value = 'error';
      return 'error';
    };
    if (!running) {
      status.value = 'checking';
      error.value = null;
    }
    let response: Response;
    try {
      response = await fetchFn(apiPaths.session, { headers: { accept: 'application/json' } });
    } catch {
      return fail(MESSAGES.offline);
    }
    if (response.status === 401) {
      signOut();
      return 'out';
    }
    if (response.status === 404) {
      // A server from before access control: everything is open.
      info.value = { auth: false, passwordSet: false, session: null };
      status.value = 'in';
      return 'in';
    }
    if (!response.ok) return fail(`musicsharer answered HTTP ${response.status}.`);
    try {
      info.value = (await response.json()) as SessionStatus;
    } catch {
      return fail('musicsharer sent an answer this page cannot read.');
    }
    status.value = 'in';
    return 'in';
  }

  /** POST a credential; 204 signs this browser in. */
  async function signIn(url: string, body: unknown, wrong: string): Promise<string | null> {
    let response: Response;
    try {
      response = await sendJson(fetchFn, 'POST', url, body);
    } catch {
      return MESSAGES.offline;
    }
    if (response.ok) {
      options.onSignedIn();
      return null;
    }
    if (response.status === 401) return wrong;
    if (response.status === 429) return tooManyAttempts(retryAfterMinutes(response.headers.get('retry-after'), now()));
    return `That did not work (HTTP ${response.status}).`;
  }

  return {
    status,
    info,
    error,
    check,
    signOut,
    pair(input) {
      const code = codeDigits(input);
      if (code.length !== PAIR_CODE_LENGTH) return Promise.resolve(MESSAGES.shortCode);
      return signIn(apiPaths.pair, { code }, MESSAGES.wrongCode);
    },
    login(password) {
      if (!password) return Promise.resolve(MESSAGES.noPassword);
      return signIn(apiPaths.login, { password }, MESSAGES.wrongPassword);
    },
    async sessions() {
      return (await getJson<SessionListResponse>(fetchFn, apiPaths.sessions)).sessions;
    },
    async revoke(session) {
      const response = await sendJson(fetchFn, 'DELETE', apiPaths.sessionById(session.id));
      // 404: someone else signed it out first; the list refresh shows it gone either way.
      if (!response.ok && response.status !== 404) throw new HttpError(apiPaths.sessionById(session.id), response.status);
      if (session.current) signOut();
    },
    async newPairCode() {
      const response = await sendJson(fetchFn, 'POST', apiPaths.pairCodes);
      if (!response.ok) throw new HttpError(apiPaths.pairCodes, response.status);
      const answer = (await response.json()) as PairCode;
      // Count down on this device's clock: the time left as the server saw it when it answered
      // (its Date field), so a server clock that is off does not shorten or stretch the code's life.
      const serverNow = Date.parse(response.headers.get('date') ?? '');
      const expires = Date.parse(answer.expiresAt);
      const left = Number.isFinite(serverNow) ? expires - serverNow : expires - now();
      return { code: answer.code, url: answer.url, expiresAt: now() + Math.max(0, left) };
    },
    async setPassword(password) {
      let response: Response;
      try {
        response = await sendJson(fetchFn, 'PUT', apiPaths.password, { password });
      } catch {
        return MESSAGES.offline;
      }
      if (response.ok) {
        const current = info.peek();
        if (current) info.value = { ...current, passwordSet: true };
        return null;
      }
      if (response.status === 400) return MESSAGES.passwordShort;
      return `The password was not saved (HTTP ${response.status}).`;
    },
  };
}
