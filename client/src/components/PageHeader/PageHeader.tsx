import type { ComponentChildren } from 'preact';
import { useApp } from '../../state/context.js';
import { Icon } from '../Icon/Icon.js';
import styles from './PageHeader.module.css';

/** A detail page's top: Back, then whatever the page shows about itself. */
export function PageHeader({ children }: { children?: ComponentChildren }) {
  const { navigation } = useApp();
  return (
    <div class={styles.header}>
      <button type="button" class={styles.back} onClick={() => navigation.back()}>
        <Icon name="back" />
        <span>Back</span>
      </button>
      {children}
    </div>
  );
}
