import { batch, signal, type ReadonlySignal } from '@preact/signals';
import {
  CLOSE_SESSION_REVOKED,
  type ClientMessage,
  type Device,
  type LibraryChangedMessage,
  type ScanProgressMessage,
  type ServerMessage,
} from '@musicsharer/shared';
import type { NowPlayingState } from './player.js';

/** The bits of the WebSocket API this model uses (tests pass a fake class). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
}
export type SocketFactory = new (url: string) => SocketLike;

const OPEN = 1;

export interface NowPlayingOptions {
  url: string;
  name: string;
  WebSocket?: SocketFactory;
  /** What this device plays right now; sent after each (re)connect and on `report()`. */
  current?: () => NowPlayingState | null;
  onScan?: (message: ScanProgressMessage) => void;
  onLibraryChanged?: (message: LibraryChangedMessage) => void;
  /** A playlist was made, changed or deleted (`{ type: 'playlists' }`): refetch. */
  onPlaylistsChanged?: () => void;
  /** Where `pageshow` and `online` fire (window). */
  windowTarget?: EventTarget;
  /** Where `visibilitychange` fires (document). */
  documentTarget?: EventTarget & { visibilityState?: DocumentVisibilityState };
  /** Called when the page wakes up (visible again, restored, back online). */
  onWake?: () => void;
  /**
   * The server closed the socket because this browser's session was revoked (4401): the model
   * has stopped (no reconnect) before this is called.
   */
  onRevoked?: () => void;
  /**
   * A socket closed before it ever opened. A browser does not say why an upgrade failed, and a
   * 401 (no session) looks like any other failure: the app asks the server, and stops the model
   * if the session is gone. Reconnecting goes on meanwhile, with backoff.
   */
  onConnectFailed?: () => void;
  random?: () => number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  pingIntervalMs?: number;
  /** No message at all within this long after a ping: the socket is dead, reconnect. */
  pongTimeoutMs?: number;
  /** A socket still connecting after this long is given up on. */
  connectTimeoutMs?: number;
  /** Progress reports while playing go out at most this often. */
  progressIntervalMs?: number;
}

export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface NowPlayingModel {
  /** The user's other devices (this one left out). */
  devices: ReadonlySignal<Device[]>;
  deviceId: ReadonlySignal<string | null>;
  connection: ReadonlySignal<ConnectionState>;
  readonly name: string;
  start(): void;
  stop(): void;
  /** Reconnect now if the socket is gone, or check it is alive if it looks open. */
  wake(): void;
  /** Tell the others what this device plays; `urgent` for play/pause/seek/track, else throttled. */
  report(urgent: boolean): void;
}

