/**
 * Item 4 of issue 11: 40 clients each ask for the original cover of an album whose MP3 embeds a
 * ~39 MB picture, read the first bytes of the answer and never read on; meanwhile a normal
 * client asks for the track list every 100 ms. Target: server RSS grows under 200 MB.
 */
import { once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { join } from 'node:path';
import sharp from 'sharp';
import { cbrStream, id3v2Tag } from '../../server/synth/index.js';
import { normalClient, percentile, rssMb, samplePeakRss, type Load } from './common.js';

const PICTURE_BYTES = 39 * 1024 * 1024;
const CLIENTS = 40;

/** A JPEG that decodes, padded after its end marker to `size` bytes. */
async function largeJpeg(size: number): Promise<Buffer> {
  const jpeg = await sharp({ create: { width: 640, height: 640, channels: 3, background: '#c03030' } }).jpeg().toBuffer();
  return Buffer.concat([jpeg, Buffer.alloc(size - jpeg.length, 0x55)]);
}

export const covers: Load = {
  name: 'covers',
  async run({ work, startServer, row }) {
    const media = join(work, 'media');
    await mkdir(join(media, 'Big Cover'), { recursive: true });
    const tag = id3v2Tag({ title: 'Big', artist: 'Cover Band', album: 'Big Cover', picture: { mime: 'image/jpeg', data: await largeJpeg(PICTURE_BYTES) } });
    await writeFile(join(media, 'Big Cover', '01.mp3'), Buffer.concat([tag, cbrStream(2)]));
    const server = await startServer({ media, trackCount: 1 });
    const { albums } = (await (await fetch(`${server.base}/api/albums`)).json()) as { albums: Array<{ id: string }> };
    const albumId = albums[0]!.id;
    const before = rssMb(server.pid);
    const peakRss = samplePeakRss(server.pid);
    const stop = { done: false };
    const latencies = normalClient(`${server.base}/api/tracks`, 100, 5000, stop);
    const sockets: net.Socket[] = [];
    let answered = 0;
    for (let i = 0; i < CLIENTS; i++) {
      const socket = net.connect(server.port, '127.0.0.1');
      socket.on('error', () => undefined);
      sockets.push(socket);
      await once(socket, 'connect');
      socket.write(`GET /cover/${albumId} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n\r\n`);
      const [first] = (await once(socket, 'data')) as [Buffer];
      socket.pause();
      if (first.toString('latin1').startsWith('HTTP/1.1 200')) answered++;
    }
    await new Promise((resolve) => setTimeout(resolve, 3000));
    stop.done = true;
    const times = await latencies;
    const peak = peakRss();
    for (const socket of sockets) socket.destroy();
    const growth = peak - before;
    const p90 = percentile(times, 90);
    console.log(`covers: ${answered}/${CLIENTS} answered 200; RSS before ${before.toFixed(0)} MB, peak ${peak.toFixed(0)} MB; normal client p90 ${p90.toFixed(1)} ms`);
    row(`${CLIENTS} stalled clients x ${PICTURE_BYTES / 2 ** 20} MiB embedded cover`, 'server RSS before -> peak', `${before.toFixed(0)} -> ${peak.toFixed(0)} MB (+${growth.toFixed(0)})`, '< +200 MB', growth < 200 && answered === CLIENTS);
    row('', "another client's GET /api/tracks, p90", `${p90.toFixed(1)} ms`, '< 1,000 ms', p90 < 1000);
  },
};
