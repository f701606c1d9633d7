import { describe, expect, it } from 'vitest';
import { makeTrack } from '../../test/fixtures.js';
import { createQueue } from './queue.js';

const list = (n: number) => Array.from({ length: n }, (_, i) => makeTrack(i + 1));
const ids = (tracks: readonly { id: string }[]) => tracks.map((t) => t.id);

/** A queue of `n` tracks with position `at` current, the way the player leaves it after starting one. */
function queueAt(n: number, at: number, random?: () => number) {
  const queue = createQueue({ random });
  queue.moveTo(queue.setList(list(n), at));
  return queue;
}

describe('queue model', () => {
  it('takes a list and says where to start; an out-of-range start changes nothing', () => {
    const queue = createQueue();
    expect(queue.index.value).toBe(-1);
    expect(queue.current.value).toBe(null);
    expect(queue.setList(list(3), 1)).toBe(1);
    expect(ids(queue.tracks.value)).toEqual(['t1', 't2', 't3']);
    expect(queue.setList(list(5), 7)).toBe(-1);
    expect(ids(queue.tracks.value)).toEqual(['t1', 't2', 't3']);
  });

  it('next goes one on, and stops after the last unless repeat all wraps to the first', () => {
    const queue = queueAt(3, 1);
    expect(queue.nextIndex()).toBe(2);
    expect(queue.hasNext.value).toBe(true);
    queue.moveTo(2);
    expect(queue.nextIndex()).toBe(-1);
    expect(queue.hasNext.value).toBe(false);
    queue.cycleRepeat();
    expect(queue.repeat.value).toBe('all');
    expect(queue.nextIndex()).toBe(0);
    expect(queue.hasNext.value).toBe(true);
    expect(createQueue().nextIndex()).toBe(-1);
  });

  it('previous goes one back, and from the first only with repeat all (to the last)', () => {
    const queue = queueAt(3, 1);
    expect(queue.previousIndex()).toBe(0);
    queue.moveTo(0);
    expect(queue.previousIndex()).toBe(-1);
    queue.cycleRepeat();
    expect(queue.previousIndex()).toBe(2);
    expect(createQueue().previousIndex()).toBe(-1);
  });

  it('after a track ends: the next one, a stop after the last, the first with repeat all, the same with repeat one', () => {
    const queue = queueAt(3, 1);
    expect(queue.afterEnded()).toBe(2);
    queue.moveTo(2);
    expect(queue.afterEnded()).toBe('stop');
    expect(queue.cycleRepeat()).toBe('all');
    expect(queue.afterEnded()).toBe(0);
    expect(queue.cycleRepeat()).toBe('one');
    expect(queue.afterEnded()).toBe('replay');
    expect(queue.cycleRepeat()).toBe('off');
  });

  it('shuffles the rest of the queue around the current track and restores the order', () => {
    const queue = queueAt(6, 2, () => 0);
    queue.toggleShuffle();
    expect(queue.shuffle.value).toBe(true);
    expect(queue.current.value?.id).toBe('t3');
    expect(queue.index.value).toBe(0);
    expect(ids(queue.tracks.value).sort()).toEqual(ids(list(6)).sort());
    expect(ids(queue.tracks.value)).not.toEqual(['t3', 't1', 't2', 't4', 't5', 't6']);
    queue.toggleShuffle();
    expect(ids(queue.tracks.value)).toEqual(ids(list(6)));
    expect(queue.index.value).toBe(2);
  });

  it('with shuffle on, a new list starts with the tapped track and the rest shuffled', () => {
    const queue = createQueue({ random: () => 0 });
    queue.toggleShuffle();
    expect(queue.setList(list(6), 3)).toBe(0);
    queue.moveTo(0);
    expect(queue.current.value?.id).toBe('t4');
    expect(ids(queue.tracks.value).sort()).toEqual(ids(list(6)).sort());
    expect(ids(queue.tracks.value)).not.toEqual(['t4', 't1', 't2', 't3', 't5', 't6']);
    queue.toggleShuffle();
    expect(ids(queue.tracks.value)).toEqual(ids(list(6)));
    expect(queue.current.value?.id).toBe('t4');
  });

  it('appends in order, or shuffled among themselves while shuffle is on; turning it off restores all', () => {
    const many = list(8);
    const queue = createQueue({ random: () => 0 });
    queue.moveTo(queue.setList(many.slice(0, 3), 1));
    queue.append(many.slice(3, 5));
    expect(ids(queue.tracks.value)).toEqual(['t1', 't2', 't3', 't4', 't5']);
    expect(queue.current.value?.id).toBe('t2');

    queue.toggleShuffle();
    queue.append(many.slice(5));
    expect(ids(queue.tracks.value.slice(0, 5)).sort()).toEqual(['t1', 't2', 't3', 't4', 't5']);
    expect(ids(queue.tracks.value.slice(5)).sort()).toEqual(['t6', 't7', 't8']);
    expect(ids(queue.tracks.value.slice(5))).not.toEqual(['t6', 't7', 't8']);
    queue.toggleShuffle();
    expect(ids(queue.tracks.value)).toEqual(ids(many));
    expect(queue.current.value?.id).toBe('t2');
  });

  it('a queue of one track forgets the unshuffled order', () => {
    const queue = queueAt(4, 0, () => 0);
    queue.toggleShuffle();
    queue.setSingle(makeTrack(9));
    queue.moveTo(0);
    queue.toggleShuffle();
    expect(ids(queue.tracks.value)).toEqual(['t9']);
    expect(queue.current.value?.id).toBe('t9');
  });

  it('swaps in fuller data for a queued track, in play order and in the order kept for unshuffling', () => {
    const queue = queueAt(3, 0, () => 0);
    queue.toggleShuffle();
    expect(queue.updateTrack(makeTrack(2, { title: 'Better Title' }))).toBe(false);
    expect(queue.updateTrack(makeTrack(1, { album: 'Fuller Album' }))).toBe(true);
    expect(queue.current.value?.album).toBe('Fuller Album');
    queue.toggleShuffle();
    expect(queue.tracks.value.map((t) => t.title)).toEqual(['Song 1', 'Better Title', 'Song 3']);
    expect(queue.tracks.value[0]?.album).toBe('Fuller Album');
  });

  it('"Play next" inserts after the current track, in order; with shuffle on, the unshuffled order gets them there too', () => {
    const queue = queueAt(4, 1);
    queue.insertNext([makeTrack(8), makeTrack(9)]);
    expect(ids(queue.tracks.value)).toEqual(['t1', 't2', 't8', 't9', 't3', 't4']);
    expect(queue.nextIndex()).toBe(2);

    const shuffled = queueAt(4, 2, () => 0);
    shuffled.toggleShuffle();
    shuffled.insertNext([makeTrack(9)]);
    expect(ids(shuffled.tracks.value)[1]).toBe('t9');
    shuffled.toggleShuffle();
    expect(ids(shuffled.tracks.value)).toEqual(['t1', 't2', 't3', 't9', 't4']);
  });
});
