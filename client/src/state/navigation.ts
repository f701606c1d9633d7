import { signal, type ReadonlySignal } from '@preact/signals';

/** The screens. No router library: a signal holds the current one. */
export type View =
  | { name: 'albums' }
  | { name: 'artists' }
  | { name: 'tracks' }
  | { name: 'devices' }
  /** Shared links (from Devices). */
  | { name: 'shares' }
  | { name: 'album'; id: string }
  | { name: 'artist'; id: string };

export type TabName = 'albums' | 'artists' | 'tracks' | 'devices';

export interface NavigationModel {
  view: ReadonlySignal<View>;
  /** Switch tabs (replaces the history entry). */
  tab(name: TabName): void;
  /** Open a detail page (a new history entry, so the iOS back swipe returns). */
  open(view: View): void;
  back(): void;
  start(): void;
  stop(): void;
}

function isView(value: unknown): value is View {
  return typeof value === 'object' && value !== null && typeof (value as { name?: unknown }).name === 'string';
}

export interface NavigationOptions {
  /** Runs before every tab switch or page open (the app clears the search: a tap on a result leaves it). */
  onNavigate?: () => void;
}

export function createNavigation(
  win: Pick<Window, 'history' | 'addEventListener' | 'removeEventListener'> | null,
  options: NavigationOptions = {},
): NavigationModel {
  const view = signal<View>({ name: 'albums' });
  const history = win?.history;
  /** Views under the current one, for the Back button. */
  const stack: View[] = [];

  const onPop = (event: PopStateEvent) => {
    const state: unknown = event.state;
    stack.pop();
    view.value = isView((state as { view?: unknown } | null)?.view) ? (state as { view: View }).view : { name: 'albums' };
  };

  return {
    view,
    tab(name) {
      options.onNavigate?.();
      stack.length = 0;
      view.value = { name };
      history?.replaceState({ view: view.value }, '');
    },
    open(next) {
      options.onNavigate?.();
      stack.push(view.value);
      view.value = next;
      history?.pushState({ view: next }, '');
    },
    back() {
      const previous = stack.pop();
      view.value = previous ?? { name: 'albums' };
      // The popstate that follows carries the same view.
      if (previous && history) {
        stack.push(previous);
        history.back();
      }
    },
    start() {
      history?.replaceState({ view: view.value }, '');
      win?.addEventListener('popstate', onPop);
    },
    stop() {
      win?.removeEventListener('popstate', onPop);
    },
  };
}
