/**
 * Command line and environment -> one validated Config. Other tools rely on this command
 * line (`--media`, `--port`, `--host`): keep it stable.
 */
import { createHash } from 'node:crypto';
import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { bareHostname } from './http/host.js';

export interface Config {
  /** Absolute path of the music folder. */
  mediaDir: string;
  port: number;
  host: string;
  /** Mount `/ws/echo` (WebSocket conformance testing). */
  wsEcho: boolean;
  /** Extra origins allowed to open the now-playing WebSocket besides the server's own. */
  allowedOrigins: string[];
  /** Host names accepted in `Host` besides this machine's addresses and names (DNS rebinding guard). */
  allowedHosts: string[];
  /** Where built client files are served from. */
  clientDir: string;
  /** Where the library index and cover thumbnails are kept (never inside the media folder by default). */
  dataDir: string;
  /** Seconds between full checks of the media folder, for filesystems without change events (0: never). */
  rescanIntervalSec: number;
  /** `--public-url`: the origin share links are made with (a reverse proxy, a tunnel). */
  publicUrl?: string;
  /** Access control (sessions, pairing); false with `--no-auth`. */
  auth: boolean;
  /** Reverse proxies (addresses or CIDR ranges) whose X-Forwarded-For/-Proto are believed (`--trust-proxy`). */
  trustProxy: string[];
  /** pino level (env LOG_LEVEL); `debug` and `trace` also log every request. */
  logLevel: LogLevel;
  /** `--ffmpeg PATH`: the ffmpeg to transcode with (else the PATH's, else the npm package's). */
  ffmpeg?: string;
  /** `--transcode-cache MB`: the bound of the transcoded files kept in the data folder. */
  transcodeCacheMb?: number;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const DEFAULT_PORT = 4533;
export const DEFAULT_HOST = '0.0.0.0';
export const DEFAULT_RESCAN_INTERVAL_SEC = 300;
export const DEFAULT_TRANSCODE_CACHE_MB = 2048;

/** A user mistake: printed as one line, exit code 2, no stack trace. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export const USAGE = `Usage: npm start -- [--media DIR] [--port N] [--host ADDR] [--data DIR] [--rescan-interval S] [--allowed-origin URL]... [--allowed-host NAME]... [--trust-proxy ADDR]... [--public-url URL] [--ffmpeg PATH] [--transcode-cache MB] [--no-auth] [--ws-echo]
  --media DIR          music folder to serve (env MEDIA_DIR; default ./media)
  --data DIR           library index, cover cache, sessions and password hash (env DATA_DIR; default
                       $XDG_CACHE_HOME/musicsharer/<hash of the media path>, XDG default ~/.cache)
  --rescan-interval S  seconds between full checks for changes the watcher misses, e.g. on
                       network shares (env RESCAN_INTERVAL; default ${DEFAULT_RESCAN_INTERVAL_SEC}; 0: never)
  --port N             TCP port, 0-65535 (env PORT; default ${DEFAULT_PORT})
  --host ADDR          address to listen on (env HOST; default ${DEFAULT_HOST}, all interfaces)
  --allowed-origin URL another web origin allowed to open the WebSocket (repeatable)
  --allowed-host NAME  another name this server is reached by, e.g. a DNS name or a router's
                       public address (repeatable); other names get 421
  --trust-proxy ADDR   a reverse proxy (IP address or CIDR range) whose X-Forwarded-For and
                       X-Forwarded-Proto are believed (repeatable)
  --public-url URL     the address share links are made with when the server is reached under
                       another name (a reverse proxy, a tunnel), e.g. https://music.example.com
  --ffmpeg PATH        the ffmpeg that transcodes formats Safari cannot play (default: ffmpeg on
                       the PATH, else the one the optional npm package @ffmpeg-installer/ffmpeg ships)
  --transcode-cache MB size bound of the transcoded files kept in the data folder (default
                       ${DEFAULT_TRANSCODE_CACHE_MB}; the least recently played go first)
  --no-auth            no access control: anyone who reaches the port can listen (off by
                       default; pair devices instead, see npm run pair)
  --ws-echo            mount /ws/echo for WebSocket conformance tests
Environment: LOG_LEVEL=${LOG_LEVELS.join('|')} (default info; debug also logs every request)`;

function parsePort(raw: string): number {
  if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65535) {
    throw new ConfigError(`invalid port "${raw}": expected a whole number from 0 to 65535`);
  }
  return Number(raw);
}

/** An http(s) origin, no path: links are `<origin>/s/<id>` and the app's paths are absolute. */
function parsePublicUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`invalid --public-url "${raw}": expected a URL such as https://music.example.com`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.pathname !== '/' || url.search || url.hash || url.username || url.password) {
    throw new ConfigError(`invalid --public-url "${raw}": expected http(s)://host[:port] with no path, e.g. https://music.example.com`);
  }
  return url.origin;
}

function parseLogLevel(raw: string): LogLevel {
  const level = LOG_LEVELS.find((l) => l === raw.toLowerCase());
  if (!level) throw new ConfigError(`invalid LOG_LEVEL "${raw}": expected one of ${LOG_LEVELS.join(', ')}`);
  return level;
}

