/**
 * A ZIP archive (PKWARE APPNOTE 6.3.10) written as it is read: no temporary file, one file at
 * a time, with the response's backpressure. Entries are stored, not deflated (audio is
 * compressed already; deflating it gains nothing and costs CPU), with UTF-8 names (flag bit 11)
 * and a data descriptor after each file (bit 3), since a file's CRC-32 is known only once it
 * has been read. Sizes are known in advance (from lstat), so the archive's exact length is too:
 * `zipLength` gives `Content-Length`, and a file whose size changes mid-way fails the archive.
 *
 * ZIP64 (APPNOTE 4.3.14, 4.5.3) where a size or an offset does not fit 32 bits, so an album of
 * more than 4 GiB still opens.
 */
import { crc32 } from 'node:zlib';

export interface ZipEntry {
  /** Path inside the archive, `/` separators. */
  name: string;
  size: number;
  mtime: Date;
}

const LOCAL = 0x04034b50;
const DESCRIPTOR = 0x08074b50;
const CENTRAL = 0x02014b50;
const END = 0x06054b50;
const END64 = 0x06064b50;
const LOCATOR64 = 0x07064b50;
const FLAGS = 0x0808; // bit 3: data descriptor; bit 11: UTF-8 names
const MAX32 = 0xffffffff;

/** Sizes and offsets at or above `limit` need ZIP64 (a parameter so tests can reach that path with small files). */
export interface ZipOptions {
  zip64Limit?: number;
}

interface Planned {
  entry: ZipEntry;
  name: Buffer;
  offset: number;
  /** The entry needs ZIP64 fields (its size or its offset is too large). */
  zip64: boolean;
}

function dosDateTime(date: Date): { time: number; date: number } {
  const year = Math.max(1980, date.getFullYear());
  return {
    time: (date.getHours() << 11) | (date.getMinutes() << 5) | Math.floor(date.getSeconds() / 2),
    date: ((year - 1980) << 9) | ((date.getMonth() + 1) << 5) | date.getDate(),
  };
}

const localHeaderSize = (p: Planned) => 30 + p.name.length + (p.zip64 ? 20 : 0);
const descriptorSize = (p: Planned) => (p.zip64 ? 24 : 16);
const centralSize = (p: Planned) => 46 + p.name.length + (p.zip64 ? 28 : 0);

/** Where each entry goes, and the archive's layout. */
export function planZip(entries: readonly ZipEntry[], options: ZipOptions = {}) {
  const limit = options.zip64Limit ?? MAX32;
  const planned: Planned[] = [];
  let offset = 0;
  for (const entry of entries) {
    const p: Planned = { entry, name: Buffer.from(entry.name, 'utf8'), offset, zip64: entry.size >= limit || offset >= limit };
    planned.push(p);
    offset += localHeaderSize(p) + entry.size + descriptorSize(p);
  }
  const centralOffset = offset;
  const centralLength = planned.reduce((sum, p) => sum + centralSize(p), 0);
  const zip64End = planned.length >= 0xffff || centralOffset >= limit || centralLength >= limit || planned.some((p) => p.zip64);
  const length = centralOffset + centralLength + (zip64End ? 56 + 20 : 0) + 22;
  return { planned, centralOffset, centralLength, zip64End, length };
}

export type ZipPlan = ReturnType<typeof planZip>;

/** The archive's exact length in bytes. */
export function zipLength(entries: readonly ZipEntry[], options: ZipOptions = {}): number {
  return planZip(entries, options).length;
}

export function localHeader(p: Planned): Buffer {
  const { time, date } = dosDateTime(p.entry.mtime);
  const out = Buffer.alloc(localHeaderSize(p));
  out.writeUInt32LE(LOCAL, 0);
  out.writeUInt16LE(p.zip64 ? 45 : 20, 4);
  out.writeUInt16LE(FLAGS, 6);
  out.writeUInt16LE(0, 8); // stored
  out.writeUInt16LE(time, 10);
  out.writeUInt16LE(date, 12);
  // CRC and sizes follow in the data descriptor (bit 3); with ZIP64 the sizes say "see extra".
  out.writeUInt32LE(0, 14);
  out.writeUInt32LE(p.zip64 ? MAX32 : 0, 18);
  out.writeUInt32LE(p.zip64 ? MAX32 : 0, 22);
  out.writeUInt16LE(p.name.length, 26);
  out.writeUInt16LE(p.zip64 ? 20 : 0, 28);
  p.name.copy(out, 30);
  if (p.zip64) {
    const at = 30 + p.name.length;
    out.writeUInt16LE(0x0001, at);
    out.writeUInt16LE(16, at + 2);
    // original and compressed sizes: 0 here, in the descriptor
  }
  return out;
}

