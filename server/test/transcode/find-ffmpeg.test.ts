/**
 * Where ffmpeg comes from (transcode/ffmpeg.ts): `--ffmpeg PATH` alone when given; else the
 * PATH's; else the binary of the optional npm package `@ffmpeg-installer/ffmpeg`, so that
 * `npm install && npm start` on a machine with only Node and npm transcodes. Each case runs in
 * a child process with its own PATH.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { hasFfmpeg, isCI } from './fixtures.ts';

const ffmpegModule = fileURLToPath(new URL('../../src/transcode/ffmpeg.ts', import.meta.url));
const tsx = createRequire(import.meta.url).resolve('tsx');
const temp = mkdtempSync(join(tmpdir(), 'musicsharer-find-ffmpeg-'));
after(() => rmSync(temp, { recursive: true, force: true }));

/** findFfmpeg(flag) in a child whose PATH is `path`: what it found, or null. */
function findWith(path: string, flag?: string): { path: string; source: string } | null {
  const script = `import { findFfmpeg } from ${JSON.stringify(ffmpegModule)};
const found = await findFfmpeg(${flag === undefined ? 'undefined' : JSON.stringify(flag)});
console.log(JSON.stringify(found ? { path: found.path, source: found.source } : null));`;
  const out = execFileSync(process.execPath, ['--import', tsx, '--input-type=module', '-e', script], { env: { ...process.env, PATH: path }, encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').at(-1)!) as { path: string; source: string } | null;
}

// In CI (which installs both) neither case may skip.
let npmBinary: string | undefined;
try {
  npmBinary = (createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path: string }).path;
} catch {
  // The optional package did not install on this platform.
}

test('no ffmpeg on the PATH: the npm package’s binary', { skip: !isCI && npmBinary === undefined && 'the optional @ffmpeg-installer/ffmpeg is not installed here' }, () => {
  const found = findWith(temp);
  assert.deepEqual(found, { path: npmBinary, source: 'npm' });
});

test('ffmpeg on the PATH comes first', { skip: !isCI && !hasFfmpeg && 'no ffmpeg on the PATH' }, () => {
  assert.deepEqual(findWith(process.env.PATH ?? ''), { path: 'ffmpeg', source: 'path' });
});

test('--ffmpeg PATH: that one only; one that cannot encode MP3 is none, not another', () => {
  const fake = join(temp, 'not-ffmpeg');
  writeFileSync(fake, '#!/bin/sh\necho "ffmpeg version fake"\n');
  chmodSync(fake, 0o755);
  assert.equal(findWith(process.env.PATH ?? '', fake), null);
  assert.equal(findWith(process.env.PATH ?? '', join(temp, 'missing')), null);
  if (npmBinary !== undefined) assert.deepEqual(findWith(temp, npmBinary), { path: npmBinary, source: 'flag' });
});
