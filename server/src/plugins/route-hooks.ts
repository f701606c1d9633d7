/** Route-level hooks attached in `onRoute` (auth, origin check): the route's own hooks run after them. */
import type { onRequestHookHandler, RouteOptions } from 'fastify';

export function prependOnRequest(route: RouteOptions, hook: onRequestHookHandler): void {
  const own = route.onRequest === undefined ? [] : Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest];
  route.onRequest = [hook, ...own];
}
