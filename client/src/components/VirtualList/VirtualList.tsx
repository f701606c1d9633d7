import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import styles from './VirtualList.module.css';

export interface VirtualListProps {
  count: number;
  /** Fixed row height in CSS pixels. */
  rowHeight: number;
  renderRow: (index: number) => ComponentChildren;
  /** Content above the rows, scrolling with them (an album's header, say). */
  header?: ComponentChildren;
  /** Rows rendered beyond each edge of the viewport. */
  overscan?: number;
  /** Keeps the scroll position across unmounts (leaving a list and coming back). */
  persistKey?: string;
  /** Where to start when nothing was persisted (the queue opens at the current track). */
  initialScrollTop?: number;
  label?: string;
}

/** Viewport height assumed before layout can be measured (tests, first paint). */
const FALLBACK_HEIGHT = 900;
const savedScroll = new Map<string, number>();

/**
 * A list that renders only the rows on screen plus a few: fixed row height, the scroll
 * container's scrollTop decides the window. 20,000 rows cost what 30 do.
 */
export function VirtualList({ count, rowHeight, renderRow, header, overscan = 6, persistKey, initialScrollTop = 0, label }: VirtualListProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const body = useRef<HTMLDivElement>(null);
  const [range, setRange] = useState<[number, number]>([0, Math.ceil(FALLBACK_HEIGHT / rowHeight) + overscan]);

  const update = useCallback(() => {
    const el = scroller.current;
    if (!el || !body.current) return;
    const top = el.scrollTop - body.current.offsetTop;
    const height = el.clientHeight || FALLBACK_HEIGHT;
    const first = Math.max(0, Math.floor(top / rowHeight) - overscan);
    const last = Math.max(first, Math.ceil((top + height) / rowHeight) + overscan);
    setRange((r) => (r[0] === first && r[1] === last ? r : [first, last]));
  }, [rowHeight, overscan]);

  useLayoutEffect(() => {
    const el = scroller.current;
    const start = (persistKey && savedScroll.get(persistKey)) || initialScrollTop;
    if (el && start) el.scrollTop = start;
    update();
    if (!el) return;
    const observer = typeof ResizeObserver === 'function' ? new ResizeObserver(update) : null;
    observer?.observe(el);
    return () => {
      observer?.disconnect();
      if (persistKey) savedScroll.set(persistKey, el.scrollTop);
    };
    // initialScrollTop only matters on mount.
  }, [update, persistKey]);

  // Row count changed (library reload, search): the window may now lie past the end.
  useEffect(update, [count, update]);

  const [first, last] = range;
  const end = Math.min(count, last);
  const rows: ComponentChildren[] = [];
  for (let i = Math.min(first, end); i < end; i++) rows.push(<div key={i} class={styles.row} style={{ height: rowHeight }}>{renderRow(i)}</div>);

  return (
    <div ref={scroller} class={styles.scroller} data-scroller onScroll={update} aria-label={label} role={label ? 'region' : undefined}>
      {header}
      <div ref={body} class={styles.body} style={{ height: count * rowHeight }}>
        <div class={styles.window} style={{ transform: `translateY(${Math.min(first, end) * rowHeight}px)` }}>
          {rows}
        </div>
      </div>
    </div>
  );
}
