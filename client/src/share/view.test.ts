import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SharePageData } from '@musicsharer/shared';
import { fakeAudio, sharePageData, shareTrack, stubMediaMetadata } from '../../test/fixtures.js';
import { clock, mountSharePage } from './view.js';

/** The body `GET /s/:id` renders (the server's side of the contract), for `data`. */
function serverMarkup(data: SharePageData): string {
  const rows = data.tracks
    .map(
      (t, i) =>
        `<li><button type="button" class="share-track" data-index="${i}" data-track-id="${t.id}"><span class="share-no">${i + 1}</span><span class="share-name">${t.title}</span><span class="share-time">${clock(t.duration ?? 0)}</span></button></li>`,
    )
    .join('');
  return `<main id="share" class="share">
    <header class="share-head"><h1 class="share-title">${data.title}</h1><p class="share-sub">${data.artist}</p></header>
    <ol class="share-tracks">${rows}</ol>
    <div id="share-player" class="share-player" hidden></div>
  </main>`;
}

function mount(data = sharePageData()) {
  document.body.innerHTML = serverMarkup(data);
  const fake = fakeAudio();
  const player = mountSharePage(document, data, { audio: fake.audio, mediaSession: null })!;
  const $ = <T extends Element = HTMLElement>(css: string) => document.querySelector<T & HTMLElement>(css)!;
  const tracks = () => [...document.querySelectorAll<HTMLButtonElement>('.share-track')];
  return { ...fake, player, $, tracks };
}

beforeEach(stubMediaMetadata);
afterEach(() => {
  vi.unstubAllGlobals();
  document.body.innerHTML = '';
});

describe('share page', () => {
  it('formats times as m:ss and h:mm:ss', () => {
    expect([clock(0), clock(59.9), clock(192), clock(3599), clock(3600), clock(3725), clock(NaN), clock(-4)]).toEqual([
      '0:00',
      '0:59',
      '3:12',
      '59:59',
      '1:00:00',
      '1:02:05',
      '0:00',
      '0:00',
    ]);
  });

  it('shows the player (unhidden) with nothing playing yet', () => {
    const { $ } = mount();
    expect($('#share-player').hidden).toBe(false);
    expect($('#share-player audio')).toBeTruthy();
    expect($('.sp-title').textContent).toBe('Tap a track to play');
    expect($<HTMLButtonElement>('button[aria-label="Previous"]').disabled).toBe(true);
    expect($<HTMLInputElement>('input[type="range"][aria-label="Seek"]').disabled).toBe(true);
  });

  it('a tap on a track plays it and marks it current; the next one follows at ended', () => {
    const { $, tracks, log, audio } = mount();
    tracks()[1]!.click();
    expect(log).toEqual(['play /s/abc/stream/t2']);
    expect(tracks().map((b) => b.getAttribute('aria-current'))).toEqual([null, 'true', null]);
    expect($('.sp-title').textContent).toBe('Song 2');
    expect($('button.sp-toggle').getAttribute('aria-label')).toBe('Pause');

    audio.dispatchEvent(new Event('ended'));
    expect(log.at(-1)).toBe('play /s/abc/stream/t3');
    expect(tracks().map((b) => b.getAttribute('aria-current'))).toEqual([null, null, 'true']);
    expect($<HTMLButtonElement>('button[aria-label="Next"]').disabled).toBe(true);
  });

  it('play/pause, previous and next buttons drive the player', () => {
    const { $, log, player } = mount();
    $('button[aria-label="Play"]').click();
    expect(log).toEqual(['play /s/abc/stream/t1']);
    $('button[aria-label="Pause"]').click();
    expect(player.state().paused).toBe(true);
    expect($('button.sp-toggle').getAttribute('aria-label')).toBe('Play');
    $('button[aria-label="Next"]').click();
    expect(log.at(-1)).toBe('play /s/abc/stream/t2');
    $('button[aria-label="Previous"]').click();
    expect(log.at(-1)).toBe('play /s/abc/stream/t1');
  });

  it('the slider shows elapsed and remaining time, previews while dragged and seeks once on release', () => {
    const data = sharePageData({ tracks: [shareTrack(1, { duration: 3600 })] });
    const { $, tracks, set, audio } = mount(data);
    tracks()[0]!.click();
    set('readyState', 4);
    set('duration', 3600);
    audio.dispatchEvent(new Event('durationchange'));
    const slider = $<HTMLInputElement>('input[aria-label="Seek"]');
    expect(slider.disabled).toBe(false);
    expect(slider.max).toBe('3600');

    const seeks: number[] = [];
    let current = 0;
    Object.defineProperty(audio, 'currentTime', {
      configurable: true,
      get: () => current,
      set: (value: number) => {
        seeks.push(value);
        current = value;
      },
    });
    slider.value = '1200';
    slider.dispatchEvent(new Event('input'));
    slider.value = '3000';
    slider.dispatchEvent(new Event('input'));
    expect(seeks).toEqual([]);
    expect($('.sp-elapsed').textContent).toBe('50:00');
    expect($('.sp-remaining').textContent).toBe('-10:00');
    // A timeupdate while dragging does not pull the thumb back.
    audio.dispatchEvent(new Event('timeupdate'));
    expect(slider.value).toBe('3000');

    slider.dispatchEvent(new Event('change'));
    expect(seeks).toEqual([3000]);
    current = 3001.5;
    audio.dispatchEvent(new Event('timeupdate'));
    expect($('.sp-elapsed').textContent).toBe('50:01');
    expect(slider.getAttribute('aria-valuetext')).toBe('50:01 of 1:00:00');
  });

  it('says so when play() is refused', async () => {
    const { $, tracks, refuse } = mount();
    refuse();
    tracks()[0]!.click();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect($('[role="status"]').textContent).toBe('Tap play to start.');
  });

  it('does nothing on a page without the player element or tracks', () => {
    document.body.innerHTML = '<main></main>';
    expect(mountSharePage(document, sharePageData(), { mediaSession: null })).toBe(null);
    const empty = sharePageData({ tracks: [] });
    document.body.innerHTML = serverMarkup(empty);
    expect(mountSharePage(document, empty, { mediaSession: null })).toBe(null);
    expect(document.getElementById('share-player')!.hidden).toBe(true);
  });
});
