import { apiPaths, type ShareCreateRequest } from '@musicsharer/shared';
import { fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flush, makeShare, reply, stubNavigator, type FakeRoute } from '../../../test/fixtures.js';
import { renderApp } from '../../../test/render.js';

const LINK = 'http://192.168.1.20:4533/s/k1';
let undo: (() => void)[] = [];
afterEach(() => {
  for (const fn of undo.reverse()) fn();
  undo = [];
});

/** The app on album a1's page; POST /api/shares answers 201 with share k1 for what was asked. */
async function setup(routes: Record<string, FakeRoute> = {}) {
  const app = await renderApp({
    routes: {
      [apiPaths.shares]: (_url: URL, init: RequestInit | undefined) => {
        const asked = JSON.parse(String(init?.body)) as ShareCreateRequest;
        return reply(201, makeShare({ type: asked.type, targetId: asked.id, title: asked.type === 'album' ? 'Album 1' : 'Song 2', download: asked.download ?? false }));
      },
      ...routes,
    },
  });
  undo.push(app.cleanup);
  fireEvent.click(await screen.findByRole('button', { name: /Album 1\b/ }));
  await waitFor(() => expect(document.querySelectorAll('button[data-track-id]')).toHaveLength(10));
  return app;
}

const dialog = () => screen.findByRole('dialog', { name: /^Share “/ });
const posted = (app: Awaited<ReturnType<typeof setup>>) => app.fetch.requests.filter((r) => r.method === 'POST' && r.url === apiPaths.shares);

