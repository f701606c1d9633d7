/**
 * A share's download (`/s/:id/download`): a track's file as it is, or an album as a ZIP
 * streamed while it is built (zip-writer.ts). Files are opened the way the stream plugin opens
 * them (O_NOFOLLOW, then the open descriptor's own path must be inside the media folder), and
 * a file whose size changed since the listing cuts the download rather than sending a broken
 * archive with a correct-looking length.
 */
import { once } from 'node:events';
import { open, type FileHandle } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { basename, extname } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { attachment, safeFileName } from '../http/content-disposition.js';
import { GUARDED_OPEN_FLAGS, nodeStreamFs } from '../stream/stream-fs.js';
import { centralDirectory, crcOf, dataDescriptor, localHeader, planZip, type ZipEntry } from './zip-writer.js';

export interface DownloadFile {
  realPath: string;
  /** The file's path relative to the media folder (for its name in the archive). */
  path: string;
  size: number;
  mtimeMs: number;
  mimeType: string;
}

const CHUNK_BYTES = 256 * 1024;

class Aborted extends Error {}

/** Opens a media file safely, or throws. */
async function openInside(file: DownloadFile, rootPrefix: string): Promise<FileHandle> {
  const handle = await open(file.realPath, GUARDED_OPEN_FLAGS);
  try {
    const [where, stats] = await Promise.all([nodeStreamFs.fdPath(handle.fd, file.realPath), handle.stat()]);
    if (where === undefined || !where.startsWith(rootPrefix) || !stats.isFile()) throw new Error('not a regular file inside the media folder');
    if (stats.size !== file.size) throw new Error('the file changed since it was listed');
    return handle;
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** Writes with backpressure; throws Aborted once the client has gone. */
async function write(res: ServerResponse, chunk: Uint8Array): Promise<void> {
  if (res.destroyed) throw new Aborted();
  if (res.write(chunk)) return;
  const gone = new AbortController();
  const onClose = () => gone.abort();
  res.once('close', onClose);
  try {
    await once(res, 'drain', { signal: gone.signal });
  } catch {
    throw new Aborted();
  } finally {
    res.off('close', onClose);
  }
}

/** Streams one file's bytes; returns their CRC-32. */
async function pump(res: ServerResponse, handle: FileHandle, size: number): Promise<number> {
  let crc = 0;
  let sent = 0;
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  while (sent < size) {
    const { bytesRead } = await handle.read(buffer, 0, Math.min(CHUNK_BYTES, size - sent), sent);
    if (bytesRead === 0) throw new Error('the file got shorter while it was read');
    // A copy: the buffer is reused for the next read while this chunk may still be queued.
    const chunk = Buffer.from(buffer.subarray(0, bytesRead));
    crc = crcOf(chunk, crc);
    sent += bytesRead;
    await write(res, chunk);
  }
  return crc;
}

/** Names inside the archive: `<album>/<file name>`, made unique. */
export function archiveNames(folder: string, files: readonly DownloadFile[]): string[] {
  const used = new Set<string>();
  return files.map((file) => {
    const base = safeFileName(basename(file.path), 'track');
    const ext = extname(base);
    let name = `${folder}/${base}`;
    for (let n = 2; used.has(name.toLowerCase()); n++) name = `${folder}/${base.slice(0, base.length - ext.length)} (${n})${ext}`;
    used.add(name.toLowerCase());
    return name;
  });
}

/** Sends one file whole, as an attachment. */
export async function sendFileDownload(res: ServerResponse, file: DownloadFile, rootPrefix: string, log: FastifyBaseLogger): Promise<void> {
  const handle = await openInside(file, rootPrefix);
  try {
    res.writeHead(200, {
      'Content-Type': file.mimeType,
      'Content-Length': String(file.size),
      'Content-Disposition': attachment(safeFileName(basename(file.path), 'track')),
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    });
    // HEAD: the fields are the answer; nothing to read.
    if (res.req.method !== 'HEAD') await pump(res, handle, file.size);
    res.end();
  } catch (error) {
    if (!(error instanceof Aborted)) log.warn({ err: error, path: file.path }, 'download cut short');
    res.destroy();
  } finally {
    await handle.close();
  }
}

/** Streams `files` as `<folder>.zip`, with an exact Content-Length. */
export async function sendZipDownload(res: ServerResponse, folder: string, files: readonly DownloadFile[], rootPrefix: string, log: FastifyBaseLogger): Promise<void> {
  const names = archiveNames(folder, files);
  const entries: ZipEntry[] = files.map((file, i) => ({ name: names[i]!, size: file.size, mtime: new Date(file.mtimeMs) }));
  const plan = planZip(entries);
  res.writeHead(200, {
    'Content-Type': 'application/zip',
    'Content-Length': String(plan.length),
    'Content-Disposition': attachment(`${folder}.zip`),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  if (res.req.method === 'HEAD') {
    res.end();
    return;
  }
  const crcs: number[] = [];
  try {
    for (const [i, p] of plan.planned.entries()) {
      const handle = await openInside(files[i]!, rootPrefix);
      try {
        await write(res, localHeader(p));
        const crc = await pump(res, handle, p.entry.size);
        crcs.push(crc);
        await write(res, dataDescriptor(p, crc));
      } finally {
        await handle.close();
      }
    }
    await write(res, centralDirectory(plan, crcs));
    res.end();
  } catch (error) {
    // Headers (and a length) are out: a short body is the only honest signal left.
    if (!(error instanceof Aborted)) log.warn({ err: error, folder }, 'album download cut short');
    res.destroy();
  }
}
