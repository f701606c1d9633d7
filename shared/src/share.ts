/**
 * Share links as the API and the share page show them. Types derived from schemas.ts (type-only
 * import: nothing of TypeBox reaches a bundle).
 */
import type { Static } from 'typebox';
import type * as Schemas from './schemas.js';

export type ShareType = Static<typeof Schemas.ShareTypeSchema>;
export type ShareExpiry = Static<typeof Schemas.ShareExpirySchema>;
export type ShareCreateRequest = Static<typeof Schemas.ShareCreateSchema>;
export type ShareUpdateRequest = Static<typeof Schemas.ShareUpdateSchema>;
export type Share = Static<typeof Schemas.ShareSchema>;
export type ShareListResponse = Static<typeof Schemas.ShareListSchema>;
export type SharePageData = Static<typeof Schemas.SharePageDataSchema>;
export type SharePageTrack = SharePageData['tracks'][number];

/** The expiry presets the app offers, in days (null: never); 7 is the default. */
export const SHARE_EXPIRY_PRESETS = [1, 7, 30, null] as const satisfies readonly ShareExpiry[];
export const DEFAULT_SHARE_EXPIRY_DAYS = 7;

/** The id of the element holding the share page's data (JSON). */
export const SHARE_DATA_ELEMENT_ID = 'share-data';
