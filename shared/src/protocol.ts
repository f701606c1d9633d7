/**
 * The now-playing protocol spoken over `/ws` (JSON text frames). A public contract.
 */

export interface Device {
  deviceId: string;
  name: string;
  trackId: string | null;
  title: string | null;
  artist: string | null;
  positionSec: number;
  paused: boolean;
  /** Milliseconds since the epoch of the device's last update. */
  updatedAt: number;
}

// client -> server
export interface HelloMessage { type: 'hello'; name: string }
export interface NowPlayingMessage { type: 'nowPlaying'; trackId: string | null; positionSec: number; paused: boolean }
export interface PingMessage { type: 'ping' }
export type ClientMessage = HelloMessage | NowPlayingMessage | PingMessage;

// server -> client
export interface WelcomeMessage { type: 'welcome'; deviceId: string; devices: Device[] }
export interface DevicesMessage { type: 'devices'; devices: Device[] }
export interface PongMessage { type: 'pong' }
export interface ErrorMessage { type: 'error'; message: string }
/** The library changed (rescan, files added/removed): clients refetch. */
export interface LibraryChangedMessage { type: 'library'; trackCount: number }
/** Progress of a library scan. */
export interface ScanProgressMessage { type: 'scan'; scanning: boolean; done: number; total: number }
export type ServerMessage =
  | WelcomeMessage
  | DevicesMessage
  | PongMessage
  | ErrorMessage
  | LibraryChangedMessage
  | ScanProgressMessage;

/** Longest device name kept; longer names are cut. */
export const MAX_DEVICE_NAME = 64;
