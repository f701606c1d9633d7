/**
 * Share links from the owner's side: create, list, change, revoke (`/api/shares`, session
 * required: a 401 goes through the app's fetch, which signs out), and getting a link to a
 * friend: the system share sheet where there is one, else the clipboard. Loaded with the share
 * sheet and the Shared links screen, never with the app's first screen.
 */
import { apiPaths, type Share, type ShareCreateRequest, type ShareExpiry, type ShareListResponse, type ShareType, type ShareUpdateRequest } from '@musicsharer/shared';
import { getJson, HttpError, sendJson, type Fetch } from './api.js';

/** What a Share button asks to share (the sheet opens for it). */
export interface ShareTarget {
  type: ShareType;
  id: string;
  /** The album's or track's title, for the sheet's heading. */
  title: string;
}

export interface SharesClient {
  /** Newest first, as the server lists them. */
  list(): Promise<Share[]>;
  create(request: ShareCreateRequest): Promise<Share>;
  /** Expiry (counted from now) or download. */
  update(id: string, change: ShareUpdateRequest): Promise<Share>;
  /** Revokes a link; one already gone (404) counts as revoked. */
  revoke(id: string): Promise<void>;
}

export function createShares(fetchFn: Fetch): SharesClient {
  async function answer(method: 'POST' | 'PATCH', url: string, body: unknown): Promise<Share> {
    const response = await sendJson(fetchFn, method, url, body);
    if (!response.ok) throw new HttpError(url, response.status);
    return (await response.json()) as Share;
  }
  return {
    async list() {
      return (await getJson<ShareListResponse>(fetchFn, apiPaths.shares)).shares;
    },
    create: (request) => answer('POST', apiPaths.shares, request),
    update: (id, change) => answer('PATCH', apiPaths.shareById(id), change),
    async revoke(id) {
      const response = await sendJson(fetchFn, 'DELETE', apiPaths.shareById(id));
      if (!response.ok && response.status !== 404) throw new HttpError(apiPaths.shareById(id), response.status);
    },
  };
}

/** "1 day", "7 days", "Never": an expiry preset as the option reads. */
export function expiryLabel(days: ShareExpiry): string {
  if (days === null) return 'Never';
  return `${days} ${days === 1 ? 'day' : 'days'}`;
}

/** How long a link has left: "expires in 6 days", "expires in 5 hours", "never expires", "expired". */
export function expiryText(expiresAt: string | null, now = Date.now()): string {
  if (expiresAt === null) return 'never expires';
  const left = Date.parse(expiresAt) - now;
  if (!(left > 0)) return 'expired';
  const unit = (n: number, name: string) => `expires in ${n} ${name}${n === 1 ? '' : 's'}`;
  if (left < 3_600_000) return unit(Math.max(1, Math.ceil(left / 60_000)), 'minute');
  if (left < 86_400_000) return unit(Math.round(left / 3_600_000), 'hour');
  return unit(Math.round(left / 86_400_000), 'day');
}

/** Whether the link no longer opens (its expiry passed). */
export function expired(share: Pick<Share, 'expiresAt'>, now = Date.now()): boolean {
  return share.expiresAt !== null && !(Date.parse(share.expiresAt) > now);
}

/**
 * Puts `text` on the clipboard: the Clipboard API where the page may use it (a secure context:
 * HTTPS or localhost), else a selected off-screen text field and `execCommand('copy')` (a phone
 * on `http://192.168.…` has no `navigator.clipboard`). Either needs the user's tap. True if copied.
 */
export async function copyText(text: string, doc: Document = document): Promise<boolean> {
  const clipboard = doc.defaultView?.navigator.clipboard;
  if (clipboard && typeof clipboard.writeText === 'function') {
    try {
      await clipboard.writeText(text);
      return true;
    } catch {
      // Refused (no gesture left, a permission): try the old way.
    }
  }
  const field = doc.createElement('textarea');
  field.value = text;
  field.setAttribute('readonly', '');
  field.style.cssText = 'position:fixed;top:0;left:0;opacity:0;font-size:16px';
  doc.body.append(field);
  try {
    field.select();
    field.setSelectionRange(0, text.length);
    return typeof doc.execCommand === 'function' && doc.execCommand('copy');
  } catch {
    return false;
  } finally {
    field.remove();
  }
}

/** What handing a link on gave: the share sheet took it, the user closed the sheet, copied, or neither worked. */
export type Delivery = 'shared' | 'cancelled' | 'copied' | 'failed';

/**
 * Hands a link on: the system share sheet (`navigator.share`, iOS's sheet with Messages, Mail,
 * AirDrop) where there is one, else the clipboard. Closing the share sheet is `cancelled`, not a
 * failure. With `copyFallback` off, a share sheet that refuses (no user gesture left) is
 * `failed` instead of copying: the caller offers a button for a fresh tap.
 */
export async function deliverLink(share: Pick<Share, 'title' | 'url'>, options: { copyFallback: boolean; nav?: Navigator; doc?: Document }): Promise<Delivery> {
  const nav = options.nav ?? navigator;
  if (typeof nav.share === 'function') {
    try {
      await nav.share({ title: share.title, url: share.url });
      return 'shared';
    } catch (error) {
      if ((error as { name?: string } | null)?.name === 'AbortError') return 'cancelled';
      if (!options.copyFallback) return 'failed';
    }
  }
  return (await copyText(share.url, options.doc)) ? 'copied' : 'failed';
}
