/**
 * Access control as the API shows it: pairing codes, sessions. Types derived from schemas.ts
 * (type-only import: nothing of TypeBox reaches the client bundle).
 */
import type { Static } from 'typebox';
import type * as Schemas from './schemas.js';

export type PairRequest = Static<typeof Schemas.PairRequestSchema>;
export type PairCode = Static<typeof Schemas.PairCodeSchema>;
export type PasswordRequest = Static<typeof Schemas.PasswordRequestSchema>;
export type Session = Static<typeof Schemas.SessionSchema>;
export type SessionListResponse = Static<typeof Schemas.SessionListSchema>;
export type SessionStatus = Static<typeof Schemas.SessionStatusSchema>;

/** Minimum password length (`PUT /api/password` answers 400 below it). */
export const MIN_PASSWORD_LENGTH = 10;

/**
 * Close code sent on a WebSocket whose session was revoked (4000-4999: private use, RFC 6455
 * §7.4.2; 4401 echoes HTTP's 401). The client shows the pairing screen.
 */
export const CLOSE_SESSION_REVOKED = 4401;
