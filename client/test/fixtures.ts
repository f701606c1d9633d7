import { apiPaths, type Playlist, type Album, type Artist, type Device, type Session, type Share, type SharePageData, type SharePageTrack, type Track } from '@musicsharer/shared';
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

/** A route of `fakeFetch`: a JSON body, a `Response` (see `reply`), or a function of the request giving either. */
export type FakeRoute = unknown | ((url: URL, init: RequestInit | undefined) => unknown);

export interface FakeRequest {
  url: string;
  method: string;
  /** The JSON body sent, parsed; undefined when there was none. */
  body: unknown;
}

const sentHeaders = new WeakMap<FakeRequest, Record<string, string>>();

/** The header fields a request of `fakeFetch` was sent with (lowercased names). */
export function headersOf(request: FakeRequest | undefined): Record<string, string> {
  return (request && sentHeaders.get(request)) ?? {};
}

/** An answer with a status and header fields, for a `fakeFetch` route (no body: null). */
export function reply(status: number, body: unknown = null, headers: Record<string, string> = {}): Response {
  const text = body === null ? null : JSON.stringify(body);
  return new Response(text, { status, headers: { ...(text === null ? {} : { 'content-type': 'application/json' }), ...headers } });
}

/** The 401 every protected route answers without a session. */
export const unauthorized = () => reply(401, { statusCode: 401, error: 'Unauthorized', message: 'Pair this device first' });

/**
 * A fetch that answers from a table of path -> JSON body, `Response` or function of the request;
 * anything else is a 404. `calls` lists the URLs asked for, `requests` their methods and bodies.
 */
export function fakeFetch(routes: Record<string, FakeRoute>): Fetch & { calls: string[]; requests: FakeRequest[] } {
  const calls: string[] = [];
  const requests: FakeRequest[] = [];
  const fn = async (input: string, init?: RequestInit) => {
    calls.push(input);
    const request: FakeRequest = { url: input, method: init?.method ?? 'GET', body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined };
    sentHeaders.set(request, Object.fromEntries(new Headers(init?.headers).entries()));
    requests.push(request);
    const url = new URL(input, 'http://test.local');
    const route = routes[url.pathname];
    if (route === undefined) return new Response('{"statusCode":404}', { status: 404 });
    const body = typeof route === 'function' ? (route as (url: URL, init: RequestInit | undefined) => unknown)(url, init) : route;
    if (body instanceof Response) return body.clone();
    return new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });
  };
  return Object.assign(fn, { calls, requests });
}

export function makeSession(overrides: Partial<Session> = {}): Session {
  return {
    id: 's1',
    name: 'Safari on iPhone',
    createdAt: '2026-05-01T10:00:00.000Z',
    lastSeenAt: new Date().toISOString(),
    address: '192.168.1.30',
    current: true,
    ...overrides,
  };
}

/** The access-control routes of a server where this browser is paired (as session `s1`). */
export function authRoutes({ passwordSet = false } = {}): Record<string, FakeRoute> {
  const current = makeSession();
  const other = makeSession({ id: 's2', name: 'Firefox on Linux', address: '192.168.1.20', current: false, lastSeenAt: new Date(Date.now() - 2 * 3600_000).toISOString() });
  return {
    [apiPaths.session]: { auth: true, passwordSet, session: current },
    [apiPaths.sessions]: { sessions: [other, current] },
  };
}

