/**
 * Item 2 of issue 11: a WebSocket join storm. 2,000 sockets from 127.0.0.1 open `/ws` and say
 * hello within a few seconds (each with a 64-character name); a normal device that joined just
 * before counts the bytes it receives, and a normal client asks for the track list every 100 ms.
 * Targets: the normal client's p90 under 1 s, the device's incoming traffic under 200 KB/s.
 * Also the CPU seconds the server used (utime + stime from /proc/PID/stat).
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { normalClient, percentile, type Load } from './common.js';

/** A masked client text frame (RFC 6455 §5.2, §5.3). */
function textFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  if (payload.length > 125) throw new Error('short messages only');
  const key = randomBytes(4);
  const frame = Buffer.alloc(6 + payload.length);
  frame[0] = 0x81;
  frame[1] = 0x80 | payload.length;
  key.copy(frame, 2);
  for (let i = 0; i < payload.length; i++) frame[6 + i] = payload[i]! ^ key[i & 3]!;
  return frame;
}

function openRequest(port: number): string {
  return (
    `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`
  );
}

/** Opens `/ws` and says hello in one write; counts what arrives, never answers. */
async function join(port: number, name: string, onData: (chunk: Buffer) => void): Promise<net.Socket> {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  socket.on('data', onData);
  await once(socket, 'connect');
  socket.write(Buffer.concat([Buffer.from(openRequest(port)), textFrame(JSON.stringify({ type: 'hello', name }))]));
  return socket;
}

/** CPU seconds (user + system) a process has used. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime (fields 14, 15) in USER_HZ = 100
}

export const wsStorm: Load = {
  name: 'ws-storm',
  async run({ startServer, row }) {
    const server = await startServer();
    const storm = 2000;
    const windowMs = 15_000;
    const cpuBefore = cpuSeconds(server.pid);
    const stop = { done: false };
    const latencies = normalClient(`${server.base}/api/tracks`, 100, 5000, stop);

    let deviceBytes = 0;
    const perSecond: number[] = [];
    const device = await join(server.port, 'Normal phone', (chunk) => {
      deviceBytes += chunk.length;
    });
    const started = performance.now();
    let secondStart = deviceBytes;
    const sampler = setInterval(() => {
      perSecond.push(deviceBytes - secondStart);
      secondStart = deviceBytes;
    }, 1000);

    let answered = 0;
    const sockets: net.Socket[] = [];
    const name = (i: number) => `Storm device ${String(i).padStart(4, '0')} `.padEnd(64, 'x');
    for (let i = 0; i < storm; i += 100) {
      const batch = Array.from({ length: Math.min(100, storm - i) }, (_, j) =>
        join(server.port, name(i + j), () => {
          answered++;
        }),
      );
      sockets.push(...(await Promise.all(batch)));
    }
    const joinedInMs = performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, windowMs - joinedInMs)));
    clearInterval(sampler);
    const seconds = (performance.now() - started) / 1000;
    stop.done = true;
    const times = await latencies;
    const cpu = cpuSeconds(server.pid) - cpuBefore;
    for (const socket of [...sockets, device]) socket.destroy();

    const p90 = percentile(times, 90);
    const peak = Math.max(...perSecond) / 1000;
    console.log(
      `ws-storm: ${storm} sockets joined in ${(joinedInMs / 1000).toFixed(1)} s (${answered} data events); ` +
        `normal device ${(deviceBytes / 1000).toFixed(0)} KB in ${seconds.toFixed(1)} s, busiest second ${peak.toFixed(0)} KB; ` +
        `normal client ${times.length} requests, p50 ${percentile(times, 50).toFixed(1)} ms, p90 ${p90.toFixed(1)} ms; server CPU ${cpu.toFixed(1)} s`,
    );
    row(`${storm.toLocaleString('en')} sockets join /ws from one address`, "another client's GET /api/tracks, p90", `${p90.toFixed(1)} ms`, '< 1,000 ms', p90 < 1000);
    row('', "a device's incoming bytes, busiest second", `${peak.toFixed(0)} KB/s`, '< 200 KB/s', peak < 200);
  },
};
