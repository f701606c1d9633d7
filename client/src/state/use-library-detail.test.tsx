import { signal } from '@preact/signals';
import { act, render } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import type { AppState } from './app-state.js';
import { AppContext } from './context.js';
import { useLibraryDetail, type LibraryDetail } from './use-library-detail.js';

/** Loads that the test answers by hand, one per call, in any order. */
function manualLoader() {
  const pending: { id: string; resolve: (value: string) => void; reject: (error: Error) => void }[] = [];
  const load = vi.fn(
    (id: string) => new Promise<string>((resolve, reject) => void pending.push({ id, resolve, reject })),
  );
  const answer = async (n: number, outcome: string | Error) => {
    const call = pending[n]!;
    await act(async () => (outcome instanceof Error ? call.reject(outcome) : call.resolve(outcome)));
  };
  return { load, pending, answer };
}

function setup(load: (id: string) => Promise<string>, id = 'a1') {
  const version = signal(0);
  const seen: LibraryDetail<string>[] = [];
  function Probe({ id }: { id: string }) {
    const detail = useLibraryDetail(load, id, `Could not load ${id}.`);
    seen.push(detail);
    return null;
  }
  const app = { library: { version } } as unknown as AppState;
  const page = (pageId: string) => (
    <AppContext.Provider value={app}>
      <Probe id={pageId} />
    </AppContext.Provider>
  );
  const view = render(page(id));
  return { version, last: () => seen.at(-1)!, show: (pageId: string) => view.rerender(page(pageId)), unmount: view.unmount };
}

describe('useLibraryDetail', () => {
  it('is loading, then has the answer; a failure says so', async () => {
    const { load, answer } = manualLoader();
    const { last, show } = setup(load);
    expect(last()).toEqual({ id: 'a1', data: null, loading: true, error: null });
    await answer(0, 'album one');
    expect(last()).toMatchObject({ data: 'album one', loading: false, error: null });

    show('a2');
    expect(last()).toEqual({ id: 'a2', data: null, loading: true, error: null });
    await answer(1, new Error('HTTP 404'));
    expect(last()).toMatchObject({ data: null, loading: false, error: 'Could not load a2.' });
  });

  it('loads again when the library changes, showing the old answer until the new one arrives', async () => {
    const { load, answer } = manualLoader();
    const { last, version } = setup(load);
    await answer(0, 'before');
    act(() => void version.value++);
    expect(load).toHaveBeenCalledTimes(2);
    expect(last()).toMatchObject({ data: 'before', loading: true });
    await answer(1, 'after');
    expect(last()).toMatchObject({ data: 'after', loading: false });
  });

  it('drops an answer for an id already replaced, or for a page already left', async () => {
    const { load, pending, answer } = manualLoader();
    const { last, show, unmount } = setup(load);
    show('a2');
    expect(pending.map((p) => p.id)).toEqual(['a1', 'a2']);
    await answer(1, 'album two');
    await answer(0, 'album one');
    expect(last()).toMatchObject({ data: 'album two', loading: false });

    show('a3');
    const renders = last();
    unmount();
    await answer(2, 'album three');
    expect(last()).toBe(renders);
  });
});
