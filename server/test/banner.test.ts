import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { QUIET_ZONE, qrModules, qrTerminalLines } from '../src/banner/qr.js';
import { startBanner } from '../src/banner/start-banner.js';
import { serverAddresses } from '../src/network.js';
import { readTerminalQr, terminalQrRows } from './fixtures/terminal-qr.js';

// eslint-disable-next-line no-control-regex -- terminal escapes are what is being stripped
const stripEscapes = (line: string) => line.replace(/\x1b\[[0-9;]*m/g, '');

describe('terminal QR code', () => {
  for (const url of ['http://192.168.100.200:4533/', 'http://10.0.0.2:4533/', 'http://[2001:db8:85a3::8a2e:370:7334]:65535/']) {
    test(`${url} decodes back with an independent decoder`, () => {
      assert.equal(readTerminalQr(qrTerminalLines(url).join('\n')), url);
    });
  }

  test('two modules per cell, a light quiet zone of four modules all round', () => {
    const url = 'http://192.168.100.200:4533/';
    const size = qrModules(url).length;
    // 28 bytes at level L: version 2, 25 modules, plus the quiet zone.
    assert.equal(size, 25 + 2 * QUIET_ZONE);
    const lines = qrTerminalLines(url);
    assert.equal(lines.length, Math.ceil(size / 2));
    for (const line of lines) assert.equal([...stripEscapes(line)].length, size);
    const rows = terminalQrRows(lines.join('\n')).slice(0, size);
    for (let i = 0; i < QUIET_ZONE; i++) {
      for (const row of [rows[i]!, rows[size - 1 - i]!]) assert.ok(row.every(Boolean), 'top and bottom quiet zone rows are light');
      for (const row of rows) assert.ok(row[i] && row[size - 1 - i], 'left and right quiet zone columns are light');
    }
    // The finder pattern's dark ring starts right inside the quiet zone (top-left corner).
    assert.deepEqual(rows[QUIET_ZONE]!.slice(QUIET_ZONE, QUIET_ZONE + 7), Array(7).fill(false));
  });
});

describe('start banner', () => {
  const addresses = serverAddresses('0.0.0.0', 4533, {
    lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' }],
    eth0: [
      { address: 'fe80::1', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '02:00:00:00:00:01', internal: false, cidr: 'fe80::1/64', scopeid: 2 },
      { address: '2001:db8::5', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '02:00:00:00:00:01', internal: false, cidr: '2001:db8::5/64', scopeid: 0 },
      { address: '192.168.1.20', netmask: '255.255.255.0', family: 'IPv4', mac: '02:00:00:00:00:01', internal: false, cidr: '192.168.1.20/24' },
    ],
  });

  test('network addresses IPv4 first, no link-local or loopback; localhost for this computer', () => {
    assert.deepEqual(addresses, { network: ['http://192.168.1.20:4533/', 'http://[2001:db8::5]:4533/'], local: 'http://localhost:4533/' });
  });

  test('on a terminal: the folder, every address once, and a QR code of the first network address', () => {
    const text = startBanner({ mediaDir: '/home/me/Music', addresses, terminal: true });
    assert.match(text, /musicsharer is serving \/home\/me\/Music\n/);
    for (const url of ['http://192.168.1.20:4533/', 'http://[2001:db8::5]:4533/', 'http://localhost:4533/']) {
      assert.equal(text.split(url).length - 1, url === 'http://192.168.1.20:4533/' ? 2 : 1, `${url} in the list (and the first beside the code)`);
    }
    assert.equal(readTerminalQr(text), 'http://192.168.1.20:4533/');
  });

  test('on a pipe or file: the same text without the code', () => {
    const text = startBanner({ mediaDir: '/home/me/Music', addresses, terminal: false });
    assert.equal(terminalQrRows(text).length, 0);
    assert.ok(startBanner({ mediaDir: '/home/me/Music', addresses, terminal: true }).startsWith(text.trimEnd()));
  });

  test('listening on loopback only: no list for the phone, no code', () => {
    const text = startBanner({ mediaDir: '/m', addresses: serverAddresses('127.0.0.1', 8080), terminal: true });
    assert.match(text, /Listening on http:\/\/127\.0\.0\.1:8080\/ \(no network address a phone could reach\)/);
    assert.equal(terminalQrRows(text).length, 0);
  });
});
