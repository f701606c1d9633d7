/**
 * Bounds what one HTTP/1.1 connection can make the server hold for it: the replies in progress
 * and the requests read ahead of them (RFC 9112 §9.3.2 pipelining).
 *
 * Why: Node parses every request in every chunk it reads and hands each to the app at once. A
 * client that pipelines thousands of requests on one connection and never reads the answers
 * made the server build and keep every reply: 20,000 `GET /api/tracks` were 40-80 MB for one
 * connection, and a few hundred such connections ran the process out of memory. Browsers never
 * pipeline; tools that do keep a few requests in flight and read as they go.
 *
 * So each connection has at most `MAX_IN_PROGRESS` replies being made or queued behind each
 * other, and none is started while the connection's unsent bytes (its user-space write buffer)
 * pass `MAX_UNSENT_BYTES`. Further requests wait and the connection is not read any more until
 * they are answered. Requests already parsed from the last chunk read wait too, up to
 * `MAX_WAITING`; a client that pipelines past that is cut (a pipelining client must be ready
 * to retry unanswered requests on a new connection, §9.3.2). One chunk of tiny requests is
 * about 2,400 of them: that, not the 20,000 sent, is the most one connection costs.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export const MAX_IN_PROGRESS = 8;
export const MAX_WAITING = 256;
export const MAX_UNSENT_BYTES = 256 * 1024;

/**
 * The internals of Node's HTTP server that stopping a connection's reading needs: `pause()` on
 * its socket does not stop the parser that consumes it. Node's server pauses that parser after
 * the chunk it is parsing when `_paused` is set (its own guard against replies piling up), and
 * its `parser` resumes it. Present from Node 12 to 24; the pipelining tests run on 20, 22 and 24.
 */
interface NodeHttpSocket extends Socket {
  _paused?: boolean;
  parser?: { pause(): void; resume(): void } | null;
}

function stopReading(socket: NodeHttpSocket): void {
  socket._paused = true;
  socket.pause();
}

function readAgain(socket: NodeHttpSocket): void {
  socket._paused = false;
  socket.parser?.resume();
  socket.resume();
}

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

interface ConnectionState {
  inProgress: number;
  waiting: [IncomingMessage, ServerResponse][];
  /** Waiting for the socket's `drain` to start the next reply. */
  awaitingDrain: boolean;
  /** We stopped reading the connection (Node pauses and resumes it too, for its own reasons). */
  paused: boolean;
  /** `performance.now()` when its last reply ended. */
  idleSince: number;
}

export interface PipeliningGate {
  /** The app's request handler, with the per-connection bounds above. */
  handle: Handler;
  /**
   * `busy` while a request of the connection is being answered or waits; else when its last
   * reply ended; undefined for a connection that never sent a request.
   */
  activity(socket: Socket): 'busy' | number | undefined;
}

/** Wraps the app's request handler with the per-connection bounds above. */
export function boundPipelining(handler: Handler): PipeliningGate {
  const states = new WeakMap<Socket, ConnectionState>();

  function start(state: ConnectionState, socket: Socket, request: IncomingMessage, response: ServerResponse): void {
    state.inProgress++;
    // `close` follows `finish`, and also comes when the connection dies first.
    response.once('close', () => {
      state.inProgress--;
      state.idleSince = performance.now();
      pump(state, socket);
    });
    handler(request, response);
  }

  function pump(state: ConnectionState, socket: Socket): void {
    while (state.waiting.length > 0 && !socket.destroyed) {
      if (state.inProgress >= MAX_IN_PROGRESS) return;
      if (socket.writableLength >= MAX_UNSENT_BYTES) {
        if (!state.awaitingDrain) {
          state.awaitingDrain = true;
          socket.once('drain', () => {
            state.awaitingDrain = false;
            pump(state, socket);
          });
        }
        return;
      }
      const [request, response] = state.waiting.shift()!;
      start(state, socket, request, response);
    }
    if (socket.destroyed) {
      state.waiting.length = 0;
    } else if (state.waiting.length === 0 && state.paused) {
      state.paused = false;
      readAgain(socket);
    }
  }

  function activity(socket: Socket): 'busy' | number | undefined {
    const state = states.get(socket);
    if (state === undefined) return undefined;
    return state.inProgress > 0 || state.waiting.length > 0 ? 'busy' : state.idleSince;
  }

  function handle(request: IncomingMessage, response: ServerResponse): void {
    const socket = request.socket;
    let state = states.get(socket);
    if (state === undefined) {
      state = { inProgress: 0, waiting: [], awaitingDrain: false, paused: false, idleSince: 0 };
      states.set(socket, state);
    }
    if (state.waiting.length === 0 && state.inProgress < MAX_IN_PROGRESS && socket.writableLength < MAX_UNSENT_BYTES) {
      start(state, socket, request, response);
      return;
    }
    if (state.waiting.length >= MAX_WAITING) {
      socket.destroy();
      return;
    }
    state.waiting.push([request, response]);
    // Read no more of this connection until its replies move.
    if (!state.paused) {
      state.paused = true;
      stopReading(socket);
    }
    pump(state, socket);
  }

  return { handle, activity };
}
