/**
 * The share page (`GET /s/:id`), rendered here: an iMessage, WhatsApp or Signal preview reads
 * only the `<head>` (Open Graph, https://ogp.me), and the page must list the tracks before any
 * script runs. The player script and its styles are the client build's `share` entry (found
 * in Vite's manifest); the page hands it its data as JSON. Nothing but the share's own tracks
 * is on the page.
 */
import { SHARE_DATA_ELEMENT_ID, type SharePageData } from '@musicsharer/shared';
import { smallPage } from '../routes/small-page.js';

export interface SharePageAssets {
  script: string | undefined;
  styles: string[];
}

export interface SharePageInput {
  data: SharePageData;
  /** Absolute URL of the page (og:url). */
  pageUrl: string;
  /** Absolute URL of the 512-px cover and its size, or undefined. */
  image: { url: string; width: number; height: number } | undefined;
  assets: SharePageAssets;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/** JSON inside `<script>`: `<` escaped so no `</script>` (or `<!--`) in a title can end it. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

/** "1 hr 5 min", "43 min", "3:12" (a single track). */
function totalTime(seconds: number): string {
  const minutes = Math.max(1, Math.round(seconds / 60));
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} hr ${minutes % 60} min`;
}

/** og:description: "Artist · 12 tracks · 48 min" for an album, "Artist · Album · 3:12" for a track. */
export function shareDescription(data: SharePageData): string {
  const known = data.tracks.map((t) => t.duration ?? 0).reduce((a, b) => a + b, 0);
  if (data.type === 'track') {
    const track = data.tracks[0];
    return [data.artist, track?.album, track?.duration ? formatDuration(track.duration) : null].filter(Boolean).join(' · ');
  }
  const count = `${data.tracks.length} ${data.tracks.length === 1 ? 'track' : 'tracks'}`;
  return [data.artist, count, known > 0 ? totalTime(known) : null].filter(Boolean).join(' · ');
}

/** Open Graph's music object types (ogp.me §music). */
const OG_TYPES = { album: 'music.album', track: 'music.song', playlist: 'music.playlist' } as const;

export function renderSharePage({ data, pageUrl, image, assets }: SharePageInput): string {
  const title = data.artist ? `${data.title} — ${data.artist}` : data.title;
  const description = shareDescription(data);
  const meta = (property: string, content: string) => `<meta property="${property}" content="${escapeHtml(content)}">`;
  const head = [
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">',
    '<meta name="color-scheme" content="light dark">',
    '<meta name="robots" content="noindex">',
    '<meta name="referrer" content="no-referrer">',
    `<title>${escapeHtml(title)}</title>`,
    // The app's own icons (public, like the rest of the shell): no /favicon.ico 404 per visit.
    '<link rel="icon" type="image/png" sizes="32x32" href="/icons/favicon-32.png">',
    '<link rel="apple-touch-icon" href="/icons/apple-touch-icon.png">',
    `<meta name="description" content="${escapeHtml(description)}">`,
    meta('og:type', OG_TYPES[data.type]),
    meta('og:title', data.title),
    meta('og:description', description),
    meta('og:url', pageUrl),
    meta('og:site_name', 'musicsharer'),
    ...(image
      ? [
          meta('og:image', image.url),
          meta('og:image:secure_url', image.url),
          meta('og:image:type', 'image/jpeg'),
          meta('og:image:width', String(image.width)),
          meta('og:image:height', String(image.height)),
          meta('og:image:alt', `Cover of ${data.title}`),
        ]
      : []),
    `<meta name="twitter:card" content="${image ? 'summary_large_image' : 'summary'}">`,
    `<meta name="twitter:title" content="${escapeHtml(data.title)}">`,
    `<meta name="twitter:description" content="${escapeHtml(description)}">`,
    ...(image ? [`<meta name="twitter:image" content="${escapeHtml(image.url)}">`] : []),
    ...assets.styles.map((href) => `<link rel="stylesheet" href="${escapeHtml(href)}">`),
    ...(assets.script ? [`<script type="module" src="${escapeHtml(assets.script)}"></script>`] : []),
  ];
  const tracks = data.tracks
    .map(
      (track, i) =>
        `<li><button type="button" class="share-track" data-index="${i}" data-track-id="${escapeHtml(track.id)}">` +
        // The position in the list: track numbers restart on each disc of an album.
        `<span class="share-no">${i + 1}</span><span class="share-name">${escapeHtml(track.title)}</span>` +
        `<span class="share-time">${track.duration ? formatDuration(track.duration) : ''}</span></button></li>`,
    )
    .join('\n');
  const cover = data.coverUrl ? `<img class="share-cover" src="${escapeHtml(data.coverUrl)}?size=512" alt="" width="512" height="512">` : '';
  const download = data.downloadUrl ? `<p class="share-download"><a href="${escapeHtml(data.downloadUrl)}" download>Download</a></p>` : '';
  return `<!doctype html>
<html lang="en">
<head>
${head.join('\n')}
</head>
<body>
<main id="share" class="share">
<header class="share-head">${cover}
<h1 class="share-title">${escapeHtml(data.title)}</h1>
<p class="share-sub">${escapeHtml(description)}</p>
</header>
<ol class="share-tracks">
${tracks}
</ol>
${download}
<div id="share-player" class="share-player" hidden></div>
</main>
<script type="application/json" id="${SHARE_DATA_ELEMENT_ID}">${scriptJson(data)}</script>
</body>
</html>
`;
}

/**
 * 404 (no such link) and 410 (revoked or expired): the same small page, so it tells nothing
 * about which links exist, and nothing about the library.
 */
export function shareGonePage(): string {
  return smallPage(
    'Link not available',
    `<h1>Link not available</h1>
<p>This link has expired, was turned off, or never existed.</p>
<p>Ask the person who sent it for a new one.</p>`,
  );
}

/** Width and height of a JPEG (from its SOF marker), or undefined. */
export function jpegSize(jpeg: Buffer): { width: number; height: number } | undefined {
  let at = 2;
  while (at + 9 < jpeg.length) {
    if (jpeg[at] !== 0xff) return undefined;
    const marker = jpeg[at + 1]!;
    const length = jpeg.readUInt16BE(at + 2);
    // SOF0..SOF15 except DHT (C4), JPG (C8), DAC (CC)
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: jpeg.readUInt16BE(at + 5), width: jpeg.readUInt16BE(at + 7) };
    }
    at += 2 + length;
  }
  return undefined;
}
