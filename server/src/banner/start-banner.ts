/**
 * The start banner: the one announcement a start prints (the start script's build lines aside).
 * The folder served, the addresses to open, the pairing link (access control on) and on a
 * terminal a QR code of it (of the first network address with `--no-auth`) for the iPhone's
 * camera. It goes to stdout, the one place the server writes there
 * directly, because it is for people; on a pipe or a file it is the same text without the code.
 */
import type { ServerAddresses } from '../network.js';
import { qrTerminalLines } from './qr.js';

export interface StartBannerOptions {
  mediaDir: string;
  addresses: ServerAddresses;
  /** Draw the QR code (stdout is a terminal). */
  terminal: boolean;
  /** A fresh pairing link (access control on): printed, and the QR code is of it. */
  pairLink?: string | undefined;
  /** Access control is off and the server is reachable from the network: say so. */
  openToNetwork?: boolean;
}

/** The pairing link's lines: the link, and on a terminal its QR code. Also `npm run pair`'s output. */
export function pairLinkLines(pairLink: string, terminal: boolean): string[] {
  return [
    `Pair a device: ${pairLink}`,
    '(works once, for 15 minutes; `npm run pair` prints a new one)',
    ...(terminal ? ['', "Point the iPhone's camera at this code to pair it:", ...qrTerminalLines(pairLink)] : []),
  ];
}

export function startBanner({ mediaDir, addresses, terminal, pairLink, openToNetwork = false }: StartBannerOptions): string {
  const lines = ['', `musicsharer is serving ${mediaDir}`];
  const [scan] = addresses.network;
  if (scan === undefined) {
    lines.push(`Listening on ${addresses.local ?? "this computer"} (no network address a phone could reach)`);
  } else {
    lines.push(
      'Open one of these on your iPhone (same Wi-Fi network):',
      ...addresses.network.map((url) => `  ${url}`),
      ...(addresses.local ? [`  ${addresses.local} (this computer)`] : []),
    );
    if (terminal && pairLink === undefined) lines.push('', `Or point the iPhone's camera at this code (${scan}):`, ...qrTerminalLines(scan));
  }
  if (pairLink !== undefined) lines.push('', ...pairLinkLines(pairLink, terminal));
  if (openToNetwork) lines.push('', 'Warning: access control is off (--no-auth): anyone who can reach this port can browse and play your music.');
  return `${lines.join('\n')}\n\n`;
}
