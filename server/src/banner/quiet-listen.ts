/**
 * Fastify logs "Server listening at <url>" at info level once per interface (five lines on a
 * laptop with IPv6), and has no option to turn it off: its maintainers point to lowering the log
 * level around `listen()` (fastify/help#641), which would also swallow our own lines logged
 * meanwhile. On a terminal the banner is the one announcement, so Fastify's listen text becomes
 * a marker (`listenTextResolver`, its supported option) and the logger's `logMethod` hook (pino's
 * supported hook) drops exactly those lines. Every other line passes as is.
 */
const LISTENING_MARKER = 'musicsharer: listening, announced by the start banner';

/** For `app.listen(...)`. */
export const bannerListenText = { listenTextResolver: (): string => LISTENING_MARKER } as const;

/** For the logger options: pino's hook that drops the marker lines. */
export const dropListenLines = {
  logMethod(this: unknown, args: unknown[], method: (...args: unknown[]) => void): void {
    if (args[0] === LISTENING_MARKER) return;
    method.apply(this, args);
  },
};