function parseInterval(raw: string): number {
  if (!/^\d{1,7}$/.test(raw)) throw new ConfigError(`invalid rescan interval "${raw}": expected a whole number of seconds`);
  return Number(raw);
}

/**
 * `$XDG_CACHE_HOME/musicsharer/<12 hex digits of SHA-1 of the real media path>`: one index per
 * music folder, outside it (it may be read-only), and rebuildable, hence a cache.
 */
export function defaultDataDir(mediaDir: string, env: NodeJS.ProcessEnv): string {
  let real = mediaDir;
  try {
    real = realpathSync(mediaDir);
  } catch {
    // --help with a missing folder: any stable name will do
  }
  const cacheHome = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  return join(resolve(cacheHome), 'musicsharer', createHash('sha1').update(real).digest('hex').slice(0, 12));
}

function checkMediaDir(dir: string): void {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch {
    throw new ConfigError(`media folder ${dir} does not exist`);
  }
  if (!isDirectory) throw new ConfigError(`media folder ${dir} is not a directory`);
  try {
    accessSync(dir, constants.R_OK | constants.X_OK);
  } catch {
    throw new ConfigError(`media folder ${dir} is not readable`);
  }
}

export interface ParsedCommandLine {
  config: Config;
  help: boolean;
}

export function parseCommandLine(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  defaults: { cwd: string; clientDir: string },
): ParsedCommandLine {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        media: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        data: { type: 'string' },
        'rescan-interval': { type: 'string' },
        'allowed-origin': { type: 'string', multiple: true },
        'allowed-host': { type: 'string', multiple: true },
        'trust-proxy': { type: 'string', multiple: true },
        'public-url': { type: 'string' },
        ffmpeg: { type: 'string' },
        'transcode-cache': { type: 'string' },
        'no-auth': { type: 'boolean' },
        'ws-echo': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    // parseArgs' messages are already one clear line ("Unknown option '--foo'...").
    throw new ConfigError((error as Error).message.split('\n')[0]!);
  }

  // An empty variable (`PORT=`) means unset, as in most tools.
  const fromEnv = (name: string) => env[name] || undefined;
  const mediaDir = resolve(defaults.cwd, values.media ?? fromEnv('MEDIA_DIR') ?? 'media');
  const port = parsePort(values.port ?? fromEnv('PORT') ?? String(DEFAULT_PORT));
  const host = values.host ?? fromEnv('HOST') ?? DEFAULT_HOST;
  if (host.trim() === '') throw new ConfigError('invalid host: empty');
  const allowedOrigins = (values['allowed-origin'] ?? []).map((origin) => {
    try {
      return new URL(origin).origin;
    } catch {
      throw new ConfigError(`invalid --allowed-origin "${origin}": expected a URL such as https://example.com`);
    }
  });
  const allowedHosts = (values['allowed-host'] ?? []).map((name) => {
    const hostname = bareHostname(name);
    if (hostname === undefined) throw new ConfigError(`invalid --allowed-host "${name}": expected a host name or an IP address, without a port (e.g. music.example.com)`);
    return hostname;
  });
  const trustProxy = (values['trust-proxy'] ?? []).map((value) => {
    const [address = '', prefix, extra] = value.split('/');
    const bits = isIP(address) === 4 ? 32 : isIP(address) === 6 ? 128 : 0;
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= bits);
    if (bits === 0 || !prefixOk || extra !== undefined) throw new ConfigError(`invalid --trust-proxy "${value}": expected an IP address or a CIDR range, e.g. 127.0.0.1 or 10.0.0.0/8`);
    return value;
  });
  const publicUrl = values['public-url'] === undefined ? undefined : parsePublicUrl(values['public-url']);
  const rescanIntervalSec = parseInterval(values['rescan-interval'] ?? fromEnv('RESCAN_INTERVAL') ?? String(DEFAULT_RESCAN_INTERVAL_SEC));
  const cacheRaw = values['transcode-cache'] ?? String(DEFAULT_TRANSCODE_CACHE_MB);
  if (!/^\d{1,7}$/.test(cacheRaw)) throw new ConfigError(`invalid --transcode-cache "${cacheRaw}": expected a whole number of megabytes`);
  const ffmpeg = values.ffmpeg;
  if (ffmpeg !== undefined && ffmpeg.trim() === '') throw new ConfigError('invalid --ffmpeg: empty');
  const logLevel = parseLogLevel(fromEnv('LOG_LEVEL') ?? 'info');
  const help = values.help ?? false;
  if (!help) checkMediaDir(mediaDir);
  const dataOption = values.data ?? fromEnv('DATA_DIR');
  const dataDir = dataOption === undefined ? defaultDataDir(mediaDir, env) : resolve(defaults.cwd, dataOption);
  return {
    help,
    config: {
      mediaDir,
      port,
      host,
      wsEcho: values['ws-echo'] ?? false,
      allowedOrigins,
      allowedHosts,
      clientDir: defaults.clientDir,
      dataDir,
      rescanIntervalSec,
      auth: !(values['no-auth'] ?? false),
      ...(publicUrl === undefined ? {} : { publicUrl }),
      trustProxy,
      logLevel,
      ...(ffmpeg === undefined ? {} : { ffmpeg: resolve(defaults.cwd, ffmpeg) }),
      transcodeCacheMb: Number(cacheRaw),
    },
  };
}
