import { useApp } from '../../state/context.js';
import styles from './SearchBar.module.css';

/** Always at the top: filters tracks, albums and artists as you type. */
export function SearchBar() {
  const { search, navigation } = useApp();
  return (
    <form class={styles.form} role="search" onSubmit={(e) => {
      e.preventDefault();
      // Enter dismisses the iOS keyboard so the results are visible.
      (document.activeElement as HTMLElement | null)?.blur();
    }}>
      <input
        class={styles.input}
        type="search"
        aria-label="Search"
        placeholder="Search"
        enterKeyHint="search"
        autoComplete="off"
        autoCapitalize="off"
        autoCorrect="off"
        spellcheck={false}
        value={search.query.value}
        onInput={(e) => {
          search.setQuery(e.currentTarget.value);
          navigation.search(e.currentTarget.value);
        }}
      />
    </form>
  );
}
