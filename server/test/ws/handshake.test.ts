/** The opening handshake checks (RFC 6455 §4.2), as a table. */
import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { describe, test } from 'node:test';
import { isSameOrigin } from '../../src/http/origin.js';
import { acceptKey, switchingProtocolsResponse, validateHandshake } from '../../src/ws/handshake.js';

const good: IncomingHttpHeaders = {
  host: '192.168.1.20:4533',
  upgrade: 'websocket',
  connection: 'Upgrade',
  'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
  'sec-websocket-version': '13',
};
const options = { allowedOrigins: new Set(['https://friend.example']) };

function check(headers: IncomingHttpHeaders, method = 'GET', httpVersion = '1.1') {
  return validateHandshake({ method, httpVersion, headers }, options);
}

describe('handshake', () => {
  test('RFC 6455 §1.3: the accept key of the sample nonce', () => {
    assert.equal(acceptKey('dGhlIHNhbXBsZSBub25jZQ=='), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    assert.deepEqual(check(good), { ok: true, accept: 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=' });
  });

  test('the 101 response', () => {
    assert.equal(
      switchingProtocolsResponse('s3pPLMBiTxaQ9kYGzzhZRbK+xOo='),
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n',
    );
  });

  const accepted: [string, IncomingHttpHeaders][] = [
    ['Upgrade and Connection in any case', { ...good, upgrade: 'WebSocket', connection: 'UPGRADE' }],
    ['Connection with several tokens', { ...good, connection: 'keep-alive, Upgrade' }],
    ['Upgrade with several protocols', { ...good, upgrade: 'h2c, websocket' }],
    ['a permessage-deflate offer (declined, not refused)', { ...good, 'sec-websocket-extensions': 'permessage-deflate' }],
    ['same origin over http', { ...good, origin: 'http://192.168.1.20:4533' }],
    ['same origin over https', { ...good, origin: 'https://192.168.1.20:4533' }],
    ['same origin, host names differ only in case', { ...good, host: 'MyMac.local:4533', origin: 'http://mymac.local:4533' }],
    ['same origin with default ports', { ...good, host: 'music.example', origin: 'https://music.example:443' }],
    ['an allowed origin', { ...good, origin: 'https://friend.example' }],
    ['no Origin (not a browser)', good],
  ];
  for (const [name, headers] of accepted) {
    test(`accepts ${name}`, () => {
      assert.equal(check(headers).ok, true);
    });
  }

  const refused: [string, IncomingHttpHeaders, number, string?][] = [
    ['no Upgrade', { ...good, upgrade: undefined }, 400],
    ['Upgrade not websocket', { ...good, upgrade: 'h2c' }, 400],
    ['no Connection: Upgrade', { ...good, connection: 'keep-alive' }, 400],
    ['no Host', { ...good, host: undefined }, 400],
    ['version 8', { ...good, 'sec-websocket-version': '8' }, 426],
    ['no version', { ...good, 'sec-websocket-version': undefined }, 426],
    ['no key', { ...good, 'sec-websocket-key': undefined }, 400],
    ['a key of 15 bytes', { ...good, 'sec-websocket-key': Buffer.alloc(15).toString('base64') }, 400],
    ['a key of 17 bytes', { ...good, 'sec-websocket-key': Buffer.alloc(17).toString('base64') }, 400],
    ['a key that is not base64', { ...good, 'sec-websocket-key': 'not base64 at all!!!!!==' }, 400],
    ['two keys', { ...good, 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==, dGhlIHNhbXBsZSBub25jZQ==' }, 400],
    ['another site', { ...good, origin: 'https://evil.example' }, 403],
    ['same host, other port', { ...good, origin: 'http://192.168.1.20:8080' }, 403],
    ['an opaque origin', { ...good, origin: 'null' }, 403],
    ['a file: origin', { ...good, origin: 'file://' }, 403],
  ];
  for (const [name, headers, status] of refused) {
    test(`refuses ${name} with ${status}`, () => {
      const result = check(headers);
      assert.equal(result.ok, false);
      if (!result.ok) assert.equal(result.status, status);
    });
  }

  test('426 names the version we speak (§4.4)', () => {
    const result = check({ ...good, 'sec-websocket-version': '7' });
    assert.deepEqual(result.ok ? undefined : result.headers, { 'Sec-WebSocket-Version': '13' });
  });

  test('only GET over HTTP/1.1 or later (§4.2.1)', () => {
    const post = check(good, 'POST');
    assert.equal(post.ok ? 0 : post.status, 405);
    const http10 = check(good, 'GET', '1.0');
    assert.equal(http10.ok ? 0 : http10.status, 400);
  });

  test('isSameOrigin compares host and port, not scheme', () => {
    assert.equal(isSameOrigin('http://a.local:1', 'a.local:1'), true);
    assert.equal(isSameOrigin('https://a.local:1', 'a.local:1'), true);
    assert.equal(isSameOrigin('http://a.local', 'a.local:80'), true);
    assert.equal(isSameOrigin('http://a.local:2', 'a.local:1'), false);
    assert.equal(isSameOrigin('http://b.local:1', 'a.local:1'), false);
    assert.equal(isSameOrigin('http://a.local:1', undefined), false);
    assert.equal(isSameOrigin('http://a.local:1', 'a.local:1/evil'), false);
  });
});
