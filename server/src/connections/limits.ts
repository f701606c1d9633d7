/**
 * Bounds the connections the server keeps open, in total and per client address, below the
 * process's file-descriptor limit.
 *
 * Why: every connection is a descriptor. With the common limit of 1,024, 1,100 idle sockets
 * from one machine made the server unreachable for everyone: accept() failed with EMFILE, and
 * so did opening a track or a cover. So, from the limit read at start:
 * - `FD_RESERVE` descriptors stay for files (open tracks, covers, the index, logs);
 * - the rest is for connections, at most `maxPerAddress` of them from one address;
 * - the last `newClientReserve` of them are only for addresses that hold few connections
 *   (fewer than `FEW_CONNECTIONS`): a flood from one address never takes the last places;
 * - when a new connection finds no place, the longest-idle connection (no request in progress,
 *   not a WebSocket) of the address with the most connections is closed to make room; if none
 *   is idle, the new connection is closed at once.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import type { PipeliningGate } from './pipelining.js';

/** Descriptors kept for everything but connections. */
export const FD_RESERVE = 128;
/** An address with fewer connections than this may use the reserve for new clients. */
export const FEW_CONNECTIONS = 8;
/** The fd limit assumed where it cannot be read (the common default on Linux). */
const DEFAULT_FD_LIMIT = 1024;

export interface ConnectionLimits {
  maxConnections: number;
  maxPerAddress: number;
  newClientReserve: number;
}

/** The soft limit on open files of this process (Linux: /proc/self/limits). */
export function readFdLimit(): number {
  try {
    const line = /^Max open files\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1];
    if (line === 'unlimited') return Number.MAX_SAFE_INTEGER;
    const limit = Number(line);
    return Number.isInteger(limit) && limit > 0 ? limit : DEFAULT_FD_LIMIT;
  } catch {
    return DEFAULT_FD_LIMIT;
  }
}

/** The bounds for a process allowed `fdLimit` descriptors. */
export function limitsFor(fdLimit: number): ConnectionLimits {
  const maxConnections = Math.max(32, Math.min(fdLimit - FD_RESERVE, 65_536));
  return {
    maxConnections,
    // A phone needs a handful (Safari opens up to 6 per host, plus the WebSocket); a home
    // network is a few dozen devices.
    maxPerAddress: Math.max(16, Math.floor(maxConnections / 8)),
    newClientReserve: Math.max(8, Math.floor(maxConnections / 8)),
  };
}

interface ConnectionState {
  address: string;
  /** Taken over by a WebSocket: long-lived by design, never closed as idle. */
  upgraded: boolean;
  /** `performance.now()` of its accept. */
  acceptedAt: number;
}

/**
 * Applies `limits` to the connections `server` accepts. Whether a connection is busy, and since
 * when it is idle, is what the pipelining gate already tracks for every request (`gate`).
 */
export function limitConnections(server: Server, limits: ConnectionLimits, gate: Pick<PipeliningGate, 'activity'>): void {
  const states = new Map<Socket, ConnectionState>();
  const byAddress = new Map<string, Set<Socket>>();

  function forget(socket: Socket): void {
    const state = states.get(socket);
    if (!state) return;
    states.delete(socket);
    const sockets = byAddress.get(state.address);
    sockets?.delete(socket);
    if (sockets?.size === 0) byAddress.delete(state.address);
  }

  /** The longest-idle connection among `sockets`, if any is idle. */
  function longestIdle(sockets: Iterable<Socket>): Socket | undefined {
    let oldest: Socket | undefined;
    let oldestSince = Infinity;
    for (const socket of sockets) {
      const state = states.get(socket)!;
      if (state.upgraded) continue;
      const activity = gate.activity(socket);
      if (activity === 'busy') continue;
      const idleSince = activity ?? state.acceptedAt;
      if (idleSince < oldestSince) {
        oldest = socket;
        oldestSince = idleSince;
      }
    }
    return oldest;
  }

  function close(socket: Socket | undefined): boolean {
    if (!socket) return false;
    forget(socket);
    socket.destroy();
    return true;
  }

  /** The address holding the most connections. */
  function busiestAddress(): Set<Socket> | undefined {
    let busiest: Set<Socket> | undefined;
    for (const sockets of byAddress.values()) if (!busiest || sockets.size > busiest.size) busiest = sockets;
    return busiest;
  }

  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '?';
    const own = byAddress.get(address);
    const ownCount = own?.size ?? 0;
    // Over its own share: it makes room among its own idle connections, or is refused.
    let fits = ownCount < limits.maxPerAddress || close(longestIdle(own!));
    if (fits) {
      const reserved = ownCount >= FEW_CONNECTIONS ? limits.newClientReserve : 0;
      if (states.size >= limits.maxConnections - reserved) {
        // No place: an address with many connections recycles its own idle ones; a newcomer
        // gets the place of an idle connection of the busiest address.
        fits = close(longestIdle(ownCount >= FEW_CONNECTIONS ? own! : (busiestAddress() ?? [])));
      }
    }
    if (!fits) {
      socket.destroy();
      return;
    }
    states.set(socket, { address, upgraded: false, acceptedAt: performance.now() });
    let sockets = own;
    if (!sockets) byAddress.set(address, (sockets = new Set()));
    sockets.add(socket);
    socket.once('close', () => forget(socket));
  });

  server.on('upgrade', (request: IncomingMessage) => {
    const state = states.get(request.socket);
    if (state) state.upgraded = true;
  });
}
