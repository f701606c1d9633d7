/**
 * The play queue as plain data: the list, the current position, shuffle and repeat, and what
 * comes next. It knows nothing of `<audio>`; the player asks it where to go and loads the track.
 */
import { batch, computed, signal, type ReadonlySignal } from '@preact/signals';
import type { Track } from '@musicsharer/shared';

export type RepeatMode = 'off' | 'all' | 'one';

/** What the element does when a track has ended: play this queue position, the same track again, or nothing. */
export type EndedStep = number | 'replay' | 'stop';

export interface QueueOptions {
  random?: () => number;
}

export interface QueueModel {
  /** Tracks in play order (shuffled when shuffle is on). */
  tracks: ReadonlySignal<Track[]>;
  /** Position of the current track in `tracks`, or -1. */
  index: ReadonlySignal<number>;
  current: ReadonlySignal<Track | null>;
  shuffle: ReadonlySignal<boolean>;
  repeat: ReadonlySignal<RepeatMode>;
  hasNext: ReadonlySignal<boolean>;

  /** Replaces the list, shuffled around `start` when shuffle is on; returns where to start, or -1 when `start` is out of range. */
  setList(tracks: readonly Track[], start: number): number;
  /** Adds tracks at the end (shuffled among themselves when shuffle is on). */
  append(tracks: readonly Track[]): void;
  /** Inserts tracks right after the current one, in their order ("Play next"); at the end when nothing is current. */
  insertNext(tracks: readonly Track[]): void;
  /** A queue of this one track ("listen along"); the unshuffled order is forgotten. */
  setSingle(track: Track): void;
  /** Makes position `i` the current one (the player calls it once the element has the track). */
  moveTo(i: number): void;
  /** Swaps in fuller data for a queued track (same id); true when it is the current one. */
  updateTrack(track: Track): boolean;
  /** The position "next" goes to: the following one, the first after the last with repeat all, else -1. */
  nextIndex(): number;
  /** The position "previous" goes to: the one before, the last before the first with repeat all, else -1. */
  previousIndex(): number;
  /** What to do when the current track ends. */
  afterEnded(): EndedStep;
  toggleShuffle(): void;
  /** off -> all -> one -> off; returns the new mode. */
  cycleRepeat(): RepeatMode;
}

/** The position after `i` in a queue of `length`: wraps to the first only with repeat all; -1 for none. */
const following = (length: number, i: number, repeat: RepeatMode) => (i + 1 < length ? i + 1 : repeat === 'all' && length > 0 ? 0 : -1);

function shuffled<T>(items: T[], random: () => number): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export function createQueue(options: QueueOptions = {}): QueueModel {
  const random = options.random ?? Math.random;
  const tracks = signal<Track[]>([]);
  const index = signal(-1);
  const shuffle = signal(false);
  const repeat = signal<RepeatMode>('off');
  const current = computed(() => tracks.value[index.value] ?? null);
  const hasNext = computed(() => following(tracks.value.length, index.value, repeat.value) >= 0);

  /** The queue in the order it was given, kept while shuffle is on so turning it off restores it. */
  let original: Track[] | null = null;

  const nextIndex = () => following(tracks.peek().length, index.peek(), repeat.peek());

  return {
    tracks,
    index,
    current,
    shuffle,
    repeat,
    hasNext,
    setList(list, start) {
      const given = list.slice();
      const first = given[start];
      if (!first) return -1;
      if (shuffle.peek()) {
        original = given;
        tracks.value = [first, ...shuffled(given.filter((_, i) => i !== start), random)];
        return 0;
      }
      original = null;
      tracks.value = given;
      return start;
    },
    append(list) {
      if (list.length === 0) return;
      if (original) {
        original = original.concat(list);
        tracks.value = tracks.peek().concat(shuffled(list.slice(), random));
      } else {
        tracks.value = tracks.peek().concat(list);
      }
    },
    insertNext(list) {
      const now = current.peek();
      const after = (items: Track[], i: number) => [...items.slice(0, i + 1), ...list, ...items.slice(i + 1)];
      if (original && now) original = after(original, original.indexOf(now));
      tracks.value = after(tracks.peek(), now ? index.peek() : tracks.peek().length - 1);
    },
    setSingle(track) {
      original = null;
      tracks.value = [track];
    },
    moveTo(i) {
      index.value = i;
    },
    updateTrack(track) {
      const replace = (list: Track[]) => list.map((t) => (t.id === track.id ? track : t));
      tracks.value = replace(tracks.peek());
      if (original) original = replace(original);
      return current.peek()?.id === track.id;
    },
    nextIndex,
    previousIndex() {
      const i = index.peek();
      if (i > 0) return i - 1;
      return i === 0 && repeat.peek() === 'all' ? tracks.peek().length - 1 : -1;
    },
    afterEnded() {
      if (repeat.peek() === 'one') return 'replay';
      const i = nextIndex();
      return i >= 0 ? i : 'stop';
    },
    toggleShuffle() {
      const list = tracks.peek();
      const now = current.peek();
      if (!shuffle.peek()) {
        shuffle.value = true;
        if (!now) return;
        original = list;
        batch(() => {
          tracks.value = [now, ...shuffled(list.filter((_, i) => i !== index.peek()), random)];
          index.value = 0;
        });
      } else {
        shuffle.value = false;
        if (!original) return;
        const restored = original;
        original = null;
        batch(() => {
          tracks.value = restored;
          index.value = now ? Math.max(0, restored.indexOf(now)) : -1;
        });
      }
    },
    cycleRepeat() {
      const mode = repeat.peek() === 'off' ? 'all' : repeat.peek() === 'all' ? 'one' : 'off';
      repeat.value = mode;
      return mode;
    },
  };
}
