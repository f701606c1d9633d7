/**
 * Writes the demo library in media/: a few short, audible tracks composed and encoded by code
 * (sine-wave arpeggios through a pure-JS MP3 encoder, tagged with our own ID3 writer). No real
 * music is committed. Run: npx tsx --conditions=source scripts/make-demo-media.ts
 */
import { Mp3Encoder } from '@breezystack/lamejs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import sharp from 'sharp';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { id3v2Tag } from '../server/synth/id3.js';

const SAMPLE_RATE = 44_100;
const KBPS = 64;
const mediaDir = fileURLToPath(new URL('../media/', import.meta.url));

const NOTE = (semitonesFromA4: number) => 440 * 2 ** (semitonesFromA4 / 12);

/** An arpeggio over a chord progression: each step a soft plucked sine with a decay. */
function compose(progression: number[][], stepSeconds: number, repeats: number): Int16Array {
  const stepSamples = Math.round(stepSeconds * SAMPLE_RATE);
  const steps = progression.flatMap((chord) => Array.from({ length: repeats }, () => chord).flat());
  const out = new Int16Array(steps.length * stepSamples);
  steps.forEach((semitones, step) => {
    const frequency = NOTE(semitones);
    for (let i = 0; i < stepSamples; i++) {
      const t = i / SAMPLE_RATE;
      const envelope = Math.min(1, i / 200) * Math.exp(-3 * t);
      const sample = (Math.sin(2 * Math.PI * frequency * t) + 0.3 * Math.sin(4 * Math.PI * frequency * t)) * envelope;
      out[step * stepSamples + i] = Math.round(sample * 9000);
    }
  });
  return out;
}

function encode(samples: Int16Array): Buffer {
  const encoder = new Mp3Encoder(1, SAMPLE_RATE, KBPS);
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < samples.length; offset += 1152) {
    chunks.push(Buffer.from(encoder.encodeBuffer(samples.subarray(offset, offset + 1152))));
  }
  chunks.push(Buffer.from(encoder.flush()));
  return Buffer.concat(chunks);
}

const album = { album: 'Sine Language', albumArtist: 'The Oscillators', artist: 'The Oscillators', year: '2026', genre: 'Demo' };
const tracks = [
  { title: 'Morning Arpeggio', progression: [[0, 4, 7, 12], [-3, 0, 4, 9], [-7, -3, 0, 5], [-5, -1, 2, 7]] },
  { title: 'Minor Detour', progression: [[-3, 0, 4, 9], [-7, -3, 0, 5], [-10, -5, -1, 2], [-8, -4, -1, 4]] },
  { title: 'Lock Screen Lullaby', progression: [[-12, -5, 0, 4], [-7, 0, 5, 9], [-9, -2, 3, 7], [-10, -3, 2, 5]] },
];

await rm(mediaDir, { recursive: true, force: true });
const folder = join(mediaDir, album.albumArtist, album.album);
await mkdir(folder, { recursive: true });
// A cover drawn by code: three sine waves over a gradient, saved as the album folder's cover.jpg.
const waves = [0, 1, 2]
  .map((i) => {
    const points = Array.from({ length: 61 }, (_, x) => `${x * 10},${300 + i * 60 - 90 + Math.sin(x / (3 + i)) * (70 - i * 15)}`).join(' ');
    return `<polyline points="${points}" fill="none" stroke="rgba(255,255,255,${0.9 - i * 0.25})" stroke-width="${10 - i * 2}" stroke-linecap="round"/>`;
  })
  .join('');
const coverSvg = `<svg xmlns="http://www.w3.org/2000/svg" width="600" height="600">
  <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#3a1c71"/><stop offset="0.5" stop-color="#d76d77"/><stop offset="1" stop-color="#ffaf7b"/></linearGradient></defs>
  <rect width="600" height="600" fill="url(#g)"/>${waves}</svg>`;
await sharp(Buffer.from(coverSvg)).jpeg({ quality: 85 }).toFile(join(folder, 'cover.jpg'));

for (const [index, track] of tracks.entries()) {
  const audio = encode(compose(track.progression, 0.18, 6));
  const tag = id3v2Tag({ ...album, title: track.title, track: `${index + 1}/${tracks.length}` });
  const name = `${String(index + 1).padStart(2, '0')} ${track.title}.mp3`;
  await writeFile(join(folder, name), Buffer.concat([tag, audio]));
  console.log(`wrote ${join(album.albumArtist, album.album, name)} (${audio.length} bytes)`);
}