export function dataDescriptor(p: Planned, crc: number): Buffer {
  const out = Buffer.alloc(descriptorSize(p));
  out.writeUInt32LE(DESCRIPTOR, 0);
  out.writeUInt32LE(crc >>> 0, 4);
  if (p.zip64) {
    out.writeBigUInt64LE(BigInt(p.entry.size), 8);
    out.writeBigUInt64LE(BigInt(p.entry.size), 16);
  } else {
    out.writeUInt32LE(p.entry.size, 8);
    out.writeUInt32LE(p.entry.size, 12);
  }
  return out;
}

/** The central directory and the end records, once every entry's CRC is known. */
export function centralDirectory(plan: ZipPlan, crcs: readonly number[]): Buffer {
  const parts: Buffer[] = [];
  plan.planned.forEach((p, i) => {
    const { time, date } = dosDateTime(p.entry.mtime);
    const out = Buffer.alloc(centralSize(p));
    out.writeUInt32LE(CENTRAL, 0);
    out.writeUInt16LE((3 << 8) | 45, 4); // made by: Unix, 4.5
    out.writeUInt16LE(p.zip64 ? 45 : 20, 6);
    out.writeUInt16LE(FLAGS, 8);
    out.writeUInt16LE(0, 10);
    out.writeUInt16LE(time, 12);
    out.writeUInt16LE(date, 14);
    out.writeUInt32LE(crcs[i]! >>> 0, 16);
    out.writeUInt32LE(p.zip64 ? MAX32 : p.entry.size, 20);
    out.writeUInt32LE(p.zip64 ? MAX32 : p.entry.size, 24);
    out.writeUInt16LE(p.name.length, 28);
    out.writeUInt16LE(p.zip64 ? 28 : 0, 30);
    out.writeUInt16LE(0, 32); // comment
    out.writeUInt16LE(0, 34); // disk
    out.writeUInt16LE(0, 36); // internal attributes
    out.writeUInt32LE((0o100644 << 16) >>> 0, 38); // a regular file, rw-r--r--
    out.writeUInt32LE(p.zip64 ? MAX32 : p.offset, 42);
    p.name.copy(out, 46);
    if (p.zip64) {
      const at = 46 + p.name.length;
      out.writeUInt16LE(0x0001, at);
      out.writeUInt16LE(24, at + 2);
      out.writeBigUInt64LE(BigInt(p.entry.size), at + 4);
      out.writeBigUInt64LE(BigInt(p.entry.size), at + 12);
      out.writeBigUInt64LE(BigInt(p.offset), at + 20);
    }
    parts.push(out);
  });
  const count = plan.planned.length;
  if (plan.zip64End) {
    const end64 = Buffer.alloc(56);
    end64.writeUInt32LE(END64, 0);
    end64.writeBigUInt64LE(44n, 4); // size of the rest of this record
    end64.writeUInt16LE((3 << 8) | 45, 12);
    end64.writeUInt16LE(45, 14);
    end64.writeUInt32LE(0, 16);
    end64.writeUInt32LE(0, 20);
    end64.writeBigUInt64LE(BigInt(count), 24);
    end64.writeBigUInt64LE(BigInt(count), 32);
    end64.writeBigUInt64LE(BigInt(plan.centralLength), 40);
    end64.writeBigUInt64LE(BigInt(plan.centralOffset), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(LOCATOR64, 0);
    locator.writeUInt32LE(0, 4);
    locator.writeBigUInt64LE(BigInt(plan.centralOffset + plan.centralLength), 8);
    locator.writeUInt32LE(1, 16);
    parts.push(end64, locator);
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(END, 0);
  end.writeUInt16LE(plan.zip64End ? 0xffff : count, 8);
  end.writeUInt16LE(plan.zip64End ? 0xffff : count, 10);
  end.writeUInt32LE(plan.zip64End ? MAX32 : plan.centralLength, 12);
  end.writeUInt32LE(plan.zip64End ? MAX32 : plan.centralOffset, 16);
  end.writeUInt16LE(0, 20);
  parts.push(end);
  return Buffer.concat(parts);
}

/** Continues a CRC-32 over `chunk`. */
export function crcOf(chunk: Uint8Array, crc: number): number {
  return crc32(chunk, crc);
}
