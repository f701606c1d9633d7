import { useEffect, useState } from 'preact/hooks';
import { useApp } from './context.js';

export interface LibraryDetail<T> {
  /** The answer for the id asked for; null until it arrives (never another id's). */
  data: T | null;
  loading: boolean;
  error: string | null;
}

interface Loaded<T> extends LibraryDetail<T> {
  id: string;
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
  const [state, setState] = useState<Loaded<T>>({ id, data: null, loading: true, error: null });

  useEffect(() => {
    const request = new AbortController();
    // A reload keeps what this page shows until the fresh answer replaces it.
    setState((last) => ({ id, data: last.id === id ? last.data : null, loading: true, error: null }));
    load(id).then(
      (data) => request.signal.aborted || setState({ id, data, loading: false, error: null }),
      () => request.signal.aborted || setState((last) => ({ ...last, loading: false, error: failure })),
    );
    return () => request.abort();
  }, [load, id, version, failure]);

  const { data, loading, error } = state.id === id ? state : { data: null, loading: true, error: null };
  return { data, loading, error };
}
