/** Which image file in an album folder is its cover. Pure: names in, name out. */

const PREFERRED_NAMES = ['cover', 'folder', 'front', 'album', 'albumart'];

/**
 * The folder image to use as the album cover: `cover.*`, then `folder.*`, `front.*`,
 * `album.*`, `albumart.*` (case-insensitive); else the only image in the folder; else none.
 */
export function pickFolderImage(names: readonly string[]): string | undefined {
  if (names.length === 0) return undefined;
  const sorted = [...names].sort();
  for (const preferred of PREFERRED_NAMES) {
    const found = sorted.find((name) => name.slice(0, name.lastIndexOf('.')).toLowerCase() === preferred);
    if (found) return found;
  }
  return names.length === 1 ? names[0] : undefined;
}
