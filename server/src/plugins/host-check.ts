/**
 * DNS rebinding guard: a request whose `Host` is not a name of this server gets `421 Misdirected
 * Request` (RFC 9110 §15.5.20), for HTTP and WebSocket alike (upgrades are routed through
 * Fastify, so this hook runs for them too).
 *
 * Why: a web page on evil.example can make its own name resolve to this server's LAN address
 * and then read our API from the visitor's browser as same-origin; the only trace of it is its
 * own name in `Host`. So `Host` must be one of: this machine's addresses (any interface: the
 * server listens on all of them by default), loopback names (`localhost`, 127.0.0.0/8, ::1),
 * this machine's host name and `<hostname>.local` (mDNS), or a name the user allowed with
 * `--allowed-host`. That also makes the WebSocket's Origin-equals-Host check sound.
 *
 * Cost on the hot path: one Set lookup of the raw field value (the handful of values a
 * server sees are remembered, up to `REMEMBERED_HOSTS`). An unknown IP address re-reads the
 * interfaces (a new DHCP lease, a second network) at most once a second.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hostname, networkInterfaces } from 'node:os';
import { isIP } from 'node:net';
import { hostnameOf, isLoopbackName } from '../http/host.js';

export interface HostCheckOptions {
  /** Extra names accepted in `Host` (`--allowed-host`), lower case. */
  allowedHosts?: readonly string[];
  /** This machine's addresses (default: `os.networkInterfaces()`, re-read when needed). */
  interfaceAddresses?: () => string[];
}

/** Distinct accepted `Host` values remembered; bounded, since a client chooses them. */
const REMEMBERED_HOSTS = 64;
const INTERFACES_REFRESH_MS = 1000;

function machineAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((entries) => (entries ?? []).map((entry) => entry.address.toLowerCase().split('%')[0]!));
}

export default fp<HostCheckOptions>(
  async (app, options) => {
    const readAddresses = options.interfaceAddresses ?? machineAddresses;
    const machineName = hostname().toLowerCase();
    const names = new Set([...(options.allowedHosts ?? []).map((name) => name.toLowerCase()), machineName, `${machineName}.local`]);
    let addresses = new Set(readAddresses());
    let addressesReadAt = performance.now();
    const accepted = new Set<string>();

    function isOurs(name: string): boolean {
      if (names.has(name) || isLoopbackName(name)) return true;
      if (isIP(name) === 0) return false;
      if (!addresses.has(name) && performance.now() - addressesReadAt >= INTERFACES_REFRESH_MS) {
        addresses = new Set(readAddresses());
        addressesReadAt = performance.now();
      }
      return addresses.has(name);
    }

    app.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
      const field = request.headers.host;
      // HTTP/1.0 without Host cannot come from a browser, so it cannot be a rebinding page.
      if (field === undefined || accepted.has(field)) return done();
      const name = hostnameOf(field);
      if (name !== undefined && isOurs(name)) {
        if (accepted.size < REMEMBERED_HOSTS) accepted.add(field);
        return done();
      }
      request.log.debug({ host: field.slice(0, 256) }, 'refusing a request for another host name');
      reply
        .code(421)
        .header('Connection', 'close')
        .send({ statusCode: 421, error: 'Misdirected Request', message: 'this server does not answer to that host name (see --allowed-host)' });
    });
  },
  { name: 'host-check' },
);
