/**
 * The playlists API (issue 14, session required): list, make, read, replace, delete, export.
 * Every change is told to every device (`{ type: 'playlists' }`).
 *
 * - `PUT` replaces the whole playlist and needs `If-Match` with the version's `ETag`: none is
 *   428 Precondition Required (RFC 6585 §3: a client that forgets it would otherwise overwrite
 *   another device's change unseen), another version 412 (RFC 9110 §13.1.1).
 * - A library file is read-only: `PUT` and `DELETE` answer 405 with `Allow: GET, HEAD`.
 *   "Save as my playlist" is a `POST` with its present tracks' ids.
 * - Bounds: a name of 1 to 200 characters after trimming (else 400), at most 10,000 tracks
 *   (413), only tracks the server knows (400 listing the others), at most 1,000 playlists (409).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { apiPaths, MAX_PLAYLIST_NAME, MAX_PLAYLIST_TRACKS, MAX_PLAYLISTS, type ErrorResponse, type PlaylistError } from '@musicsharer/shared';
import {
  ErrorSchema,
  IdParamsSchema,
  PlaylistCreateSchema,
  PlaylistDetailSchema,
  PlaylistErrorSchema,
  PlaylistListSchema,
  PlaylistReplaceSchema,
  PlaylistSchema,
} from '@musicsharer/shared/schemas';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { attachment, safeFileName } from '../http/content-disposition.js';
import { evaluatePreconditions } from '../http/preconditions.js';
import { knownOf, playlistEntityTag, playlistEntries, playlistView, toM3u8, type AnyPlaylist } from '../playlists/views.js';
import type { KnownTrack, StoredPlaylist } from '../playlists/store.js';

const failure = (statusCode: number, error: string, message: string): ErrorResponse => ({ statusCode, error, message });
const NOT_FOUND = failure(404, 'Not Found', 'playlist not found');
const READ_ONLY = failure(405, 'Method Not Allowed', 'this playlist is a file in the music folder and cannot be changed here: save it as your own playlist (POST /api/playlists with its tracks) to edit it');
const NoContent = Type.Null();
/** At most this many unknown ids are named in a 400's message (all are in `unknownTrackIds`). */
const NAMED_IN_MESSAGE = 5;

/** A name as kept: line breaks and other controls become spaces, then trimmed; undefined when empty or too long. */
export function playlistName(raw: string): string | undefined {
  const name = raw.replace(/[\p{Cc}\p{Zl}\p{Zp}]/gu, ' ').trim();
  const length = [...name].length;
  return length >= 1 && length <= MAX_PLAYLIST_NAME ? name : undefined;
}

const playlistRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const catalog = app.library.catalog;
  const { store } = app.playlists;
  const byId = `${apiPaths.playlists}/:id`;

  /**
   * Checks name and tracks; on success, the name and what is known of each track (from the
   * library now, else from `previous`, the playlist being replaced). Otherwise the error reply.
   */
  function check(rawName: string, trackIds: string[], previous: StoredPlaylist | undefined): { name: string; known: Record<string, KnownTrack> } | PlaylistError {
    const name = playlistName(rawName);
    if (name === undefined) return failure(400, 'Bad Request', `a playlist's name has 1 to ${MAX_PLAYLIST_NAME} characters`);
    if (trackIds.length > MAX_PLAYLIST_TRACKS) return failure(413, 'Payload Too Large', `a playlist holds at most ${MAX_PLAYLIST_TRACKS} tracks (${trackIds.length} sent)`);
    const known = new Map<string, KnownTrack>();
    const unknown = new Set<string>();
    const before = new Set(previous?.trackIds);
    for (const id of trackIds) {
      if (known.has(id) || unknown.has(id)) continue;
      const track = catalog.getTrack(id);
      const last = previous && knownOf(previous, id);
      if (track) known.set(id, { title: track.title, artist: track.artist, path: track.path });
      else if (last) known.set(id, last);
      else if (!before.has(id)) unknown.add(id);
      // (else: missing and never seen, yet in the playlist: it keeps its place)
    }
    if (unknown.size > 0) {
      const ids = [...unknown];
      const named = ids.slice(0, NAMED_IN_MESSAGE).join(', ') + (ids.length > NAMED_IN_MESSAGE ? ', …' : '');
      return { ...failure(400, 'Bad Request', `${ids.length} unknown track id(s): ${named}`), unknownTrackIds: ids };
    }
    return { name, known: Object.fromEntries(known) };
  }

  const sendDetail = (reply: FastifyReply, source: AnyPlaylist, status = 200) =>
    reply
      .code(status)
      .header('ETag', playlistEntityTag(source))
      .header('Cache-Control', 'no-store')
      .send({ playlist: playlistView(source, catalog), tracks: playlistEntries(source, catalog) });

  app.get(apiPaths.playlists, { schema: { response: { 200: PlaylistListSchema } } }, async (_request, reply) =>
    reply.header('Cache-Control', 'no-store').send({ playlists: app.playlists.list().map((source) => playlistView(source, catalog)) }),
  );

  app.post(
    apiPaths.playlists,
    { schema: { body: PlaylistCreateSchema, response: { 201: PlaylistSchema, 400: PlaylistErrorSchema, 409: ErrorSchema, 413: ErrorSchema } } },
    async (request, reply) => {
      const trackIds = request.body.trackIds ?? [];
      const checked = check(request.body.name, trackIds, undefined);
      if ('statusCode' in checked) return reply.code(checked.statusCode as 400 | 413).send(checked);
      if (store.size >= MAX_PLAYLISTS) return reply.code(409).send(failure(409, 'Conflict', `at most ${MAX_PLAYLISTS} playlists: delete some first`));
      const playlist = await store.create(checked.name, trackIds, checked.known);
      request.log.info({ playlist: playlist.id, tracks: trackIds.length }, 'playlist made');
      app.playlists.changed();
      const source: AnyPlaylist = { kind: 'user', playlist };
      return reply
        .code(201)
        .header('Location', apiPaths.playlist(playlist.id))
        .header('ETag', playlistEntityTag(source))
        .send(playlistView(source, catalog));
    },
  );

  app.get(byId, { schema: { params: IdParamsSchema, response: { 200: PlaylistDetailSchema, 404: ErrorSchema } } }, async (request, reply) => {
    const source = app.playlists.find(request.params.id);
    return source ? sendDetail(reply, source) : reply.code(404).send(NOT_FOUND);
  });

  app.put(
    byId,
    {
      schema: {
        params: IdParamsSchema,
        body: PlaylistReplaceSchema,
        response: { 200: PlaylistDetailSchema, 400: PlaylistErrorSchema, 404: ErrorSchema, 405: ErrorSchema, 412: ErrorSchema, 413: ErrorSchema, 428: ErrorSchema },
      },
    },
    async (request, reply) => {
      const source = app.playlists.find(request.params.id);
      if (source === undefined) return reply.code(404).send(NOT_FOUND);
      if (source.kind === 'file') return reply.code(405).header('Allow', 'GET, HEAD').send(READ_ONLY);
      const ifMatch = request.headers['if-match'];
      if (ifMatch === undefined) return reply.code(428).send(failure(428, 'Precondition Required', "send If-Match with the playlist's ETag (from GET)"));
      const playlist = source.playlist;
      // §13.2.2: If-Match first; the version's change time stands in for Last-Modified.
      if (evaluatePreconditions({ method: 'PUT', ifMatch, hasRange: false }, { etag: playlistEntityTag(source), lastModified: playlist.updatedAt }) === 412) {
        return reply.code(412).header('ETag', playlistEntityTag(source)).send(failure(412, 'Precondition Failed', 'the playlist was changed meanwhile: fetch it again'));
      }
      const checked = check(request.body.name, request.body.trackIds, playlist);
      if ('statusCode' in checked) return reply.code(checked.statusCode as 400 | 413).send(checked);
      await store.replace(playlist, checked.name, request.body.trackIds, checked.known);
      request.log.info({ playlist: playlist.id, tracks: playlist.trackIds.length, version: playlist.version }, 'playlist changed');
      app.playlists.changed();
      return sendDetail(reply, source);
    },
  );

  app.delete(
    byId,
    { schema: { params: IdParamsSchema, response: { 204: NoContent, 404: ErrorSchema, 405: ErrorSchema, 412: ErrorSchema } } },
    async (request, reply) => {
      const source = app.playlists.find(request.params.id);
      if (source === undefined) return reply.code(404).send(NOT_FOUND);
      if (source.kind === 'file') return reply.code(405).header('Allow', 'GET, HEAD').send(READ_ONLY);
      // If-Match is optional here; when sent, it must name the current version.
      const ifMatch = request.headers['if-match'];
      if (ifMatch !== undefined && evaluatePreconditions({ method: 'DELETE', ifMatch, hasRange: false }, { etag: playlistEntityTag(source), lastModified: source.playlist.updatedAt }) === 412) {
        return reply.code(412).send(failure(412, 'Precondition Failed', 'the playlist was changed meanwhile'));
      }
      await store.delete(source.playlist.id);
      request.log.info({ playlist: source.playlist.id }, 'playlist deleted');
      app.playlists.changed();
      return reply.code(204).send(null);
    },
  );

  app.get(
    `${byId}/m3u8`,
    { schema: { params: IdParamsSchema, response: { 200: Type.String(), 404: ErrorSchema } } },
    async (request, reply) => {
      const source = app.playlists.find(request.params.id);
      if (source === undefined) return reply.code(404).send(NOT_FOUND);
      return reply
        .header('Content-Type', 'audio/x-mpegurl; charset=utf-8')
        .header('Content-Disposition', attachment(`${safeFileName(source.playlist.name, 'playlist')}.m3u8`))
        .header('Cache-Control', 'no-store')
        .send(toM3u8(source, catalog));
    },
  );
};

export default playlistRoutes;
