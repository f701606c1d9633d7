/**
 * The now-playing protocol spoken over `/ws` (JSON text frames). A public contract. The types
 * are derived from the schemas in schemas.ts (type-only import: nothing reaches the client bundle).
 */
import type { Static } from 'typebox';
import type {
  ClientMessageSchema,
  DeviceSchema,
  DevicesMessageSchema,
  ErrorMessageSchema,
  HelloMessageSchema,
  LibraryChangedMessageSchema,
  NowPlayingMessageSchema,
  PingMessageSchema,
  PongMessageSchema,
  ScanProgressMessageSchema,
  ServerMessageSchema,
  WelcomeMessageSchema,
} from './schemas.js';

export type Device = Static<typeof DeviceSchema>;

// client -> server
export type HelloMessage = Static<typeof HelloMessageSchema>;
export type NowPlayingMessage = Static<typeof NowPlayingMessageSchema>;
export type PingMessage = Static<typeof PingMessageSchema>;
export type ClientMessage = Static<typeof ClientMessageSchema>;

// server -> client
export type WelcomeMessage = Static<typeof WelcomeMessageSchema>;
export type DevicesMessage = Static<typeof DevicesMessageSchema>;
export type PongMessage = Static<typeof PongMessageSchema>;
export type ErrorMessage = Static<typeof ErrorMessageSchema>;
/** The library changed (rescan, files added/removed): clients refetch. */
export type LibraryChangedMessage = Static<typeof LibraryChangedMessageSchema>;
/** Progress of a library scan. */
export type ScanProgressMessage = Static<typeof ScanProgressMessageSchema>;
export type ServerMessage = Static<typeof ServerMessageSchema>;

/** Longest device name kept; longer names are cut. */
export const MAX_DEVICE_NAME = 64;
