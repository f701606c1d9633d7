/**
 * Entity tags (RFC 9110 §8.8.3): making ours, parsing the lists clients send, comparing them.
 * Pure: no I/O.
 *
 *   entity-tag = [ weak ] opaque-tag
 *   weak       = %s"W/"
 *   opaque-tag = DQUOTE *etagc DQUOTE
 *   etagc      = %x21 / %x23-7E / obs-text
 */

/** What an entity tag of a file is made from: enough of `fs.Stats` to change when it does. */
export interface FileIdentity {
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
}

/**
 * A strong entity tag for a file (§8.8.3): inode, size and modification time (to the
 * microsecond where the file system keeps it). Any write changes the mtime and a file replaced
 * by a rename changes the inode, so two different contents never share a tag — the promise a
 * strong validator makes (§8.8.1), at the same granularity nginx's ETag relies on.
 */
export function fileEntityTag(file: FileIdentity): string {
  const micros = Math.round(file.mtimeMs * 1000);
  return `"${file.ino.toString(36)}-${file.size.toString(36)}-${micros.toString(36)}"`;
}

export interface EntityTag {
  readonly weak: boolean;
  /** The opaque-tag including its quotes, e.g. `"abc"`. */
  readonly opaque: string;
}

/**
 * Parses `If-Match` / `If-None-Match` (`"*" / #entity-tag`, §13.1.1, §13.1.2).
 * Returns `'*'`, the list of tags, or `undefined` when the value is malformed (then no tag can
 * match). A comma may appear inside an opaque-tag, so the list is scanned, not split.
 */
export function parseEntityTagList(value: string): '*' | EntityTag[] | undefined {
  const trimmed = value.trim();
  if (trimmed === '*') return '*';
  const tags: EntityTag[] = [];
  let i = 0;
  const n = trimmed.length;
  while (i < n) {
    const c = trimmed.charCodeAt(i);
    if (c === 0x2c /* , */ || c === 0x20 || c === 0x09) {
      i++; // OWS and empty list elements (§5.6.1)
      continue;
    }
    const tag = readEntityTag(trimmed, i);
    if (!tag) return undefined;
    tags.push(tag.tag);
    i = tag.next;
    // After a tag: OWS, then a comma or the end.
    while (i < n && (trimmed.charCodeAt(i) === 0x20 || trimmed.charCodeAt(i) === 0x09)) i++;
    if (i < n && trimmed.charCodeAt(i) !== 0x2c) return undefined;
  }
  return tags;
}

/** Parses a single entity-tag filling the whole value (the `If-Range` form), or undefined. */
export function parseEntityTag(value: string): EntityTag | undefined {
  const trimmed = value.trim();
  const tag = readEntityTag(trimmed, 0);
  return tag && tag.next === trimmed.length ? tag.tag : undefined;
}

function readEntityTag(text: string, start: number): { tag: EntityTag; next: number } | undefined {
  let i = start;
  let weak = false;
  // §8.8.3: "W/" is case-sensitive.
  if (text.startsWith('W/', i)) {
    weak = true;
    i += 2;
  }
  if (text.charCodeAt(i) !== 0x22 /* " */) return undefined;
  const open = i;
  i++;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) return { tag: { weak, opaque: text.slice(open, i + 1) }, next: i + 1 };
    // etagc = %x21 / %x23-7E / obs-text (%x80-FF)
    if (!(c === 0x21 || (c >= 0x23 && c <= 0x7e) || (c >= 0x80 && c <= 0xff))) return undefined;
  }
  return undefined; // no closing quote
}

/** §8.8.3.2 strong comparison: both strong and the opaque-tags identical. */
export function strongMatch(a: EntityTag, b: EntityTag): boolean {
  return !a.weak && !b.weak && a.opaque === b.opaque;
}

/** §8.8.3.2 weak comparison: the opaque-tags identical, either or both may be weak. */
export function weakMatch(a: EntityTag, b: EntityTag): boolean {
  return a.opaque === b.opaque;
}

/**
 * §13.1.2 If-None-Match, evaluated against the current entity tag: false for `*` (the
 * representation exists) or a weak match with any listed tag — a GET or HEAD then answers 304.
 * A malformed field matches nothing, so the condition holds.
 */
export function ifNoneMatchHolds(value: string, current: EntityTag | undefined): boolean {
  const listed = parseEntityTagList(value);
  if (listed === '*') return false;
  return !(current !== undefined && listed !== undefined && listed.some((tag) => weakMatch(tag, current)));
}
