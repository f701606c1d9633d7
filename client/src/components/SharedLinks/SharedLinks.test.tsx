import { apiPaths, type Share, type ShareUpdateRequest } from '@musicsharer/shared';
import { fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeShare, reply, stubNavigator, type FakeRoute } from '../../../test/fixtures.js';
import { renderApp } from '../../../test/render.js';

const DAY = 86_400_000;
let undo: (() => void)[] = [];
afterEach(() => {
  for (const fn of undo.reverse()) fn();
  undo = [];
});

const albumLink = () => makeShare({ id: 'k1', title: 'Album 1', visits: 3, expiresAt: new Date(Date.now() + 6 * DAY + 60_000).toISOString() });
const trackLink = () => makeShare({ id: 'k2', type: 'track', targetId: 't2', title: 'Song 2', visits: 1, expiresAt: null, download: true });
const oldLink = () => makeShare({ id: 'k3', title: 'Album 2', targetId: 'a2', expiresAt: new Date(Date.now() - DAY).toISOString() });

/** Devices -> Shared links, over a server holding `shares`; PATCH answers the share changed as asked. */
async function setup(shares: Share[], routes: Record<string, FakeRoute> = {}) {
  const table: Record<string, FakeRoute> = { [apiPaths.shares]: { shares } };
  for (const share of shares) {
    table[apiPaths.shareById(share.id)] = (_url: URL, init: RequestInit | undefined) => {
      if (init?.method === 'DELETE') return reply(204);
      const change = JSON.parse(String(init?.body)) as ShareUpdateRequest;
      const expiresAt = change.expiresInDays === undefined ? share.expiresAt : change.expiresInDays === null ? null : new Date(Date.now() + change.expiresInDays * DAY).toISOString();
      return { ...share, ...('download' in change ? { download: change.download } : {}), expiresAt };
    };
  }
  const app = await renderApp({ routes: { ...table, ...routes } });
  undo.push(app.cleanup);
  fireEvent.click(screen.getByRole('button', { name: 'Devices' }));
  fireEvent.click(await screen.findByRole('button', { name: 'Shared links' }));
  await screen.findByRole('heading', { name: 'Shared links' });
  return app;
}

const item = (id: string) => document.querySelector<HTMLElement>(`li[data-share-id="${id}"]`);
const changes = (app: Awaited<ReturnType<typeof setup>>) => app.fetch.requests.filter((r) => r.method === 'PATCH' || r.method === 'DELETE');

