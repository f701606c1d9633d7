/**
 * Writes the home-screen icons (client/public/icons/*.png) from code: a beamed pair of notes on
 * the accent colour, drawn per pixel with 4×4 supersampling and encoded by a tiny PNG writer.
 *
 *   npx tsx client/scripts/make-icons.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

type RGB = [number, number, number];

const TOP: RGB = [0xf0, 0x3e, 0x74];
const BOTTOM: RGB = [0xa8, 0x1c, 0x52];
const INK: RGB = [0xff, 0xff, 0xff];

// --- PNG -----------------------------------------------------------------------------------
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** An RGB PNG (colour type 2, 8 bits), every scanline with filter 0. */
export function encodePng(width: number, height: number, rgb: Uint8Array): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 3 + 1)] = 0;
    raw.set(rgb.subarray(y * width * 3, (y + 1) * width * 3), y * (width * 3 + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

// --- The glyph, in unit coordinates (0..1, y down) -------------------------------------------
function inEllipse(x: number, y: number, cx: number, cy: number, rx: number, ry: number, angle: number): boolean {
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const dx = x - cx;
  const dy = y - cy;
  const u = (dx * cos + dy * sin) / rx;
  const v = (-dx * sin + dy * cos) / ry;
  return u * u + v * v <= 1;
}

function inGlyph(x: number, y: number): boolean {
  const tilt = -0.35;
  if (inEllipse(x, y, 0.355, 0.7, 0.105, 0.075, tilt)) return true;
  if (inEllipse(x, y, 0.715, 0.64, 0.105, 0.075, tilt)) return true;
  if (x >= 0.418 && x <= 0.458 && y >= 0.3 && y <= 0.69) return true; // left stem
  if (x >= 0.778 && x <= 0.818 && y >= 0.24 && y <= 0.63) return true; // right stem
  if (x >= 0.418 && x <= 0.818) {
    const top = 0.28 + ((x - 0.418) / 0.4) * -0.06; // beam
    if (y >= top && y <= top + 0.085) return true;
  }
  return false;
}

/** `scale` shrinks the glyph toward the centre (maskable icons keep to the inner safe zone). */
function draw(size: number, scale: number): Uint8Array {
  const out = new Uint8Array(size * size * 3);
  const samples = 4;
  for (let py = 0; py < size; py++) {
    const t = py / (size - 1);
    const bg = TOP.map((c, i) => c + (BOTTOM[i]! - c) * t) as RGB;
    for (let px = 0; px < size; px++) {
      let hits = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const x = (px + (sx + 0.5) / samples) / size;
          const y = (py + (sy + 0.5) / samples) / size;
          if (inGlyph(0.535 + (x - 0.5) / scale, 0.5 + (y - 0.5) / scale)) hits++;
        }
      }
      const a = hits / (samples * samples);
      const o = (py * size + px) * 3;
      for (let i = 0; i < 3; i++) out[o + i] = Math.round(bg[i]! * (1 - a) + INK[i]! * a);
    }
  }
  return out;
}

const dir = new URL('../public/icons/', import.meta.url);
mkdirSync(dir, { recursive: true });
const icons: [string, number, number][] = [
  ['apple-touch-icon.png', 180, 0.9],
  ['icon-192.png', 192, 0.9],
  ['icon-512.png', 512, 0.9],
  ['icon-maskable-512.png', 512, 0.72],
  ['favicon-32.png', 32, 1],
];
for (const [name, size, scale] of icons) {
  const png = encodePng(size, size, draw(size, scale));
  writeFileSync(new URL(name, dir), png);
  console.log(`${name}: ${size}×${size}, ${png.length} bytes`);
}
