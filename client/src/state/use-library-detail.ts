import { useEffect, useState } from 'preact/hooks';
import { useApp } from './context.js';

export interface LibraryDetail<T> {
  /** The id this state is for. */
  id: string;
  /** The answer for `id`; null until it arrives (never another id's). */
  data: T | null;
  loading: boolean;
  error: string | null;
}

/**
 * A detail page's data (one album, one artist): loaded for `id`, loaded again when the library
 * is reloaded (the server said it changed), and an answer that arrives after the page was left
 * or its id replaced is dropped. `load` must keep its identity between renders (the library
 * model's `album` and `artist` do).
 */
export function useLibraryDetail<T>(load: (id: string) => Promise<T>, id: string, failure: string): LibraryDetail<T> {
  const { library } = useApp();
  const version = library.version.value;
  const [state, setState] = useState<LibraryDetail<T>>({ id, data: null, loading: true, error: null });

  useEffect(() => {
    // Cleared when the page is left or its id replaced: a late answer is dropped. The request
    // itself runs on, since the library keeps its answer for the next visit.
    let wanted = true;
    // A reload keeps what this page shows until the fresh answer replaces it.
    setState((last) => ({ id, data: last.id === id ? last.data : null, loading: true, error: null }));
    load(id).then(
      (data) => wanted && setState({ id, data, loading: false, error: null }),
      () => wanted && setState((last) => ({ ...last, loading: false, error: failure })),
    );
    return () => {
      wanted = false;
    };
  }, [load, id, version, failure]);

  // Until the effect has run for a new id, the state still describes the old one.
  return state.id === id ? state : { id, data: null, loading: true, error: null };
}
