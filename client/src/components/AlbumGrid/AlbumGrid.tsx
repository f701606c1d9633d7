import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { Album } from '@musicsharer/shared';
import { AlbumCard } from '../AlbumCard/AlbumCard.js';
import { VirtualList } from '../VirtualList/VirtualList.js';
import styles from './AlbumGrid.module.css';

const MIN_CARD = 150;
const GAP = 14;
const PADDING = 16;
/** Room under a cover for two lines of text. */
const CAPTION = 48;

/** Albums as a grid of cover cards, virtualized by grid row; columns follow the width. */
export function AlbumGrid({ albums, header, persistKey, label }: { albums: readonly Album[]; header?: ComponentChildren; persistKey?: string; label?: string }) {
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const measure = () => setWidth(el.clientWidth);
    measure();
    const observer = typeof ResizeObserver === 'function' ? new ResizeObserver(measure) : null;
    observer?.observe(el);
    return () => observer?.disconnect();
  }, []);

  const inner = (width || 375) - 2 * PADDING;
  const columns = Math.max(2, Math.floor((inner + GAP) / (MIN_CARD + GAP)));
  const cardWidth = (inner - (columns - 1) * GAP) / columns;
  const rowHeight = Math.round(cardWidth + CAPTION + GAP);
  const rows = Math.ceil(albums.length / columns);

  return (
    <div ref={box} class={styles.box} style={{ '--columns': columns }}>
      <VirtualList
        count={rows}
        rowHeight={rowHeight}
        header={header}
        persistKey={persistKey}
        label={label}
        renderRow={(row) => (
          <div class={styles.row}>
            {albums.slice(row * columns, row * columns + columns).map((album) => (
              <AlbumCard key={album.id} album={album} />
            ))}
          </div>
        )}
      />
    </div>
  );
}
