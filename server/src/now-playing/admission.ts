/**
 * Who may join the now-playing hub, and how often a socket or an address may say hello.
 *
 * Every socket on `/ws` receives every `devices` broadcast, and every device is an entry in it:
 * what one broadcast costs grows with sockets x devices. A join storm (thousands of sockets
 * from one machine) must not make that product explode, so sockets are counted per remote
 * address and in total, and a socket past either bound is refused with 1013 (try again later)
 * and a reason. A device is a socket that said hello, so the devices of one address are bounded
 * by its sockets; the hub bounds devices in total (MAX_DEVICES in hub.ts).
 *
 * The address is the TCP peer's (`request.socket.remoteAddress`): the server trusts no proxy
 * header. An IPv6 client could rotate addresses; the total bounds hold regardless.
 */

/** Sockets one address may hold open on `/ws`: a household's phones, tablets and tabs behind one NAT. */
export const MAX_SOCKETS_PER_ADDRESS = 32;
/** Sockets on `/ws` in total. */
export const MAX_SOCKETS = 512;

/** Hellos a socket may send at once, and how fast that allowance comes back (a rename is rare). */
export const HELLO_BURST_PER_SOCKET = 4;
export const HELLOS_PER_SECOND_PER_SOCKET = 0.5;
/** Hellos an address may send at once (every socket it may open joins together), and the refill. */
export const HELLO_BURST_PER_ADDRESS = MAX_SOCKETS_PER_ADDRESS;
export const HELLOS_PER_SECOND_PER_ADDRESS = 4;

/** `burst` actions at once, then `perSecond` on average. */
export class TokenBucket {
  #tokens: number;
  #at: number;

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    now = performance.now(),
  ) {
    this.#tokens = burst;
    this.#at = now;
  }

  /** Takes one token if there is one. */
  take(now = performance.now()): boolean {
    this.#refill(now);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Whether the bucket is back to its burst (nothing left to remember). */
  isFull(now = performance.now()): boolean {
    this.#refill(now);
    return this.#tokens >= this.burst;
  }

  #refill(now: number): void {
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#at) / 1000) * this.perSecond);
    this.#at = now;
  }
}

/** One remote address's share: its open sockets and its hello allowance. */
export interface AddressShare {
  readonly address: string;
  sockets: number;
  readonly hellos: TokenBucket;
}

export interface Refusal {
  reason: string;
}

/** "::ffff:192.0.2.1" and "192.0.2.1" are the same peer. */
function normaliseAddress(address: string | undefined): string {
  if (address === undefined) return 'unknown';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

export class Admission {
  /** Addresses with open sockets. */
  readonly #active = new Map<string, AddressShare>();
  /**
   * Addresses whose last socket closed while their hello allowance was not yet back: kept so that
   * reconnecting does not reset it. Oldest first; bounded by MAX_SOCKETS.
   */
  readonly #idle = new Map<string, AddressShare>();
  #sockets = 0;

  /** Counts a new socket from `address`, or says why it may not join. */
  admit(remoteAddress: string | undefined): AddressShare | Refusal {
    const address = normaliseAddress(remoteAddress);
    let share = this.#active.get(address);
    if (share !== undefined && share.sockets >= MAX_SOCKETS_PER_ADDRESS) {
      return { reason: `too many connections from your address (${MAX_SOCKETS_PER_ADDRESS})` };
    }
    if (this.#sockets >= MAX_SOCKETS) return { reason: `the server has too many connections (${MAX_SOCKETS})` };
    if (share === undefined) {
      share = this.#idle.get(address) ?? {
        address,
        sockets: 0,
        hellos: new TokenBucket(HELLO_BURST_PER_ADDRESS, HELLOS_PER_SECOND_PER_ADDRESS),
      };
      this.#idle.delete(address);
      this.#active.set(address, share);
    }
    share.sockets++;
    this.#sockets++;
    return share;
  }

  /** A socket admitted with `share` closed. */
  leave(share: AddressShare): void {
    this.#sockets--;
    if (--share.sockets > 0) return;
    this.#active.delete(share.address);
    this.#forgetIdle();
    if (!share.hellos.isFull()) this.#idle.set(share.address, share);
  }

  #forgetIdle(): void {
    for (const [address, share] of this.#idle) {
      if (this.#idle.size < MAX_SOCKETS && !share.hellos.isFull()) break;
      this.#idle.delete(address);
    }
  }
}
