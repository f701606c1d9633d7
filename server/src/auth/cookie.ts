/**
 * The session cookie (RFC 6265): read from `Cookie` on every protected request, so reading is a
 * scan for one name, not a parse of the whole header.
 */
export const SESSION_COOKIE = 'musicsharer_session';

/** One year, renewed on use (see SessionStore.authenticate). */
export const SESSION_COOKIE_MAX_AGE_SEC = 365 * 24 * 60 * 60;

/** The value of cookie `name` in a `Cookie` field, or undefined. The first one wins, as browsers send the most specific first. */
export function readCookie(field: string | undefined, name: string): string | undefined {
  if (field === undefined) return undefined;
  const key = `${name}=`;
  let from = 0;
  for (;;) {
    const at = field.indexOf(key, from);
    if (at < 0) return undefined;
    const before = at === 0 ? ';' : field[at - 1];
    if (before === ';' || before === ' ' || before === '\t') {
      const start = at + key.length;
      const end = field.indexOf(';', start);
      return field.slice(start, end < 0 ? field.length : end).trim();
    }
    from = at + 1;
  }
}

export interface CookieOptions {
  /** The request came over HTTPS (directly or through a trusted proxy). */
  secure: boolean;
}

/** HttpOnly: no script reads it. SameSite=Lax: other sites' requests that change state carry no cookie. */
export function sessionCookie(token: string, { secure }: CookieOptions): string {
  return `${SESSION_COOKIE}=${token}; Path=/; Max-Age=${SESSION_COOKIE_MAX_AGE_SEC}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
}

export function clearedSessionCookie({ secure }: CookieOptions): string {
  return `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
}
