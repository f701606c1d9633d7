/**
 * Item 1 of issue 11: 150 connections each pipeline 20,000 `GET /api/tracks` and never read;
 * meanwhile a normal client asks for the track list every 100 ms. Targets: server RSS under
 * 500 MB, the normal client's p90 under 1 s.
 */
import { once } from 'node:events';
import net from 'node:net';
import { normalClient, percentile, samplePeakRss, type Load } from './common.js';

export const pipeline: Load = {
  name: 'pipeline',
  async run({ startServer, row }) {
    const server = await startServer();
    const connections = 150;
    const perConnection = 20_000;
    const flood = Buffer.from(`GET /api/tracks HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n\r\n`.repeat(perConnection));
    const peakRss = samplePeakRss(server.pid);
    const stop = { done: false };
    const latencies = normalClient(`${server.base}/api/tracks`, 100, 5000, stop);
    const sockets: net.Socket[] = [];
    for (let i = 0; i < connections; i++) {
      const socket = net.connect(server.port, '127.0.0.1');
      socket.on('error', () => undefined);
      socket.pause();
      await once(socket, 'connect');
      socket.write(flood);
      sockets.push(socket);
    }
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    stop.done = true;
    const times = await latencies;
    const peak = peakRss();
    for (const socket of sockets) socket.destroy();
    const p90 = percentile(times, 90);
    console.log(`pipeline: peak RSS ${peak.toFixed(0)} MB; normal client ${times.length} requests, p50 ${percentile(times, 50).toFixed(1)} ms, p90 ${p90.toFixed(1)} ms`);
    row(`${connections} conns x ${perConnection.toLocaleString('en')} unread pipelined requests`, 'server peak RSS', `${peak.toFixed(0)} MB`, '< 500 MB', peak < 500);
    row('', "another client's GET /api/tracks, p90", `${p90.toFixed(1)} ms`, '< 1,000 ms', p90 < 1000);
  },
};
