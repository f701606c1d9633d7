import { apiPaths } from '@musicsharer/shared';
import { fireEvent, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeSocket, reply, unauthorized, type FakeRoute } from '../../../test/fixtures.js';
import { renderApp } from '../../../test/render.js';

let done: (() => void) | undefined;
afterEach(() => done?.());

/** A browser without a session, on a server whose pair and login routes answer as given. */
async function setup(routes: Record<string, FakeRoute> = {}) {
  const app = await renderApp({ routes: { [apiPaths.session]: unauthorized(), [apiPaths.albums]: unauthorized(), ...routes } });
  done = app.cleanup;
  return app;
}

const codeBox = () => screen.getByLabelText('Pairing code') as HTMLInputElement;
const type = (input: HTMLInputElement, value: string) => fireEvent.input(input, { target: { value } });

describe('Pairing', () => {
  it('explains the ways in and offers a one-time-code field for the phone keypad', async () => {
    await setup();
    expect(screen.getByRole('heading', { name: 'Pair this device with musicsharer' })).toBeTruthy();
    expect(document.body.textContent).toContain('npm run pair');
    expect(document.body.textContent).toContain('Devices → Add a device');
    const box = codeBox();
    expect(box.getAttribute('inputmode')).toBe('numeric');
    expect(box.getAttribute('autocomplete')).toBe('one-time-code');
    expect(box.maxLength).toBe(6);
    type(box, '12 34a5');
    expect(box.value).toBe('12345');
  });

  it('pairs with a code: POST /api/pair, then the page loads again with its cookie', async () => {
    const app = await setup({ [apiPaths.pair]: reply(204) });
    type(codeBox(), '482913');
    fireEvent.click(screen.getByRole('button', { name: 'Pair' }));
    await waitFor(() => expect(app.reload).toHaveBeenCalledTimes(1));
    expect(app.fetch.requests.find((r) => r.url === apiPaths.pair)).toEqual({ url: apiPaths.pair, method: 'POST', body: { code: '482913' } });
    expect(screen.getByRole('button', { name: 'Paired. Starting…' })).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('a wrong or expired code: says so, stays, and nothing starts', async () => {
    const app = await setup({ [apiPaths.pair]: unauthorized() });
    type(codeBox(), '000000');
    fireEvent.submit(codeBox().form!);
    expect((await screen.findByRole('alert')).textContent).toBe('That code is wrong or has expired. Ask for a new one.');
    expect(codeBox().getAttribute('aria-invalid')).toBe('true');
    expect(app.reload).not.toHaveBeenCalled();
    expect(FakeSocket.instances).toHaveLength(0);
    // A short code is not sent.
    type(codeBox(), '123');
    fireEvent.click(screen.getByRole('button', { name: 'Pair' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Enter the 6-digit code.');
    expect(app.fetch.requests.filter((r) => r.url === apiPaths.pair)).toHaveLength(1);
  });

  it('signs in with the password: 401 "Wrong password.", 429 says how long to wait, 204 starts', async () => {
    let answer: Response = unauthorized();
    const app = await setup({ [apiPaths.login]: () => answer });
    fireEvent.click(screen.getByText('Sign in with a password'));
    const password = screen.getByLabelText('Password') as HTMLInputElement;
    expect(password.type).toBe('password');
    type(password, 'not it at all');
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Wrong password.');
    expect(app.fetch.requests.at(-1)).toEqual({ url: apiPaths.login, method: 'POST', body: { password: 'not it at all' } });

    answer = reply(429, { statusCode: 429, error: 'Too Many Requests', message: 'Too many attempts' }, { 'retry-after': '540' });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe('Too many attempts. Try again in 9 minutes.'));
    expect(app.reload).not.toHaveBeenCalled();

    answer = reply(204);
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(app.reload).toHaveBeenCalledTimes(1));
  });
});