/** A library of `count` tracks across albums of 10, as the server's routes would serve it. */
export function libraryRoutes(count: number) {
  const tracks = Array.from({ length: count }, (_, i) =>
    makeTrack(i + 1, { albumId: `a${Math.floor(i / 10) + 1}`, album: `Album ${Math.floor(i / 10) + 1}`, trackNo: (i % 10) + 1 }),
  );
  const albums = Array.from({ length: Math.ceil(count / 10) }, (_, i) => makeAlbum(i + 1, { trackCount: 10 }));
  const artists = [makeArtist(1, { name: 'The Testers', albumCount: albums.length, trackCount: count })];
  const routes: Record<string, FakeRoute> = {
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
  /** The connection ends (`code` as the close frame said; none for a network drop or a refused upgrade). */
  drop(code?: number) {
    this.readyState = 3;
    this.onclose?.(Object.assign(new Event('close'), { code: code ?? 1006 }) as CloseEvent);
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

/** happy-dom's <audio>, with play() recorded (and answerable) and the read-only media state settable. */
export function fakeAudio() {
  const audio = document.createElement('audio');
  const log: string[] = [];
  let refusal: string | null = null;
  const realPlay = audio.play.bind(audio);
  audio.play = vi.fn(() => {
    log.push(`play ${audio.getAttribute('src')}`);
    // Like a browser: paused flips at once when allowed; the promise settles later.
    if (refusal) return Promise.reject(Object.assign(new Error('refused'), { name: refusal }));
    return realPlay();
  });
  const set = (name: 'duration' | 'readyState' | 'currentTime', value: number) =>
    Object.defineProperty(audio, name, { value, configurable: true, writable: true });
  return {
    audio,
    log,
    set,
    refuse(name = 'NotAllowedError') {
      refusal = name;
    },
    allow() {
      refusal = null;
    },
  };
}

/** A track as the share page's data lists it (share `abc`). */
export function shareTrack(n: number, overrides: Partial<SharePageTrack> = {}): SharePageTrack {
  return { id: `t${n}`, title: `Song ${n}`, artist: 'The Testers', album: 'Shared Album', trackNo: n, duration: 120 + n, url: `/s/abc/stream/t${n}`, mimeType: 'audio/mpeg', codec: 'MPEG 1 Layer 3', bitrate: 192_000, ...overrides };
}

/** The share page's data for share `abc`: an album of three tracks, with a cover, no download. */
export function sharePageData(overrides: Partial<SharePageData> = {}): SharePageData {
  return {
    type: 'album',
    title: 'Shared Album',
    artist: 'The Testers',
    coverUrl: '/s/abc/cover',
    downloadUrl: null,
    tracks: [shareTrack(1), shareTrack(2), shareTrack(3)],
    transcoding: true,
    ...overrides,
  };
}

/** A share link as `/api/shares` answers it: share `k1` of album a1, 7 days from now, no download. */
export function makeShare(overrides: Partial<Share> = {}): Share {
  const id = overrides.id ?? 'k1';
  return {
    id,
    url: `http://192.168.1.20:4533/s/${id}`,
    type: 'album',
    targetId: 'a1',
    title: 'Album 1',
    expiresAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
    download: false,
    visits: 0,
    createdAt: new Date().toISOString(),
    ...overrides,
  };
}

/**
 * Gives `navigator` a `share`, a `clipboard` or a `userActivation` of the test's (happy-dom has
 * no share sheet); undefined removes one. Returns the undo.
 */
export function stubNavigator(members: { share?: Navigator['share'] | undefined; clipboard?: Partial<Clipboard> | undefined; userActivation?: Partial<UserActivation> }): () => void {
  const names = Object.keys(members) as (keyof typeof members)[];
  for (const name of names) Object.defineProperty(navigator, name, { value: members[name], configurable: true, writable: true });
  return () => {
    for (const name of names) delete (navigator as unknown as Record<string, unknown>)[name];
  };
}

interface StoredPlaylist {
  id: string;
  name: string;
  trackIds: string[];
  readOnly: boolean;
  path: string | null;
  version: number;
}

/**
 * The playlist routes as the server answers them, over `tracks` (the library): the list (yours by
 * name, then the read-only files), create, and per playlist GET with a strong ETag, PUT with
 * If-Match (428 without, 412 when stale, 405 read-only), DELETE. Ids `p1`…`p9` (`lib1` for a
 * read-only file given in `files`). `elsewhere(id, change)` is another device's change.
 */
export function playlistServer(tracks: readonly Track[], files: { name: string; trackIds: string[] }[] = []) {
  const byId = new Map(tracks.map((t) => [t.id, t]));
  const stored = new Map<string, StoredPlaylist>();
  files.forEach((file, i) => stored.set(`lib${i + 1}`, { id: `lib${i + 1}`, ...file, readOnly: true, path: `Lists/${file.name}.m3u8`, version: 1 }));
  let next = 1;
  const view = (p: StoredPlaylist): Playlist => ({
    id: p.id,
    name: p.name,
    trackCount: p.trackIds.length,
    duration: p.trackIds.reduce((sum, id) => sum + (byId.get(id)?.duration ?? 0), 0),
    readOnly: p.readOnly,
    path: p.path,
    updatedAt: '2026-12-01T10:00:00.000Z',
  });
  const detail = (p: StoredPlaylist, status = 200) =>
    reply(
      status,
      {
        playlist: view(p),
        tracks: p.trackIds.map((id) => {
          const track = byId.get(id) ?? null;
          return { id, track, title: track?.title ?? `Lost ${id}`, artist: track?.artist ?? null };
        }),
      },
      { etag: `"v${p.version}"` },
    );
  const error = (status: number) => reply(status, { statusCode: status, error: 'Error', message: String(status) });
  const one = (id: string) => (_url: URL, init: RequestInit | undefined) => {
    const p = stored.get(id);
    if (!p) return error(404);
    const method = init?.method ?? 'GET';
    if (method === 'GET') return detail(p);
    if (p.readOnly) return error(405);
    const ifMatch = new Headers(init?.headers).get('if-match');
    if (method === 'DELETE') {
      stored.delete(id);
      return reply(204);
    }
    if (ifMatch === null) return error(428);
    if (ifMatch !== `"v${p.version}"`) return error(412);
    const body = JSON.parse(String(init?.body)) as { name: string; trackIds: string[] };
    Object.assign(p, { name: body.name, trackIds: body.trackIds, version: p.version + 1 });
    return detail(p);
  };
  const routes: Record<string, FakeRoute> = {
    [apiPaths.playlists]: (_url: URL, init: RequestInit | undefined) => {
      if (init?.method === 'POST') {
        const body = JSON.parse(String(init.body)) as { name: string; trackIds?: string[] };
        const p: StoredPlaylist = { id: `p${next++}`, name: body.name, trackIds: body.trackIds ?? [], readOnly: false, path: null, version: 1 };
        stored.set(p.id, p);
        return reply(201, view(p), { etag: `"v1"` });
      }
      const all = [...stored.values()];
      const mine = all.filter((p) => !p.readOnly).sort((a, b) => a.name.localeCompare(b.name));
      return { playlists: [...mine, ...all.filter((p) => p.readOnly)].map(view) };
    },
  };
  for (let i = 1; i <= 9; i++) routes[apiPaths.playlist(`p${i}`)] = one(`p${i}`);
  files.forEach((_, i) => (routes[apiPaths.playlist(`lib${i + 1}`)] = one(`lib${i + 1}`)));
  return {
    routes,
    stored,
    /** Another device changes playlist `id` (its version moves on). */
    elsewhere(id: string, change: (p: StoredPlaylist) => void) {
      const p = stored.get(id)!;
      change(p);
      p.version++;
    },
  };
}
