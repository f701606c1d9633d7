/** `--data DIR` / DATA_DIR and the default data folder outside the media folder; `--rescan-interval`. */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, realpath, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ConfigError, DEFAULT_RESCAN_INTERVAL_SEC, USAGE, defaultDataDir, parseCommandLine } from '../../src/config.js';

describe('data folder and rescan interval options', () => {
  let dir: string;
  const defaults = () => ({ cwd: dir, clientDir: join(dir, 'client') });
  before(async () => {
    dir = await realpath(await mkdtemp(join(tmpdir(), 'musicsharer-datadir-')));
    await mkdir(join(dir, 'media'));
    await symlink(join(dir, 'media'), join(dir, 'media-link'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('default: $XDG_CACHE_HOME/musicsharer/<hash of the real media path>, not inside the media folder', () => {
    const { config } = parseCommandLine([], { XDG_CACHE_HOME: join(dir, 'cache') }, defaults());
    assert.match(config.dataDir, new RegExp(`^${join(dir, 'cache', 'musicsharer')}/[0-9a-f]{12}$`));
    assert.ok(!config.dataDir.startsWith(config.mediaDir));
    // The same folder through a link: the same index.
    const linked = parseCommandLine(['--media', 'media-link'], { XDG_CACHE_HOME: join(dir, 'cache') }, defaults()).config;
    assert.equal(linked.dataDir, config.dataDir);
    // Another folder: another index.
    const other = parseCommandLine(['--media', dir], { XDG_CACHE_HOME: join(dir, 'cache') }, defaults()).config;
    assert.notEqual(other.dataDir, config.dataDir);
  });

  test('without XDG_CACHE_HOME: ~/.cache', () => {
    assert.equal(defaultDataDir(join(dir, 'media'), { HOME: '/home/someone' }).startsWith('/home/someone/.cache/musicsharer/'), true);
  });

  test('--data wins over DATA_DIR; both resolve against the working folder', () => {
    assert.equal(parseCommandLine(['--data', 'idx'], { DATA_DIR: '/elsewhere' }, defaults()).config.dataDir, join(dir, 'idx'));
    assert.equal(parseCommandLine([], { DATA_DIR: 'from-env' }, defaults()).config.dataDir, join(dir, 'from-env'));
  });

  test('--rescan-interval and RESCAN_INTERVAL, 0 turns it off', () => {
    assert.equal(parseCommandLine([], {}, defaults()).config.rescanIntervalSec, DEFAULT_RESCAN_INTERVAL_SEC);
    assert.equal(parseCommandLine(['--rescan-interval', '0'], {}, defaults()).config.rescanIntervalSec, 0);
    assert.equal(parseCommandLine([], { RESCAN_INTERVAL: '60' }, defaults()).config.rescanIntervalSec, 60);
    assert.throws(() => parseCommandLine(['--rescan-interval', 'often'], {}, defaults()), (error: unknown) => error instanceof ConfigError && /invalid rescan interval "often"/.test(error.message));
  });

  test('the usage text documents both', () => {
    assert.match(USAGE, /--data DIR/);
    assert.match(USAGE, /--rescan-interval S/);
  });
});
