import { useEffect, useState } from 'preact/hooks';
import type { PairTicket } from '../../state/auth.js';
import { useApp } from '../../state/context.js';
import { formatTime } from '../../state/format.js';
import styles from './Account.module.css';
import { qrSvg } from './qr-svg.js';

/** Seconds left on the ticket, counted down on this device's clock. */
function secondsLeft(ticket: PairTicket, now: number): number {
  return Math.max(0, Math.floor((ticket.expiresAt - now) / 1000));
}

/**
 * "Add a device": a fresh pairing link as a QR code for the new device's camera, and the same
 * as a 6-digit code to type on its pairing screen (a home-screen app cannot open a link).
 */
export function AddDevice() {
  const { auth } = useApp();
  const [ticket, setTicket] = useState<PairTicket | null>(null);
  const [svg, setSvg] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [now, setNow] = useState(Date.now());

  async function newCode() {
    setBusy(true);
    setError(null);
    try {
      const next = await auth.newPairCode();
      setSvg(null);
      setNow(Date.now());
      setTicket(next);
    } catch {
      setError('Could not make a pairing code. Try again.');
    } finally {
      setBusy(false);
    }
  }

  useEffect(() => {
    if (!ticket) return;
    let live = true;
    qrSvg(ticket.url).then(
      (markup) => live && setSvg(markup),
      () => live && setError('Could not draw the QR code: type the code instead.'),
    );
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [ticket]);

  if (!ticket) {
    return (
      <div class={styles.addRow}>
        <button type="button" class={styles.primary} disabled={busy} onClick={() => void newCode()}>
          {busy ? 'Making a code…' : 'Add a device'}
        </button>
        {error && (
          <p class={styles.error} role="alert">
            {error}
          </p>
        )}
      </div>
    );
  }

  const left = secondsLeft(ticket, now);
  const expired = left === 0;
  return (
    <div class={styles.panel} role="group" aria-labelledby="add-device-heading">
      <h3 id="add-device-heading" class={styles.panelTitle}>
        Add a device
      </h3>
      <p class={styles.hint}>On the new device, point the camera at this code. Or open musicsharer there and type the 6 digits below.</p>
      <div
        class={styles.qr}
        role="img"
        aria-label="QR code of the pairing link"
        data-expired={expired ? 'true' : undefined}
        // Markup from the QR encoder (path data only), not from any text a user typed.
        dangerouslySetInnerHTML={{ __html: svg ?? '' }}
      />
      <p class={styles.code} data-pair-code={ticket.code} data-expired={expired ? 'true' : undefined}>
        <span>{ticket.code.slice(0, 3)}</span>
        <span>{ticket.code.slice(3)}</span>
      </p>
      {expired ? (
        <p class={styles.expired} role="status">
          This code has expired.
        </p>
      ) : (
        <p class={styles.timer} role="timer">
          Valid for {formatTime(left)}
        </p>
      )}
      {error && (
        <p class={styles.error} role="alert">
          {error}
        </p>
      )}
      <div class={styles.actions}>
        {expired && (
          <button type="button" class={styles.primary} disabled={busy} onClick={() => void newCode()}>
            New code
          </button>
        )}
        <button type="button" class={styles.secondary} onClick={() => setTicket(null)}>
          Done
        </button>
      </div>
    </div>
  );
}
