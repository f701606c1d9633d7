/**
 * The `Host` request field (RFC 9110 §7.2), reduced to the name a DNS-rebinding check compares.
 * Pure: the list of this machine's addresses comes from the caller.
 */
import { isIP } from 'node:net';

/**
 * `Host: music.example:4533` -> `music.example`; `[::1]:4533` -> `::1`; lower case, without a
 * trailing dot (`example.` names the same host). Undefined when the value is not a host name or
 * an IP literal with an optional port.
 */
export function hostnameOf(field: string): string | undefined {
  let host = field.trim().toLowerCase();
  let name: string;
  if (host.startsWith('[')) {
    // §4.3.2 of RFC 3986: an IPv6 literal in brackets, then an optional ":port".
    const end = host.indexOf(']');
    if (end < 0 || !/^(:\d{0,5})?$/.test(host.slice(end + 1))) return undefined;
    name = host.slice(1, end);
    return isIP(name) === 6 ? name : undefined;
  }
  const colon = host.indexOf(':');
  if (colon >= 0) {
    if (!/^\d{0,5}$/.test(host.slice(colon + 1))) return undefined;
    host = host.slice(0, colon);
  }
  name = host.endsWith('.') ? host.slice(0, -1) : host;
  // RFC 1123 names (letters, digits, hyphens, dots; labels of 1-63) or a dotted IPv4 address.
  if (name.length === 0 || name.length > 253) return undefined;
  if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/.test(name)) return undefined;
  return name;
}

/** A host name or IP address as a person writes it (`--allowed-host`): no port. */
export function bareHostname(value: string): string | undefined {
  const bare = value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;
  if (isIP(bare) === 6) return bare.toLowerCase();
  return value.includes(':') ? undefined : hostnameOf(value);
}

/** Loopback: 127.0.0.0/8 and ::1 (RFC 1122 §3.2.1.3, RFC 4291 §2.5.3), and `localhost` (RFC 6761 §6.3). */
export function isLoopbackName(name: string): boolean {
  return name === 'localhost' || name.endsWith('.localhost') || name === '::1' || (isIP(name) === 4 && name.startsWith('127.'));
}
