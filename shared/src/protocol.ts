/**
 * The now-playing protocol spoken over `/ws` (JSON text frames). A public contract. The types
 * are derived from the schemas in schemas.ts (type-only import: nothing reaches the client bundle).
 */
import type { Static } from 'typebox';
import type * as Schemas from './schemas.js';

export type Device = Static<typeof Schemas.DeviceSchema>;

// client -> server
export type HelloMessage = Static<typeof Schemas.HelloMessageSchema>;
export type NowPlayingMessage = Static<typeof Schemas.NowPlayingMessageSchema>;
export type PingMessage = Static<typeof Schemas.PingMessageSchema>;
export type ClientMessage = Static<typeof Schemas.ClientMessageSchema>;

// server -> client
export type WelcomeMessage = Static<typeof Schemas.WelcomeMessageSchema>;
export type DevicesMessage = Static<typeof Schemas.DevicesMessageSchema>;
export type PongMessage = Static<typeof Schemas.PongMessageSchema>;
export type ErrorMessage = Static<typeof Schemas.ErrorMessageSchema>;
/** The library changed (rescan, files added/removed): clients refetch. */
export type LibraryChangedMessage = Static<typeof Schemas.LibraryChangedMessageSchema>;
/** Progress of a library scan. */
export type ScanProgressMessage = Static<typeof Schemas.ScanProgressMessageSchema>;
/** A playlist was made, changed or deleted: clients refetch. */
export type PlaylistsChangedMessage = Static<typeof Schemas.PlaylistsChangedMessageSchema>;
export type ServerMessage = Static<typeof Schemas.ServerMessageSchema>;

/** Longest device name kept; longer names are cut. */
export const MAX_DEVICE_NAME = 64;
