/**
 * `npm run pair [-- --media DIR | --data DIR]`: prints a fresh pairing link (and on a terminal
 * its QR code) for the server running over the same data folder. The link is a file in that
 * folder (auth/pair-links.ts), which the running server honours: no network call, nothing to
 * configure. Without a running server, one clear line and exit code 1.
 */
import { fileURLToPath } from 'node:url';
import { START_LINK_TTL_MS, PairLinks } from './auth/pair-links.js';
import { pairLinkLines } from './banner/start-banner.js';
import { ConfigError, parseCommandLine } from './config.js';
import { pairingUrl, serverAddresses } from './network.js';
import { findRunningServer } from './running-server.js';

function fail(message: string, code: number): never {
  process.stderr.write(`musicsharer pair: ${message}\n`);
  process.exit(code);
}

async function main(): Promise<void> {
  let dataDir: string;
  try {
    ({ dataDir } = parseCommandLine(process.argv.slice(2), process.env, {
      cwd: process.cwd(),
      clientDir: fileURLToPath(new URL('../../client/dist/', import.meta.url)),
    }).config);
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message, 2);
    throw error;
  }
  const server = await findRunningServer(dataDir);
  if (server === undefined) {
    fail(`no musicsharer is running over this folder (data folder ${dataDir}): start it with npm start, with the same --media or --data`, 1);
  }
  const { token } = await new PairLinks(dataDir).create(START_LINK_TTL_MS);
  const link = pairingUrl(serverAddresses(server.host, server.port), token);
  process.stdout.write(`${pairLinkLines(link, process.stdout.isTTY === true).join('\n')}\n`);
}

main().catch((error: unknown) => fail((error as Error).message ?? String(error), 1));
