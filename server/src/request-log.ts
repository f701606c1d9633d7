/**
 * Per-request logging for the running server. A phone playing music makes a Range request
 * every few seconds and dozens per track start and seek: two info lines per request would bury
 * what the terminal is for (the address to open, scan progress, warnings), and cost more CPU
 * than serving a `bytes=0-1` probe. So the "incoming request" / "request completed" pair is not
 * logged; what goes wrong on our side still is (5xx, stream errors, our own warnings).
 * `LOG_LEVEL=debug` brings every request back.
 *
 * A client's mistake (a 4xx: a failed schema validation, an unknown route) is not the server's
 * error: Fastify logs each at info with the error's whole stack (~1.4 KB), so one client
 * sending bad requests in a loop grew the log by ~95 MB in 10 s. It is one short line at debug
 * instead, with no stack.
 */
import { LogController, type FastifyBaseLogger, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';

export class RequestLog extends LogController {
  constructor(
    /** "incoming request" / "request completed" for every request (LOG_LEVEL=debug). */
    private readonly everyRequest: boolean,
  ) {
    super();
  }

  override incomingRequest(request: FastifyRequest): void {
    if (!this.everyRequest) return;
    // Fastify's own line logs the URL as sent: a pairing link's token is a secret.
    const { method, url } = request.raw;
    request.log.info({ req: { method, url: redactUrl(url ?? ''), host: request.headers.host, remoteAddress: request.ip } }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply, metadata?: Record<string, unknown>): void {
    if (this.everyRequest || error) super.requestCompleted(error, request, reply, metadata);
  }

  override defaultErrorLog(error: Error, request: FastifyRequest, reply: FastifyReply, metadata?: Record<string, unknown>): void {
    if (reply.statusCode >= 500) {
      super.defaultErrorLog(error, request, reply, metadata);
      return;
    }
    const code = (error as { code?: unknown } | undefined)?.code;
    reply.log.debug({ statusCode: reply.statusCode, code, reason: error?.message }, 'client error');
  }

  override routeNotFound(request: FastifyRequest): void {
    request.log.debug({ method: request.raw.method, url: redactUrl(request.raw.url ?? '') }, 'route not found');
  }
}

/**
 * A URL fit for a log: the secret in a pairing link (`/pair/<token>`) and in a share link
 * (`/s/<id>/...`, whoever has it can listen) is cut out.
 */
export function redactUrl(url: string): string {
  // The path starts the target, or follows the authority in an absolute-form target (RFC 9112 §3.2.2).
  return url.replace(/^((?:[a-z][a-z0-9+.-]*:\/\/[^/?#]*)?)\/(pair|s)\/[^/?#]+/i, '$1/$2/[redacted]');
}

type Bindings = Record<string, unknown>;
const LOG_METHODS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
type LogMethods = Record<(typeof LOG_METHODS)[number], (...args: unknown[]) => void>;
type ChildOptions = Parameters<FastifyBaseLogger['child']>[1];

/**
 * `request.log` that becomes pino's child logger (with the request id) on its first use.
 * Fastify makes a child for every request; with request lines off almost no request logs
 * anything, and making the child (bindings serialized, a prototype chain set up) was ~2 µs of
 * a ~30 µs `bytes=0-1` probe: 6% of the hot path's throughput, measured.
 */
class LazyRequestLogger implements FastifyBaseLogger {
  #child: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
    private readonly options: ChildOptions,
  ) {}

  get #logger(): FastifyBaseLogger {
    return (this.#child ??= this.parent.child(this.bindings, this.options));
  }

  /** The child's log methods, called as methods (pino's need their `this`). */
  get #calls(): LogMethods {
    return this.#logger as unknown as LogMethods;
  }

  get level(): string {
    return this.#child?.level ?? this.options?.level ?? this.parent.level;
  }

  set level(level: string) {
    this.#logger.level = level;
  }

  declare fatal: LogMethods['fatal'];
  declare error: LogMethods['error'];
  declare warn: LogMethods['warn'];
  declare info: LogMethods['info'];
  declare debug: LogMethods['debug'];
  declare trace: LogMethods['trace'];
  declare silent: LogMethods['silent'];

  static {
    // On the prototype, not as arrow fields: a request must not pay for seven closures.
    // pino's overloads (an object and/or a message with format arguments) pass through as is.
    for (const name of LOG_METHODS) {
      Object.defineProperty(this.prototype, name, {
        value(this: LazyRequestLogger, ...args: unknown[]) {
          this.#calls[name](...args);
        },
      });
    }
  }

  child(bindings: Bindings, options?: ChildOptions): FastifyBaseLogger {
    return this.#logger.child(bindings, options);
  }
}

/** The Fastify options for request logging, shared by the app and the benchmarks. */
export function requestLogOptions(requestLogging: boolean): Pick<FastifyServerOptions, 'logController' | 'childLoggerFactory'> {
  return {
    logController: new RequestLog(requestLogging),
    childLoggerFactory: (logger, bindings, options) => new LazyRequestLogger(logger, bindings, options),
  };
}
