/**
 * Per-request logging for the running server. A phone playing music makes a Range request
 * every few seconds and dozens per track start and seek: two info lines per request would bury
 * what the terminal is for (the address to open, scan progress, warnings), and cost more CPU
 * than serving a `bytes=0-1` probe. So the "incoming request" / "request completed" pair is not
 * logged; what goes wrong still is (errors reaching Fastify's error handler, such as a failed
 * schema validation or a 5xx, stream errors, and our own warnings).
 * `LOG_LEVEL=debug` brings every request back.
 */
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

export class QuietRequestLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply, metadata?: Record<string, unknown>): void {
    if (error) super.requestCompleted(error, request, reply, metadata);
  }
}
