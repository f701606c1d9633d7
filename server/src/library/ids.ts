/**
 * Stable, URL-safe ids. A track's id is derived from its path relative to the media folder,
 * so the same file keeps its id across restarts and rescans; albums and artists from their
 * normalised names.
 */
import { createHash } from 'node:crypto';

const ID_LENGTH = 16; // 96 bits of SHA-1: collisions are not a concern at library scale

function digest(kind: string, value: string): string {
  return createHash('sha1').update(kind).update('\0').update(value).digest('base64url').slice(0, ID_LENGTH);
}

/** Folds case and Unicode form so "Beyoncé" and "BEYONCE\u0301" group together. */
export function normaliseName(name: string): string {
  return name.normalize('NFC').trim().toLocaleLowerCase('en');
}

export const trackId = (relPath: string): string => digest('track', relPath);
export const artistId = (name: string): string => digest('artist', normaliseName(name));
export const albumId = (artistName: string, albumTitle: string): string =>
  digest('album', `${normaliseName(artistName)}\0${normaliseName(albumTitle)}`);
/** A playlist file's id, from its path relative to the media folder (like a track's, another kind). */
export const playlistFileId = (relPath: string): string => digest('playlist-file', relPath);
