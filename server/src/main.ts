/**
 * Entry point: config -> buildApp -> listen; prints the start banner (the addresses a phone can
 * open, and on a terminal their QR code); closes cleanly on SIGINT/SIGTERM. User mistakes are
 * one line on stderr and a non-zero exit.
 */
import { fileURLToPath } from 'node:url';
import { buildApp } from './app.js';
import { bannerListenText, dropListenLines } from './banner/quiet-listen.js';
import { startBanner } from './banner/start-banner.js';
import { ConfigError, USAGE, parseCommandLine, type Config } from './config.js';
import { reportScanProgress } from './library/progress-reporter.js';
import { readableLogDestination } from './log-format.js';
import { START_LINK_TTL_MS } from './auth/pair-links.js';
import { isLoopback, pairingUrl, serverAddresses } from './network.js';
import { forgetRunningServer, recordRunningServer } from './running-server.js';

const EXIT_USAGE = 2;
const EXIT_RUNTIME = 1;

function fail(message: string, code: number): never {
  process.stderr.write(`musicsharer: ${message}\n`);
  process.exit(code);
}

function listenErrorMessage(error: NodeJS.ErrnoException, config: Config): string {
  switch (error.code) {
    case 'EADDRINUSE':
      return `port ${config.port} is already in use on ${config.host}; choose another with --port`;
    case 'EACCES':
      return `not allowed to listen on port ${config.port}; choose a port above 1023 with --port`;
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot listen on address ${config.host}; check --host`;
    default:
      return `cannot start: ${error.message}`;
  }
}

async function main(): Promise<void> {
  let config: Config;
  try {
    const parsed = parseCommandLine(process.argv.slice(2), process.env, {
      cwd: process.cwd(),
      clientDir: fileURLToPath(new URL('../../client/dist/', import.meta.url)),
    });
    if (parsed.help) {
      process.stdout.write(`${USAGE}\n`);
      return;
    }
    config = parsed.config;
  } catch (error) {
    if (error instanceof ConfigError) fail(`${error.message}\n${USAGE.split('\n')[0]}`, EXIT_USAGE);
    throw error;
  }

  const terminal = process.stdout.isTTY === true;
  const app = await buildApp(config, {
    // JSON lines (pino) for journald, files and pipes, as they are; readable lines for a person
    // at a terminal, where the banner alone announces the addresses.
    logger: {
      level: config.logLevel,
      ...(terminal ? { stream: readableLogDestination(process.stdout), hooks: dropListenLines } : {}),
    },
    requestLogging: config.logLevel === 'debug' || config.logLevel === 'trace',
    findFfmpegNow: true,
  });
  // First scans of large libraries take minutes: show count, files/s and ETA on stderr.
  reportScanProgress(app.library, process.stderr);
  // Handlers before listen: a signal that arrives as soon as the banner is out must close cleanly.
  let closing = false;
  let forgetOnExit = () => Promise.resolve();
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(EXIT_RUNTIME), 10_000);
    force.unref();
    Promise.all([app.close(), forgetOnExit()]).then(
      () => process.exit(0),
      () => process.exit(EXIT_RUNTIME),
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  try {
    await app.listen({ port: config.port, host: config.host, ...(terminal ? bannerListenText : {}) });
  } catch (error) {
    await app.close().catch(() => {});
    fail(listenErrorMessage(error as NodeJS.ErrnoException, config), EXIT_RUNTIME);
  }

  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const addresses = serverAddresses(config.host, port);
  let pairLink: string | undefined;
  const stores = app.auth.stores;
  if (stores !== null) {
    // `npm run pair` finds this server through its data folder.
    await recordRunningServer(stores.dataDir, { pid: process.pid, host: config.host, port });
    forgetOnExit = () => forgetRunningServer(stores.dataDir);
    const { token } = await stores.pairLinks.create(START_LINK_TTL_MS);
    pairLink = pairingUrl(addresses, token);
  }
  const openToNetwork = !config.auth && !isLoopback(config.host);
  process.stdout.write(startBanner({ mediaDir: config.mediaDir, addresses, terminal, pairLink, openToNetwork }));
}

main().catch((error: unknown) => fail((error as Error).message ?? String(error), EXIT_RUNTIME));
