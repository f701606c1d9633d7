import { useApp } from '../../state/context.js';
import styles from './ResumePrompt.module.css';

/** Shown when the browser refused play() (no user gesture): a tap here is that gesture. */
export function ResumePrompt() {
  const { player } = useApp();
  if (!player.blocked.value) return null;
  return (
    <div class={styles.box} role="alert">
      <button type="button" class={styles.button} onClick={() => player.play()}>
        Tap to resume
      </button>
    </div>
  );
}
