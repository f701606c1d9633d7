/** The addresses a phone on the same network can open, and the one for this computer. */
import { networkInterfaces } from 'node:os';

const ALL_INTERFACES = new Set(['0.0.0.0', '::', '']);

export interface ServerAddresses {
  /** URLs a phone on the same network can open, IPv4 first (the first is the one to scan). */
  network: string[];
  /** The URL for this computer itself, when the server listens on loopback too. */
  local: string | undefined;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

export function serverAddresses(host: string, port: number, interfaces = networkInterfaces()): ServerAddresses {
  const format = (address: string) => `http://${address.includes(':') ? `[${address}]` : address}:${port}/`;
  if (!ALL_INTERFACES.has(host)) {
    return isLoopback(host) ? { network: [], local: format(host) } : { network: [format(host)], local: undefined };
  }
  const network: string[] = [];
  for (const entries of Object.values(interfaces)) {
    for (const entry of entries ?? []) {
      // Link-local IPv6 needs a zone id Safari will not take in a URL; loopback is not the phone's.
      if (entry.internal || (entry.family === 'IPv6' && entry.address.startsWith('fe80'))) continue;
      network.push(format(entry.address));
    }
  }
  network.sort((a, b) => Number(a.includes('[')) - Number(b.includes('[')));
  return { network, local: format('localhost') };
}

/** A pairing link on the address a phone can reach (the first network one, else this computer's). */
export function pairingUrl(addresses: ServerAddresses, token: string): string {
  const base = addresses.network[0] ?? addresses.local ?? 'http://localhost/';
  return new URL(`pair/${token}`, base).href;
}
