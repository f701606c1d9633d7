import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { DEFAULT_SHARE_EXPIRY_DAYS, SHARE_EXPIRY_PRESETS, type Share, type ShareExpiry } from '@musicsharer/shared';
import { HttpError } from '../../state/api.js';
import { useApp } from '../../state/context.js';
import { copyText, createShares, deliverLink, expiryLabel, expiryText, type ShareTarget } from '../../state/shares.js';
import sheet from '../../styles/sheet.module.css';
import switches from '../../styles/switch.module.css';
import styles from './ShareSheet.module.css';

export const COPIED = 'Link copied';
const COPY_FAILED = 'Could not copy. Select the link above and copy it.';

/**
 * May this moment still open the share sheet? Browsers allow `navigator.share()` only shortly
 * after a tap. Where the page can ask (`navigator.userActivation`) it asks; elsewhere it tries.
 */
function tapStillCounts(): boolean {
  const activation = (navigator as Partial<Navigator>).userActivation;
  return activation ? activation.isActive : true;
}

function failure(error: unknown, target: ShareTarget): string {
  if (!(error instanceof HttpError)) return 'Could not reach musicsharer. Try again.';
  if (error.status === 404) return `This ${target.type} is no longer in the library.`;
  return `The link was not created (HTTP ${error.status}).`;
}

/**
 * The sheet a Share button opens: how long the link lasts (7 days unless changed) and whether
 * the friend may download, then "Create link". The link goes straight to the system share sheet
 * when the tap still allows it (Chrome, Android); iOS Safari does not let a share sheet open
 * after waiting for the server, so the sheet then offers "Share link…" for a second tap, which
 * always works. No share sheet at all (plain http on the home network has none): the link is
 * copied, with a visible "Link copied". Closing the system share sheet is not an error.
 */
export function ShareSheet() {
  const { shareTarget, api } = useApp();
  const target = shareTarget.value;
  const shares = useMemo(() => createShares(api), [api]);
  const [expiry, setExpiry] = useState<ShareExpiry>(DEFAULT_SHARE_EXPIRY_DAYS);
  const [download, setDownload] = useState(false);
  const [busy, setBusy] = useState(false);
  const [link, setLink] = useState<Share | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const panel = useRef<HTMLDivElement>(null);
  const canShare = typeof navigator.share === 'function';
  const close = () => (shareTarget.value = null);

  useEffect(() => {
    panel.current?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') shareTarget.value = null;
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, [shareTarget]);

  if (!target) return null;

  /** The system share sheet, else the clipboard. `tapped`: inside a tap of its own (may fall back to copying). */
  async function handOn(share: Share, tapped: boolean) {
    setNote(null);
    const result = await deliverLink(share, { copyFallback: tapped });
    if (result === 'copied') setNote(COPIED);
    else if (result === 'failed' && tapped) setNote(COPY_FAILED);
  }

  async function copy(share: Share) {
    setNote((await copyText(share.url)) ? COPIED : COPY_FAILED);
  }

  async function create(for_: ShareTarget) {
    setBusy(true);
    setError(null);
    try {
      const share = await shares.create({ type: for_.type, id: for_.id, expiresInDays: expiry, download });
      setLink(share);
      if (tapStillCounts()) void handOn(share, false);
    } catch (caught) {
      // A 401 has already put the pairing screen up.
      setError(failure(caught, for_));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class={sheet.backdrop} onClick={(event) => event.target === event.currentTarget && close()}>
      <div ref={panel} class={sheet.sheet} role="dialog" aria-modal="true" aria-labelledby="share-sheet-title" tabIndex={-1}>
        <h2 id="share-sheet-title" class={styles.title}>
          Share “{target.title}”
        </h2>
        <p class={styles.hint}>
          Anyone with the link can listen to this {target.type}
          {(link?.download ?? download) ? ' and download it' : ''}, without signing in. Nothing else of your music.
        </p>
        {link === null ? (
          <>
            <fieldset class={styles.field} disabled={busy}>
              <legend class={styles.label}>The link works for</legend>
              <div class={styles.segments}>
                {SHARE_EXPIRY_PRESETS.map((days) => (
                  <label key={String(days)} class={styles.segment}>
                    <input type="radio" name="share-expiry" value={String(days)} checked={expiry === days} onChange={() => setExpiry(days)} />
                    <span>{expiryLabel(days)}</span>
                  </label>
                ))}
              </div>
            </fieldset>
            <label class={styles.toggle}>
              <span>Allow download</span>
              <input type="checkbox" role="switch" class={switches.switch} checked={download} disabled={busy} onChange={(event) => setDownload(event.currentTarget.checked)} />
            </label>
            {error && (
              <p class={styles.error} role="alert">
                {error}
              </p>
            )}
            <div class={styles.actions}>
              <button type="button" class={styles.primary} disabled={busy} onClick={() => void create(target)}>
                {busy ? 'Creating…' : 'Create link'}
              </button>
              <button type="button" class={styles.secondary} onClick={close}>
                Cancel
              </button>
            </div>
          </>
        ) : (
          <>
            <input class={styles.url} type="url" readOnly value={link.url} aria-label="Link" onFocus={(event) => event.currentTarget.select()} />
            <p class={styles.hint}>This link {expiryText(link.expiresAt)}.</p>
            <div class={styles.actions}>
              {canShare && (
                <button type="button" class={styles.primary} onClick={() => void handOn(link, true)}>
                  Share link…
                </button>
              )}
              <button type="button" class={canShare ? styles.secondary : styles.primary} onClick={() => void copy(link)}>
                Copy link
              </button>
              <button type="button" class={styles.secondary} onClick={close}>
                Done
              </button>
            </div>
            <p class={styles.note} role="status">
              {note}
            </p>
          </>
        )}
      </div>
    </div>
  );
}
