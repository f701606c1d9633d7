/** Playlist files as text and entries (playlists/parse.ts): tables, no files. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodePlaylist, entryLabel, parseM3u, parsePlaylist, parsePls, playlistFormatOf, resolveEntry } from '../../src/playlists/parse.js';

const ROOT = '/srv/music';

describe('resolveEntry: where an entry points (relative to the media folder, or null: outside / not a file)', () => {
  // [location, playlist's folder, expected]
  const CASES: Array<[string, string, string | null]> = [
    // Relative to the playlist's folder.
    ['a.mp3', '', 'a.mp3'],
    ['a.mp3', 'Lists', 'Lists/a.mp3'],
    ['../One/a.mp3', 'Lists', 'One/a.mp3'],
    ['./One/./b.mp3', '', 'One/b.mp3'],
    ['One//b.mp3', '', 'One/b.mp3'],
    ['  spaced.mp3  ', '', 'spaced.mp3'],
    // Backslashes (a list made on Windows).
    ['..\\One\\a.mp3', 'Lists', 'One/a.mp3'],
    ['One\\Sub\\c.flac', 'X', 'X/One/Sub/c.flac'],
    // Absolute inside the media folder.
    ['/srv/music/One/a.mp3', 'Lists', 'One/a.mp3'],
    ['/srv/music/Lists/../One/a.mp3', 'Deep/er', 'One/a.mp3'],
    // file:// URLs, percent-encoded.
    ['file:///srv/music/One/caf%C3%A9%20%231.mp3', '', 'One/café #1.mp3'],
    ['file://localhost/srv/music/a.mp3', '', 'a.mp3'],
    ['FILE:///srv/music/a.mp3', '', 'a.mp3'],
    // Outside the media folder: never a path we would open.
    ['../../etc/passwd', 'Lists', null],
    ['../outside.mp3', '', null],
    ['..', '', null],
    ['/etc/passwd', '', null],
    ['/srv/musicians/a.mp3', '', null],
    ['/srv/music', '', null],
    ['/srv/music/../secret.mp3', '', null],
    ['file:///etc/passwd', '', null],
    ['file:///srv/music/..%2f..%2fetc/passwd', '', null],
    ['file://otherhost/srv/music/a.mp3', '', null],
    ['file:///srv/music/%E0%A4%A', '', null],
    ['..\\..\\Windows\\win.ini', 'Lists', null],
    // Not local files.
    ['http://radio.example/stream.mp3', '', null],
    ['https://example.com/a.mp3', '', null],
    ['C:\\Music\\a.mp3', '', null],
    ['c:/Music/a.mp3', '', null],
    ['file:///C:/Music/a.mp3', '', null],
    ['\\\\server\\share\\a.mp3', '', null],
    ['a\0b.mp3', '', null],
    ['.', '', null],
  ];
  for (const [location, dir, expected] of CASES) {
    test(`${JSON.stringify(location)} in ${JSON.stringify(dir)} -> ${JSON.stringify(expected)}`, () => {
      assert.equal(resolveEntry(location, dir, ROOT), expected);
    });
  }
});

describe('M3U', () => {
  test('#EXTINF lines describe the next location; comments, blank lines and CRLF', () => {
    const text = '#EXTM3U\r\n#PLAYLIST:Road Trip\r\n\r\n#EXTINF:123,Artist - Title, with comma\r\nOne/a.mp3\r\n# a comment\r\nTwo/b.mp3\r\n#EXTINF:-1 tvg-id="x",Radio\r\nhttp://radio/x\r\n';
    assert.deepEqual(parseM3u(text, 100), {
      name: 'Road Trip',
      entries: [
        { location: 'One/a.mp3', title: 'Artist - Title, with comma', duration: 123 },
        { location: 'Two/b.mp3', title: null, duration: null },
        { location: 'http://radio/x', title: 'Radio', duration: null },
      ],
      problems: [],
    });
  });

  test('a plain list (no #EXTM3U); a fractional duration; a lone CR as line break', () => {
    assert.deepEqual(parseM3u('a.mp3\rb.mp3\n#EXTINF:2.5,Two and a half\nc.mp3', 10).entries, [
      { location: 'a.mp3', title: null, duration: null },
      { location: 'b.mp3', title: null, duration: null },
      { location: 'c.mp3', title: 'Two and a half', duration: 2.5 },
    ]);
  });

  test('malformed: a bad #EXTINF, binary lines, an overlong line: reported, the rest read', () => {
    const parsed = parseM3u(`#EXTINF:abc\na.mp3\n\u0000\u0001\u0002junk\n${'x'.repeat(5000)}\nb.mp3\n`, 10);
    assert.deepEqual(parsed.entries.map((e) => e.location), ['a.mp3', 'b.mp3']);
    assert.equal(parsed.entries[0]!.title, null, 'the malformed #EXTINF describes nothing');
    assert.deepEqual(parsed.problems, ['line 1: malformed #EXTINF', 'line 3: not a playlist line', 'line 4: not a playlist line']);
  });

  test('at most maxEntries entries', () => {
    const parsed = parseM3u('a\nb\nc\nd\n', 2);
    assert.deepEqual(parsed.entries.map((e) => e.location), ['a', 'b']);
    assert.deepEqual(parsed.problems, ['more than 2 entries: the rest is ignored']);
  });
});

describe('PLS', () => {
  test('File/Title/Length in the order of N, keys in any case; NumberOfEntries checked', () => {
    const text = '[playlist]\nFile2=b.mp3\ntitle2=Bee\nFile1=a.mp3\nTitle1=Ay\nLength1=61\nLength2=-1\nNumberOfEntries=2\nVersion=2\n';
    assert.deepEqual(parsePls(text, 10), {
      name: null,
      entries: [
        { location: 'a.mp3', title: 'Ay', duration: 61 },
        { location: 'b.mp3', title: 'Bee', duration: null },
      ],
      problems: [],
    });
  });

  test('malformed: no header, junk lines, a Title without File, a wrong count: reported, the rest read', () => {
    const parsed = parsePls('File1=a.mp3\nthis is not ini\nTitle3=orphan\nNumberOfEntries=5\n', 10);
    assert.deepEqual(parsed.entries, [{ location: 'a.mp3', title: null, duration: null }]);
    assert.deepEqual(parsed.problems, ['line 2: not a key=value line', 'no [playlist] section header', 'entry 3: Title or Length without File3', 'NumberOfEntries says 5, the file has 1']);
  });

  test('at most maxEntries entries (a huge N makes no huge array)', () => {
    const parsed = parsePls('[playlist]\nFile999999999=z.mp3\nFile1=a.mp3\nFile2=b.mp3\n', 2);
    assert.deepEqual(parsed.entries.map((e) => e.location), ['a.mp3', 'z.mp3']);
    assert.equal(parsed.problems.length, 1);
  });
});

describe('text encodings', () => {
  const cafe = Buffer.from('café.mp3\n', 'utf8');
  const cafeLatin1 = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x2e, 0x6d, 0x70, 0x33, 0x0a]);
  const CASES: Array<[string, Buffer, 'm3u' | 'm3u8' | 'pls', string]> = [
    ['.m3u8 UTF-8', cafe, 'm3u8', 'café.mp3\n'],
    ['.m3u8 UTF-8 with a BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), cafe]), 'm3u8', 'café.mp3\n'],
    ['.m3u8 is UTF-8 even when invalid (replacement character)', cafeLatin1, 'm3u8', 'caf\uFFFD.mp3\n'],
    ['.m3u valid UTF-8', cafe, 'm3u', 'café.mp3\n'],
    ['.m3u not UTF-8: Latin-1', cafeLatin1, 'm3u', 'café.mp3\n'],
    ['.m3u UTF-8 with a BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), cafe]), 'm3u', 'café.mp3\n'],
    ['.pls not UTF-8: Latin-1', cafeLatin1, 'pls', 'café.mp3\n'],
  ];
  for (const [name, bytes, format, text] of CASES) {
    test(name, () => assert.equal(decodePlaylist(bytes, format), text));
  }
});

test('playlistFormatOf and parsePlaylist pick the format by extension', () => {
  assert.deepEqual(['a.m3u', 'B.M3U8', 'c.pls', 'd.txt', 'm3u', 'e.m3u8.bak'].map(playlistFormatOf), ['m3u', 'm3u8', 'pls', undefined, undefined, undefined]);
  assert.equal(parsePlaylist('[playlist]\nFile1=a.mp3\n', 'pls', 10).entries[0]!.location, 'a.mp3');
  assert.equal(parsePlaylist('[playlist]\nFile1=a.mp3\n', 'm3u', 10).entries[0]!.location, '[playlist]');
});

test('entryLabel: "Artist - Title" from #EXTINF, else the file name', () => {
  const CASES: Array<[Parameters<typeof entryLabel>[0], ReturnType<typeof entryLabel>]> = [
    [{ location: 'x.mp3', title: 'Nina - Song - Live', duration: 1 }, { artist: 'Nina', title: 'Song - Live' }],
    [{ location: 'x.mp3', title: 'Just a title', duration: 1 }, { artist: null, title: 'Just a title' }],
    [{ location: 'Dir\\Sub\\01 Track.flac', title: null, duration: null }, { artist: null, title: '01 Track' }],
    [{ location: 'file:///m/caf%C3%A9.mp3', title: null, duration: null }, { artist: null, title: 'café' }],
  ];
  for (const [entry, label] of CASES) assert.deepEqual(entryLabel(entry), label);
});
