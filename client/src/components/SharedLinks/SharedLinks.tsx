import { useEffect, useMemo, useState } from 'preact/hooks';
import { SHARE_EXPIRY_PRESETS, type Share, type ShareExpiry, type ShareUpdateRequest } from '@musicsharer/shared';
import { useApp } from '../../state/context.js';
import { copyText, createShares, expired, expiryLabel, expiryText, type SharesClient } from '../../state/shares.js';
import { PageHeader } from '../PageHeader/PageHeader.js';
import styles from './SharedLinks.module.css';

const visits = (n: number) => `${n} ${n === 1 ? 'visit' : 'visits'}`;
/** The expiry menu's value for a preset ('never' for null). */
const presetValue = (days: ShareExpiry) => (days === null ? 'never' : String(days));

interface ItemProps {
  share: Share;
  now: number;
  shares: SharesClient;
  onChanged: (share: Share) => void;
  onRevoked: (id: string) => void;
}

/** One link: what it shares, its visits, expiry and download; copy, change, revoke (after a confirmation). */
function ShareItem({ share, now, shares, onChanged, onRevoked }: ItemProps) {
  const [pending, setPending] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  const gone = expired(share, now);

  async function run(action: () => Promise<void>, failed: string) {
    setPending(true);
    setNote(null);
    try {
      await action();
    } catch {
      // A 401 has already put the pairing screen up.
      setNote(failed);
    } finally {
      setPending(false);
    }
  }
  const update = (change: ShareUpdateRequest) => run(async () => onChanged(await shares.update(share.id, change)), 'The link was not changed. Try again.');
  const revoke = () =>
    run(async () => {
      await shares.revoke(share.id);
      onRevoked(share.id);
    }, 'The link was not revoked. Try again.');

  return (
    <li class={styles.item} data-share-id={share.id} data-expired={gone ? 'true' : undefined}>
      <p class={styles.head}>
        <span class={styles.type}>{share.type === 'album' ? 'Album' : 'Track'}</span>
        <span class={styles.title}>{share.title}</span>
      </p>
      <p class={styles.meta}>
        {visits(share.visits)} · <span class={gone ? styles.expired : undefined}>{expiryText(share.expiresAt, now)}</span> · download{' '}
        {share.download ? 'on' : 'off'}
      </p>
      <div class={styles.controls}>
        <button type="button" class={styles.button} disabled={gone} onClick={async () => setNote((await copyText(share.url)) ? 'Link copied' : 'Could not copy the link.')}>
          Copy link
        </button>
        <select
          class={styles.select}
          aria-label={`Expiry of ${share.title}`}
          value=""
          disabled={pending}
          onChange={(event) => {
            const value = event.currentTarget.value;
            void update({ expiresInDays: SHARE_EXPIRY_PRESETS.find((days) => presetValue(days) === value) ?? null });
          }}
        >
          <option value="" disabled>
            {gone ? 'Renew…' : 'Expiry…'}
          </option>
          {SHARE_EXPIRY_PRESETS.map((days) => (
            <option key={presetValue(days)} value={presetValue(days)}>
              {days === null ? 'Never expires' : `${expiryLabel(days)} from now`}
            </option>
          ))}
        </select>
        <label class={styles.download}>
          <input type="checkbox" checked={share.download} disabled={pending} onChange={(event) => void update({ download: event.currentTarget.checked })} />
          Download
        </label>
        <button type="button" class={`${styles.button} ${styles.danger}`} disabled={pending} aria-expanded={confirming} onClick={() => setConfirming(true)}>
          Revoke
        </button>
      </div>
      {confirming && (
        <div class={styles.confirm} role="group" aria-label={`Revoke the link to ${share.title}`}>
          <p>Revoke this link? Whoever has it can no longer open it.</p>
          <button type="button" class={`${styles.button} ${styles.revoke}`} disabled={pending} onClick={() => void revoke()}>
            Revoke link
          </button>
          <button type="button" class={styles.button} onClick={() => setConfirming(false)}>
            Keep it
          </button>
        </div>
      )}
      <p class={styles.note} role="status">
        {note}
      </p>
    </li>
  );
}

/**
 * "Shared links" (from Devices): every link made with Share, newest first, with its visits,
 * expiry and download setting; copy a link again, change its expiry (counted from now) or
 * download, or revoke it.
 */
export function SharedLinks() {
  const { api } = useApp();
  const shares = useMemo(() => createShares(api), [api]);
  const [list, setList] = useState<Share[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [now, setNow] = useState(Date.now());

  useEffect(() => {
    let live = true;
    shares.list().then(
      (loaded) => {
        if (!live) return;
        setList(loaded);
        setNow(Date.now());
      },
      () => live && setError('Could not load the shared links.'),
    );
    return () => {
      live = false;
    };
  }, [shares]);

  const changed = (share: Share) => {
    setNow(Date.now());
    setList((last) => last && last.map((s) => (s.id === share.id ? share : s)));
  };
  const revoked = (id: string) => setList((last) => last && last.filter((s) => s.id !== id));

  return (
    <div class={styles.page}>
      <PageHeader />
      <div class={styles.body}>
        <h1 class={styles.heading}>Shared links</h1>
        <p class={styles.hint}>Anyone with one of these links can listen to what it shares, without signing in, until it expires or you revoke it.</p>
        {error && (
          <p class={styles.error} role="alert">
            {error}
          </p>
        )}
        {list === null ? (
          !error && <p class={styles.hint}>Loading…</p>
        ) : list.length === 0 ? (
          <p class={styles.empty}>No shared links yet. Open an album and tap Share, or tap the share button beside a track.</p>
        ) : (
          <ul class={styles.list}>
            {list.map((share) => (
              <ShareItem key={share.id} share={share} now={now} shares={shares} onChanged={changed} onRevoked={revoked} />
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}
