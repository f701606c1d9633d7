import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AUDIO_EXTENSIONS, audioMimeType } from '../../src/http/content-type.ts';

describe('audioMimeType', () => {
  const cases: [string, string | undefined][] = [
    ['/music/a.mp3', 'audio/mpeg'],
    ['/music/a.m4a', 'audio/mp4'],
    ['/music/a.flac', 'audio/flac'],
    ['/music/a.ogg', 'audio/ogg'],
    ['/music/a.wav', 'audio/wav'],
    ['/music/UPPER.MP3', 'audio/mpeg'],
    ['/music/Mixed.FlAc', 'audio/flac'],
    ['relative/name.with.dots.m4a', 'audio/mp4'],
    ['/music/cover.jpg', undefined],
    ['/music/notes.txt', undefined],
    ['/music/mp3', undefined],
    ['/music/.mp3', undefined],
    ['/music/a.mp3.part', undefined],
  ];
  for (const [path, expected] of cases) {
    test(`${path} -> ${expected}`, () => assert.equal(audioMimeType(path), expected));
  }

  test('FLAC is never audio/x-flac (iOS refuses it)', () => {
    assert.notEqual(audioMimeType('a.flac'), 'audio/x-flac');
  });

  test('every listed extension has an audio type', () => {
    assert.ok(AUDIO_EXTENSIONS.length >= 5);
    for (const extension of AUDIO_EXTENSIONS) {
      assert.match(extension, /^\.[a-z0-9]+$/);
      assert.match(audioMimeType(`x${extension}`) ?? '', /^audio\//);
    }
  });
});
