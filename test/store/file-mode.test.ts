/**
 * The device store is its owner's alone: a folder it creates is 0700, the database (and SQLite's
 * -wal and -shm beside it) 0600, whatever the umask lets through; a folder that exists keeps its
 * mode. Through the Store and through `glasspane analyze --db` with the default per-user path.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { Store } from '../../src-main/store/store';
import { writePcap } from '../helpers/pcap-writer';
import { arp, ethernet } from '../helpers/packets';

const tmp = mkdtempSync(join(tmpdir(), 'gp-store-mode-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const mode = (p: string) => statSync(p).mode & 0o777;

test('a new store in a new folder: folders 0700, database, -wal and -shm 0600, even with umask 0', () => {
  const old = process.umask(0);
  try {
    const db = join(tmp, 'new', 'deeper', 'inventory.db');
    const s = new Store(db);
    // A write, so SQLite creates its -wal and -shm files.
    s.db.prepare('CREATE TABLE IF NOT EXISTS t (x)').run();
    assert.equal(mode(join(tmp, 'new')), 0o700);
    assert.equal(mode(join(tmp, 'new', 'deeper')), 0o700);
    assert.equal(mode(db), 0o600);
    for (const side of [`${db}-wal`, `${db}-shm`]) {
      assert.ok(existsSync(side), side);
      assert.equal(mode(side), 0o600, side);
    }
    s.close();
    // Reopened, still 0600; nothing was loosened.
    new Store(db).close();
    assert.equal(mode(db), 0o600);
  } finally {
    process.umask(old);
  }
});

test('an existing folder keeps its mode; the file created in it is 0600', () => {
  const dir = join(tmp, 'chosen');
  mkdirSync(dir);
  chmodSync(dir, 0o755);
  new Store(join(dir, 'mine.db')).close();
  assert.equal(mode(dir), 0o755);
  assert.equal(mode(join(dir, 'mine.db')), 0o600);
});

test('glasspane analyze --db with the default path creates the per-user store 0600 in a 0700 folder', () => {
  const root = resolve(import.meta.dirname, '..', '..');
  const capture = writePcap(join(tmp, 'one.pcap'), 1, [
    {
      data: ethernet(
        'ff:ff:ff:ff:ff:ff',
        '00:1b:1b:aa:bb:cc',
        0x0806,
        arp(1, '00:1b:1b:aa:bb:cc', '10.0.0.5', '00:00:00:00:00:00', '10.0.0.1'),
      ),
    },
  ]);
  const xdg = join(tmp, 'xdg');
  const r = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      join(root, 'src-main/cli/glasspane.ts'),
      'analyze',
      capture,
      '--db',
      '--format',
      'csv',
    ],
    { cwd: root, encoding: 'utf8', env: { ...process.env, XDG_DATA_HOME: xdg } },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`stored in ${join(xdg, 'glasspane', 'inventory.db')}`));
  assert.equal(mode(join(xdg, 'glasspane')), 0o700);
  assert.equal(mode(join(xdg, 'glasspane', 'inventory.db')), 0o600);
});
