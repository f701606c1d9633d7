/**
 * Playlist files in the media folder (library/playlist-files.ts through the library service):
 * found by the scan, kept current by the watcher (a new `.m3u8` appears, a changed one is read
 * again, a deleted one goes), malformed and oversized files listed with what could be read and
 * one warning, entries outside the folder missing and never opened, links out ignored.
 */
import assert from 'node:assert/strict';
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { trackId } from '../../src/library/ids.js';
import { MAX_PLAYLIST_FILE_BYTES } from '../../src/playlists/parse.js';
import { libraryServices, waitFor } from './../library/helpers.js';

const h = libraryServices(3);
const names = (service: ReturnType<typeof h.open>['service']) => service.playlistFiles.list().map((file) => file.path).sort();

describe('playlist files in the library', () => {
  test('the scan finds .m3u, .m3u8 and .pls (any case), resolves their entries; other files are not playlists', async () => {
    await h.lib.put('Lists/mix.m3u8', '#EXTM3U\n#EXTINF:1,Band - Song 1\n../Band/Record/1.mp3\n../../outside.mp3\n/etc/passwd\nhttp://radio/x\n');
    await h.lib.put('old.M3U', 'Band\\Record\\2.mp3\n');
    await h.lib.put('Band/Record/album.pls', '[playlist]\nFile1=3.mp3\nFile2=file://' + encodeURI(h.lib.root) + '/Band/Record/1.mp3\nNumberOfEntries=2\n');
    await h.lib.put('notes.txt', 'Band/Record/1.mp3\n');
    const { service, lines } = h.open();
    await service.start();
    assert.deepEqual(names(service), ['Band/Record/album.pls', 'Lists/mix.m3u8', 'old.M3U']);
    const mix = service.playlistFiles.list().find((file) => file.path === 'Lists/mix.m3u8')!;
    assert.equal(mix.name, 'mix');
    assert.deepEqual(mix.entries.map((e) => e.path), ['Band/Record/1.mp3', null, null, null]);
    assert.equal(mix.entries[0]!.id, trackId('Band/Record/1.mp3'));
    assert.ok(service.catalog.getTrack(mix.entries[0]!.id), 'the entry is the library track');
    assert.deepEqual(mix.entries[0]!.title, 'Song 1');
    const pls = service.playlistFiles.list().find((file) => file.path.endsWith('.pls'))!;
    assert.deepEqual(pls.entries.map((e) => e.path), ['Band/Record/3.mp3', 'Band/Record/1.mp3']);
    assert.deepEqual(service.playlistFiles.list().find((file) => file.path === 'old.M3U')!.entries.map((e) => e.path), ['Band/Record/2.mp3']);
    assert.ok(!lines.some((line) => line.level === 40 && String(line.msg).includes('playlist')), 'well-formed files: no warning');
    assert.equal(service.playlistFiles.get(mix.id), mix);
  });

  test('the watcher picks up a new .m3u8, a changed one and a deleted one', async () => {
    const { service } = h.open({ watch: true, debounceMs: 100 });
    await service.start();
    assert.deepEqual(names(service), []);
    let told = 0;
    service.on('playlists', () => told++);
    await h.lib.put('Band/Record/new.m3u8', '1.mp3\n2.mp3\n');
    const added = await waitFor('the new playlist', () => service.playlistFiles.list().find((file) => file.path === 'Band/Record/new.m3u8'));
    assert.deepEqual(added.entries.map((e) => e.path), ['Band/Record/1.mp3', 'Band/Record/2.mp3']);
    await waitFor('clients told', () => told >= 1);
    await writeFile(join(h.lib.root, 'Band/Record/new.m3u8'), '3.mp3\n');
    await waitFor('the changed playlist', () => service.playlistFiles.list()[0]?.entries.length === 1);
    // A new folder with a playlist in it.
    await h.lib.put('More/Lists/deep.pls', '[playlist]\nFile1=../../Band/Record/2.mp3\n');
    await waitFor('a playlist in a new folder', () => names(service).includes('More/Lists/deep.pls'));
    await rm(join(h.lib.root, 'Band/Record/new.m3u8'));
    await waitFor('the deleted playlist gone', () => !names(service).includes('Band/Record/new.m3u8'));
    await rm(join(h.lib.root, 'More'), { recursive: true });
    await waitFor('a deleted folder takes its playlists', () => names(service).length === 0);
  });

  test('a malformed file is listed with what could be read, with one warning; the scan goes on', async () => {
    await h.lib.put('bad.pls', 'File1=Band/Record/1.mp3\ngarbage line\n\u0000\u0001binary\n');
    await h.lib.put('binary.m3u', Buffer.from([0xff, 0xfe, 0x00, 0x00, 0x0a, 0x42, 0x61, 0x6e, 0x64, 0x2f, 0x52, 0x65, 0x63, 0x6f, 0x72, 0x64, 0x2f, 0x31, 0x2e, 0x6d, 0x70, 0x33, 0x0a]));
    const { service, lines } = h.open();
    await service.start();
    assert.equal(service.catalog.size, 3, 'the tracks are all there');
    const bad = service.playlistFiles.list().find((file) => file.path === 'bad.pls')!;
    assert.deepEqual(bad.entries.map((e) => e.path), ['Band/Record/1.mp3']);
    const binary = service.playlistFiles.list().find((file) => file.path === 'binary.m3u')!;
    assert.deepEqual(binary.entries.map((e) => e.path), ['Band/Record/1.mp3']);
    const warnings = lines.filter((line) => line.level === 40 && line.msg === 'playlist file partly unreadable: listed with what could be read');
    assert.deepEqual(warnings.map((line) => line.path).sort(), ['bad.pls', 'binary.m3u']);
    // A rescan of the unchanged files warns no more.
    await service.scan();
    assert.equal(lines.filter((line) => line.level === 40 && String(line.msg).startsWith('playlist file')).length, 2);
  });

  test('a file over 1 MiB: only its start is read (whole lines), with a warning', async () => {
    // Long lines (that normalise to one path): the byte cap, not the entry cap, is what stops it.
    const line = `Band/Record/${'./'.repeat(90)}1.mp3\n`;
    const count = Math.ceil((MAX_PLAYLIST_FILE_BYTES * 1.5) / line.length);
    await h.lib.put('huge.m3u8', line.repeat(count));
    const { service, lines } = h.open();
    await service.start();
    const huge = service.playlistFiles.list()[0]!;
    assert.equal(huge.entries.length, Math.floor(MAX_PLAYLIST_FILE_BYTES / line.length));
    assert.ok(huge.entries.every((e) => e.path === 'Band/Record/1.mp3'), 'no cut line');
    assert.ok(lines.some((l) => l.level === 40 && l.path === 'huge.m3u8'));
  });

  test('a link to a playlist outside the folder is not read; a FIFO named .m3u does not block the scan', async () => {
    const outside = join(dirname(h.lib.root), 'outside.m3u');
    await writeFile(outside, 'Band/Record/1.mp3\n');
    await symlink(outside, join(h.lib.root, 'link.m3u'));
    await mkdir(join(h.lib.root, 'Fifo'));
    const { execFileSync } = await import('node:child_process');
    execFileSync('mkfifo', [join(h.lib.root, 'Fifo', 'pipe.m3u')]);
    const { service } = h.open();
    await service.start();
    assert.deepEqual(names(service), []);
  });
});
