import { useEffect, useState } from 'preact/hooks';

/**
 * A module in a chunk of its own (a screen or a panel the first screen does without), loaded
 * when the component using it first renders: null until it is in, 'failed' when it could not be
 * loaded (offline, a new build replaced the old chunks). `load` must keep its identity between
 * renders (a module-level `() => import('…')`).
 */
export function useModule<T>(load: () => Promise<T>): T | null | 'failed' {
  const [module, setModule] = useState<T | null | 'failed'>(null);
  useEffect(() => {
    let live = true;
    load().then(
      (loaded) => live && setModule(() => loaded),
      () => live && setModule('failed'),
    );
    return () => {
      live = false;
    };
  }, [load]);
  return module;
}
