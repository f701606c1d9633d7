/**
 * `<data>/server.json`: which process serves this data folder, on which port. Written once the
 * server listens, removed when it closes; `npm run pair` reads it to print a link to the
 * running server (and to say plainly when none runs).
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-file.js';

export interface RunningServer {
  pid: number;
  host: string;
  port: number;
}

const fileIn = (dataDir: string) => join(dataDir, 'server.json');

export function recordRunningServer(dataDir: string, server: RunningServer): Promise<void> {
  return writeFileAtomic(fileIn(dataDir), `${JSON.stringify(server)}\n`);
}

export function forgetRunningServer(dataDir: string): Promise<void> {
  return rm(fileIn(dataDir), { force: true });
}

/** The server recorded for this data folder, if its process is alive. */
export async function findRunningServer(dataDir: string): Promise<RunningServer | undefined> {
  let server: RunningServer;
  try {
    server = JSON.parse(await readFile(fileIn(dataDir), 'utf8')) as RunningServer;
  } catch {
    return undefined;
  }
  if (!Number.isInteger(server.pid) || !Number.isInteger(server.port) || typeof server.host !== 'string') return undefined;
  try {
    process.kill(server.pid, 0); // signal 0: only asks whether the process exists
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return undefined;
  }
  return server;
}