describe('Shared links', () => {
  it('is reached from Devices and lists each link: type, title, visits, expiry, download', async () => {
    await setup([albumLink(), trackLink(), oldLink()]);
    await waitFor(() => expect(item('k1')).toBeTruthy());
    expect([...document.querySelectorAll<HTMLElement>('li[data-share-id]')].map((li) => li.dataset.shareId)).toEqual(['k1', 'k2', 'k3']);
    expect(item('k1')!.textContent).toContain('AlbumAlbum 1');
    expect(item('k1')!.textContent).toContain('3 visits · expires in 6 days · download off');
    expect(item('k2')!.textContent).toContain('TrackSong 2');
    expect(item('k2')!.textContent).toContain('1 visit · never expires · download on');
    expect(item('k3')!.textContent).toContain('expired');
    expect(item('k3')!.dataset.expired).toBe('true');
    // Devices stays the highlighted tab; Back returns there.
    expect(screen.getByRole('button', { name: 'Devices' }).getAttribute('aria-current')).toBe('page');
    fireEvent.click(screen.getByRole('button', { name: 'Back' }));
    expect(await screen.findByRole('heading', { name: 'Devices' })).toBeTruthy();
  });

  it('says so when there are none', async () => {
    await setup([]);
    expect(await screen.findByText(/^No shared links yet\./)).toBeTruthy();
  });

  it('Revoke asks first; confirmed, it DELETEs and the link leaves the list', async () => {
    const app = await setup([albumLink(), trackLink()]);
    await waitFor(() => expect(item('k1')).toBeTruthy());
    fireEvent.click(within(item('k1')!).getByRole('button', { name: 'Revoke' }));
    const confirm = within(item('k1')!).getByRole('group', { name: 'Revoke the link to Album 1' });
    expect(confirm.textContent).toContain('Whoever has it can no longer open it.');
    fireEvent.click(within(confirm).getByRole('button', { name: 'Keep it' }));
    expect(within(item('k1')!).queryByRole('group')).toBeNull();
    expect(changes(app)).toEqual([]);

    fireEvent.click(within(item('k1')!).getByRole('button', { name: 'Revoke' }));
    fireEvent.click(within(item('k1')!).getByRole('button', { name: 'Revoke link' }));
    await waitFor(() => expect(item('k1')).toBeNull());
    expect(changes(app)).toMatchObject([{ method: 'DELETE', url: '/api/shares/k1', body: undefined }]);
    expect(item('k2')).toBeTruthy();
  });

  it('changes the expiry (counted from now) and download with PATCH, and shows the answer', async () => {
    const app = await setup([albumLink(), oldLink()]);
    await waitFor(() => expect(item('k1')).toBeTruthy());
    const expiry = within(item('k1')!).getByRole<HTMLSelectElement>('combobox', { name: 'Expiry of Album 1' });
    fireEvent.change(expiry, { target: { value: '30' } });
    await waitFor(() => expect(item('k1')!.textContent).toContain('expires in 30 days'));
    fireEvent.change(expiry, { target: { value: 'never' } });
    await waitFor(() => expect(item('k1')!.textContent).toContain('never expires'));
    fireEvent.click(within(item('k1')!).getByRole('checkbox', { name: 'Download' }));
    await waitFor(() => expect(item('k1')!.textContent).toContain('download on'));
    // An expired link comes back to life for 7 days.
    fireEvent.change(within(item('k3')!).getByRole('combobox'), { target: { value: '7' } });
    await waitFor(() => expect(item('k3')!.textContent).toContain('expires in 7 days'));
    expect(item('k3')!.dataset.expired).toBeUndefined();
    expect(changes(app).map((r) => [r.method, r.url, r.body])).toEqual([
      ['PATCH', '/api/shares/k1', { expiresInDays: 30 }],
      ['PATCH', '/api/shares/k1', { expiresInDays: null }],
      ['PATCH', '/api/shares/k1', { download: true }],
      ['PATCH', '/api/shares/k3', { expiresInDays: 7 }],
    ]);
  });

  it('a change the server refuses says so and keeps what it showed', async () => {
    await setup([albumLink()], { [apiPaths.shareById('k1')]: reply(500) });
    await waitFor(() => expect(item('k1')).toBeTruthy());
    const download = within(item('k1')!).getByRole<HTMLInputElement>('checkbox', { name: 'Download' });
    fireEvent.click(download);
    await waitFor(() => expect(within(item('k1')!).getByRole('status').textContent).toBe('The link was not changed. Try again.'));
    expect(download.checked).toBe(false);
    expect(item('k1')!.textContent).toContain('download off');
  });

  it('Copy link puts the link on the clipboard and says so', async () => {
    const writeText = vi.fn(() => Promise.resolve());
    undo.push(stubNavigator({ clipboard: { writeText } }));
    await setup([trackLink()]);
    await waitFor(() => expect(item('k2')).toBeTruthy());
    fireEvent.click(within(item('k2')!).getByRole('button', { name: 'Copy link' }));
    await waitFor(() => expect(within(item('k2')!).getByRole('status').textContent).toBe('Link copied'));
    expect(writeText).toHaveBeenCalledWith('http://192.168.1.20:4533/s/k2');
  });

  it('a list that cannot be loaded says so', async () => {
    await setup([], { [apiPaths.shares]: reply(500) });
    expect((await screen.findByRole('alert')).textContent).toBe('Could not load the shared links.');
  });
});
