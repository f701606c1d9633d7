/**
 * What covers ask of sharp (libvips), loaded on the first cover request: an image's format, and
 * a JPEG thumbnail. Both take the whole image in memory; `covers.ts` bounds how many at once.
 */
import type { Sharp, SharpOptions } from 'sharp';
import type { CoverSize } from '@musicsharer/shared';

type SharpFactory = (input: Buffer, options?: SharpOptions) => Sharp;
let sharpLoading: Promise<SharpFactory> | undefined;

/** sharp (libvips) is loaded on the first cover request, not at start-up. */
function loadSharp(): Promise<SharpFactory> {
  sharpLoading ??= import('sharp').then(({ default: sharp }) => {
    // One image at a time and no libvips cache: covers are small, the CPU is shared.
    sharp.cache(false);
    sharp.concurrency(1);
    return sharp;
  });
  return sharpLoading;
}

/** Formats we serve as originals, by sharp's name, with their MIME types. */
export const MIME_BY_FORMAT: Readonly<Record<string, string>> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  heif: 'image/avif',
};

export const formatOfMime = (mimeType: string): string | undefined => Object.keys(MIME_BY_FORMAT).find((f) => MIME_BY_FORMAT[f] === mimeType);

/** sharp's name of the image's format, from its header; throws if it cannot be read. */
export async function imageFormat(data: Buffer): Promise<string | undefined> {
  const sharp = await loadSharp();
  return (await sharp(data).metadata()).format;
}

/** A JPEG that fits in size x size (never enlarged, EXIF orientation honoured); throws if the image is corrupt. */
export async function makeThumbnail(data: Buffer, size: CoverSize): Promise<Buffer> {
  const sharp = await loadSharp();
  return sharp(data, { failOn: 'error' })
    .rotate() // honour EXIF orientation
    .resize(size, size, { fit: 'inside', withoutEnlargement: true })
    .flatten({ background: '#ffffff' })
    .jpeg({ quality: 82, progressive: size > 256 })
    .toBuffer();
}
