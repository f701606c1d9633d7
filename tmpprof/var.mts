import Fastify from 'fastify';
import { createWriteStream } from 'node:fs';
import streamPlugin from '../server/src/plugins/stream.ts';
import { QuietRequestLog, requestLogOptions } from '../server/src/request-log.ts';
class Lazy {
  #real: any; constructor(private p: any, private b: any, private o: any) {}
  get real() { return (this.#real ??= this.p.child(this.b, this.o)); }
  get level() { return this.#real ? this.#real.level : this.p.level; }
  set level(v) { this.real.level = v; }
  child(b: any, o: any) { return this.real.child(b, o); }
  info(...a: any[]) { return this.real.info(...a); }
  warn(...a: any[]) { return this.real.warn(...a); }
  error(...a: any[]) { return this.real.error(...a); }
  debug(...a: any[]) { return this.real.debug(...a); }
  trace(...a: any[]) { return this.real.trace(...a); }
  fatal(...a: any[]) { return this.real.fatal(...a); }
  silent(...a: any[]) { return this.real.silent(...a); }
}
const variant = process.argv[2]!;
const port = Number(process.argv[3]);
const root = '/tmp/prof/media';
const app = Fastify({
  logger: variant.includes('nolog') ? false : { level: 'info', stream: createWriteStream('/dev/null') },
  logController: new QuietRequestLog(),
  trustProxy: false,
  keepAliveTimeout: 65_000,
  ...(variant.includes('new') ? requestLogOptions(false) : {}),
  ...(variant.includes('same') ? { childLoggerFactory: (logger: any) => logger } : {}),
  ...(variant.includes('lazy') ? { childLoggerFactory: (logger: any, bindings: any, opts: any) => new Lazy(logger, bindings, opts) } : {}),
});
await app.register(streamPlugin, { root, resolve: (id: string) => (id === 'hour' ? { path: root + '/hour.mp3', mimeType: 'audio/mpeg' } : undefined) });
const fields9 = ['Accept-Ranges', 'bytes', 'ETag', '"abc-123-456"', 'Last-Modified', new Date().toUTCString(), 'Cache-Control', 'no-cache', 'X-Content-Type-Options', 'nosniff', 'Content-Type', 'audio/mpeg', 'Content-Length', '2', 'Content-Range', 'bytes 0-1/57600000'];
const { lstatSync } = await import('node:fs');
const { IdParamsSchema } = await import('../shared/src/schemas.ts');
app.get('/b9/:id', (req, reply) => { reply.hijack(); reply.raw.writeHead(206, fields9); reply.raw.end('ab'); });
app.get('/b9s/:id', { schema: { params: IdParamsSchema }, attachValidation: true }, (req, reply) => { reply.hijack(); reply.raw.writeHead(206, fields9); reply.raw.end('ab'); });
app.get('/b9sl/:id', { schema: { params: IdParamsSchema }, attachValidation: true }, (req, reply) => { lstatSync(root + '/hour.mp3', { throwIfNoEntry: false }); reply.hijack(); reply.raw.writeHead(206, fields9); reply.raw.end('ab'); });
if (variant.includes('bare')) app.get('/bare/:id', (req, reply) => { reply.hijack(); reply.raw.writeHead(206, ['Content-Length', '2']); reply.raw.end('ab'); });
await app.listen({ port, host: '127.0.0.1' });
console.log('ready');
process.on('SIGINT', () => void app.close().then(() => process.exit(0)));
