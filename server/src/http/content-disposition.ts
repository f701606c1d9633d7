/**
 * `Content-Disposition: attachment` with a file name (RFC 6266): a plain ASCII `filename` for
 * old clients and the exact name as `filename*` (RFC 8187, UTF-8, percent-encoded).
 */
export function attachment(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/** A name fit for one path segment of a download: no separators, controls or reserved characters. */
export function safeFileName(name: string, fallback: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what is removed
  const cleaned = name.replace(/[\u0000-\u001f\u007f/\\:*?"<>|]/g, '_').replace(/^\.+/, '').trim().slice(0, 200);
  return cleaned === '' ? fallback : cleaned;
}
