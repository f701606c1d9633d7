import { apiPaths, type Album, type Artist, type Device, type Track } from '@musicsharer/shared';
import { vi } from 'vitest';
import type { Fetch } from '../src/state/api.js';
import type { SocketLike } from '../src/state/now-playing.js';

export function makeTrack(n: number, overrides: Partial<Track> = {}): Track {
  const id = `t${n}`;
  return {
    id,
    title: `Song ${n}`,
    artist: 'The Testers',
    album: 'First Album',
    albumArtist: 'The Testers',
    trackNo: n,
    discNo: 1,
    year: 2020,
    genre: null,
    duration: 180 + n,
    codec: 'MPEG 1 Layer 3',
    bitrate: 192000,
    path: `The Testers/First Album/${n}.mp3`,
    url: apiPaths.stream(id),
    mimeType: 'audio/mpeg',
    albumId: 'a1',
    artistId: 'r1',
    coverUrl: null,
    ...overrides,
  };
}

export function makeAlbum(n: number, overrides: Partial<Album> = {}): Album {
  return {
    id: `a${n}`,
    title: `Album ${n}`,
    artist: 'The Testers',
    artistId: 'r1',
    year: 2020,
    trackCount: 3,
    duration: 600,
    coverUrl: n % 2 ? `/cover/a${n}` : null,
    ...overrides,
  };
}

export function makeArtist(n: number, overrides: Partial<Artist> = {}): Artist {
  return { id: `r${n}`, name: `Artist ${n}`, albumCount: 1, trackCount: 3, ...overrides };
}

export function makeDevice(overrides: Partial<Device> = {}): Device {
  return {
    deviceId: 'd2',
    name: 'Kitchen Mac',
    trackId: 't2',
    title: 'Song 2',
    artist: 'The Testers',
    positionSec: 42,
    paused: true,
    updatedAt: Date.now(),
    ...overrides,
  };
}

/** A fetch that answers from a table of path -> JSON body (or a function of the URL); anything else is a 404. */
export function fakeFetch(routes: Record<string, unknown | ((url: URL) => unknown)>): Fetch & { calls: string[] } {
  const calls: string[] = [];
  const fn = async (input: string) => {
    calls.push(input);
    const url = new URL(input, 'http://test.local');
    const route = routes[url.pathname];
    if (route === undefined) return new Response('{"statusCode":404}', { status: 404 });
    const body = typeof route === 'function' ? (route as (url: URL) => unknown)(url) : route;
    return new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });
  };
  return Object.assign(fn, { calls });
}

/** A library of `count` tracks across albums of 10, as the server's routes would serve it. */
export function libraryRoutes(count: number) {
  const tracks = Array.from({ length: count }, (_, i) =>
    makeTrack(i + 1, { albumId: `a${Math.floor(i / 10) + 1}`, album: `Album ${Math.floor(i / 10) + 1}`, trackNo: (i % 10) + 1 }),
  );
  const albums = Array.from({ length: Math.ceil(count / 10) }, (_, i) => makeAlbum(i + 1, { trackCount: 10 }));
  const artists = [makeArtist(1, { name: 'The Testers', albumCount: albums.length, trackCount: count })];
  const routes: Record<string, unknown | ((url: URL) => unknown)> = {
    [apiPaths.albums]: { albums },
    [apiPaths.artists]: { artists },
    [apiPaths.scan]: { scanning: false, done: count, total: count, trackCount: count },
    [apiPaths.tracks]: (url: URL) => {
      const offset = Number(url.searchParams.get('offset') ?? 0);
      const limit = Number(url.searchParams.get('limit') ?? count);
      return { tracks: tracks.slice(offset, offset + limit), total: tracks.length };
    },
    [apiPaths.artist('r1')]: { artist: artists[0], albums },
  };
  for (const album of albums) routes[apiPaths.album(album.id)] = { album, tracks: tracks.filter((t) => t.albumId === album.id) };
  for (const track of tracks) routes[apiPaths.track(track.id)] = track;
  return { tracks, albums, artists, routes };
}

/** A WebSocket stand-in: tests open, message and close it by hand. */
export class FakeSocket implements SocketLike {
  static instances: FakeSocket[] = [];
  static get last(): FakeSocket {
    const s = FakeSocket.instances.at(-1);
    if (!s) throw new Error('no socket created');
    return s;
  }
  readyState = 0;
  sent: string[] = [];
  closed = false;
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;

  constructor(readonly url: string) {
    FakeSocket.instances.push(this);
  }
  send(data: string) {
    if (this.readyState !== 1) throw new Error('not open');
    this.sent.push(data);
  }
  close() {
    this.closed = true;
    this.readyState = 3;
  }
  get messages(): { type: string; [key: string]: unknown }[] {
    return this.sent.map((s) => JSON.parse(s) as { type: string });
  }
  // --- driven by tests ---
  open() {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }
  receive(message: unknown) {
    this.onmessage?.(new MessageEvent('message', { data: JSON.stringify(message) }));
  }
  drop() {
    this.readyState = 3;
    this.onclose?.(new Event('close') as CloseEvent);
  }
}

/** Lets pending promise callbacks run. */
export const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

/** A `navigator.mediaSession` stand-in that records its action handlers and position reports. */
export function fakeSession() {
  const handlers = new Map<string, MediaSessionActionHandler | null>();
  return {
    handlers,
    metadata: null as MediaMetadata | null,
    playbackState: 'none' as MediaSessionPlaybackState,
    setActionHandler: vi.fn((action: string, handler: MediaSessionActionHandler | null) => handlers.set(action, handler)),
    setPositionState: vi.fn(),
  };
}

/** happy-dom has no `MediaMetadata`: this one keeps what it was given, for tests to read back. Undo with `vi.unstubAllGlobals()`. */
export function stubMediaMetadata() {
  vi.stubGlobal(
    'MediaMetadata',
    class {
      constructor(init: MediaMetadataInit) {
        Object.assign(this, init);
      }
    },
  );
}
