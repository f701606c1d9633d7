/**
 * The peer of the transcoding bench: what every other server does with a format the browser
 * cannot play. Each GET starts `ffmpeg -i SOURCE -f mp3 -b:a 192k pipe:1` and sends its output
 * as a chunked 200: no length, no ranges. `?ss=SECONDS` starts it with `-ss` before `-i` (input
 * seeking, the fastest ffmpeg has), which is how such a server seeks: a new request, a new
 * ffmpeg. A client that goes away stops its ffmpeg.
 *
 *   tsx bench/transcode/pipe-server.ts SOURCE PORT   (prints "ready" once listening)
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';

const [source, port] = process.argv.slice(2);
if (source === undefined || port === undefined) throw new Error('usage: pipe-server.ts SOURCE PORT');

const server = createServer((req, res) => {
  const ss = new URL(req.url ?? '/', 'http://localhost').searchParams.get('ss');
  const seek = ss !== null && /^\d+(\.\d+)?$/.test(ss) ? ['-ss', ss] : [];
  const ffmpeg = spawn('ffmpeg', ['-nostdin', '-hide_banner', '-v', 'error', ...seek, '-i', source, '-f', 'mp3', '-b:a', '192k', 'pipe:1'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  res.writeHead(200, { 'Content-Type': 'audio/mpeg', 'Cache-Control': 'no-cache' });
  ffmpeg.stdout.pipe(res);
  res.on('close', () => ffmpeg.kill('SIGKILL'));
  ffmpeg.on('error', () => res.destroy());
});
server.listen(Number(port), '127.0.0.1', () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
