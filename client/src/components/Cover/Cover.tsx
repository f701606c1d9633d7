import { useState } from 'preact/hooks';
import type { CoverSize } from '@musicsharer/shared';
import { coverAt } from '../../state/format.js';
import styles from './Cover.module.css';

export interface CoverProps {
  url: string | null;
  /** Title the placeholder takes its initials and colour from. */
  title: string;
  /** One of the server's thumbnail sizes (`COVER_SIZES`). */
  size: CoverSize;
  class?: string;
}

function hue(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) >>> 0;
  return h % 360;
}

function initials(title: string): string {
  return title.split(/\s+/).filter(Boolean).slice(0, 2).map((w) => [...w][0]!.toUpperCase()).join('') || '♪';
}

/** Album art when the server has it, else a tidy coloured placeholder with the title's initials. */
export function Cover({ url, title, size, class: className = '' }: CoverProps) {
  const [failed, setFailed] = useState<string | null>(null);
  if (!url || failed === url) {
    return (
      <div class={`${styles.cover} ${styles.placeholder} ${className}`} style={{ '--hue': hue(title) }} aria-hidden="true">
        <span>{initials(title)}</span>
      </div>
    );
  }
  return (
    <img
      class={`${styles.cover} ${className}`}
      src={coverAt(url, size)}
      alt=""
      width={size}
      height={size}
      loading="lazy"
      decoding="async"
      onError={() => setFailed(url)}
    />
  );
}