/** Backoff before reconnect attempt `attempt` (0-based): exponential, capped, with jitter so phones do not stampede. */
export function backoffDelay(attempt: number, base: number, max: number, random: () => number): number {
  const ceiling = Math.min(max, base * 2 ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export function createNowPlaying(options: NowPlayingOptions): NowPlayingModel {
  const {
    url,
    name,
    current = () => null,
    random = Math.random,
    backoffBaseMs = 500,
    backoffMaxMs = 30_000,
    pingIntervalMs = 25_000,
    pongTimeoutMs = 8_000,
    connectTimeoutMs = 10_000,
    progressIntervalMs = 5_000,
  } = options;
  const Socket: SocketFactory = options.WebSocket ?? (WebSocket as unknown as SocketFactory);
  const win = options.windowTarget ?? (typeof window !== 'undefined' ? window : undefined);
  const doc = options.documentTarget ?? (typeof document !== 'undefined' ? document : undefined);

  const devices = signal<Device[]>([]);
  const deviceId = signal<string | null>(null);
  const connection = signal<ConnectionState>('closed');

  let socket: SocketLike | null = null;
  let attempt = 0;
  let running = false;
  let lastSentAt = -Infinity;
  let reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  let pingTimer: ReturnType<typeof setInterval> | undefined;
  let deadlineTimer: ReturnType<typeof setTimeout> | undefined;

  function send(message: ClientMessage) {
    if (socket?.readyState !== OPEN) return false;
    try {
      socket.send(JSON.stringify(message));
      return true;
    } catch {
      return false;
    }
  }

  let lastSent = '';
  function sendNowPlaying() {
    const state = current();
    if (!state) return;
    const message: ClientMessage = { type: 'nowPlaying', ...state };
    // "track" and "play" for the same start arrive together: say it once.
    const json = JSON.stringify(message);
    if (json === lastSent && Date.now() - lastSentAt < 1000) return;
    if (send(message)) {
      lastSentAt = Date.now();
      lastSent = json;
    }
  }

  /** Expect some message (a pong at least) within `ms`, else treat the socket as dead. */
  function expectReply(ms: number) {
    if (deadlineTimer !== undefined) return;
    deadlineTimer = setTimeout(() => {
      deadlineTimer = undefined;
      restart();
    }, ms);
  }

  function ping(timeoutMs: number) {
    if (send({ type: 'ping' })) expectReply(timeoutMs);
  }

  function clearTimers() {
    clearTimeout(reconnectTimer);
    clearInterval(pingTimer);
    clearTimeout(deadlineTimer);
    reconnectTimer = pingTimer = deadlineTimer = undefined;
  }

  /** Forget the current socket without letting its close schedule another reconnect. */
  function drop() {
    const old = socket;
    socket = null;
    clearTimers();
    if (!old) return;
    old.onopen = old.onmessage = old.onclose = old.onerror = null;
    try {
      old.close();
    } catch {
      // Closing a socket that never opened can throw in some browsers.
    }
  }

  function handle(message: ServerMessage) {
    switch (message.type) {
      case 'welcome':
        lastSent = '';
        batch(() => {
          deviceId.value = message.deviceId;
          devices.value = message.devices.filter((d) => d.deviceId !== message.deviceId);
        });
        // The server forgets us with the old socket: tell it again what we play.
        if (current()?.trackId) sendNowPlaying();
        break;
      case 'devices':
        devices.value = message.devices.filter((d) => d.deviceId !== deviceId.peek());
        break;
      case 'scan':
        options.onScan?.(message);
        break;
      case 'library':
        options.onLibraryChanged?.(message);
        break;
      case 'playlists':
        options.onPlaylistsChanged?.();
        break;
      case 'pong':
      case 'error':
        break;
    }
  }

  function connect() {
    drop();
    if (!running) return;
    connection.value = 'connecting';
    let s: SocketLike;
    try {
      s = new Socket(url);
    } catch {
      scheduleReconnect();
      return;
    }
    socket = s;
    let opened = false;
    expectReply(connectTimeoutMs);
    s.onopen = () => {
      opened = true;
      clearTimeout(deadlineTimer);
      deadlineTimer = undefined;
      attempt = 0;
      connection.value = 'open';
      send({ type: 'hello', name });
      pingTimer = setInterval(() => ping(pongTimeoutMs), pingIntervalMs);
    };
    s.onmessage = (event) => {
      clearTimeout(deadlineTimer);
      deadlineTimer = undefined;
      let message: ServerMessage;
      try {
        message = JSON.parse(String(event.data)) as ServerMessage;
      } catch {
        return;
      }
      handle(message);
    };
    s.onclose = (event) => {
      if (socket !== s) return;
      socket = null;
      clearTimers();
      connection.value = 'closed';
      if (event?.code === CLOSE_SESSION_REVOKED) {
        stop();
        options.onRevoked?.();
        return;
      }
      if (!opened) options.onConnectFailed?.();
      scheduleReconnect();
    };
    s.onerror = () => {
      // A close event follows; reconnecting is handled there.
    };
  }

  function scheduleReconnect() {
    if (!running) return;
    clearTimeout(reconnectTimer);
    reconnectTimer = setTimeout(connect, backoffDelay(attempt++, backoffBaseMs, backoffMaxMs, random));
  }

  /** Give up on this socket and connect again at once. */
  function restart() {
    connection.value = 'closed';
    attempt = 0;
    connect();
  }

  function wake() {
    if (!running) return;
    options.onWake?.();
    if (socket?.readyState === OPEN) {
      // iOS can leave a socket that looks open but died in the background: prove it is alive.
      ping(Math.min(pongTimeoutMs, 3_000));
    } else if (!socket) {
      attempt = 0;
      connect();
    }
  }

  const onVisibility = () => {
    if (doc?.visibilityState !== 'hidden') wake();
  };

  function stop() {
    running = false;
    win?.removeEventListener('pageshow', wake);
    win?.removeEventListener('online', wake);
    doc?.removeEventListener('visibilitychange', onVisibility);
    drop();
    connection.value = 'closed';
  }

  return {
    devices,
    deviceId,
    connection,
    name,
    start() {
      if (running) return;
      running = true;
      win?.addEventListener('pageshow', wake);
      win?.addEventListener('online', wake);
      doc?.addEventListener('visibilitychange', onVisibility);
      connect();
    },
    stop,
    wake,
    report(urgent) {
      if (urgent || Date.now() - lastSentAt >= progressIntervalMs) sendNowPlaying();
    },
  };
}
