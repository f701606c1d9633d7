/**
 * Share links (issue 13; playlists, issue 14): the store (`app.shares`) and the public side, `/s/:shareId/...`,
 * which needs no session: the page, the share's cover, its tracks through the same Range
 * plugin as `/stream` (every RFC 9110 rule holds), and the download when allowed.
 *
 * Every `/s/:shareId` request first finds its share (a hook in this context): unknown 404,
 * revoked or expired (or its album or track gone from the library) 410, both the same small
 * page. A track id that is not in the share is 404 whether or not the library has it. Page
 * loads are counted and rate-limited per address (a burst gets 429); media requests are not.
 */
import { apiPaths, type SharePageData, type Track } from '@musicsharer/shared';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { addressKey } from '../auth/failure-limiter.js';
import { TokenBucket } from '../now-playing/admission.js';
import { COVER_ERRORS, CoverQuerySchema, sendCover, type CoverQuery } from '../routes/cover.js';
import { sendFileDownload, sendZipDownload, type DownloadFile } from '../share/download.js';
import { jpegSize, renderSharePage, shareGonePage, type SharePageAssets } from '../share/share-page.js';
import { ShareStore, type ShareRecord } from '../share/share-store.js';
import { safeFileName } from '../http/content-disposition.js';
import { playlistEntries } from '../playlists/views.js';
import streamPlugin from './stream.js';

export interface SharesPluginOptions {
  /** The real media folder. */
  root: string;
  /** Where shares.json lives. */
  dataDir: string;
  /** The built client (for the share page's script and styles in Vite's manifest). */
  clientDir: string;
  /** `--public-url`: the origin links are made with; else the request's own. */
  publicUrl?: string;
}

/** What a share opens, resolved against the library now. */
export interface ShareContent {
  share: ShareRecord;
  title: string;
  artist: string | null;
  tracks: Track[];
  albumId: string | null;
  hasCover: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    shares: { store: ShareStore; contentOf(share: ShareRecord): ShareContent | undefined; baseUrl(request: FastifyRequest): string };
  }
  interface FastifyRequest {
    /** The share of a `/s/:shareId/...` request (set by its hook). */
    shareContent: ShareContent | null;
  }
}

/** Page loads per address: a burst of 30, then one every 2 s. */
const PAGE_BURST = 30;
const PAGES_PER_SECOND = 0.5;
const MAX_LIMITED_ADDRESSES = 10_000;
/** Cover sizes remembered for share pages (one per cover version). */
const MAX_REMEMBERED_COVER_SIZES = 256;
/** The share entry of the client build (client/vite.config.ts). */
const SHARE_ENTRY = 'src/share/main.ts';

function readShareAssets(clientDir: string): SharePageAssets {
  try {
    const manifest = JSON.parse(readFileSync(join(clientDir, '.vite', 'manifest.json'), 'utf8')) as Record<string, { file?: string; css?: string[] }>;
    const entry = manifest[SHARE_ENTRY];
    return { script: entry?.file && `/${entry.file}`, styles: (entry?.css ?? []).map((file) => `/${file}`) };
  } catch {
    return { script: undefined, styles: [] };
  }
}

