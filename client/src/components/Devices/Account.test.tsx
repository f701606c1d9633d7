import { apiPaths } from '@musicsharer/shared';
import { fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { authRoutes, makeSession, reply, type FakeRoute } from '../../../test/fixtures.js';
import { renderApp } from '../../../test/render.js';

let done: (() => void) | undefined;
afterEach(() => done?.());

/** A paired browser (session s1; s2 is another device) on the Devices view. */
async function setup(routes: Record<string, FakeRoute> = {}) {
  const app = await renderApp({ routes });
  done = app.cleanup;
  fireEvent.click(screen.getByRole('button', { name: 'Devices' }));
  return app;
}

const row = (id: string) => document.querySelector<HTMLElement>(`li[data-session-id="${id}"]`);
const type = (label: string, value: string) => fireEvent.input(screen.getByLabelText(label), { target: { value } });

describe('Devices: signed-in devices', () => {
  it('lists each session: name, "This device", last seen, address', async () => {
    await setup();
    expect(await screen.findByRole('heading', { name: 'Signed-in devices' })).toBeTruthy();
    await waitFor(() => expect(row('s1')).toBeTruthy());
    const rows = [...document.querySelectorAll<HTMLElement>('li[data-session-id]')];
    expect(rows.map((r) => r.dataset.sessionId)).toEqual(['s1', 's2']);
    expect(rows[0]!.textContent).toContain('Safari on iPhone');
    expect(rows[0]!.textContent).toContain('This device');
    expect(rows[0]!.textContent).toContain('active now');
    expect(rows[1]!.textContent).toContain('Firefox on Linux');
    expect(rows[1]!.textContent).not.toContain('This device');
    expect(rows[1]!.textContent).toContain('2 hours ago');
    expect(rows[1]!.textContent).toContain('192.168.1.20');
  });

  it('"Sign out" on another device: DELETE, and the list refreshes without it', async () => {
    const app = await setup();
    await waitFor(() => expect(row('s2')).toBeTruthy());
    app.routes[apiPaths.sessionById('s2')] = () => {
      app.routes[apiPaths.sessions] = { sessions: [makeSession()] };
      return reply(204);
    };
    fireEvent.click(within(row('s2')!).getByRole('button', { name: 'Sign out Firefox on Linux' }));
    await waitFor(() => expect(row('s2')).toBeNull());
    expect(app.fetch.requests.find((r) => r.method === 'DELETE')).toMatchObject({ url: '/api/sessions/s2' });
    expect(row('s1')).toBeTruthy();
    expect(screen.queryByRole('heading', { name: 'Pair this device with musicsharer' })).toBeNull();
  });

  it('"Sign out" on this device: the pairing screen', async () => {
    const app = await setup({ [apiPaths.sessionById('s1')]: reply(204) });
    await waitFor(() => expect(row('s1')).toBeTruthy());
    fireEvent.click(within(row('s1')!).getByRole('button', { name: 'Sign out this device' }));
    expect(await screen.findByRole('heading', { name: 'Pair this device with musicsharer' })).toBeTruthy();
    expect(app.fetch.requests.find((r) => r.method === 'DELETE')).toMatchObject({ url: '/api/sessions/s1' });
  });
});

describe('Devices: add a device', () => {
  const url = 'http://192.168.1.20:4533/pair/Zm9vYmFyYmF6cXV4cXV1eA';

  it('shows a QR code of the link, the 6-digit code and the time left', async () => {
    const app = await setup({
      [apiPaths.pairCodes]: () => reply(201, { code: '305918', url, expiresAt: new Date(Date.now() + 300_000).toISOString() }),
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Add a device' }));
    await waitFor(() => expect(document.querySelector('[data-pair-code]')?.textContent).toBe('305918'));
    expect(app.fetch.requests.find((r) => r.url === apiPaths.pairCodes)?.method).toBe('POST');
    expect(screen.getByRole('timer').textContent).toMatch(/^Valid for (5:00|4:59)$/);
    const qr = screen.getByRole('img', { name: 'QR code of the pairing link' });
    await waitFor(() => expect(qr.querySelector('svg path')).toBeTruthy());
    expect(qr.querySelector('svg')!.getAttribute('viewBox')).toMatch(/^0 0 \d+ \d+$/);
    // Done closes the panel.
    fireEvent.click(screen.getByRole('button', { name: 'Done' }));
    expect(document.querySelector('[data-pair-code]')).toBeNull();
  });

  it('an expired code says so and offers a new one', async () => {
    let n = 0;
    const app = await setup({
      [apiPaths.pairCodes]: () => {
        n++;
        // The first code as the server sends it at its last second; the second fresh.
        const now = Date.now();
        return reply(201, { code: n === 1 ? '111111' : '222222', url, expiresAt: new Date(n === 1 ? now : now + 300_000).toISOString() });
      },
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Add a device' }));
    expect(await screen.findByText('This code has expired.')).toBeTruthy();
    expect(screen.queryByRole('timer')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'New code' }));
    await waitFor(() => expect(document.querySelector('[data-pair-code]')!.textContent).toBe('222222'));
    expect(screen.getByRole('timer')).toBeTruthy();
    expect(app.fetch.requests.filter((r) => r.url === apiPaths.pairCodes)).toHaveLength(2);
  });
});

describe('Devices: Settings -> Password', () => {
  it('says whether one is set; checks length and match before sending; saves', async () => {
    const app = await setup({ [apiPaths.password]: reply(204) });
    expect(await screen.findByRole('heading', { name: 'Password' })).toBeTruthy();
    expect(screen.getByText('No password is set.')).toBeTruthy();
    expect(document.body.textContent).toContain('far from the server');
    const save = () => fireEvent.click(screen.getByRole('button', { name: 'Set password' }));

    type('New password (at least 10 characters)', 'short');
    type('Confirm the new password', 'short');
    save();
    expect(screen.getByRole('alert').textContent).toBe('Use at least 10 characters.');

    type('New password (at least 10 characters)', 'correct horse battery');
    type('Confirm the new password', 'correct horse battery!');
    save();
    expect(screen.getByRole('alert').textContent).toBe('The two passwords do not match.');
    expect(app.fetch.requests.filter((r) => r.url === apiPaths.password)).toHaveLength(0);

    type('Confirm the new password', 'correct horse battery');
    save();
    await waitFor(() => expect(screen.getByText('Password saved.')).toBeTruthy());
    expect(app.fetch.requests.find((r) => r.url === apiPaths.password)).toEqual({ url: apiPaths.password, method: 'PUT', body: { password: 'correct horse battery' } });
    expect(screen.getByText('A password is set.')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Change password' })).toBeTruthy();
    expect((screen.getByLabelText('New password (at least 10 characters)') as HTMLInputElement).value).toBe('');
  });

  it('reads "A password is set." from the server', async () => {
    await setup(authRoutes({ passwordSet: true }));
    expect(await screen.findByText('A password is set.')).toBeTruthy();
  });
});
