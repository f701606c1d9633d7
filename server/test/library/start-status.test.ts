/**
 * The first answer the server gives after `listen` already knows the library: the saved index
 * is loaded before the app is ready, so `/api/scan` never says "0 tracks, not scanning" over a
 * library of 40 tracks for the first tens of milliseconds.
 */
import assert from 'node:assert/strict';
import type { ScanStatus } from '@musicsharer/shared';
import { after, before, describe, test } from 'node:test';
import { buildApp } from '../../src/app.js';
import { LibraryService } from '../../src/library/service.js';
import { capturingLogger, putAlbum, tempLibrary, type TempLibrary } from './helpers.js';

const TRACKS = 40;

describe('scan status right after listen', () => {
  let lib: TempLibrary;
  const config = () => ({ mediaDir: lib.root, dataDir: lib.dataDir, wsEcho: false, allowedOrigins: [], auth: false, clientDir: '/nonexistent', rescanIntervalSec: 0 });

  before(async () => {
    lib = await tempLibrary();
    await putAlbum(lib, TRACKS);
    // A first run leaves an index behind.
    const first = await buildApp(config());
    await first.ready();
    await first.library.scan();
    await first.close();
  });
  after(() => lib.cleanup());

  test('the first /api/scan after listen counts the tracks of the saved index', async () => {
    const app = await buildApp(config());
    try {
      await app.listen({ port: 0, host: '127.0.0.1' });
      const address = app.server.address();
      assert.ok(address && typeof address === 'object');
      const response = await fetch(`http://127.0.0.1:${address.port}/api/scan`);
      const status = (await response.json()) as ScanStatus;
      assert.equal(status.trackCount, TRACKS);
    } finally {
      await app.close();
    }
  });

  test('before the first scan has run, the status says scanning', async () => {
    const service = new LibraryService(lib.root, capturingLogger().log, { dataDir: lib.dataDir, watch: false, rescanIntervalMs: 0 });
    const scanned = service.start();
    try {
      assert.equal(service.status.scanning, true, 'a scan waiting behind the index load is a scan under way');
      await service.indexLoaded();
      assert.equal(service.status.trackCount, TRACKS);
      assert.equal(service.status.scanning, true);
    } finally {
      await scanned;
      await service.close();
    }
  });
});
