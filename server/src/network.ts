/** The addresses a phone on the same network can open. */
import { networkInterfaces } from 'node:os';

const ALL_INTERFACES = new Set(['0.0.0.0', '::', '']);

export function phoneUrls(host: string, port: number, interfaces = networkInterfaces()): string[] {
  const format = (address: string) => `http://${address.includes(':') ? `[${address}]` : address}:${port}/`;
  if (!ALL_INTERFACES.has(host)) return [format(host)];
  const urls: string[] = [];
  for (const entries of Object.values(interfaces)) {
    for (const entry of entries ?? []) {
      // Link-local IPv6 needs a zone id Safari will not take in a URL; loopback is not the phone's.
      if (entry.internal || (entry.family === 'IPv6' && entry.address.startsWith('fe80'))) continue;
      urls.push(format(entry.address));
    }
  }
  urls.sort((a, b) => Number(a.includes('[')) - Number(b.includes('[')));
  urls.push(`${format('localhost')} (this computer)`);
  return urls;
}
