/**
 * A random-access file tokenizer for music-metadata that reads the head of the file in one
 * go. music-metadata asks for many small pieces (ID3 header, tag, frame syncs, ...): with
 * strtok3's FileTokenizer each is its own read through the thread pool, which is what bounds a
 * first scan. Here the first 64 KiB (where tags and the first frames live) come from one read;
 * anything else (a large embedded picture, the ID3v1 tag at the end) is read as asked.
 *
 * Reads are bounded: a file that is not what its name says (4 GB of junk behind one fake MP3
 * frame header) would otherwise have music-metadata search it for frame syncs to the end, a
 * few small reads at a time (about 45 ms of CPU per MB here: minutes for such a file). The
 * leading ID3v2 tag may be read whole (its size is in its header, at most 256 MiB by the
 * format, and it holds the pictures); everything else read past the head counts against
 * `TAG_READ_BUDGET_BYTES`, and a read that would pass it fails with `ReadBudgetExceeded`.
 * No real file needs that much: a FLAC metadata block is at most 16 MiB, an MP4 `moov` a few,
 * and music-metadata reads only the first frames of the audio.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { AbstractTokenizer, EndOfStreamError, type IRandomAccessFileInfo, type IReadChunkOptions } from 'strtok3';
import { id3v2Size } from './mp3-duration.js';

export const HEAD_BYTES = 64 * 1024;
/** Bytes a tag read may read past the head and the leading ID3v2 tag. */
export const TAG_READ_BUDGET_BYTES = 16 * 1024 * 1024;

/** The file needed more reading than any audio file does: it is not readable audio. */
export class ReadBudgetExceeded extends Error {
  override name = 'ReadBudgetExceeded';
  constructor() {
    super(`no audio found in the first ${TAG_READ_BUDGET_BYTES / (1024 * 1024)} MiB outside the tags`);
  }
}

/** End of the leading ID3v2 tags as far as the head shows them (several may follow each other). */
function leadingTagsEnd(head: Uint8Array): number {
  let end = 0;
  for (let size = id3v2Size(head, 0); size > 0; size = id3v2Size(head, end)) end += size;
  return end;
}

export class HeadCachedFileTokenizer extends AbstractTokenizer {
  readonly fileInfo: IRandomAccessFileInfo;
  readonly #handle: FileHandle;
  readonly #head: Uint8Array;
  /** Reads below this offset are free: the head and the leading ID3v2 tags. */
  readonly #freeEnd: number;
  #budget = TAG_READ_BUDGET_BYTES;

  private constructor(handle: FileHandle, fileInfo: IRandomAccessFileInfo, head: Uint8Array) {
    super();
    this.#handle = handle;
    this.fileInfo = fileInfo;
    this.#head = head;
    this.#freeEnd = Math.max(head.length, leadingTagsEnd(head));
  }

  /** Opens the file and reads its head. `size` is the size the caller's stat saw. */
  static async open(path: string, info: { size: number; mimeType?: string }): Promise<HeadCachedFileTokenizer> {
    const handle = await open(path, 'r');
    try {
      const head = new Uint8Array(Math.min(info.size, HEAD_BYTES));
      let filled = 0;
      while (filled < head.length) {
        const { bytesRead } = await handle.read(head, filled, head.length - filled, filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return new HeadCachedFileTokenizer(handle, { path, size: info.size, mimeType: info.mimeType }, head.subarray(0, filled));
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  async readBuffer(target: Uint8Array, options?: IReadChunkOptions): Promise<number> {
    const normalized = this.normalizeOptions(target, options);
    this.position = normalized.position;
    const bytesRead = await this.#readAt(target, normalized.position, normalized.length, normalized.mayBeLess ?? false);
    this.position += bytesRead;
    return bytesRead;
  }

  async peekBuffer(target: Uint8Array, options?: IReadChunkOptions): Promise<number> {
    const normalized = this.normalizeOptions(target, options);
    return this.#readAt(target, normalized.position, normalized.length, normalized.mayBeLess ?? false);
  }

  async #readAt(target: Uint8Array, position: number, length: number, mayBeLess: boolean): Promise<number> {
    let bytesRead = 0;
    if (position < this.#head.length) {
      bytesRead = Math.min(length, this.#head.length - position);
      target.set(this.#head.subarray(position, position + bytesRead));
    }
    const charged = Math.max(0, position + length - Math.max(position, this.#freeEnd));
    if (charged > this.#budget) throw new ReadBudgetExceeded();
    this.#budget -= charged;
    // Past the head: read from the file; only a zero-byte read means the end.
    while (bytesRead < length) {
      const result = await this.#handle.read(target, bytesRead, length - bytesRead, position + bytesRead);
      if (result.bytesRead === 0) break;
      bytesRead += result.bytesRead;
    }
    if (!mayBeLess && bytesRead < length) throw new EndOfStreamError();
    return bytesRead;
  }

  setPosition(position: number): void {
    this.validateLength(position, 'position');
    this.position = position;
  }

  supportsRandomAccess(): boolean {
    return true;
  }

  protected override async closeOnce(): Promise<void> {
    await this.#handle.close();
    await super.closeOnce();
  }
}
