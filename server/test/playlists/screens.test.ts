/** Screen URLs (issue 14): the client's parser and builders, as a table; each path round-trips. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseScreen, screenPath, screenPaths, type Screen } from '@musicsharer/shared';

const CASES: Array<[path: string, search: string, screen: Screen | undefined]> = [
  ['/', '', { name: 'albums' }],
  ['/albums', '', { name: 'albums' }],
  ['/albums/Ab_c-9', '', { name: 'album', id: 'Ab_c-9' }],
  ['/artists', '', { name: 'artists' }],
  ['/artists/x1', '', { name: 'artist', id: 'x1' }],
  ['/tracks', '', { name: 'tracks' }],
  ['/playlists', '', { name: 'playlists' }],
  ['/playlists/p_1', '', { name: 'playlist', id: 'p_1' }],
  ['/devices', '', { name: 'devices' }],
  ['/search', '', { name: 'search', query: '' }],
  ['/search', '?q=caf%C3%A9+au+lait', { name: 'search', query: 'café au lait' }],
  ['/search', '?x=1&q=a%26b', { name: 'search', query: 'a&b' }],
  ['/search', '?q=%E0%A4%A', { name: 'search', query: '' }],
  ['/albums/', '', undefined],
  ['/albums/a/b', '', undefined],
  ['/albums/a.b', '', undefined],
  ['/albums/%zz', '', undefined],
  ['/albums/' + 'a'.repeat(65), '', undefined],
  ['/tracks/abc', '', undefined],
  ['/nowhere', '', undefined],
  ['albums', '', undefined],
];

test('parseScreen: a table', () => {
  for (const [path, search, screen] of CASES) assert.deepEqual(parseScreen(path, search), screen, `${path}${search}`);
});

test('screenPath is the inverse of parseScreen', () => {
  for (const [path, search, screen] of CASES) {
    if (screen === undefined || path === '/') continue;
    const made = screenPath(screen);
    const [pathname, query = ''] = made.split('?');
    assert.deepEqual(parseScreen(pathname!, query ? `?${query}` : ''), screen, `${path}${search} -> ${made}`);
  }
  assert.equal(screenPaths.search('a b&c'), '/search?q=a%20b%26c');
  assert.equal(screenPaths.album('x'), '/albums/x');
});