describe('share sheet', () => {
  it('the album’s Share: 7 days and no download by default, then POST and the system share sheet with the url', async () => {
    const share = vi.fn(() => Promise.resolve());
    undo.push(stubNavigator({ share }));
    const app = await setup();
    fireEvent.click(screen.getByRole('button', { name: 'Share' }));
    const sheet = await dialog();
    expect(sheet.getAttribute('aria-modal')).toBe('true');
    expect(within(sheet).getByRole('heading').textContent).toBe('Share “Album 1”');
    expect(within(sheet).getByRole<HTMLInputElement>('radio', { name: '7 days' }).checked).toBe(true);
    expect(within(sheet).getAllByRole('radio').map((r) => r.parentElement!.textContent)).toEqual(['1 day', '7 days', '30 days', 'Never']);
    expect(within(sheet).getByRole<HTMLInputElement>('switch', { name: 'Allow download' }).checked).toBe(false);

    fireEvent.click(within(sheet).getByRole('button', { name: 'Create link' }));
    await waitFor(() => expect(share).toHaveBeenCalledWith({ title: 'Album 1', url: LINK }));
    expect(posted(app).map((r) => r.body)).toEqual([{ type: 'album', id: 'a1', expiresInDays: 7, download: false }]);
    expect(within(sheet).getByRole<HTMLInputElement>('textbox', { name: 'Link' }).value).toBe(LINK);
    expect(within(sheet).getByText('This link expires in 7 days.')).toBeTruthy();
    // Nothing copied, nothing to confirm: the share sheet took it.
    expect(within(sheet).getByRole('status').textContent).toBe('');
  });

  it('a track row’s Share, with 30 days and download allowed; Never sends null', async () => {
    undo.push(stubNavigator({ share: vi.fn(() => Promise.resolve()) }));
    const app = await setup();
    fireEvent.click(screen.getByRole('button', { name: 'Share Song 2' }));
    let sheet = await dialog();
    expect(within(sheet).getByRole('heading').textContent).toBe('Share “Song 2”');
    fireEvent.click(within(sheet).getByRole('radio', { name: '30 days' }));
    fireEvent.click(within(sheet).getByRole('switch', { name: 'Allow download' }));
    expect(within(sheet).getByText(/and download it/)).toBeTruthy();
    fireEvent.click(within(sheet).getByRole('button', { name: 'Create link' }));
    await waitFor(() => expect(posted(app)).toHaveLength(1));
    expect(posted(app)[0]!.body).toEqual({ type: 'track', id: 't2', expiresInDays: 30, download: true });
    fireEvent.click(await within(sheet).findByRole('button', { name: 'Done' }));
    expect(screen.queryByRole('dialog')).toBeNull();

    fireEvent.click(screen.getByRole('button', { name: 'Share Song 3' }));
    sheet = await dialog();
    fireEvent.click(within(sheet).getByRole('radio', { name: 'Never' }));
    fireEvent.click(within(sheet).getByRole('button', { name: 'Create link' }));
    await waitFor(() => expect(posted(app)).toHaveLength(2));
    expect(posted(app)[1]!.body).toEqual({ type: 'track', id: 't3', expiresInDays: null, download: false });
  });

  it('without a share sheet: copies the link and says "Link copied"', async () => {
    const writeText = vi.fn(() => Promise.resolve());
    undo.push(stubNavigator({ share: undefined, clipboard: { writeText } }));
    await setup();
    fireEvent.click(screen.getByRole('button', { name: 'Share' }));
    const sheet = await dialog();
    fireEvent.click(within(sheet).getByRole('button', { name: 'Create link' }));
    await waitFor(() => expect(within(sheet).getByRole('status').textContent).toBe('Link copied'));
    expect(writeText).toHaveBeenCalledWith(LINK);
    expect(within(sheet).queryByRole('button', { name: 'Share link…' })).toBeNull();
    // Copy link copies again.
    fireEvent.click(within(sheet).getByRole('button', { name: 'Copy link' }));
    await waitFor(() => expect(writeText).toHaveBeenCalledTimes(2));
  });

  it('no Clipboard API (plain http): copies through a selected field and execCommand', async () => {
    undo.push(stubNavigator({ share: undefined, clipboard: undefined }));
    // Copies when the link sits in a field of the page at that moment (selected, in a browser).
    const execCommand = vi.fn((command: string) => command === 'copy' && document.querySelector('textarea')?.value === LINK);
    Object.defineProperty(document, 'execCommand', { value: execCommand, configurable: true });
    undo.push(() => delete (document as unknown as Record<string, unknown>).execCommand);
    await setup();
    fireEvent.click(screen.getByRole('button', { name: 'Share' }));
    const sheet = await dialog();
    fireEvent.click(within(sheet).getByRole('button', { name: 'Create link' }));
    await waitFor(() => expect(within(sheet).getByRole('status').textContent).toBe('Link copied'));
    expect(execCommand).toHaveBeenCalledWith('copy');
    expect(document.querySelector('textarea')).toBeNull();
  });

  it('when the tap no longer counts (iOS after the request), "Share link…" opens the share sheet on a second tap', async () => {
    const share = vi.fn(() => Promise.resolve());
    undo.push(stubNavigator({ share, userActivation: { isActive: false } }));
    await setup();
    fireEvent.click(screen.getByRole('button', { name: 'Share' }));
    const sheet = await dialog();
    fireEvent.click(within(sheet).getByRole('button', { name: 'Create link' }));
    const again = await within(sheet).findByRole('button', { name: 'Share link…' });
    expect(share).not.toHaveBeenCalled();
    fireEvent.click(again);
    expect(share).toHaveBeenCalledWith({ title: 'Album 1', url: LINK });
  });

  it('closing the system share sheet is not an error; a refused one falls back to copying on a tap', async () => {
    const share = vi.fn(() => Promise.reject(new DOMException('Share canceled', 'AbortError')));
    const writeText = vi.fn(() => Promise.resolve());
    undo.push(stubNavigator({ share, clipboard: { writeText } }));
    await setup();
    fireEvent.click(screen.getByRole('button', { name: 'Share' }));
    const sheet = await dialog();
    fireEvent.click(within(sheet).getByRole('button', { name: 'Create link' }));
    await waitFor(() => expect(share).toHaveBeenCalledTimes(1));
    await flush();
    expect(within(sheet).getByRole('status').textContent).toBe('');
    expect(within(sheet).queryByRole('alert')).toBeNull();
    expect(writeText).not.toHaveBeenCalled();

    share.mockImplementation(() => Promise.reject(new DOMException('no', 'NotAllowedError')));
    fireEvent.click(within(sheet).getByRole('button', { name: 'Share link…' }));
    await waitFor(() => expect(within(sheet).getByRole('status').textContent).toBe('Link copied'));
    expect(writeText).toHaveBeenCalledWith(LINK);
  });

  it('a target gone from the library (404) says so; Cancel and Escape close the sheet', async () => {
    await setup({ [apiPaths.shares]: reply(404, { statusCode: 404, error: 'Not Found', message: 'no such album' }) });
    fireEvent.click(screen.getByRole('button', { name: 'Share' }));
    let sheet = await dialog();
    fireEvent.click(within(sheet).getByRole('button', { name: 'Create link' }));
    expect((await within(sheet).findByRole('alert')).textContent).toBe('This album is no longer in the library.');
    fireEvent.click(within(sheet).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).toBeNull();

    fireEvent.click(screen.getByRole('button', { name: 'Share' }));
    sheet = await dialog();
    // The sheet takes the focus (and listens for Escape) once it is up.
    await waitFor(() => expect(document.activeElement).toBe(sheet));
    fireEvent.keyDown(window, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  });
});
