import { useState } from 'preact/hooks';
import type { JSX } from 'preact';
import { MIN_PASSWORD_LENGTH } from '@musicsharer/shared';
import { MESSAGES, passwordProblem } from '../../state/auth.js';
import { useApp } from '../../state/context.js';
import styles from './Account.module.css';

type Outcome = { ok: boolean; text: string } | null;

/** Settings -> Password: set or change the password that signs a far-away device in. */
export function PasswordSettings() {
  const { auth } = useApp();
  const passwordSet = auth.info.value?.passwordSet ?? false;
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(null);

  async function submit(event: JSX.TargetedSubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const problem = passwordProblem(password, confirm);
    if (problem) {
      setOutcome({ ok: false, text: problem });
      return;
    }
    setBusy(true);
    setOutcome(null);
    const failed = await auth.setPassword(password);
    setBusy(false);
    if (failed) {
      setOutcome({ ok: false, text: failed });
      return;
    }
    setPassword('');
    setConfirm('');
    setOutcome({ ok: true, text: MESSAGES.passwordSaved });
  }

  return (
    <section class={styles.section} aria-labelledby="settings-heading">
      <h2 id="settings-heading" class={styles.sectionTitle}>
        Settings
      </h2>
      <div class={styles.panel}>
        <h3 class={styles.panelTitle}>Password</h3>
        <p class={styles.passwordState}>{passwordSet ? 'A password is set.' : 'No password is set.'}</p>
        <p class={styles.hint}>
          For signing in from a device far from the server, where you cannot scan its code or get one from a paired device: its
          pairing screen has “Sign in with a password”. At home, pairing is quicker.
        </p>
        <form class={styles.form} onSubmit={(event) => void submit(event)} noValidate>
          <label class={styles.label} for="new-password">
            New password (at least {MIN_PASSWORD_LENGTH} characters)
          </label>
          <input
            id="new-password"
            class={styles.input}
            type="password"
            autoComplete="new-password"
            minLength={MIN_PASSWORD_LENGTH}
            value={password}
            onInput={(event) => setPassword(event.currentTarget.value)}
          />
          <label class={styles.label} for="confirm-password">
            Confirm the new password
          </label>
          <input
            id="confirm-password"
            class={styles.input}
            type="password"
            autoComplete="new-password"
            value={confirm}
            onInput={(event) => setConfirm(event.currentTarget.value)}
          />
          <button type="submit" class={styles.secondary} disabled={busy}>
            {busy ? 'Saving…' : passwordSet ? 'Change password' : 'Set password'}
          </button>
          {outcome && (
            <p class={outcome.ok ? styles.saved : styles.error} role={outcome.ok ? 'status' : 'alert'}>
              {outcome.text}
            </p>
          )}
        </form>
      </div>
    </section>
  );
}
