import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ConfigError, DEFAULT_HOST, DEFAULT_PORT, parseCommandLine } from '../src/config.js';

describe('parseCommandLine', () => {
  let dir: string;
  const defaults = () => ({ cwd: dir, clientDir: join(dir, 'client') });
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'musicsharer-config-'));
    await import('node:fs/promises').then((fs) => fs.mkdir(join(dir, 'media')));
    await writeFile(join(dir, 'file.txt'), 'x');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('defaults: ./media, a fixed port, all interfaces', () => {
    const { config } = parseCommandLine([], {}, defaults());
    assert.equal(config.mediaDir, join(dir, 'media'));
    assert.equal(config.port, DEFAULT_PORT);
    assert.equal(config.host, DEFAULT_HOST);
    assert.equal(config.wsEcho, false);
    assert.equal(config.logLevel, 'info');
  });

  test('LOG_LEVEL is read, in any case', () => {
    assert.equal(parseCommandLine([], { LOG_LEVEL: 'DEBUG' }, defaults()).config.logLevel, 'debug');
    assert.equal(parseCommandLine([], { LOG_LEVEL: 'warn' }, defaults()).config.logLevel, 'warn');
    assert.throws(
      () => parseCommandLine([], { LOG_LEVEL: 'loud' }, defaults()),
      (error: unknown) => error instanceof ConfigError && /invalid LOG_LEVEL "loud": expected one of fatal, error, warn, info, debug/.test(error.message),
    );
  });

  test('flags win over environment variables', () => {
    const env = { MEDIA_DIR: 'nope', PORT: '1', HOST: '10.0.0.1' };
    const { config } = parseCommandLine(['--media', dir, '--port', '8080', '--host', '127.0.0.1', '--ws-echo'], env, defaults());
    assert.deepEqual([config.mediaDir, config.port, config.host, config.wsEcho], [dir, 8080, '127.0.0.1', true]);
  });

  test('environment variables are read', () => {
    const { config } = parseCommandLine([], { MEDIA_DIR: dir, PORT: '0', HOST: '::' }, defaults());
    assert.deepEqual([config.mediaDir, config.port, config.host], [dir, 0, '::']);
  });

  test('allowed origins are normalised', () => {
    const { config } = parseCommandLine(['--allowed-origin', 'https://Example.com/path', '--allowed-origin', 'http://a:81'], {}, defaults());
    assert.deepEqual(config.allowedOrigins, ['https://example.com', 'http://a:81']);
  });

  test('access control on by default, --no-auth turns it off; --public-url is kept as an origin; --trust-proxy as given', () => {
    assert.equal(parseCommandLine([], {}, defaults()).config.auth, true);
    assert.equal(parseCommandLine(['--no-auth'], {}, defaults()).config.auth, false);
    assert.equal(parseCommandLine(['--public-url', 'https://Music.Example.com/'], {}, defaults()).config.publicUrl, 'https://music.example.com');
    assert.equal(parseCommandLine([], {}, defaults()).config.publicUrl, undefined);
    assert.deepEqual(parseCommandLine(['--trust-proxy', '127.0.0.1', '--trust-proxy', '10.0.0.0/8'], {}, defaults()).config.trustProxy, ['127.0.0.1', '10.0.0.0/8']);
  });

  test('allowed host names are normalised; none by default', () => {
    assert.deepEqual(parseCommandLine([], {}, defaults()).config.allowedHosts, []);
    const { config } = parseCommandLine(['--allowed-host', 'Music.Example.com', '--allowed-host', '[2001:db8::1]', '--allowed-host', '203.0.113.9'], {}, defaults());
    assert.deepEqual(config.allowedHosts, ['music.example.com', '2001:db8::1', '203.0.113.9']);
  });

  for (const [args, pattern] of [
    [['--port', '70000'], /invalid port "70000"/],
    [['--port', 'abc'], /invalid port "abc"/],
    [['--port', '-1'], /invalid port|argument missing|ambiguous/i],
    [['--media', 'does-not-exist'], /does not exist/],
    [['--media', 'file.txt'], /is not a directory/],
    [['--bogus'], /Unknown option '--bogus'/],
    [['stray'], /Unexpected argument 'stray'|positional/],
    [['--allowed-origin', 'not a url'], /invalid --allowed-origin/],
    [['--allowed-host', 'music.example.com:4533'], /invalid --allowed-host "music.example.com:4533": expected a host name/],
    [['--allowed-host', 'https://music.example.com'], /invalid --allowed-host/],
    [['--public-url', 'music.example.com'], /invalid --public-url "music.example.com": expected a URL/],
    [['--public-url', 'https://music.example.com/app'], /invalid --public-url .*no path/],
    [['--public-url', 'ftp://music.example.com'], /invalid --public-url/],
    [['--trust-proxy', 'proxy.local'], /invalid --trust-proxy "proxy.local": expected an IP address or a CIDR range/],
    [['--trust-proxy', '10.0.0.0/33'], /invalid --trust-proxy/],
  ] as const) {
    test(`rejects ${args.join(' ')} with one clear line`, () => {
      assert.throws(
        () => parseCommandLine(args, {}, defaults()),
        (error: unknown) => error instanceof ConfigError && pattern.test(error.message) && !error.message.includes('\n'),
      );
    });
  }
});
