/**
 * The start banner: the one announcement a start prints (the start script's build lines aside).
 * The folder served, the addresses to open, and on a terminal a QR code of the first network
 * address for the iPhone's camera. It goes to stdout, the one place the server writes there
 * directly, because it is for people; on a pipe or a file it is the same text without the code.
 */
import type { ServerAddresses } from '../network.js';
import { qrTerminalLines } from './qr.js';

export interface StartBannerOptions {
  mediaDir: string;
  addresses: ServerAddresses;
  /** Draw the QR code (stdout is a terminal). */
  terminal: boolean;
}

export function startBanner({ mediaDir, addresses, terminal }: StartBannerOptions): string {
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
    if (terminal) lines.push('', `Or point the iPhone's camera at this code (${scan}):`, ...qrTerminalLines(scan));
  }
  return `${lines.join('\n')}\n\n`;
}
