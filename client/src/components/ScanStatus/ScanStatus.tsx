import { useApp } from '../../state/context.js';
import styles from './ScanStatus.module.css';

/** Library scan progress while the server scans; gone when it is done. */
export function ScanStatus() {
  const { library } = useApp();
  const scan = library.scan.value;
  if (!scan?.scanning) return null;
  const fraction = scan.total > 0 ? Math.min(1, scan.done / scan.total) : 0;
  return (
    <div class={styles.scan} role="status">
      <span>
        Scanning library… {scan.done.toLocaleString()} of {scan.total.toLocaleString()} files
      </span>
      <progress class={styles.bar} max={scan.total || 1} value={scan.done} aria-label="Scan progress" />
      <span class={styles.fraction} aria-hidden="true">
        {Math.round(fraction * 100)}%
      </span>
    </div>
  );
}
