import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CLOSE_SESSION_REVOKED } from '@musicsharer/shared';
import { FakeSocket, makeDevice } from '../../test/fixtures.js';
import { backoffDelay, createNowPlaying, type NowPlayingOptions } from './now-playing.js';
import type { NowPlayingState } from './player.js';

function setup(overrides: Partial<NowPlayingOptions> = {}) {
  const win = new EventTarget();
  const doc = Object.assign(new EventTarget(), { visibilityState: 'visible' as DocumentVisibilityState });
  let state: NowPlayingState | null = null;
  const model = createNowPlaying({
    url: 'ws://test.local/ws',
    name: 'Test Phone',
    WebSocket: FakeSocket,
    windowTarget: win,
    documentTarget: doc,
    random: () => 1, // no jitter: delays are the full ceiling
    current: () => state,
    ...overrides,
  });
  return {
    model,
    win,
    doc,
    setState(s: NowPlayingState | null) {
      state = s;
    },
  };
}

beforeEach(() => {
  vi.useFakeTimers();
  FakeSocket.instances = [];
});
afterEach(() => vi.useRealTimers());

describe('now-playing socket', () => {
  it('says hello on open and lists the other devices from welcome', () => {
    const { model } = setup();
    model.start();
    expect(FakeSocket.last.url).toBe('ws://test.local/ws');
    expect(model.connection.value).toBe('connecting');
    FakeSocket.last.open();
    expect(FakeSocket.last.messages).toEqual([{ type: 'hello', name: 'Test Phone' }]);
    FakeSocket.last.receive({ type: 'welcome', deviceId: 'd1', devices: [makeDevice({ deviceId: 'd1' }), makeDevice({ deviceId: 'd2' })] });
    expect(model.connection.value).toBe('open');
    expect(model.deviceId.value).toBe('d1');
    expect(model.devices.value.map((d) => d.deviceId)).toEqual(['d2']);

    FakeSocket.last.receive({ type: 'devices', devices: [makeDevice({ deviceId: 'd1' }), makeDevice({ deviceId: 'd3', name: 'Laptop' })] });
    expect(model.devices.value.map((d) => d.name)).toEqual(['Laptop']);
    model.stop();
  });

  it('reconnects with exponential backoff, and resets it after a successful open', () => {
    const { model } = setup();
    model.start();
    FakeSocket.last.drop();
    expect(model.connection.value).toBe('closed');
    expect(FakeSocket.instances).toHaveLength(1);
    vi.advanceTimersByTime(499);
    expect(FakeSocket.instances).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.instances).toHaveLength(2); // after 500 ms
    FakeSocket.last.drop();
    vi.advanceTimersByTime(999);
    expect(FakeSocket.instances).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.instances).toHaveLength(3); // after 1000 ms
    FakeSocket.last.drop();
    vi.advanceTimersByTime(2000);
    expect(FakeSocket.instances).toHaveLength(4); // after 2000 ms
    FakeSocket.last.open();
    FakeSocket.last.drop();
    vi.advanceTimersByTime(500);
    expect(FakeSocket.instances).toHaveLength(5); // back to 500 ms
    model.stop();
  });

  it('caps the backoff and adds jitter', () => {
    expect(backoffDelay(20, 500, 30_000, () => 1)).toBe(30_000);
    expect(backoffDelay(20, 500, 30_000, () => 0)).toBe(15_000);
    expect(backoffDelay(0, 500, 30_000, () => 0.5)).toBe(375);
  });

  it.each(['visibilitychange', 'pageshow', 'online'] as const)('reconnects at once on %s instead of waiting out the backoff', (event) => {
    const { model, win, doc } = setup();
    model.start();
    for (let i = 0; i < 5; i++) {
      FakeSocket.last.drop();
      vi.advanceTimersByTime(60_000);
    }
    const before = FakeSocket.instances.length;
    FakeSocket.last.drop(); // next attempt would be 16 s away
    (event === 'visibilitychange' ? doc : win).dispatchEvent(new Event(event));
    expect(FakeSocket.instances).toHaveLength(before + 1);
    model.stop();
  });

  it('does nothing on visibilitychange to hidden', () => {
    const { model, doc } = setup();
    model.start();
    FakeSocket.last.drop();
    doc.visibilityState = 'hidden';
    doc.dispatchEvent(new Event('visibilitychange'));
    expect(FakeSocket.instances).toHaveLength(1);
    model.stop();
  });

  it('pings, and replaces a socket that stops answering', () => {
    const { model } = setup({ pingIntervalMs: 25_000, pongTimeoutMs: 8_000 });
    model.start();
    const first = FakeSocket.last;
    first.open();
    vi.advanceTimersByTime(25_000);
    expect(first.messages.at(-1)).toEqual({ type: 'ping' });
    first.receive({ type: 'pong' });
    vi.advanceTimersByTime(8_000);
    expect(FakeSocket.instances).toHaveLength(1);

    vi.advanceTimersByTime(17_000); // next ping, never answered
    vi.advanceTimersByTime(8_000);
    expect(first.closed).toBe(true);
    expect(FakeSocket.instances).toHaveLength(2);
    model.stop();
  });

  it('on wake, checks an open-looking socket with a ping and replaces it if silent', () => {
    const { model, win } = setup();
    model.start();
    const first = FakeSocket.last;
    first.open();
    win.dispatchEvent(new Event('pageshow'));
    expect(first.messages.at(-1)).toEqual({ type: 'ping' });
    vi.advanceTimersByTime(3_000);
    expect(first.closed).toBe(true);
    expect(FakeSocket.instances).toHaveLength(2);
    model.stop();
  });

  it('gives up on a socket stuck connecting', () => {
    const { model } = setup({ connectTimeoutMs: 10_000 });
    model.start();
    vi.advanceTimersByTime(10_000);
    expect(FakeSocket.instances[0]!.closed).toBe(true);
    expect(FakeSocket.instances).toHaveLength(2);
    model.stop();
  });

  it('sends nowPlaying at once when urgent, throttles progress, and re-announces after reconnect', () => {
    const { model, setState } = setup({ progressIntervalMs: 5_000 });
    setState({ trackId: 't1', positionSec: 0, paused: false });
    model.start();
    FakeSocket.last.open();
    FakeSocket.last.receive({ type: 'welcome', deviceId: 'd1', devices: [] });
    const nowPlaying = () => FakeSocket.last.messages.filter((m) => m.type === 'nowPlaying');
    expect(nowPlaying()).toEqual([{ type: 'nowPlaying', trackId: 't1', positionSec: 0, paused: false }]);

    setState({ trackId: 't1', positionSec: 1, paused: false });
    model.report(false); // progress, too soon
    expect(nowPlaying()).toHaveLength(1);
    vi.advanceTimersByTime(5_000);
    setState({ trackId: 't1', positionSec: 6, paused: false });
    model.report(false);
    expect(nowPlaying()).toHaveLength(2);
    setState({ trackId: 't1', positionSec: 6.5, paused: true });
    model.report(true); // pause: at once
    expect(nowPlaying().at(-1)).toEqual({ type: 'nowPlaying', trackId: 't1', positionSec: 6.5, paused: true });

    FakeSocket.last.drop();
    vi.advanceTimersByTime(500);
    FakeSocket.last.open();
    FakeSocket.last.receive({ type: 'welcome', deviceId: 'd9', devices: [] });
    expect(FakeSocket.last.messages).toEqual([
      { type: 'hello', name: 'Test Phone' },
      { type: 'nowPlaying', trackId: 't1', positionSec: 6.5, paused: true },
    ]);
    model.stop();
  });

  it('says the same thing once when track and play arrive together', () => {
    const { model, setState } = setup();
    model.start();
    FakeSocket.last.open();
    setState({ trackId: 't1', positionSec: 0, paused: false });
    model.report(true);
    model.report(true);
    expect(FakeSocket.last.messages.filter((m) => m.type === 'nowPlaying')).toHaveLength(1);
    setState({ trackId: 't1', positionSec: 0, paused: true });
    model.report(true);
    expect(FakeSocket.last.messages.filter((m) => m.type === 'nowPlaying')).toHaveLength(2);
    model.stop();
  });

  it('passes scan progress and library changes on', () => {
    const onScan = vi.fn();
    const onLibraryChanged = vi.fn();
    const { model } = setup({ onScan, onLibraryChanged });
    model.start();
    FakeSocket.last.open();
    FakeSocket.last.receive({ type: 'scan', scanning: true, done: 5, total: 10 });
    FakeSocket.last.receive({ type: 'library', trackCount: 10 });
    FakeSocket.last.onmessage?.(new MessageEvent('message', { data: 'not json' }));
    expect(onScan).toHaveBeenCalledWith({ type: 'scan', scanning: true, done: 5, total: 10 });
    expect(onLibraryChanged).toHaveBeenCalledWith({ type: 'library', trackCount: 10 });
    model.stop();
  });

  it('stops for good: no reconnect, no listeners', () => {
    const { model, win } = setup();
    model.start();
    model.stop();
    vi.advanceTimersByTime(60_000);
    win.dispatchEvent(new Event('online'));
    expect(FakeSocket.instances).toHaveLength(1);
    expect(FakeSocket.instances[0]!.closed).toBe(true);
  });

  it('a socket closed as revoked (4401) stops for good and says so; a plain close reconnects', () => {
    const onRevoked = vi.fn();
    const onConnectFailed = vi.fn();
    const { model } = setup({ onRevoked, onConnectFailed });
    model.start();
    FakeSocket.last.open();
    FakeSocket.last.drop(1001);
    expect(onRevoked).not.toHaveBeenCalled();
    vi.advanceTimersByTime(500);
    expect(FakeSocket.instances).toHaveLength(2);

    FakeSocket.last.open();
    FakeSocket.last.drop(CLOSE_SESSION_REVOKED);
    expect(onRevoked).toHaveBeenCalledTimes(1);
    expect(onConnectFailed).not.toHaveBeenCalled();
    expect(model.connection.value).toBe('closed');
    vi.advanceTimersByTime(120_000);
    model.wake();
    expect(FakeSocket.instances).toHaveLength(2);
  });

  it('tells when a socket closes before it ever opened (a refused upgrade), and only then', () => {
    const onConnectFailed = vi.fn();
    const { model } = setup({ onConnectFailed });
    model.start();
    FakeSocket.last.drop();
    expect(onConnectFailed).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(500);
    FakeSocket.last.open();
    FakeSocket.last.drop();
    expect(onConnectFailed).toHaveBeenCalledTimes(1);
    model.stop();
  });
});

