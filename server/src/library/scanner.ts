/**
 * Brings the catalog in line with the media folder: reads tags of new and changed files with
 * bounded concurrency, keeps records of unchanged files (same size and mtime) without
 * re-reading them, drops records of files that are gone. Corrupt files are logged and skipped.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Catalog } from './catalog.js';
import { trackId } from './ids.js';
import type { AudioFile, TrackRecord } from './record.js';
import { readTrack } from './tags.js';
import { walkAudioFiles } from './walk.js';

export interface ScanProgress {
  /** Audio files found so far. */
  found: number;
  /** Of those, files dealt with (read, kept or skipped). */
  done: number;
  /** Files whose tags were read in this scan. */
  read: number;
  skipped: number;
}

export interface ScanOptions {
  log: FastifyBaseLogger;
  /** Tag reads in flight at once (music-metadata's authors advise against parsing everything at once). */
  concurrency?: number;
  onProgress?: (progress: Readonly<ScanProgress>) => void;
  /** Called for each record added or replaced, as soon as it is read. */
  onTrack?: (record: TrackRecord) => void;
}

export interface ScanResult extends ScanProgress {
  removed: number;
  durationMs: number;
}

export const DEFAULT_SCAN_CONCURRENCY = 16;

export function isUnchanged(record: TrackRecord | undefined, file: AudioFile): boolean {
  return record !== undefined && record.size === file.size && record.mtimeMs === file.mtimeMs && record.realPath === file.realPath;
}

export async function scanLibrary(root: string, catalog: Catalog, options: ScanOptions): Promise<ScanResult> {
  const started = performance.now();
  const { log, concurrency = DEFAULT_SCAN_CONCURRENCY } = options;
  const progress: ScanProgress = { found: 0, done: 0, read: 0, skipped: 0 };
  const seen = new Set<string>();
  const inFlight = new Set<Promise<void>>();

  const readOne = async (file: AudioFile): Promise<void> => {
    try {
      const record = await readTrack(file);
      catalog.upsert(record);
      progress.read++;
      options.onTrack?.(record);
    } catch (error) {
      progress.skipped++;
      catalog.remove(trackId(file.relPath));
      log.warn({ path: file.relPath, reason: (error as Error).message }, 'skipped unreadable audio file');
    } finally {
      progress.done++;
      options.onProgress?.(progress);
    }
  };

  for await (const file of walkAudioFiles(root, {
    onError: (path, error) => log.warn({ path, reason: error.message }, 'could not read folder entry'),
  })) {
    progress.found++;
    const id = trackId(file.relPath);
    seen.add(id);
    if (isUnchanged(catalog.getRecord(id), file)) {
      progress.done++;
      options.onProgress?.(progress);
      continue;
    }
    const task = readOne(file).finally(() => inFlight.delete(task));
    inFlight.add(task);
    if (inFlight.size >= concurrency) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);

  let removed = 0;
  for (const record of [...catalog.records()]) {
    if (!seen.has(record.id)) {
      catalog.remove(record.id);
      removed++;
    }
  }
  return { ...progress, removed, durationMs: performance.now() - started };
}
