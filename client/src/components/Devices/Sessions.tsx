import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { Session } from '@musicsharer/shared';
import { useApp } from '../../state/context.js';
import { formatAgo } from '../../state/format.js';
import { Icon } from '../Icon/Icon.js';
import styles from './Account.module.css';

/** The list refreshes this often while it is on screen (a device just paired shows up). */
const REFRESH_MS = 5_000;

/** This device first, then the most recently seen. */
function ordered(sessions: Session[]): Session[] {
  return [...sessions].sort((a, b) => Number(b.current) - Number(a.current) || Date.parse(b.lastSeenAt) - Date.parse(a.lastSeenAt));
}

/**
 * "Signed-in devices": every session, with a Sign out button each. `children` (the "Add a
 * device" button) sit above the list, where the list arriving or growing cannot move them.
 */
export function Sessions({ children }: { children?: ComponentChildren }) {
  const { auth } = useApp();
  const [sessions, setSessions] = useState<Session[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState<string | null>(null);
  const [now, setNow] = useState(Date.now());

  const load = useCallback(async () => {
    try {
      const list = await auth.sessions();
      setSessions(ordered(list));
      setNow(Date.now());
      setError(null);
    } catch {
      // A 401 has already switched to the pairing screen; anything else is worth a line.
      setError('Could not load the signed-in devices.');
    }
  }, [auth]);

  useEffect(() => {
    void load();
    const timer = setInterval(() => {
      if (document.visibilityState !== 'hidden') void load();
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, [load]);

  async function signOut(session: Session) {
    setPending(session.id);
    try {
      await auth.revoke(session);
      // Signing out this device leaves for the pairing screen; the others' list refreshes.
      if (!session.current) await load();
    } catch {
      setError(`Could not sign out ${session.name}.`);
    } finally {
      setPending(null);
    }
  }

  return (
    <section class={styles.section} aria-labelledby="sessions-heading">
      <h2 id="sessions-heading" class={styles.sectionTitle}>
        Signed-in devices
      </h2>
      <p class={styles.hint}>Each browser and home-screen app that can play your music. Sign out one you no longer use or do not know.</p>
      {children}
      {error && (
        <p class={styles.error} role="alert">
          {error}
        </p>
      )}
      {sessions === null ? (
        !error && <p class={styles.hint}>Loading…</p>
      ) : (
        <ul class={styles.sessions}>
          {sessions.map((session) => (
            <li key={session.id} class={styles.session} data-session-id={session.id} data-current={session.current ? 'true' : undefined}>
              <Icon name="devices" />
              <span class={styles.sessionText}>
                <span class={styles.sessionName}>
                  {session.name}
                  {session.current && <span class={styles.thisDevice}>This device</span>}
                </span>
                <span class={styles.sessionMeta}>
                  {session.current ? 'active now' : formatAgo(session.lastSeenAt, now)}
                  {session.address && ` · ${session.address}`}
                </span>
              </span>
              <button
                type="button"
                class={styles.signOut}
                aria-label={`Sign out ${session.current ? 'this device' : session.name}`}
                disabled={pending !== null}
                onClick={() => void signOut(session)}
              >
                {pending === session.id ? 'Signing out…' : 'Sign out'}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