export default fp<SharesPluginOptions>(
  async (app, options) => {
    const store = await ShareStore.open(join(options.dataDir, 'shares.json'), app.log);
    const catalog = app.library.catalog;
    const assets = readShareAssets(options.clientDir);
    const rootPrefix = options.root.endsWith(sep) ? options.root : options.root + sep;

    function contentOf(share: ShareRecord): ShareContent | undefined {
      if (share.type === 'album') {
        const entry = catalog.album(share.targetId);
        if (entry === undefined || entry.tracks.length === 0) return undefined;
        return { share, title: entry.album.title, artist: entry.album.artist, tracks: entry.tracks as Track[], albumId: entry.album.id, hasCover: entry.album.coverUrl !== null };
      }
      if (share.type === 'playlist') {
        // The tracks present now, in order, each once (a stream or a ZIP entry per track).
        const source = app.playlists.find(share.targetId);
        if (source === undefined) return undefined;
        const tracks = [...new Map(playlistEntries(source, catalog).flatMap((e) => (e.track ? [[e.track.id, e.track] as const] : []))).values()];
        if (tracks.length === 0) return undefined;
        const covered = tracks.find((t) => t.coverUrl !== null);
        return { share, title: source.playlist.name, artist: null, tracks, albumId: covered?.albumId ?? null, hasCover: covered !== undefined };
      }
      const track = catalog.getTrack(share.targetId);
      if (track === undefined) return undefined;
      return { share, title: track.title, artist: track.artist, tracks: [track], albumId: track.albumId, hasCover: track.coverUrl !== null };
    }
    const baseUrl = (request: FastifyRequest) => options.publicUrl ?? `${request.protocol}://${request.headers.host ?? request.host}`;
    app.decorate('shares', { store, contentOf, baseUrl });
    app.decorateRequest('shareContent', null);

    const buckets = new Map<string, TokenBucket>();
    function pageAllowed(address: string): boolean {
      const key = addressKey(address);
      let bucket = buckets.get(key);
      if (bucket === undefined) {
        if (buckets.size >= MAX_LIMITED_ADDRESSES) {
          for (const [k, b] of buckets) if (b.isFull()) buckets.delete(k);
          if (buckets.size >= MAX_LIMITED_ADDRESSES) buckets.delete(buckets.keys().next().value!);
        }
        buckets.set(key, (bucket = new TokenBucket(PAGE_BURST, PAGES_PER_SECOND)));
      }
      return bucket.take();
    }

    /**
     * The 512-px cover's pixel size for og:image:width/height: read from the thumbnail once per
     * cover version (its ETag), not on every page load.
     */
    const coverSizes = new Map<string, { width: number; height: number } | undefined>();
    async function coverSize(albumId: string): Promise<{ width: number; height: number } | undefined> {
      const version = await app.library.covers.version(albumId);
      if (typeof version !== 'object') return undefined;
      if (coverSizes.has(version.etag)) return coverSizes.get(version.etag);
      const thumbnail = await app.library.covers.thumbnail(version, 512);
      const size = thumbnail.ok && Buffer.isBuffer(thumbnail.image.body) ? jpegSize(thumbnail.image.body) : undefined;
      if (coverSizes.size >= MAX_REMEMBERED_COVER_SIZES) coverSizes.delete(coverSizes.keys().next().value!);
      coverSizes.set(version.etag, size);
      return size;
    }

    const gone = (reply: FastifyReply, status: 404 | 410) =>
      reply.code(status).header('Cache-Control', 'no-store').type('text/html; charset=utf-8').send(shareGonePage());

    await app.register(
      async (scope) => {
        scope.addHook('onRequest', (request: FastifyRequest<{ Params: { shareId?: string } }>, reply, done) => {
          const share = store.get(request.params.shareId ?? '');
          if (share === undefined) return void gone(reply, 404);
          const content = store.state(share) === 'live' ? contentOf(share) : undefined;
          if (content === undefined) return void gone(reply, 410);
          request.shareContent = content;
          done();
        });

        scope.get<{ Params: { shareId: string } }>('/', { config: { public: true } }, async (request, reply) => {
          if (!pageAllowed(request.ip)) {
            return reply.code(429).header('Retry-After', '2').type('text/plain; charset=utf-8').send('Too many requests: wait a moment and reload.');
          }
          const content = request.shareContent!;
          const id = content.share.id;
          if (request.method === 'GET') store.visit(content.share);
          const base = baseUrl(request);
          let image: { url: string; width: number; height: number } | undefined;
          if (content.hasCover && content.albumId) {
            const size = await coverSize(content.albumId);
            if (size) image = { url: `${base}/s/${id}/cover?size=512`, ...size };
          }
          const data: SharePageData = {
            type: content.share.type,
            title: content.title,
            artist: content.artist,
            coverUrl: image ? `/s/${id}/cover` : null,
            downloadUrl: content.share.download ? `/s/${id}/download` : null,
            tracks: content.tracks.map((t) => ({
              id: t.id,
              title: t.title,
              artist: t.artist,
              album: t.album,
              trackNo: t.trackNo,
              duration: t.duration,
              url: apiPaths.shareStream(id, t.id),
              mimeType: t.mimeType,
              codec: t.codec,
              bitrate: t.bitrate,
            })),
            transcoding: (await app.transcoding.get()) !== null,
          };
          return reply
            .header('Cache-Control', 'no-store')
            .header('Referrer-Policy', 'no-referrer')
            .header('X-Content-Type-Options', 'nosniff')
            .type('text/html; charset=utf-8')
            .send(renderSharePage({ data, pageUrl: `${base}/s/${id}`, image, assets }));
        });

        scope.get<{ Querystring: CoverQuery }>(
          '/cover',
          { config: { public: true }, schema: { querystring: CoverQuerySchema, response: COVER_ERRORS } },
          async (request, reply) => {
            const content = request.shareContent!;
            if (!content.hasCover || content.albumId === null) return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: 'no cover' });
            return sendCover(app.library.covers, content.albumId, request.query.size, request, reply);
          },
        );

        scope.get('/download', { config: { public: true } }, async (request, reply) => {
          const content = request.shareContent!;
          if (!content.share.download) return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: 'downloads are off for this link' });
          const files: DownloadFile[] = [];
          for (const track of content.tracks) {
            const record = catalog.getRecord(track.id);
            if (record) files.push({ realPath: record.realPath, path: record.path, size: record.size, mtimeMs: record.mtimeMs, mimeType: record.mimeType });
          }
          if (files.length === 0) return gone(reply, 410);
          reply.hijack();
          if (content.share.type === 'track') {
            await sendFileDownload(reply.raw, files[0]!, rootPrefix, request.log).catch((error: unknown) => {
              request.log.info({ err: error }, 'download refused');
              if (!reply.raw.headersSent) reply.raw.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found');
            });
          } else {
            await sendZipDownload(reply.raw, safeFileName(content.title, content.share.type), files, rootPrefix, request.log);
          }
          return reply;
        });

        // A share's tracks: the Range plugin, looking ids up only among the share's own.
        await scope.register(streamPlugin, {
          root: options.root,
          public: true,
          resolve: (id, request) => {
            const content = request.shareContent;
            if (!content?.tracks.some((t) => t.id === id)) return undefined;
            const record = catalog.getRecord(id);
            return record && { path: record.realPath, mimeType: record.mimeType, durationSec: record.duration };
          },
          // A friend's phone that cannot play the original asks for `?format=mp3` too.
          transcodes: app.transcoding,
        });
      },
      { prefix: '/s/:shareId' },
    );

    app.addHook('onClose', () => store.flush());
  },
  { name: 'musicsharer-shares', fastify: '5.x', dependencies: ['musicsharer-library', 'musicsharer-playlists', 'musicsharer-transcoding'] },
);
