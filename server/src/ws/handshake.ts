/**
 * The opening handshake, server side (RFC 6455 §4.2): pure checks of the request line and
 * headers, giving either the Sec-WebSocket-Accept value or the HTTP error to answer with.
 * No I/O here: the plugin writes the response.
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { isAllowedOrigin, isSameOrigin } from '../http/origin.js';
import { WEBSOCKET_GUID } from './constants.js';

export interface HandshakeRequest {
  method?: string | undefined;
  httpVersion: string;
  headers: IncomingHttpHeaders;
}

export interface HandshakeOptions {
  /** Origins (as `new URL(x).origin`) allowed besides the server's own. */
  allowedOrigins: ReadonlySet<string>;
}

export type HandshakeResult =
  | { ok: true; accept: string }
  | { ok: false; status: 400 | 403 | 405 | 426; message: string; headers?: Record<string, string> };

/** §4.2.1 (5): a base64-encoded 16-byte value is exactly 22 base64 characters and "==". */
const KEY_PATTERN = /^[A-Za-z0-9+/]{22}==$/;

/** §4.2.2 (5)(4): base64(SHA-1(key + GUID)). */
export function acceptKey(key: string): string {
  return createHash('sha1').update(key + WEBSOCKET_GUID).digest('base64');
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

/** A comma-separated header as lower-case tokens (RFC 9110 §5.6.1); tokens are case-insensitive. */
function tokens(value: string | string[] | undefined): string[] {
  const raw = headerValue(value);
  if (raw === undefined) return [];
  return raw.split(',').map((token) => token.trim().toLowerCase());
}

const fail = (
  status: 400 | 403 | 405 | 426,
  message: string,
  headers?: Record<string, string>,
): HandshakeResult => (headers ? { ok: false, status, message, headers } : { ok: false, status, message });

export function validateHandshake(request: HandshakeRequest, options: HandshakeOptions): HandshakeResult {
  const { headers } = request;
  // §4.2.1 (1): an HTTP/1.1 or higher GET request.
  if (request.method !== 'GET') return fail(405, 'WebSocket handshakes use GET', { Allow: 'GET' });
  if (!(Number(request.httpVersion) >= 1.1)) return fail(400, 'WebSocket handshakes need HTTP/1.1');
  // §4.2.1 (2): a Host header.
  const host = headerValue(headers.host);
  if (host === undefined || host === '') return fail(400, 'missing Host header');
  // §4.2.1 (3), (4): Upgrade contains "websocket" and Connection contains "Upgrade", any case.
  if (!tokens(headers.upgrade).includes('websocket')) return fail(400, 'Upgrade header must include "websocket"');
  if (!tokens(headers.connection).includes('upgrade')) return fail(400, 'Connection header must include "Upgrade"');
  // §4.2.1 (6), §4.2.2 (4), §4.4: only version 13; otherwise 426 naming the version we speak.
  if (headerValue(headers['sec-websocket-version'])?.trim() !== '13') {
    return fail(426, 'unsupported WebSocket version', { 'Sec-WebSocket-Version': '13' });
  }
  // §4.2.1 (5): the key must decode to 16 bytes. A repeated header arrives joined with ", ".
  const key = headerValue(headers['sec-websocket-key'])?.trim();
  if (key === undefined || !KEY_PATTERN.test(key)) return fail(400, 'Sec-WebSocket-Key must be 16 bytes in base64');
  // §4.2.2 (4), §10.2: a browser always sends Origin; refuse other sites' pages. Clients that
  // are not browsers send none and are not subject to the same-origin model.
  const origin = headerValue(headers.origin);
  if (origin !== undefined && !isSameOrigin(origin, host) && !isAllowedOrigin(origin, options.allowedOrigins)) {
    return fail(403, 'origin not allowed');
  }
  // §4.2.2 (5)(4). No Sec-WebSocket-Extensions is ever accepted (§9.1: the server simply does not
  // echo an offer) and no subprotocol is selected (§4.2.2 (5)(5): the header is then omitted).
  return { ok: true, accept: acceptKey(key) };
}

/** §4.2.2 (5): the 101 response, written as raw bytes once the socket is ours. */
export function switchingProtocolsResponse(accept: string): string {
  return (
    'HTTP/1.1 101 Switching Protocols\r\n' +
    'Upgrade: websocket\r\n' +
    'Connection: Upgrade\r\n' +
    `Sec-WebSocket-Accept: ${accept}\r\n` +
    '\r\n'
  );
}
