/**
 * A URL for every screen of the app (issue 14). The server answers each of these paths with the
 * app shell (index.html), so a reload, a home-screen app reopened by iOS or a link shared between
 * devices lands on the same screen; the client reads the path back with `parseScreen`.
 */

/** The id segments of screen paths: the same shape as the API's ids (IdParamsSchema). */
export const SCREEN_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** The path patterns the server answers with the app shell (besides `/`). */
export const SCREEN_ROUTES = [
  '/albums',
  '/albums/:id',
  '/artists',
  '/artists/:id',
  '/tracks',
  '/playlists',
  '/playlists/:id',
  '/devices',
  '/search',
] as const;

/** Builders: the only place the client makes screen URLs. */
export const screenPaths = {
  albums: '/albums',
  album: (id: string) => `/albums/${encodeURIComponent(id)}`,
  artists: '/artists',
  artist: (id: string) => `/artists/${encodeURIComponent(id)}`,
  tracks: '/tracks',
  playlists: '/playlists',
  playlist: (id: string) => `/playlists/${encodeURIComponent(id)}`,
  devices: '/devices',
  /** `/search` alone for an empty query. */
  search: (query: string) => (query === '' ? '/search' : `/search?q=${encodeURIComponent(query)}`),
} as const;

export type Screen =
  | { name: 'albums' }
  | { name: 'album'; id: string }
  | { name: 'artists' }
  | { name: 'artist'; id: string }
  | { name: 'tracks' }
  | { name: 'playlists' }
  | { name: 'playlist'; id: string }
  | { name: 'devices' }
  | { name: 'search'; query: string };

/** The screen `/` opens. */
export const DEFAULT_SCREEN: Screen = { name: 'albums' };

/**
 * The screen of a location (`location.pathname`, `location.search`); undefined for a path that
 * is not a screen (the server answers those with 404). `/` is the default screen.
 */
export function parseScreen(pathname: string, search = ''): Screen | undefined {
  if (pathname === '/') return DEFAULT_SCREEN;
  const parts = pathname.split('/');
  if (parts[0] !== '' || parts.length > 3) return undefined;
  const [, section, rawId] = parts;
  if (rawId === undefined) {
    switch (section) {
      case 'albums':
      case 'artists':
      case 'tracks':
      case 'playlists':
      case 'devices':
        return { name: section };
      case 'search':
        return { name: 'search', query: queryParam(search, 'q') ?? '' };
      default:
        return undefined;
    }
  }
  let id: string;
  try {
    id = decodeURIComponent(rawId);
  } catch {
    return undefined;
  }
  if (!SCREEN_ID_PATTERN.test(id)) return undefined;
  switch (section) {
    case 'albums':
      return { name: 'album', id };
    case 'artists':
      return { name: 'artist', id };
    case 'playlists':
      return { name: 'playlist', id };
    default:
      return undefined;
  }
}

/** One parameter of a query string (`?a=1&q=x`), as a form encodes it (`+` is a space); undefined when absent or malformed. */
export function queryParam(search: string, name: string): string | undefined {
  for (const pair of search.replace(/^\?/, '').split('&')) {
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    if (key !== name) continue;
    try {
      return decodeURIComponent((eq < 0 ? '' : pair.slice(eq + 1)).replace(/\+/g, ' '));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The path of a screen (the inverse of parseScreen). */
export function screenPath(screen: Screen): string {
  switch (screen.name) {
    case 'album':
      return screenPaths.album(screen.id);
    case 'artist':
      return screenPaths.artist(screen.id);
    case 'playlist':
      return screenPaths.playlist(screen.id);
    case 'search':
      return screenPaths.search(screen.query);
    default:
      return screenPaths[screen.name];
  }
}
