/**
 * Origins (RFC 6454): whether a browser request comes from this server's own pages. Used by the
 * WebSocket handshake and by the check on requests that change state (plugins/origin-check.ts).
 */
/**
 * Same origin: the Origin's host (and port, defaults normalised for its scheme) equals the
 * Host the client connected to, whichever of http and https the page used. A phone on the
 * LAN reaches us by IP, so the Host header is the only name we can compare with.
 */
export function isSameOrigin(origin: string, host: string | undefined): boolean {
  // A Host header is host[:port] (RFC 9110 §7.2); anything URL-like in it is not a match.
  if (host === undefined || host === '' || /[/?#@\\\s]/.test(host)) return false;
  let originUrl: URL;
  try {
    originUrl = new URL(origin);
  } catch {
    return false; // "null" and other opaque origins
  }
  if (originUrl.protocol !== 'http:' && originUrl.protocol !== 'https:') return false;
  try {
    return new URL(`${originUrl.protocol}//${host}`).host === originUrl.host;
  } catch {
    return false;
  }
}

/** An origin the user allowed (`--allowed-origin`), compared as `new URL(x).origin`. */
export function isAllowedOrigin(origin: string, allowed: ReadonlySet<string>): boolean {
  try {
    return allowed.has(new URL(origin).origin);
  } catch {
    return false;
  }
}
