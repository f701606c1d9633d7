import { useState } from 'preact/hooks';
import type { JSX } from 'preact';
import { codeDigits, PAIR_CODE_LENGTH } from '../../state/auth.js';
import { useApp } from '../../state/context.js';
import { Icon } from '../Icon/Icon.js';
import styles from './Pairing.module.css';

type Submit = JSX.TargetedSubmitEvent<HTMLFormElement>;

/** One credential form's state: what is typed, whether it is on its way, what went wrong. */
function useSignIn(send: (value: string) => Promise<string | null>) {
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function submit(event: Submit, value: string) {
    event.preventDefault();
    if (busy || done) return;
    setBusy(true);
    setError(null);
    const problem = await send(value);
    setBusy(false);
    if (problem === null) setDone(true);
    else setError(problem);
  }
  return { busy, done, error, submit };
}

/**
 * What a browser without a session sees: how to get one (the server's QR code, `npm run pair`,
 * or a code from a device already paired) and the forms for a code or the password. An iPhone
 * home-screen app has its own cookies, so this is also how it gets in.
 */
export function Pairing() {
  const { auth } = useApp();
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const pairing = useSignIn((value) => auth.pair(value));
  const login = useSignIn((value) => auth.login(value));

  return (
    <main class={styles.page}>
      <div class={styles.card}>
        <div class={styles.badge}>
          <Icon name="devices" size={30} />
        </div>
        <h1 class={styles.title}>Pair this device with musicsharer</h1>
        <p class={styles.lead}>This music server plays only for devices you pair with it. Do it once per device.</p>

        <ol class={styles.ways}>
          <li>
            With this device’s camera, <strong>scan the QR code</strong> the server prints when it starts, or run{' '}
            <code>npm run pair</code> on the server for a fresh one.
          </li>
          <li>
            Or, on a device that is already paired, open <strong>Devices → Add a device</strong> and type its{' '}
            {PAIR_CODE_LENGTH}-digit code here:
          </li>
        </ol>

        <form class={styles.codeForm} onSubmit={(event) => void pairing.submit(event, code)} noValidate>
          <label class={styles.label} for="pair-code">
            Pairing code
          </label>
          <input
            id="pair-code"
            class={styles.code}
            name="code"
            type="text"
            inputMode="numeric"
            pattern="[0-9]*"
            autoComplete="one-time-code"
            maxLength={PAIR_CODE_LENGTH}
            placeholder="123456"
            value={code}
            aria-invalid={pairing.error ? 'true' : undefined}
            aria-describedby={pairing.error ? 'pair-error' : undefined}
            onInput={(event) => setCode(codeDigits(event.currentTarget.value))}
          />
          <button type="submit" class={styles.primary} disabled={pairing.busy || pairing.done}>
            {pairing.done ? 'Paired. Starting…' : pairing.busy ? 'Pairing…' : 'Pair'}
          </button>
          {pairing.error && (
            <p id="pair-error" class={styles.error} role="alert">
              {pairing.error}
            </p>
          )}
        </form>

        <details class={styles.password}>
          <summary>Sign in with a password</summary>
          <form class={styles.passwordForm} onSubmit={(event) => void login.submit(event, password)} noValidate>
            <label class={styles.label} for="login-password">
              Password
            </label>
            <input
              id="login-password"
              class={styles.input}
              name="password"
              type="password"
              autoComplete="current-password"
              value={password}
              onInput={(event) => setPassword(event.currentTarget.value)}
            />
            <button type="submit" class={styles.secondary} disabled={login.busy || login.done}>
              {login.done ? 'Signed in. Starting…' : login.busy ? 'Signing in…' : 'Sign in'}
            </button>
            {login.error && (
              <p class={styles.error} role="alert">
                {login.error}
              </p>
            )}
            <p class={styles.hint}>For signing in far from the server. A password is set on a paired device, in Devices → Settings.</p>
          </form>
        </details>
      </div>
    </main>
  );
}
