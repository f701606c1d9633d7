/**
 * Scan progress in the terminal: on a TTY one updating line with a bar (count, files/s, ETA),
 * otherwise a plain line every few seconds. Silent for scans that finish quickly (a restart
 * over an unchanged library, a periodic check), so logs stay clean.
 */
import type { ScanStatus } from '@musicsharer/shared';

export interface ProgressLine {
  done: number;
  total: number;
  elapsedMs: number;
}

function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

/** "1,234/10,000 files  812 files/s  ETA 0:11" (pure). */
export function formatProgress({ done, total, elapsedMs }: ProgressLine): string {
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  const count = `${done.toLocaleString('en')}/${total.toLocaleString('en')} files`;
  const eta = rate > 0 && total > done ? `  ETA ${clock((total - done) / rate)}` : '';
  return `${count}  ${Math.round(rate).toLocaleString('en')} files/s${eta}`;
}

/** "[##########----------]  50%" (pure). */
export function progressBar(done: number, total: number, width = 24): string {
  const ratio = total > 0 ? Math.min(1, done / total) : 0;
  const filled = Math.round(ratio * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.floor(ratio * 100)).padStart(3)}%`;
}

export interface ReporterOptions {
  /** Scans shorter than this print nothing. */
  quietMs?: number;
  /** Without a TTY: time between lines. */
  lineIntervalMs?: number;
  now?: () => number;
}

export interface ReporterStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** What the reporter needs of the library: its `progress` events. */
export interface ProgressSource {
  on(event: 'progress', listener: (status: ScanStatus) => void): unknown;
  off(event: 'progress', listener: (status: ScanStatus) => void): unknown;
}

/**
 * Reports the library's scans on `out` until the returned function is called.
 */
export function reportScanProgress(library: ProgressSource, out: ReporterStream, options: ReporterOptions = {}): () => void {
  const { quietMs = 1500, lineIntervalMs = 5000, now = () => Date.now() } = options;
  const tty = out.isTTY === true;
  let startedAt: number | undefined;
  let printedAt: number | undefined;
  let lastLineAt = 0;

  const onProgress = (status: ScanStatus) => {
    const t = now();
    if (status.scanning) {
      startedAt ??= t;
      const elapsedMs = t - startedAt;
      if (elapsedMs < quietMs) return;
      const line = formatProgress({ done: status.done, total: status.total, elapsedMs });
      if (tty) {
        out.write(`\r\x1b[Klibrary ${progressBar(status.done, status.total)} ${line}`);
        printedAt = t;
      } else if (printedAt === undefined || t - lastLineAt >= lineIntervalMs) {
        out.write(`library scan: ${line}\n`);
        printedAt = t;
        lastLineAt = t;
      }
      return;
    }
    if (startedAt !== undefined && printedAt !== undefined) {
      const seconds = (t - startedAt) / 1000;
      const rate = seconds > 0 ? Math.round(status.done / seconds) : status.done;
      const summary = `library scan done: ${status.trackCount.toLocaleString('en')} tracks, ${status.done.toLocaleString('en')} files in ${seconds.toFixed(1)} s (${rate.toLocaleString('en')} files/s)`;
      out.write(tty ? `\r\x1b[K${summary}\n` : `${summary}\n`);
    }
    startedAt = undefined;
    printedAt = undefined;
  };
  library.on('progress', onProgress);
  return () => library.off('progress', onProgress);
}
